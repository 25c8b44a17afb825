"""The applicant space driven by Streamlit's AppTest against an in-memory ``/applicant`` API.

Sign-in (wrong details, throttling with the time to wait, a revoked code), each screen in
French and English, "this is wrong" on an item, the review request with its due date,
the withdrawal, and the language files.
"""

from __future__ import annotations

import json
import re
import string
from datetime import date
from pathlib import Path

import pytest
from applicant_fake import APPLICATION, BIRTH, CODE, REVOKED_CODE, FakeApplicantApi
from streamlit.testing.v1 import AppTest

from credit_scoring.applicant_space import state
from credit_scoring.applicant_space.i18n import catalog, translate, value_text, wait
from credit_scoring.applicant_space.views.review import attachment_names

PACKAGE = Path(state.__file__).parent
APP = str(PACKAGE / "app.py")
TIMEOUT = 30
TEXT_KINDS = ("markdown", "success", "error", "info", "warning", "caption", "title", "subheader")


def texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in TEXT_KINDS for e in getattr(at, kind))


def space(fake: FakeApplicantApi, lang: str = "fr") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[state.API] = fake.client()
    at.session_state[state.LANG] = lang
    return at.run()


def sign_in(
    at: AppTest, number: str = str(APPLICATION), code: str = CODE, birth: str = BIRTH
) -> AppTest:
    at.text_input(key="asw_signin_number").input(number)
    at.text_input(key="asw_signin_code").input(code)
    at.date_input(key="asw_signin_birth").set_value(date.fromisoformat(birth))
    return button(at, "signin.submit").click().run()


def open_screen(at: AppTest, name: str) -> AppTest:
    at.button_group(key=state.SECTION).set_value(name)
    return at.run()


def button(at: AppTest, key: str):  # type: ignore[no-untyped-def]
    """The button labelled with the text ``key`` in the session's language."""
    label = translate(key, at.session_state[state.LANG])
    return next(b for b in at.button if b.label == label)


# --- sign-in ---------------------------------------------------------------------------------


def test_wrong_details_are_refused_in_the_apis_words_and_nothing_typed_is_lost() -> None:
    fake = FakeApplicantApi()
    at = sign_in(space(fake), code="AAAA-BBBB-CCCC-DDDD")
    assert [e.value for e in at.error] == [
        "Ces informations ne permettent pas d'ouvrir votre espace."
    ]
    assert at.text_input(key="asw_signin_number").value == str(APPLICATION)
    assert at.text_input(key="asw_signin_code").value == "AAAA-BBBB-CCCC-DDDD"
    assert state.TOKEN not in at.session_state


def test_a_form_with_a_missing_field_says_which_and_calls_nobody() -> None:
    fake = FakeApplicantApi()
    at = space(fake, "en")
    at.text_input(key="asw_signin_number").input("10a2")
    at = button(at, "signin.submit").click().run()
    said = texts(at)
    for key in ("signin.need_number", "signin.need_code", "signin.need_birth"):
        assert translate(key, "en") in said
    assert not any("session" in call for call in fake.calls)


def test_throttling_says_how_long_to_wait() -> None:
    fake = FakeApplicantApi()
    fake.throttle_for = 290
    at = sign_in(space(fake, "en"))
    assert [e.value for e in at.error] == ["Too many attempts: try again in 5 minutes."]
    # an answer without a message: the app says how long from retry_after
    fake.throttle_message = False
    at = button(at, "signin.submit").click().run()
    assert [i.value for i in at.info] == ["You can try again in 5 minutes."]


def test_a_revoked_code_sends_the_applicant_to_their_advisor() -> None:
    at = sign_in(space(FakeApplicantApi()), code=REVOKED_CODE)
    assert translate("signin.ask_advisor", "fr") in [i.value for i in at.info]


@pytest.mark.parametrize(
    ("seconds", "lang", "said"),
    [
        (30, "en", "30 seconds"),
        (61, "en", "2 minutes"),
        (300, "fr", "5 minutes"),
        (1, "fr", "1\u00a0seconde"),
    ],
)
def test_the_time_to_wait_in_words(seconds: int, lang: str, said: str) -> None:
    assert wait(seconds, lang) == said


# --- the screens -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "payment", "reason", "when"),
    [
        ("fr", "372,50\u00a0€", "Votre emploi est récent.", "2 décembre 2026"),
        ("en", "€372.50", "Your job is recent.", "2 December 2026"),
    ],
)
def test_my_decision_gives_the_reasons_the_grade_and_the_letter(
    lang: str, payment: str, reason: str, when: str
) -> None:
    fake = FakeApplicantApi()
    at = sign_in(space(fake, lang))
    said = texts(at)
    assert translate("decision.refuse", lang, when=when) in [e.value for e in at.error]
    assert payment in said and reason in said
    assert translate("decision.grade", lang, grade="E") in said
    assert ("risque plus élevé" if lang == "fr" else "higher risk") in said
    assert len(at.get("download_button")) == 1
    assert all(lang_sent == lang for lang_sent in fake.langs)


def test_another_application_of_the_same_applicant_can_be_opened() -> None:
    at = sign_in(space(FakeApplicantApi(), "en"))
    choice = at.selectbox(key="asw_application_choice")
    assert choice.value == APPLICATION and len(choice.options) == 2
    at = choice.set_value(977).run()
    assert "Your application #977" in [s.value for s in at.subheader]


def test_this_is_wrong_opens_a_comment_and_sends_a_rectification() -> None:
    fake = FakeApplicantApi()
    at = open_screen(sign_in(space(fake, "en")), "data")
    said = texts(at)
    assert "Source: your application form" in said and "Source: credit bureau" in said
    assert "42,000" in said and "01/09/2025" in said  # numbers and dates in the language
    at = at.button(key="asw_wrong_form_0").click().run()
    at = button(at, "data.send").click().run()  # an empty comment is not sent
    assert translate("data.need_comment", "en") in [e.value for e in at.error]
    assert fake.rectifications == []
    at.text_area(key="asw_rectify_comment_form_0").input("My income is 48,000 since March.")
    at = button(at, "data.send").click().run()
    assert [(r["item"], r["comment"]) for r in fake.rectifications] == [
        ("income_yearly", "My income is 48,000 since March.")
    ]
    assert [s.value for s in at.success] == [
        translate("data.sent", "en", label="Yearly income", when="7 December 2026")
    ]


def test_what_would_change_it_shows_cards_with_the_new_monthly_payment() -> None:
    fake = FakeApplicantApi()
    at = open_screen(sign_in(space(fake, "fr")), "changes")
    said = texts(at)
    assert "Un montant de 8 000 € sur 36 mois" in said
    assert "Nouvelle mensualité : 248,33\u00a0€" in said
    assert "Montant : 12\u202f000\u00a0€ · Durée : 60\u00a0mois" in said
    fake.decision = "grant"
    at = at.run()
    assert [i.value for i in at.info] == ["Votre crédit est accordé."]


def test_how_i_compare_shows_the_group_size_and_a_chart_or_a_sentence() -> None:
    fake = FakeApplicantApi()
    at = open_screen(sign_in(space(fake, "fr")), "compare")
    said = texts(at)
    assert "Comparée à 412 demandeurs comme vous : 35-44 ans, prêts personnels." in said
    assert "C'est plus que 77\u00a0% du groupe." in said
    assert len(at.get("plotly_chart")) == 1
    fake.group_size = 12
    at = at.run()
    assert [i.value for i in at.info] == ["Groupe trop petit."]  # the API's sentence
    assert len(at.get("plotly_chart")) == 0


def test_a_review_request_is_sent_and_then_shows_its_due_date() -> None:
    fake = FakeApplicantApi()
    at = open_screen(sign_in(space(fake, "en")), "review")
    at = button(at, "review.submit").click().run()
    assert translate("review.need_comment", "en") in [e.value for e in at.error]
    assert fake.review is None
    at.text_area(key="asw_review_comment").input("My new job pays more: please look again.")
    at.text_area(key="asw_review_files").input("June payslip\n\nemployment contract\n")
    at = button(at, "review.submit").click().run()
    assert fake.review is not None
    assert fake.review["attachments"] == ["June payslip", "employment contract"]
    assert [s.value for s in at.success] == [translate("review.sent", "en", due="6 January 2027")]
    # the open review, with its due date, and no second form
    assert translate("review.open", "en", asked="7 December 2026", due="6 January 2027") in [
        i.value for i in at.info
    ]
    assert not any(b.label == translate("review.submit", "en") for b in at.button)


def test_withdrawing_needs_a_confirmation_and_the_api_may_refuse() -> None:
    fake = FakeApplicantApi()
    at = open_screen(sign_in(space(fake, "en")), "withdraw")
    assert at.button(key="asw_withdraw").disabled
    at = at.checkbox(key="asw_withdraw_confirm").check().run()
    at = at.button(key="asw_withdraw").click().run()
    assert fake.status == "withdrawn"
    assert [s.value for s in at.success] == [translate("withdraw.done", "en", id=APPLICATION)]
    granted = FakeApplicantApi()
    granted.decision = "grant"
    at = open_screen(sign_in(space(granted, "en")), "withdraw")
    at = at.checkbox(key="asw_withdraw_confirm").check().run()
    at = at.button(key="asw_withdraw").click().run()
    assert [e.value for e in at.error] == [
        "A granted credit is not withdrawn here: call your advisor."
    ]


def test_signing_out_forgets_the_session_and_an_expired_one_asks_to_sign_in() -> None:
    fake = FakeApplicantApi()
    at = sign_in(space(fake, "en"))
    at = at.button(key="asw_sign_out").click().run()
    assert "POST /applicant/logout" in fake.calls and not fake.tokens
    assert state.TOKEN not in at.session_state
    assert translate("signin.signed_out", "en") in [i.value for i in at.info]
    at = sign_in(at)
    at.session_state[state.EXPIRES] = 0.0
    at = at.run()
    assert translate("signin.expired", "en") in [i.value for i in at.info]
    fake.tokens.clear()  # the API forgot the token (restarted, revoked): back to sign-in
    at = sign_in(at)
    fake.tokens.clear()
    at = open_screen(at, "data")
    assert translate("signin.expired", "en") in [i.value for i in at.info]


def test_the_app_calls_the_applicant_routes_only() -> None:
    fake = FakeApplicantApi()
    at = sign_in(space(fake, "en"))
    for name in ("data", "changes", "compare", "review", "withdraw", "decision"):
        at = open_screen(at, name)
    assert fake.calls and all(c.split()[1].startswith("/applicant/") for c in fake.calls)


# --- texts -----------------------------------------------------------------------------------


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    fr, en = catalog("fr"), catalog("en")
    assert set(fr) == set(en)
    for key in fr:
        assert fr[key].strip() and en[key].strip(), key
        assert _fields(fr[key]) == _fields(en[key]), key
    raw = json.loads((PACKAGE / "locales" / "fr.json").read_text(encoding="utf-8"))
    assert raw == fr


def test_every_key_the_code_asks_for_exists() -> None:
    used: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\(\s*\"([a-z_]+\.[a-z_.]+)\"", text))
    used |= {
        f"screen.{name}"
        for name in ("decision", "data", "changes", "compare", "review", "withdraw")
    }
    used |= {f"data.{s}" for s in ("form", "bureau", "previous")}
    used |= {f"data.{s}_none" for s in ("form", "bureau", "previous")}
    used |= {"decision.grant", "decision.refuse", "signin.expired", "signin.signed_out"}
    missing = sorted(k for k in used if k not in catalog("fr"))
    assert len(used) > 60 and not missing, missing


def test_the_docstring_examples_hold() -> None:
    import doctest

    from credit_scoring.applicant_space.views import my_data, review

    for module in (my_data, review):
        result = doctest.testmod(module)
        assert result.attempted and not result.failed, module.__name__


def test_values_read_in_the_applicants_language() -> None:
    assert (
        value_text(42_000.0, "fr") == "42\u202f000" or value_text(42_000.0, "fr") == "42\u00a0000"
    )
    assert value_text(1234.5, "en") == "1,234.50"
    assert value_text("2025-09-01", "en") == "01/09/2025"
    assert value_text(True, "fr") == "Oui"
    assert value_text(None, "en") == "—"
    assert attachment_names(" a.pdf \n\n b ") == ["a.pdf", "b"]
