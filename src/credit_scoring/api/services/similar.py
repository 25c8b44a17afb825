"""Similar clients: a stored client's nearest neighbours in the model's space, and their outcome."""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from credit_scoring.api import schemas as s
from credit_scoring.api.services.features import FeatureStore, model_frame
from credit_scoring.modeling.contracts import Scorer


class SimilarClients:
    """The ``k`` training clients closest to a stored client, and their default rate."""

    def __init__(self, scorer: Scorer, features: FeatureStore) -> None:
        self.scorer = scorer
        self.features = features

    def similar(self, session: Session, sk_id_curr: int, k: int) -> s.SimilarOut:
        features = model_frame(
            self.features.client(session, sk_id_curr), list(self.scorer.feature_names)
        )
        found = [c for c in self.scorer.similar(features, k=k + 1) if c.sk_id_curr != sk_id_curr]
        found = found[:k]
        known = [c.target for c in found if c.target is not None]
        return s.SimilarOut(
            sk_id_curr=sk_id_curr,
            items=[
                s.SimilarClientOut(
                    sk_id_curr=c.sk_id_curr, distance=float(c.distance), target=c.target
                )
                for c in found
            ],
            default_rate=float(np.mean(known)) if known else None,
        )
