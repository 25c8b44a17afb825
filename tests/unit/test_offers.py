"""The counter-offer search: nearest first, never the loan asked, granted by model AND rules."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from credit_scoring.lending.form import LenderTerms, annuity
from credit_scoring.lending.offers import asked_term, candidates, search_offers
from credit_scoring.lending.policy import Policy, policy_facts

TERMS = LenderTerms(yearly_rate=0.06, min_term_months=6, max_term_months=84)
ROW = {
    "NAME_CONTRACT_TYPE": "Cash loans",
    "AMT_CREDIT": 20_000.0,
    "AMT_GOODS_PRICE": 20_000.0,
    "AMT_ANNUITY": round(annuity(20_000.0, TERMS.monthly_rate, 36), 2),
    "AMT_INCOME_TOTAL": 60_000.0,
    "DAYS_BIRTH": -40 * 365,
    "DAYS_EMPLOYED": -5 * 365,
}


class AmountScorer:
    """Grants a loan of at most ``limit``: the probability is the credit over 2 * limit."""

    def __init__(self, limit: float, threshold: float = 0.5) -> None:
        self.limit, self.threshold, self.seen = limit, threshold, []

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        self.seen.append(features.iloc[0].to_dict())
        return np.asarray(features["AMT_CREDIT"], dtype=float) / (2 * self.limit) - 1e-9


def features_of(row: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame([row])


def test_candidates_are_nearest_first_and_never_the_loan_asked() -> None:
    tried = candidates(20_000.0, 36, TERMS)
    assert tried[:2] == [(20_000.0, 48), (20_000.0, 60)]
    assert [a for a, t in tried[2:]] == [18_000, 16_000, 14_000, 12_000, 10_000]
    assert (20_000.0, 36) not in tried
    assert candidates(20_000.0, 80, TERMS)[0] == (18_000, 80)  # no term above the lender's
    assert all(t <= 40 for _, t in candidates(20_000.0, 36, TERMS, max_term=40))


def test_the_term_is_quoted_as_given_or_solved_from_the_annuity() -> None:
    assert asked_term(ROW, 36, TERMS) == 36
    assert asked_term(ROW, None, TERMS) == 36  # the annuity at the lender's rate
    assert asked_term({"AMT_CREDIT": 1000.0}, None, TERMS) is None


def test_the_nearest_loan_the_model_grants_with_its_monthly_payment() -> None:
    scorer = AmountScorer(limit=16_000)
    (offer,) = search_offers(
        ROW, 36, features_of=features_of, scorer=scorer, policy=Policy.load(), terms=TERMS
    )
    assert (offer.amount, offer.term_months) == (16_000, 36)
    assert offer.monthly_annuity == round(annuity(16_000, TERMS.monthly_rate, 36), 2)
    assert scorer.seen[-1]["AMT_ANNUITY"] == offer.monthly_annuity  # scored as offered
    assert "16" in offer.text("fr") and "36 mois" in offer.text("fr")
    two = search_offers(
        ROW, 36, features_of=features_of, scorer=scorer, policy=Policy.load(), terms=TERMS, limit=2
    )
    assert [(o.amount, o.term_months) for o in two] == [(16_000, 36), (14_000, 36)]


def test_an_offer_a_rule_refuses_is_not_offered() -> None:
    policy = Policy.load()
    poor = {**ROW, "AMT_INCOME_TOTAL": 100.0}  # every payment above half the income
    facts = policy_facts({**poor, "AMT_CREDIT": 10_000.0}, 36)
    assert any(h.outcome == "refuse" for h in policy.evaluate(facts))
    offers = search_offers(
        poor, 36, features_of=features_of, scorer=AmountScorer(1e9), policy=policy, terms=TERMS
    )
    assert offers == []


def test_unknown_amounts_give_no_offer() -> None:
    scorer = AmountScorer(limit=1e9)
    row = {**ROW, "AMT_CREDIT": None}
    assert (
        search_offers(
            row, 36, features_of=features_of, scorer=scorer, policy=Policy.load(), terms=TERMS
        )
        == []
    )
    assert scorer.seen == []
