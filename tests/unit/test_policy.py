"""The committee's policy rules: each fires exactly at its threshold, never on missing values.

The boundaries are the contract with the credit committee (the thresholds written in
``policy_rules.json``), so each rule is tested on both sides of its threshold; the file's
validation is tested on broken copies, never on the packaged file.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from credit_scoring.lending.form import EMPLOYED_PLACEHOLDER as NOT_EMPLOYED_DAYS
from credit_scoring.lending.policy import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    FACT_COLUMNS,
    Policy,
    PolicyError,
    PolicyFileError,
    PolicyHit,
    combine,
    outcome,
    policy_facts,
)


def _sample_dir() -> Path | None:
    """The real Kaggle sample beside the repository (main or a worktree), or from the env."""
    env = os.environ.get("CREDIT_SCORING_TEST_SAMPLE")
    if env:
        return Path(env)
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "data" / "home-credit-sample"
        if candidate.is_dir():
            return candidate
    return None


SAMPLE = _sample_dir()


def _days_for_age(years: int) -> int:
    """The first whole number of days at which someone is ``years`` old (whole years)."""
    return -math.ceil(years * DAYS_PER_YEAR)


def _row(**overrides: Any) -> dict[str, Any]:
    """An application that fires no rule: 40 years old, 5 years in the job, modest loan."""
    row: dict[str, Any] = {
        "DAYS_BIRTH": _days_for_age(40) - 10,
        "DAYS_EMPLOYED": -5 * 365,
        "AMT_INCOME_TOTAL": 10_000.0,  # a month (the income convention): 120 000 a year
        "AMT_ANNUITY": 2_000.0,  # 20 % of the monthly income
        "AMT_CREDIT": 48_000.0,  # 0.4 times the yearly income
        "NAME_CONTRACT_TYPE": "Cash loans",
    }
    row.update(overrides)
    return row


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.load()


def _codes(policy: Policy, row: dict[str, Any], term: float | None = 24) -> list[str]:
    return [hit.code for hit in policy.evaluate(policy_facts(row, term))]


def test_the_baseline_application_fires_nothing(policy: Policy) -> None:
    assert _codes(policy, _row()) == []


def test_p01_refuses_under_18_at_application(policy: Policy) -> None:
    assert "P01" in _codes(policy, _row(DAYS_BIRTH=_days_for_age(18) + 1))  # 17
    assert "P01" not in _codes(policy, _row(DAYS_BIRTH=_days_for_age(18)))  # 18 exactly
    assert policy_facts(_row(DAYS_BIRTH=_days_for_age(18)), 24)["age_years"] == 18


def test_p02_refuses_over_70_at_the_end_of_the_loan(policy: Policy) -> None:
    term = 60  # 5 years
    end_days = term * DAYS_PER_MONTH
    # 70 in whole years at the last payment: allowed; 71: refused
    at_70 = -(math.ceil(71 * DAYS_PER_YEAR - end_days) - 1)
    at_71 = -math.ceil(71 * DAYS_PER_YEAR - end_days)
    assert policy_facts(_row(DAYS_BIRTH=at_70), term)["age_at_end_years"] == 70
    assert policy_facts(_row(DAYS_BIRTH=at_71), term)["age_at_end_years"] == 71
    assert "P02" not in _codes(policy, _row(DAYS_BIRTH=at_70), term)
    assert "P02" in _codes(policy, _row(DAYS_BIRTH=at_71), term)


def test_p03_refuses_and_p04_refers_on_the_annuity_to_income_bands(policy: Policy) -> None:
    # monthly income 10 000: 50 % is 5 000, 35 % is 3 500
    assert _codes(policy, _row(AMT_ANNUITY=3_500.0)) == []
    assert _codes(policy, _row(AMT_ANNUITY=3_500.01)) == ["P04"]
    assert _codes(policy, _row(AMT_ANNUITY=5_000.0)) == ["P04"]
    assert _codes(policy, _row(AMT_ANNUITY=5_000.01)) == ["P03"]


def test_p05_refuses_and_p07_refers_on_the_credit_to_income_bands(policy: Policy) -> None:
    # yearly income 120 000: 5 times is 600 000, 10 times 1 200 000
    assert _codes(policy, _row(AMT_CREDIT=600_000.0)) == []
    assert _codes(policy, _row(AMT_CREDIT=600_001.0)) == ["P07"]
    assert _codes(policy, _row(AMT_CREDIT=1_200_000.0)) == ["P07"]
    assert _codes(policy, _row(AMT_CREDIT=1_200_001.0)) == ["P05"]


@pytest.mark.parametrize(("product", "maximum"), [("Cash loans", 120), ("Revolving loans", 60)])
def test_p06_refuses_a_term_above_the_product_maximum(
    policy: Policy, product: str, maximum: int
) -> None:
    assert policy.products[product]["max_term_months"] == maximum
    row = _row(NAME_CONTRACT_TYPE=product)
    assert "P06" not in _codes(policy, row, maximum)
    assert "P06" in _codes(policy, row, maximum + 1)


def test_p06_on_an_unknown_product_never_fires(policy: Policy) -> None:
    assert "P06" not in _codes(policy, _row(NAME_CONTRACT_TYPE="Mortgage"), 400)
    assert "P06" not in _codes(policy, _row(NAME_CONTRACT_TYPE=None), 400)


def test_p08_refers_less_than_3_months_in_the_job(policy: Policy) -> None:
    three_months = -math.ceil(3 * DAYS_PER_MONTH)
    assert policy_facts(_row(DAYS_EMPLOYED=three_months), 24)["employment_months"] == 3
    assert _codes(policy, _row(DAYS_EMPLOYED=three_months)) == []
    assert _codes(policy, _row(DAYS_EMPLOYED=three_months + 1)) == ["P08"]
    assert _codes(policy, _row(DAYS_EMPLOYED=0)) == ["P08"]


def test_not_employed_never_fires_the_tenure_rule(policy: Policy) -> None:
    facts = policy_facts(_row(DAYS_EMPLOYED=NOT_EMPLOYED_DAYS), 24)
    assert facts["employed"] is False
    assert facts["employment_months"] is None
    assert policy.evaluate(facts) == []


def test_without_a_term_it_is_estimated_as_credit_over_annuity(policy: Policy) -> None:
    facts = policy_facts(_row(AMT_CREDIT=48_000.0, AMT_ANNUITY=2_000.0), None)
    assert facts["term_months"] == 24
    assert facts["term_estimated"] is True
    assert policy_facts(_row(), 36)["term_estimated"] is False
    # 121 payments at zero interest on a cash loan: refused on the estimate
    assert "P06" in _codes(policy, _row(AMT_CREDIT=121 * 2_000.0), None)


MISSING_VALUES = [None, float("nan"), float("inf"), "", "abc"]


@pytest.mark.parametrize("missing", MISSING_VALUES)
@pytest.mark.parametrize(
    "column",
    [
        "DAYS_BIRTH",
        "DAYS_EMPLOYED",
        "AMT_INCOME_TOTAL",
        "AMT_ANNUITY",
        "AMT_CREDIT",
        "NAME_CONTRACT_TYPE",
    ],
)
def test_a_missing_value_never_fires_and_never_crashes(
    policy: Policy, column: str, missing: Any
) -> None:
    assert _codes(policy, _row(**{column: missing})) == []
    assert _codes(policy, _row(**{column: missing}), None) == []


def test_a_row_with_nothing_known_fires_nothing(policy: Policy) -> None:
    assert _codes(policy, {}, None) == []
    assert _codes(policy, dict.fromkeys(_row(), float("nan")), float("nan")) == []
    assert policy.evaluate({}) == []


def test_zero_or_negative_income_is_unknown_not_infinite(policy: Policy) -> None:
    facts = policy_facts(_row(AMT_INCOME_TOTAL=0.0), 24)
    assert facts["annuity_income_ratio"] is None
    assert facts["credit_income_ratio"] is None


def test_numpy_and_nan_facts_are_accepted(policy: Policy) -> None:
    np = pytest.importorskip("numpy")
    facts = policy_facts(_row(), 24)
    facts["age_years"] = np.int64(17)
    facts["annuity_income_ratio"] = np.float64("nan")
    assert [h.code for h in policy.evaluate(facts)] == ["P01"]


def test_a_fact_of_the_wrong_type_names_the_rule(policy: Policy) -> None:
    with pytest.raises(PolicyError, match="rule P01"):
        policy.evaluate({"age_years": "seventeen"})


def test_refusals_come_first_then_referrals_by_code(policy: Policy) -> None:
    row = _row(
        DAYS_BIRTH=_days_for_age(18) + 1,  # P01 refuse
        DAYS_EMPLOYED=-10,  # P08 refer
        AMT_ANNUITY=4_000.0,  # P04 refer
        AMT_CREDIT=1_300_000.0,  # P05 refuse
    )
    hits = policy.evaluate(policy_facts(row, 24))
    assert [(h.code, h.outcome) for h in hits] == [
        ("P01", "refuse"),
        ("P05", "refuse"),
        ("P04", "refer"),
        ("P08", "refer"),
    ]
    assert outcome(hits) == "refuse"
    assert outcome(hits[2:]) == "refer"
    assert outcome([]) is None


def _hit(code: str, result: str) -> PolicyHit:
    return PolicyHit(code, result, "a", "b", "c", "d")  # type: ignore[arg-type]


def test_combine_refusal_wins_and_referral_sends_to_a_senior() -> None:
    refuse, refer = _hit("P01", "refuse"), _hit("P04", "refer")
    assert combine("grant", []) == "grant"
    assert combine("refuse", []) == "refuse"
    assert combine("grant", [refuse]) == "refuse"
    assert combine("grant", [refer]) == "refer"
    assert combine("refuse", [refer]) == "refer"
    assert combine("grant", [refuse, refer]) == "refuse"
    with pytest.raises(ValueError, match="grant"):
        combine("refer", [])  # type: ignore[arg-type]


def test_hit_texts_by_language(policy: Policy) -> None:
    hit = policy.evaluate(policy_facts(_row(AMT_ANNUITY=6_000.0), 24))[0]
    assert hit.code == "P03"
    assert hit.text("fr").startswith("Mensualité")
    assert hit.text("en").startswith("Monthly")
    assert "moitié" in hit.applicant_text("fr")
    assert "half" in hit.applicant_text("en")


def test_rules_list_every_rule_with_its_texts(policy: Policy) -> None:
    rules = policy.rules
    assert [r["code"] for r in rules] == [f"P0{i}" for i in range(1, 9)]
    for rule in rules:
        assert {"code", "outcome", "when", "text_fr", "text_en", "applicant_fr"} <= set(rule)
    rules[0]["code"] = "X"  # a copy: the policy is not changed
    assert policy.rules[0]["code"] == "P01"


def test_version_is_the_file_version_and_its_hash(policy: Policy, tmp_path: Path) -> None:
    assert policy.version.startswith("2026-12-01+")
    assert len(policy.version.split("+")[1]) == 12
    copy = tmp_path / "rules.json"
    copy.write_bytes(policy.path.read_bytes())
    assert Policy.load(copy).version == policy.version
    assert Policy.load(copy) is Policy.load(copy)  # cached
    data = json.loads(copy.read_text(encoding="utf-8"))
    data["rules"][0]["text_en"] += "."
    copy.write_text(json.dumps(data), encoding="utf-8")
    edited = Policy.load(copy)
    assert edited.version.startswith("2026-12-01+")
    assert edited.version != policy.version


def _broken(tmp_path: Path, policy: Policy, change: Any) -> Path:
    data = json.loads(policy.path.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _set(code: str, key: str, value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        rule = next(r for r in data["rules"] if r["code"] == code)
        if value is None:
            del rule[key]
        else:
            rule[key] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set("P03", "when", "annuity_income_ratio >"), r"rule P03: invalid expression"),
        (_set("P03", "when", "annuity_ratio > 0.5"), r"rule P03: unknown fact 'annuity_ratio'"),
        (_set("P03", "when", "contract_type > 0.5"), r"rule P03: invalid expression"),
        (_set("P04", "text_en", None), r"rule P04: missing or empty text_en"),
        (_set("P04", "applicant_fr", "  "), r"rule P04: missing or empty applicant_fr"),
        (_set("P05", "outcome", "block"), r"rule P05: unknown outcome 'block'"),
        (_set("P05", "text_eng", "x"), r"rule P05: unknown key"),
        (_set("P01", "when", "age_years < 18"), r"rule P01: fails when facts are missing"),
        (_set("P01", "when", "age_years == null"), r"rule P01: fires when every fact"),
        (_set("P02", "applicant_en", "Your age_years is high"), r"rule P02: applicant_en"),
        (_set("P02", "code", "P01"), r"rule P01: duplicate code"),
        (lambda d: d.pop("version"), r"'version'"),
        (lambda d: d.update(rules=[]), r"'rules'"),
        (lambda d: d["products"]["Cash loans"].update(max_term_months=0), r"Cash loans"),
    ],
)
def test_an_invalid_file_fails_with_a_message_naming_the_rule(
    policy: Policy, tmp_path: Path, change: Any, message: str
) -> None:
    with pytest.raises(PolicyFileError, match=message):
        Policy.load(_broken(tmp_path, policy, change))


def test_a_file_that_is_not_json_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(PolicyFileError, match=r"rules\.json: not valid UTF-8 JSON"):
        Policy.load(path)


@pytest.mark.skipif(SAMPLE is None, reason="real Kaggle sample absent")
def test_facts_from_real_rows_of_the_sample(policy: Policy) -> None:
    pd = pytest.importorskip("pandas")
    assert SAMPLE is not None
    frame = pd.read_csv(SAMPLE / "application_train.csv.gz", nrows=300)
    rows = frame.to_dict(orient="records")
    for row in rows:
        facts = policy_facts(row, None)
        assert 18 <= facts["age_years"] <= 75
        assert facts["term_estimated"] is True
        assert facts["contract_type"] in policy.products
        if row["DAYS_EMPLOYED"] == NOT_EMPLOYED_DAYS:
            assert facts["employed"] is False
        hits = policy.evaluate(facts)
        assert [h.outcome for h in hits] == sorted(
            (h.outcome for h in hits), key=["refuse", "refer"].index
        )
    first = policy_facts(rows[0], None)
    # AMT_INCOME_TOTAL is the monthly income: annuity / income is the payment-to-income
    # ratio as it stands, and the yearly income is 12 times it
    assert first["monthly_income"] == rows[0]["AMT_INCOME_TOTAL"]
    assert first["annuity_income_ratio"] == pytest.approx(
        rows[0]["AMT_ANNUITY"] / rows[0]["AMT_INCOME_TOTAL"], abs=1e-6
    )
    assert first["credit_income_ratio"] == pytest.approx(
        rows[0]["AMT_CREDIT"] / (12 * rows[0]["AMT_INCOME_TOTAL"]), abs=1e-6
    )


@pytest.mark.skipif(SAMPLE is None, reason="real Kaggle sample absent")
def test_p03_refuses_only_the_sample_clients_paying_over_half_their_income(
    policy: Policy,
) -> None:
    """On every client of the shared sample (train and test), P03 fires exactly when the
    annuity is above half of ``AMT_INCOME_TOTAL`` (a monthly income), under 1 % of them;
    and :meth:`Policy.evaluate_many` answers as :meth:`Policy.evaluate` row by row."""
    pd = pytest.importorskip("pandas")
    assert SAMPLE is not None
    columns = ["SK_ID_CURR", *FACT_COLUMNS]
    frame = pd.concat(
        [
            pd.read_csv(SAMPLE / f"application_{name}.csv.gz", usecols=columns)
            for name in ("train", "test")
        ],
        ignore_index=True,
    )
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    facts = [policy_facts(row, None) for row in rows]
    hits = policy.evaluate_many(facts)
    p03 = np.array([any(h.code == "P03" for h in row_hits) for row_hits in hits])
    over_half = (frame["AMT_ANNUITY"] / frame["AMT_INCOME_TOTAL"]).round(6) > 0.5
    assert (p03 == over_half.to_numpy()).all()
    assert 0 < p03.mean() < 0.01, p03.sum()
    step = 97  # rule-engine row by row is slow: a spread subset
    assert hits[::step] == [policy.evaluate(f) for f in facts[::step]]


def test_evaluate_many_answers_as_evaluate_on_every_kind_of_expression(
    policy: Policy, tmp_path: Path
) -> None:
    """Rules the numpy pass translates (or, not, strings, booleans, two facts compared) and
    one it does not (arithmetic), on rows around each threshold and with missing facts."""

    def change(data: dict[str, Any]) -> None:
        data["rules"] += [
            {
                "code": "P90",
                "outcome": "refer",
                "when": "contract_type == 'Revolving loans' or (employed != null and not employed)",
                "text_fr": "a",
                "text_en": "a",
                "applicant_fr": "a",
                "applicant_en": "a",
            },
            {
                "code": "P91",
                "outcome": "refuse",
                "when": "term_months != null and age_years != null and term_months / 12 > age_years",
                "text_fr": "b",
                "text_en": "b",
                "applicant_fr": "b",
                "applicant_en": "b",
            },
        ]

    edited = Policy.load(_broken(tmp_path, policy, change))
    rows = [
        _row(),
        _row(AMT_ANNUITY=5_000.0),
        _row(AMT_ANNUITY=5_000.01),
        _row(AMT_ANNUITY=3_500.01, AMT_CREDIT=1_200_001.0),
        _row(NAME_CONTRACT_TYPE="Revolving loans"),
        _row(DAYS_EMPLOYED=NOT_EMPLOYED_DAYS),
        _row(DAYS_EMPLOYED=-30),
        _row(AMT_INCOME_TOTAL=None, DAYS_BIRTH=None, DAYS_EMPLOYED=None),
        {},
    ]
    terms: list[float | None] = [24, 24, 24, 24, 24, 24, 24, None, None]
    facts = [policy_facts(r, t) for r, t in zip(rows, terms, strict=True)]
    facts.append({**facts[0], "term_months": 600.0})  # 50 years of payments at 40: P91
    many = edited.evaluate_many(facts)
    assert many == [edited.evaluate(f) for f in facts]
    assert [[h.code for h in hits] for hits in many] == [
        [],
        ["P04"],
        ["P03"],
        ["P05", "P04"],
        ["P90"],
        ["P90"],
        ["P08"],
        [],
        [],
        ["P06", "P91"],  # 600 months is also above the product's 120
    ]
    assert edited.evaluate_many([]) == []


def test_evaluate_many_raises_where_evaluate_raises(policy: Policy) -> None:
    facts = policy_facts(_row(), 24)
    facts["age_years"] = "forty"
    with pytest.raises(PolicyError, match="P01"):
        policy.evaluate_many([policy_facts(_row(), 24), facts])
