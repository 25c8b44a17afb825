"""Counter-offers: the nearest loans the champion AND the credit committee's rules would grant.

One search for every surface that proposes another loan: the letter of a refused
application (:meth:`credit_scoring.lending.applications.ApplicationService.alternatives`)
and the what-if (:class:`credit_scoring.lending.services.what_if.WhatIf`), so the page an
advisor reads and the letter the applicant receives name the same loan.

The candidates change one thing at a time, nearest first: the same amount over a longer
term (12 and 24 months more), then a smaller amount (90 % down to 50 % of the credit,
rounded to 100) over the same term. A candidate stays within the lender's terms
(:class:`credit_scoring.lending.form.LenderTerms`) and the product's maximum term
(the policy file's ``products``); its monthly payment is the annuity at the lender's rate.
Each is scored by the champion on the application's features rebuilt with the new
amounts (the history as stored) and checked by the policy rules
(:func:`~credit_scoring.lending.policy.policy_facts`, :meth:`~credit_scoring.lending.policy.Policy.evaluate`,
:func:`~credit_scoring.lending.policy.combine`); it is an offer only when the combined
decision is ``grant``. The loan asked (or granted) is never a candidate, so an offer always
changes the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from credit_scoring.core.results import ModelDecision
from credit_scoring.lending import form as bank_form
from credit_scoring.lending.policy import Policy, combine, policy_facts

LONGER_BY = (12, 24)  # months added to the term
SMALLER = (0.9, 0.8, 0.7, 0.6, 0.5)  # shares of the credit


class _Scorer(Protocol):
    threshold: float

    def predict_proba(self, features: pd.DataFrame) -> Any: ...


@dataclass(frozen=True)
class Offer:
    """A loan that would be granted: amount, term, monthly payment and what decided it.

    Attributes
    ----------
    amount : float
        The credit amount.
    term_months : int
        The number of monthly payments.
    monthly_annuity : float
        The monthly payment at the lender's rate, to the cent.
    probability : float
        The champion's probability of default for this loan.
    """

    amount: float
    term_months: int
    monthly_annuity: float
    probability: float

    def text(self, lang: str) -> str:
        """The offer in the applicant's words (the letter's sentence)."""
        return bank_form.alternative_text(self.amount, self.term_months, self.monthly_annuity, lang)


def asked_term(
    row: dict[str, Any], term_months: float | None, terms: bank_form.LenderTerms
) -> int | None:
    """The term of the loan asked: as entered, else from the annuity at the lender's rate.

    Parameters
    ----------
    row : dict of str to object
        The application in Kaggle's columns (``AMT_CREDIT``, ``AMT_ANNUITY``).
    term_months : float or None
        The term the applicant gave, if any (quoted as given).
    terms : LenderTerms
        The lender's rate.

    Returns
    -------
    int or None
        None when neither a term nor a positive credit and annuity are known.

    Examples
    --------
    >>> from credit_scoring.lending.form import LenderTerms
    >>> asked_term({"AMT_CREDIT": 12_000, "AMT_ANNUITY": 500}, 36, LenderTerms(0.05, 6, 120))
    36
    >>> asked_term({"AMT_CREDIT": 12_000, "AMT_ANNUITY": 500}, None, LenderTerms(0.0, 6, 120))
    24
    """
    if term_months is not None and term_months > 0:
        return round(term_months)
    credit = _number(row.get("AMT_CREDIT"))
    annuity = _number(row.get("AMT_ANNUITY"))
    if credit is None or annuity is None or credit <= 0 or annuity <= 0:
        return None
    solved = bank_form.term_for(credit, terms.monthly_rate, annuity)
    return round(solved or credit / annuity)


def candidates(
    credit: float, term: int, terms: bank_form.LenderTerms, max_term: float | None = None
) -> list[tuple[float, int]]:
    """The loans tried, nearest first: longer terms, then smaller amounts.

    Parameters
    ----------
    credit : float
        The amount asked.
    term : int
        The term asked, in months.
    terms : LenderTerms
        The lender's range of terms.
    max_term : float, optional
        The product's maximum term (the policy's ``products``), if lower.

    Returns
    -------
    list of (float, int)
        ``(amount, term_months)`` pairs, never the loan asked.

    Examples
    --------
    >>> from credit_scoring.lending.form import LenderTerms
    >>> candidates(10_000, 36, LenderTerms(0.05, 6, 48))
    [(10000, 48), (9000.0, 36), (8000.0, 36), (7000.0, 36), (6000.0, 36), (5000.0, 36)]
    """
    longest = min(terms.max_term_months, max_term or terms.max_term_months)
    tries = [(credit, term + extra) for extra in LONGER_BY if term + extra <= longest]
    if terms.min_term_months <= term <= longest:
        tries += [(round(credit * share, -2), term) for share in SMALLER]
    return [(a, t) for a, t in tries if a > 0 and (a, t) != (credit, term)]


def search_offers(
    row: dict[str, Any],
    term_months: float | None,
    *,
    features_of: Callable[[dict[str, Any]], pd.DataFrame],
    scorer: _Scorer,
    policy: Policy,
    terms: bank_form.LenderTerms,
    limit: int = 1,
) -> list[Offer]:
    """The nearest loans the champion and the policy rules would both grant.

    Parameters
    ----------
    row : dict of str to object
        The application in Kaggle's columns, as scored (not modified).
    term_months : float or None
        The term asked, when the applicant gave one.
    features_of : callable
        The application's feature row for a changed Kaggle row (the history as stored).
    scorer : Scorer
        The champion: ``predict_proba`` and ``threshold``.
    policy : Policy
        The credit committee's rules.
    terms : LenderTerms
        The lender's rate and range of terms.
    limit : int, default=1
        Most offers returned.

    Returns
    -------
    list of Offer
        At most ``limit`` offers, nearest first; empty when the amounts are unknown or no
        candidate is granted.
    """
    credit = _number(row.get("AMT_CREDIT"))
    term = asked_term(row, term_months, terms)
    if credit is None or credit <= 0 or term is None:
        return []
    product = policy.products.get(str(row.get("NAME_CONTRACT_TYPE")), {})
    goods = _number(row.get("AMT_GOODS_PRICE"))
    offers: list[Offer] = []
    for amount, months in candidates(credit, term, terms, product.get("max_term_months")):
        monthly = round(bank_form.annuity(amount, terms.monthly_rate, months), 2)
        changed = {**row, "AMT_CREDIT": amount, "AMT_ANNUITY": monthly}
        if goods is not None and amount < credit:
            changed["AMT_GOODS_PRICE"] = min(goods, amount)
        probability = float(scorer.predict_proba(features_of(changed))[0])
        model: ModelDecision = "grant" if probability < scorer.threshold else "refuse"
        hits = policy.evaluate(policy_facts(changed, months))
        if combine(model, hits) == "grant":
            offers.append(Offer(float(amount), months, monthly, probability))
            if len(offers) >= limit:
                break
    return offers


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None
