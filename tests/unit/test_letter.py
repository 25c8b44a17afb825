"""The applicant letter, read back from the PDF: what the applicant is owed is really printed.

Reading the text back with pypdf checks what a person would read, not what the code meant
to draw: the decision sentence, each reason, the alternatives, the rights paragraph, the
model version and the date, with accents and the euro sign intact and no model vocabulary.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from credit_scoring.core.reason_codes import CATALOGUE, DOCUMENTS_BY_CODE, NO_DOCUMENT
from credit_scoring.lending import letter as letter_module
from credit_scoring.lending.letter import (
    FONT_DIR,
    FONT_FILES,
    Letter,
    LetterFontError,
    decision_sentence,
    documents_for,
    format_date,
    format_money,
    format_percent,
    render_letter,
    sanitize,
)
from credit_scoring.lending.policy import Policy

pytestmark = pytest.mark.skipif(
    not all((FONT_DIR / name).is_file() for name in FONT_FILES.values()),
    reason=f"DejaVu fonts absent from {FONT_DIR} (apt-get install fonts-dejavu-core)",
)

DAY = dt.date(2026, 12, 1)
POLICY_FR = "Les mensualités représenteraient plus de la moitié de votre revenu mensuel."
AGAINST_FR = [("R10", "Charge du crédit rapportée au revenu"), ("R01", "Scores de crédit externes")]
FOR_FR = [("R12", "Ancienneté dans l'emploi")]
ALTERNATIVE_FR = "Un montant de 12 000 € sur 36 mois serait accordé"
AGAINST_EN = [("R10", "Cost of the credit relative to income"), ("R01", "External credit scores")]
FOR_EN = [("R12", "Time in your current job")]
POLICY_EN = "The monthly repayments would take more than half of your monthly income."
ALTERNATIVE_EN = "A loan of €12,000 over 36 months would be granted"


def _letter(lang: str = "fr", **changes: Any) -> Letter:
    fr = lang == "fr"
    base = Letter(
        application_id=100002,
        applicant_name=None,
        date=DAY,
        decision="refuse",
        amount=20_000.0,
        term_months=48,
        monthly_annuity=512.5,
        reasons_against=AGAINST_FR if fr else AGAINST_EN,
        reasons_for=FOR_FR if fr else FOR_EN,
        policy=[("P03", POLICY_FR if fr else POLICY_EN)],
        alternatives=[ALTERNATIVE_FR if fr else ALTERNATIVE_EN],
        documents=documents_for(["P03", "R10", "R01"], lang),
        model_version="lgbm-2026.11-r3",
        grade="D",
    )
    return replace(base, **changes)


def _text(pdf: bytes) -> str:
    """The letter's text with every run of whitespace (line breaks, no-break spaces) as one."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _flat(text: str) -> str:
    return " ".join(text.split())


FORBIDDEN = re.compile(r"non renseign|not provided|SHAP|probabilit|log-odds|\bnan\b", re.I)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_letter_says_decision_reasons_alternatives_rights_version_and_date(
    lang: str,
) -> None:
    letter = _letter(lang)
    pdf = render_letter(letter, lang)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    assert _flat(decision_sentence(letter, lang)) in text
    for _, reason in [*letter.policy, *letter.reasons_against, *letter.reasons_for]:
        assert _flat(reason) in text
    assert _flat(letter.alternatives[0]) in text
    for document in letter.documents:
        assert _flat(document) in text
    assert "lgbm-2026.11-r3" in text
    assert "100002" in text
    assert "Prêt à dépenser" in text
    if lang == "fr":
        assert "1er décembre 2026" in text
        assert "article 22, paragraphe 3" in text and "RGPD" in text
        assert "article 86" in text and "intelligence artificielle" in text
        assert "intervention humaine" in text and "contester" in text
        assert "30 jours" in text
        assert "20 000 € sur 48 mois" in text
        assert "512,50 €" in text
        assert "Madame, Monsieur" in text
    else:
        assert "1 December 2026" in text
        assert "Article 22(3)" in text and "GDPR" in text
        assert "Article 86" in text and "Artificial Intelligence Act" in text
        assert "human intervention" in text and "contest" in text
        assert "30 days" in text
        assert "€20,000 over 48 months" in text
        assert "€512.50" in text
        assert "Dear applicant" in text
    assert not FORBIDDEN.search(text)


def test_accents_and_the_euro_sign_survive() -> None:
    text = _text(render_letter(_letter("fr"), "fr"))
    for word in ("Prêt à dépenser", "décembre", "€", "Ancienneté", "éléments", "mensualités"):
        assert word in text


def test_a_refusing_policy_reason_is_the_first_reason_given() -> None:
    text = _text(render_letter(_letter("fr"), "fr"))
    first = text.index(_flat(POLICY_FR))
    assert all(first < text.index(_flat(reason)) for _, reason in AGAINST_FR)
    heading = text.index("Les principales raisons de cette décision")
    assert heading < first


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fr", "en cours d'examen : aucune décision n'a encore été prise"), ("en", "under review")],
)
def test_no_decision_yet_says_the_application_is_under_review(lang: str, expected: str) -> None:
    text = _text(render_letter(_letter(lang, decision=None), lang))
    assert expected in text
    assert "regret" not in text
    assert "RGPD" in text if lang == "fr" else "GDPR" in text


@pytest.mark.parametrize(
    ("decision", "fr", "en"),
    [
        ("grant", "est acceptée", "has been accepted"),
        ("refer", "analyste crédit", "senior credit analyst"),
        ("refuse", "ne pouvons pas accepter", "cannot accept"),
    ],
)
def test_each_decision_has_its_sentence(decision: str, fr: str, en: str) -> None:
    assert fr in _text(render_letter(_letter("fr", decision=decision), "fr"))
    assert en in _text(render_letter(_letter("en", decision=decision), "en"))


def test_a_grant_gives_the_reasons_in_favour_as_the_main_reasons() -> None:
    letter = _letter("fr", decision="grant", policy=[], alternatives=[], documents=[])
    text = _text(render_letter(letter, "fr"))
    heading = text.index("Les principales raisons de cette décision")
    assert heading < text.index(FOR_FR[0][1]) < text.index(AGAINST_FR[0][1])


def test_the_applicant_name_is_used_when_known() -> None:
    text = _text(render_letter(_letter("fr", applicant_name="Élodie Dupré"), "fr"))
    assert "Bonjour Élodie Dupré," in text
    assert "Dear Élodie Dupré," in _text(
        render_letter(_letter("en", applicant_name="Élodie Dupré"), "en")
    )


def test_placeholders_and_column_names_never_reach_the_applicant() -> None:
    letter = _letter(
        "fr",
        reasons_against=[
            ("R09", "Revenu déclaré : non renseigné"),
            ("R11", "AMT_CREDIT élevé"),
            ("X42", "SHAP value 0.3"),
        ],
        alternatives=["probabilité de défaut 12 %"],
    )
    text = _text(render_letter(letter, "fr"))
    assert not FORBIDDEN.search(text)
    assert "AMT_CREDIT" not in text
    assert _flat(CATALOGUE["R09"].missing("fr")) in text  # what is missing, how to supply it
    assert CATALOGUE["R11"].label("fr") in text


def test_at_most_four_model_reasons_each_way() -> None:
    many = [(f"R0{i}", CATALOGUE[f"R0{i}"].label("fr")) for i in range(1, 8)]
    text = _text(render_letter(_letter("fr", reasons_against=many, policy=[]), "fr"))
    assert all(label in text for _, label in many[:4])
    assert not any(label in text for _, label in many[4:])


def test_every_text_is_sanitised() -> None:
    long_word = "x" * 300
    letter = _letter(
        "fr",
        applicant_name="Jean\x00 \u202eDupont\n\x1b[31m",
        alternatives=[f"Un montant {long_word} plus court", "Ligne\tavec\x07 contrôle"],
        lender_name="Prêt\x0b à dépenser",
    )
    pdf = render_letter(letter, "fr")
    text = _text(pdf)
    assert "Jean Dupont" in text
    assert "x" * 40 in text.replace(" ", "")
    assert "Ligne avec contrôle" in text
    assert "Prêt à dépenser" in text
    assert "\x1b" not in text and "\u202e" not in text


def test_sanitize_strips_controls_and_breaks_long_words() -> None:
    assert sanitize("a\x00b\u200bc\nd\te") == "abc d e"
    assert sanitize("  many    spaces ") == "many spaces"
    assert all(len(word) <= 40 for word in sanitize("y" * 100).split())
    assert sanitize("z" * 1000, limit=20).endswith("…")
    assert len(sanitize("z " * 1000, limit=20)) <= 20


def test_french_and_english_number_formatting() -> None:
    assert format_money(12_000, "fr").split() == ["12", "000", "€"]
    assert format_money(12_000, "fr") == "12\u202f000\u00a0€"  # CLDR: narrow no-break space
    assert format_money(412.5, "fr", cents=True) == "412,50\u00a0€"
    assert format_money(1_234_567, "en") == "€1,234,567"
    assert format_money(412.5, "en", cents=True) == "€412.50"
    assert format_percent(0.12, "fr") == "12,0\u00a0%"
    assert format_percent(0.125, "en") == "12.5%"
    assert format_date(dt.date(2026, 3, 9), "fr") == "9 mars 2026"
    assert format_date(dt.date(2026, 8, 1), "fr") == "1er août 2026"
    assert format_date(dt.date(2026, 8, 1), "en") == "1 August 2026"


def test_documents_for_maps_codes_to_documents_without_duplicates() -> None:
    fr = documents_for(["R09", "R10", "P03", "R01", "R31", "nope"], "fr")
    assert fr[0].startswith("Un justificatif de revenus")
    assert len(fr) == len(set(fr)) == 3  # income, other lenders' statements, bureau report
    en = documents_for(["R12"], "en")
    assert en == ["Your employment contract or a letter from your employer"]
    assert documents_for([], "fr") == []
    assert documents_for(["R31", "R99"], "en") == []


def test_every_catalogue_and_policy_code_is_mapped_or_declared_without_document() -> None:
    codes = set(CATALOGUE) | {rule["code"] for rule in Policy.load().rules}
    assert codes <= set(DOCUMENTS_BY_CODE) | NO_DOCUMENT
    assert not set(DOCUMENTS_BY_CODE) & NO_DOCUMENT


def test_unknown_decision_or_language_is_refused() -> None:
    with pytest.raises(ValueError, match="decision"):
        _letter(decision="maybe")
    with pytest.raises(ValueError, match="lang"):
        render_letter(_letter(), "de")


def test_a_missing_font_names_the_file_and_the_package(tmp_path: Path) -> None:
    with pytest.raises(LetterFontError, match=r"DejaVuSans\.ttf.*fonts-dejavu-core"):
        render_letter(_letter(), "fr", font_dir=tmp_path)


def test_unknown_amounts_are_left_out_of_the_sentence() -> None:
    letter = _letter("fr", amount=None, term_months=None, monthly_annuity=None)
    text = _text(render_letter(letter, "fr"))
    assert "ne pouvons pas accepter votre demande de crédit." in text
    assert "mensualité correspondante" not in text
    assert letter_module.MAX_MODEL_REASONS == 4


# ---- who decided: letter_grounds ---------------------------------------------------------

P03 = {"code": "P03", "outcome": "refuse", "applicant_fr": POLICY_FR, "applicant_en": POLICY_EN}
REASONS = [
    {"code": "R10", "direction": "against", "value": 0.4},
    {"code": "R22", "direction": "against", "value": None},
    {"code": "R12", "direction": "for", "value": 1200.0},
    {"code": "R22", "direction": "for", "value": None},  # building details: never provided
    {"code": "R31", "direction": "for", "value": None},  # an absence, not a fact provided
]


def test_a_refusing_rule_is_the_reason_and_the_model_only_if_it_refused_too() -> None:
    from credit_scoring.lending.letter import letter_grounds

    granted = letter_grounds(
        decision="refuse",
        model_decision="grant",
        policy=[P03],
        reasons=REASONS,
        category=None,
        lang="fr",
    )
    assert granted.decided_by == "rule" and granted.policy == [("P03", POLICY_FR)]
    assert granted.against == [] and granted.offers
    refused = letter_grounds(
        decision="refuse",
        model_decision="refuse",
        policy=[P03],
        reasons=REASONS,
        category=None,
        lang="fr",
    )
    assert [c for c, _ in refused.against] == ["R10", "R22"]


def test_a_model_refusal_gives_the_models_reasons_and_may_offer() -> None:
    from credit_scoring.lending.letter import letter_grounds

    grounds = letter_grounds(
        decision="refuse",
        model_decision="refuse",
        policy=[],
        reasons=REASONS,
        category=None,
        lang="en",
    )
    assert grounds.decided_by == "model" and grounds.offers
    assert grounds.against[0] == ("R10", CATALOGUE["R10"].label("en"))
    assert grounds.documents == documents_for(["R10", "R22"], "en")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_advisors_refusal_of_a_model_grant_gives_the_category_only(lang: str) -> None:
    from credit_scoring.lending.form.refusal import CATEGORIES
    from credit_scoring.lending.letter import letter_grounds

    grounds = letter_grounds(
        decision="refuse",
        model_decision="grant",
        policy=[],
        reasons=REASONS,
        category="documents_missing",
        lang=lang,
    )
    text = CATEGORIES["documents_missing"].applicant(lang)
    assert grounds.decided_by == "advisor" and grounds.against == [("", text)]
    assert not grounds.offers and grounds.policy == []
    pdf = _text(render_letter(_letter(lang, **_fields(grounds)), lang))
    assert _flat(text) in pdf
    assert CATALOGUE["R10"].label(lang) not in pdf  # the model's factor is not a reason
    title = "Les principales raisons de cette décision" if lang == "fr" else "The main reasons"
    assert title in pdf


def test_the_favour_list_cites_only_facts_the_file_states() -> None:
    from credit_scoring.lending.letter import letter_grounds

    for decision in ("grant", "refuse", None):
        grounds = letter_grounds(
            decision=decision,  # type: ignore[arg-type]
            model_decision="grant",
            policy=[],
            reasons=REASONS,
            category="other",
            lang="en",
        )
        assert [c for c, _ in grounds.favour] == ["R12"]
        pdf = _text(render_letter(_letter("en", **_fields(grounds)), "en"))
        if decision is not None:  # an open application lists what will be reviewed
            assert "building" not in pdf.lower()


def test_a_grant_gives_no_reason_for_a_refusal_and_an_override_grant_no_model_reason() -> None:
    from credit_scoring.lending.letter import letter_grounds

    grounds = letter_grounds(
        decision="grant",
        model_decision="grant",
        policy=[P03],
        reasons=REASONS,
        category=None,
        lang="fr",
    )
    assert grounds.against == [] and grounds.policy == [] and not grounds.offers
    assert grounds.favour == [("R12", CATALOGUE["R12"].label("fr"))]
    override = letter_grounds(
        decision="grant",
        model_decision="refuse",
        policy=[],
        reasons=REASONS,
        category=None,
        lang="fr",
    )
    assert override.favour == [] and override.against == []


def _fields(grounds: Any) -> dict[str, Any]:
    return {
        "decision": grounds.decision,
        "policy": grounds.policy,
        "reasons_against": grounds.against,
        "reasons_for": grounds.favour,
        "documents": grounds.documents,
        "alternatives": [],
    }


def test_a_category_given_beside_a_rules_refusal_comes_after_the_rule() -> None:
    from credit_scoring.lending.form.refusal import CATEGORIES
    from credit_scoring.lending.letter import letter_grounds

    grounds = letter_grounds(
        decision="refuse",
        model_decision="grant",
        policy=[P03],
        reasons=REASONS,
        category="over_indebtedness",
        lang="en",
    )
    assert grounds.policy == [("P03", POLICY_EN)]
    assert grounds.against == [("", CATEGORIES["over_indebtedness"].applicant("en"))]
    assert len(grounds.documents) == len(set(grounds.documents))
    pdf = _text(render_letter(_letter("en", **_fields(grounds)), "en"))
    assert pdf.index(_flat(POLICY_EN)) < pdf.index(_flat(grounds.against[0][1]))
