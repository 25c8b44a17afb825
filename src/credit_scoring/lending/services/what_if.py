"""What-if: a stored client's score with their application changed (history as stored).

The scenario's decision is the one an application would get: the model's proposal, then
the credit committee's rules (:mod:`credit_scoring.lending.policy`); a scenario refused or
referred comes with the nearest loans that would be granted, found by the same search as
the letter's counter-offers (:mod:`credit_scoring.lending.offers`), so the page and the
letter name the same loan.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from credit_scoring.db.load import application_dict
from credit_scoring.lending import form as bank_form
from credit_scoring.lending import schemas as s
from credit_scoring.lending.offers import search_offers
from credit_scoring.lending.policy import Policy, combine, hit_rows, policy_facts
from credit_scoring.lending.services.features import (
    FeatureStore,
    application_features,
    require_client,
)
from credit_scoring.lending.services.scores import ScoreService


class WhatIf:
    """The baseline score and the score of a changed application, side by side.

    Parameters
    ----------
    scores : ScoreService
        The champion's scores (the baseline comes from its cache).
    features : FeatureStore
        Where the stored client's feature vector is read.
    policy : Policy
        The credit committee's rules (the applications' own).
    terms : LenderTerms
        The lender's rate and terms, for the monthly payment of a term and for the offers.
    """

    def __init__(
        self,
        scores: ScoreService,
        features: FeatureStore,
        policy: Policy,
        terms: bank_form.LenderTerms,
    ) -> None:
        self.scores = scores
        self.features = features
        self.policy = policy
        self.terms = terms

    def what_if(self, session: Session, sk_id_curr: int, body: s.WhatIfIn) -> s.WhatIfOut:
        """A stored client's score and the score with their application changed.

        The stored application is changed as ``body`` asks (:func:`what_if_changes`) and
        its features rebuilt; the history features stay as stored
        (:meth:`FeatureStore.with_application`). Nothing is written to the database.

        Parameters
        ----------
        session : Session
            The database session the client is read with.
        sk_id_curr : int
            The stored client.
        body : WhatIfIn
            The changes, and the language of the reasons.

        Returns
        -------
        WhatIfOut
            The baseline score, the scenario's score, the Kaggle columns changed, the
            scenario's decision after the policy rules with the rules that fired, and for a
            scenario refused or referred the nearest offer that would be granted.

        Raises
        ------
        NotFoundError
            The client, its feature vector or the champion's feature set is not stored.
        """
        client = require_client(session, sk_id_curr)
        baseline = self.scores.client(session, sk_id_curr, body.lang).out
        application = application_dict(client)
        changes = what_if_changes(application, body, self.terms.monthly_rate)
        application.update(changes)
        stored = self.features.client(session, sk_id_curr)

        def features_of(row: dict[str, Any]) -> pd.DataFrame:
            return self.features.with_application(stored, application_features(row))

        scenario = self.scores.frame(features_of(application), sk_id_curr, body.lang)
        hits = self.policy.evaluate(policy_facts(application, body.term_months))
        decision = combine(scenario.decision, hits)
        offers = []
        if decision != "grant":
            found = search_offers(
                application,
                body.term_months,
                features_of=features_of,
                scorer=self.scores.scorer,
                policy=self.policy,
                terms=self.terms,
            )
            offers = [
                s.OfferOut(
                    amount_credit=o.amount,
                    term_months=o.term_months,
                    monthly_annuity=o.monthly_annuity,
                    probability=o.probability,
                    text=o.text(body.lang),
                )
                for o in found
            ]
        rules = [
            s.RuleOut(code=r["code"], outcome=r["outcome"], text=r[f"text_{body.lang}"])  # type: ignore[arg-type]
            for r in hit_rows(hits)
        ]
        return s.WhatIfOut(
            baseline=baseline,
            scenario=scenario,
            changes=changes,
            decision=decision,
            policy=rules,
            offers=offers,
        )


def what_if_changes(
    application: dict[str, Any], body: s.WhatIfIn, monthly_rate: float = 0.0
) -> dict[str, float]:
    """The Kaggle columns a what-if changes, with their new values.

    An annuity given is taken as is; without one, a term gives the annuity that repays the
    credit in ``term_months`` at ``monthly_rate`` (``credit / term_months`` without
    interest), rounded to the cent, with the new credit if one is given, else the stored
    one (no annuity when neither is a number).

    Parameters
    ----------
    application : dict of str to object
        The stored application in Kaggle's columns (not modified).
    body : WhatIfIn
        The changes asked for; a field left out keeps the stored value.
    monthly_rate : float, default=0.0
        The lender's monthly rate (:attr:`LenderTerms.monthly_rate`).

    Returns
    -------
    dict of str to float
        ``AMT_CREDIT``, ``AMT_GOODS_PRICE``, ``AMT_INCOME_TOTAL`` and ``AMT_ANNUITY``, for
        those that change.

    Examples
    --------
    >>> from credit_scoring.lending.schemas import WhatIfIn
    >>> what_if_changes({"AMT_CREDIT": 12_000.0}, WhatIfIn(term_months=24))
    {'AMT_ANNUITY': 500.0}
    >>> what_if_changes({"AMT_CREDIT": 12_000.0}, WhatIfIn(amount_credit=6_000, term_months=24))
    {'AMT_CREDIT': 6000.0, 'AMT_ANNUITY': 250.0}
    >>> what_if_changes({"AMT_CREDIT": 12_000.0}, WhatIfIn(term_months=24), 0.05 / 12)
    {'AMT_ANNUITY': 526.46}
    """
    changes: dict[str, float] = {}
    if body.amount_credit is not None:
        changes["AMT_CREDIT"] = body.amount_credit
    if body.amount_goods_price is not None:
        changes["AMT_GOODS_PRICE"] = body.amount_goods_price
    if body.income_total is not None:
        changes["AMT_INCOME_TOTAL"] = body.income_total
    if body.amount_annuity is not None:
        changes["AMT_ANNUITY"] = body.amount_annuity
    elif body.term_months is not None:
        credit = changes.get("AMT_CREDIT", application.get("AMT_CREDIT"))
        if isinstance(credit, int | float):
            changes["AMT_ANNUITY"] = round(
                bank_form.annuity(float(credit), monthly_rate, body.term_months), 2
            )
    return changes
