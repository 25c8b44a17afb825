"""What-if: a stored client's score with their application changed (history as stored)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from credit_scoring.api import schemas as s
from credit_scoring.api.services.features import FeatureStore, application_features, require_client
from credit_scoring.api.services.scores import ScoreService
from credit_scoring.db.load import application_dict


class WhatIf:
    """The baseline score and the score of a changed application, side by side."""

    def __init__(self, scores: ScoreService, features: FeatureStore) -> None:
        self.scores = scores
        self.features = features

    def what_if(self, session: Session, sk_id_curr: int, body: s.WhatIfIn) -> s.WhatIfOut:
        client = require_client(session, sk_id_curr)
        baseline = self.scores.client(session, sk_id_curr, body.lang).out
        application = application_dict(client)
        changes = what_if_changes(application, body)
        application.update(changes)
        stored = self.features.client(session, sk_id_curr)
        scenario = self.scores.frame(
            self.features.with_application(stored, application_features(application)),
            sk_id_curr,
            body.lang,
        )
        return s.WhatIfOut(baseline=baseline, scenario=scenario, changes=changes)


def what_if_changes(application: dict[str, Any], body: s.WhatIfIn) -> dict[str, float]:
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
            changes["AMT_ANNUITY"] = round(float(credit) / body.term_months, 2)
    return changes
