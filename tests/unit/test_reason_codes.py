"""The reason-code catalogue and the reasons built from it (one per fact, worded for a person)."""

from __future__ import annotations

import re

import numpy as np

from credit_scoring.core.reason_codes import (
    CATALOGUE,
    FALLBACK,
    advisor_text,
    code_for_group,
    history_table,
)
from credit_scoring.explain.reasons import ReasonBuilder
from credit_scoring.features.batch import feature_metadata
from credit_scoring.modeling.loan_terms import METAS as TERM_METAS

MISSING_WORDS = re.compile(r"non renseign|not provided", re.IGNORECASE)


def test_catalogue_codes_are_stable_and_worded_in_both_languages() -> None:
    assert all(re.fullmatch(r"R\d\d", code) for code in CATALOGUE)
    for entry in CATALOGUE.values():
        for text in (
            entry.label_fr,
            entry.label_en,
            entry.advisor_fr,
            entry.advisor_en,
            entry.missing_fr,
            entry.missing_en,
        ):
            assert text and not MISSING_WORDS.search(text)
        assert len(entry.advisor_fr) <= len(entry.label_fr) + 5
    assert advisor_text("R01", "en") == "External scores"


def test_every_feature_group_maps_to_a_fact() -> None:
    metas = {**feature_metadata(), **TERM_METAS}
    unmapped = {m.group for m in metas.values() if code_for_group(m.group) == FALLBACK}
    assert not unmapped
    ext = {code_for_group(m.group) for m in metas.values() if "EXT_SOURCE" in m.name}
    assert ext == {"R01"}  # all external-score features are one fact
    late = {
        code_for_group(m.group)
        for m in metas.values()
        if re.search(r"_LATE_|SK_DPD|CREDIT_DAY_OVERDUE|BB_WORST_STATUS", m.name)
    }
    assert late == {"R02"}
    assert history_table("bureau_balance.STATUS") == "bureau_balance"
    assert history_table("AMT_CREDIT") is None


def _builder() -> tuple[ReasonBuilder, list[str]]:
    metas = feature_metadata()
    names = [
        "EXT_SOURCE_3",
        "EXT_SOURCES_MEAN",
        "EXT_SOURCES_COUNT",
        "NAME_INCOME_TYPE_WORKING",
        "NAME_INCOME_TYPE_PENSIONER",
        "BURO_COUNT",
        "BURO_CREDIT_DAY_OVERDUE_MAX",
        "BURO_AMT_CREDIT_SUM_DEBT_SUM",
        "AMT_INCOME_TOTAL",
    ]
    return ReasonBuilder(names, metas), names


def test_missing_history_is_one_fact_and_categories_name_the_client_value() -> None:
    builder, _ = _builder()
    values = np.array([0.2, 0.3, 2.0, 0.0, 1.0, np.nan, np.nan, np.nan, 90_000.0])
    contrib = np.array([0.3, 0.2, 0.0, 0.1, -0.2, 0.1, 0.05, 0.05, -0.1])
    totals, resolved = builder.by_code(contrib, values)
    against, favour = builder.reasons(
        contrib, values, totals=totals[0], resolved=resolved[0], quantiles={}, lang="fr"
    )
    codes = [r.code for r in against + favour]
    assert len(codes) == len(set(codes))
    by_code = {r.code: r for r in against + favour}
    assert by_code["R01"].direction == "against"
    assert by_code["R01"].contribution == np.float64(0.5)
    assert by_code["R30"].text == "Aucun historique de crédit connu auprès d'autres établissements"
    assert by_code["R30"].contribution == np.float64(0.2)  # the three bureau features, once
    assert by_code["R13"].text == "Type de revenu : retraité(e)"
    assert "R02" not in by_code and "R04" not in by_code


def test_a_missing_declared_value_says_how_to_supply_it() -> None:
    builder, _ = _builder()
    values = np.array([np.nan, np.nan, 0.0, 0.0, 0.0, 2.0, 0.0, 1000.0, 50_000.0])
    contrib = np.array([0.3, 0.2, 0.1, 0.05, 0.0, 0.0, 0.0, 0.0, 0.0])
    totals, resolved = builder.by_code(contrib, values)
    against, _ = builder.reasons(
        contrib, values, totals=totals[0], resolved=resolved[0], quantiles={}, lang="en"
    )
    by_code = {r.code: r for r in against}
    assert by_code["R01"].text.startswith("No external credit score available: you can")
    assert (
        by_code["R13"].text
        == "Type of income (salary, pension...) not stated: please state it in your application"
    )
    assert not any(MISSING_WORDS.search(r.text) for r in against)


_ASKS = re.compile(
    r"indiquez|précisez|joignez|ajoutez|ajouter|fournir|autoriser|"
    r"\bgive\b|\battach\b|\badd\b|\bstate it\b|\bplease\b|authorise",
    re.IGNORECASE,
)


def _form_codes() -> set[str]:
    """The facts an application entered through the bank's form states."""
    import datetime as dt
    import json
    from pathlib import Path

    from credit_scoring.config import Settings
    from credit_scoring.lending import form

    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "new-application.json"
    body = form.ApplicationForm.model_validate(json.loads(example.read_text()))
    assert body.applicant is not None
    loan = form.complete_loan(body.loan, form.lender_terms(Settings()), lang="fr")
    row = form.to_application_row(body.applicant, loan, sk_id_curr=1, today=dt.date(2026, 12, 1))
    stated = {code_for_group(column) for column in row}
    return stated | {code_for_group("ANNUITY_INCOME_RATIO")}  # ratios of what is entered


def test_a_reason_never_asks_for_what_the_form_cannot_take() -> None:
    stated = _form_codes()
    assert {"R09", "R11", "R12", "R17"} <= stated and "R22" not in stated
    for code, entry in CATALOGUE.items():
        if code in stated:
            continue
        for text in (entry.missing_fr, entry.missing_en):
            assert not _ASKS.search(text), (code, text)


def test_an_estimate_counts_for_its_fact_but_is_never_quoted() -> None:
    metas = {**feature_metadata(), **TERM_METAS}
    names = ["AMT_CREDIT", "AMT_ANNUITY", "LOAN_TERM_EST", "LOAN_RATE_EST"]
    builder = ReasonBuilder(names, metas)
    values = np.array([15_000.0, 498.21, 54.0, 0.05])
    contrib = np.array([0.05, 0.02, 0.9, 0.0])  # the estimated term drives the fact
    totals, resolved = builder.by_code(contrib, values)
    against, _ = builder.reasons(
        contrib, values, totals=totals, resolved=resolved, quantiles={}, lang="fr"
    )
    (loan,) = [r for r in against if r.code == "R11"]
    assert loan.contribution > 0.9  # the estimate's contribution is counted
    assert "estimé" not in loan.text and "54" not in loan.text
    assert "15" in loan.text  # the amount of the file is quoted instead
