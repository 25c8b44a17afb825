"""The dashboard's forms name the real cause of a refused value beside its field, compute
nothing while a value is refused, keep what was typed across a language switch, and show the
API's message (never its ``detail``)."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from dashboard_fake import FakeApi
from dashboard_session import logged_in, render_view, texts
from streamlit.testing.v1 import AppTest
from test_dashboard_applications import APPLICANT, LOAN, decide, errors_beside, fill, submit

from credit_scoring.dashboard import state
from credit_scoring.dashboard.api_client import ApiClient, ApiError
from credit_scoring.dashboard.i18n import catalog
from credit_scoring.dashboard.views.new_application import widget_key


def view(name: str, fake: FakeApi, *, lang: str = "fr", client_id: int | None = None) -> AppTest:
    return logged_in(
        fake, render_view, name, user="alice", role="advisor", lang=lang, client_id=client_id
    )


def switch_language(at: AppTest, lang: str) -> AppTest:
    at.session_state[state.LANG] = lang
    return at.run()


def test_a_negative_income_is_named_with_its_cause_not_as_missing(fake: FakeApi) -> None:
    at = view("new_application", fake)
    fill(at, {**APPLICANT, "income_yearly": None}, LOAN)
    at = at.run()
    at.number_input(key=widget_key("income_yearly")).set_value(-5000.0)
    at = submit(at)
    assert not at.exception and not fake.applications.items  # checked before sending
    assert at.number_input(key=widget_key("income_yearly")).value == -5000.0  # kept as typed
    assert errors_beside(at, "Revenu annuel") == [
        "Revenu annuel\u00a0: doit être supérieur à 0 et au plus 1\u00a0000\u00a0000\u00a0000"
    ]


def test_a_huge_amount_and_a_term_out_of_range_are_named(fake: FakeApi) -> None:
    at = view("new_application", fake, lang="en")
    fill(at, APPLICANT, {"contract_type": "cash", "amount": 999_999_999_999.0, "term_months": 0})
    at = submit(at.run())
    assert not fake.applications.items
    assert errors_beside(at, "Credit amount") == [
        "Credit amount: must be greater than 0 and at most 1,000,000,000"
    ]
    assert errors_beside(at, "Term (months)") == ["Term in months: must be at least 1"]
    assert "required" not in texts(at)


def test_a_birth_date_in_the_future_is_kept_by_the_widget(fake: FakeApi) -> None:
    """The date picker's own limits no longer drop a future date (which read as "required")."""
    at = view("new_application", fake)
    at.date_input(key=widget_key("birth_date")).set_value(date(2030, 1, 1))
    at = submit(at.run())  # the rest of the form still empty
    assert at.date_input(key=widget_key("birth_date")).value == date(2030, 1, 1)
    assert errors_beside(at, "Date de naissance") == [
        "Date de naissance\u00a0: le 01/01/2030 est dans le futur"
    ]
    assert errors_beside(at, "Sexe") == ["Sexe\u00a0: obligatoire"]  # really missing


def test_a_language_switch_keeps_a_half_filled_form(fake: FakeApi) -> None:
    at = view("new_application", fake)
    at.date_input(key=widget_key("birth_date")).set_value(date(1985, 4, 12))
    at.selectbox(key=widget_key("contract_type")).set_value("revolving")
    at.selectbox(key=widget_key("education")).set_value("higher")
    at.number_input(key=widget_key("income_yearly")).set_value(42_000.0)
    at = at.run()
    assert at.selectbox(key=widget_key("contract_type")).format_func("revolving") == (
        "Crédit renouvelable"
    )
    at = switch_language(at, "en")
    assert not at.exception
    assert at.date_input(key=widget_key("birth_date")).value == date(1985, 4, 12)
    assert at.number_input(key=widget_key("income_yearly")).value == 42_000.0
    contract = at.selectbox(key=widget_key("contract_type"))
    assert contract.value == "revolving"  # the code is kept, shown in the new language
    assert contract.format_func(contract.value) == "Revolving credit"
    assert "Crédit renouvelable" not in contract.options
    assert at.selectbox(key=widget_key("education")).value == "higher"
    at = switch_language(at, "fr")
    assert at.date_input(key=widget_key("birth_date")).value == date(1985, 4, 12)


def test_what_if_computes_nothing_while_a_value_is_refused(fake: FakeApi) -> None:
    at = view("what_if", fake, lang="en", client_id=100002)
    at.number_input(key="wi_credit").set_value(100_000.0)
    at.button(key="wi_run").click().run()
    assert "The model's proposal: grant" in texts(at)  # a result, for valid values
    calls = len(fake.calls)
    at.number_input(key="wi_credit").set_value(0.0)
    at.number_input(key="wi_income").set_value(-100.0)
    at = at.run()
    shown = [e.value for e in at.error]
    assert "Credit amount: must be greater than 0" in shown
    assert "Monthly income: must be greater than 0" in shown
    warning = [w.value for w in at.warning]
    assert warning == [
        "Correct 'Credit amount', 'Monthly income' first: nothing is computed while a value is refused."
    ]
    assert at.button(key="wi_run").disabled
    assert "Default risk:" not in texts(at)  # the earlier result is not shown either
    assert "The model's proposal: grant" not in texts(at)
    assert not [c for c in fake.calls[calls:] if c.endswith("/what_if")]


def test_what_if_hides_a_result_of_other_values(fake: FakeApi) -> None:
    at = view("what_if", fake, lang="fr", client_id=100002)
    at.number_input(key="wi_credit").set_value(100_000.0)
    at.button(key="wi_run").click().run()
    at.number_input(key="wi_credit").set_value(120_000.0)
    at = at.run()
    assert "Risque de défaut" not in texts(at)
    assert [i.value for i in at.info][-1].startswith("Les valeurs ont changé")


def test_a_refusal_without_its_category_is_said_beside_the_category(fake: FakeApi) -> None:
    at = view("new_application", fake)
    fill(at, {**APPLICANT, "income_yearly": 60_000.0}, LOAN)
    at = submit(at)  # the model grants: refusing needs a category, not only a reason
    at = decide(at, "refuse", reason="Revenus instables")
    assert not fake.applications.items[1].decisions
    assert errors_beside(at, "Catégorie du refus (courrier au demandeur)") == [
        catalog("fr")["application.category_required"]
    ]
    assert errors_beside(at, "Motif") == []  # the reason was given: not blamed


def test_search_shows_a_sentence_for_a_search_that_is_not_a_number(fake: FakeApi) -> None:
    at = view("search", fake)
    at.text_input(key="search_q").input("abc")
    at = at.run()
    message = at.error[0].value
    assert "Numéro de client recherché\u00a0: doit être un numéro de client" in message
    assert "^" not in message and "pattern" not in message and "String should" not in message
    english = switch_language(at, "en")
    assert "Client number searched: must be a client number" in english.error[0].value


def _answer(status: int, body: dict) -> ApiClient:
    return ApiClient(
        "http://x", transport=httpx.MockTransport(lambda _r: httpx.Response(status, json=body))
    )


def test_the_client_reads_message_and_field_and_never_shows_detail() -> None:
    from credit_scoring.dashboard.views.common import error_message

    body = {
        "code": "user_exists",
        "message": "Cet utilisateur existe déjà.",
        "field": "username",
        "detail": "User ux_tester already exists: change it with PATCH /users/ux_tester.",
    }
    with pytest.raises(ApiError) as err:
        _answer(409, body).users("t")
    exc = err.value
    assert (exc.kind, exc.code, exc.field, exc.message) == (
        "conflict",
        "user_exists",
        "username",
        "Cet utilisateur existe déjà.",
    )
    assert "PATCH" in exc.detail  # kept for logs...
    shown = error_message(exc)
    assert "Cet utilisateur existe déjà." in shown and "PATCH" not in shown  # ...never shown


def test_a_body_without_the_shape_shows_the_heading_only() -> None:
    from credit_scoring.dashboard.views.common import error_message

    with pytest.raises(ApiError) as err:
        _answer(502, {"detail": "upstream: Traceback ..."}).health()
    assert err.value.kind == "server" and err.value.message == ""
    assert "Traceback" not in error_message(err.value)
