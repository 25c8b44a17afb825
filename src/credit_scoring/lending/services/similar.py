"""Similar clients: a stored client's nearest neighbours in the model's space, and their outcome."""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from credit_scoring.lending import schemas as s
from credit_scoring.lending.clients import describe_similar
from credit_scoring.lending.services.features import FeatureStore
from credit_scoring.modeling.contracts import Scorer


class SimilarClients:
    """The ``k`` training clients closest to a stored client, and their default rate.

    Parameters
    ----------
    scorer : Scorer
        The champion, whose index of training clients is searched.
    features : FeatureStore
        Where the stored client's feature vector is read.
    """

    def __init__(self, scorer: Scorer, features: FeatureStore) -> None:
        self.scorer = scorer
        self.features = features

    def similar(self, session: Session, sk_id_curr: int, k: int) -> s.SimilarOut:
        """A stored client's ``k`` nearest training clients and their observed default rate.

        The client itself is left out when it is one of the training clients found.

        Parameters
        ----------
        session : Session
            The database session the client's vector is read with.
        sk_id_curr : int
            The stored client.
        k : int
            Number of neighbours.

        Returns
        -------
        SimilarOut
            At most ``k`` neighbours, nearest first, with their distance, outcome and what
            they are (:func:`~credit_scoring.lending.clients.describe_similar`); the
            default rate is the mean outcome of those whose outcome is known (None if none).

        Raises
        ------
        NotFoundError
            The client, its feature vector or the champion's feature set is not stored
            (from :meth:`FeatureStore.client`).
        """
        features = self.features.client(session, sk_id_curr)
        found = [c for c in self.scorer.similar(features, k=k + 1) if c.sk_id_curr != sk_id_curr]
        found = found[:k]
        known = [c.target for c in found if c.target is not None]
        return s.SimilarOut(
            sk_id_curr=sk_id_curr,
            items=describe_similar(
                session,
                [
                    s.SimilarClientOut(
                        sk_id_curr=c.sk_id_curr, distance=float(c.distance), target=c.target
                    )
                    for c in found
                ],
            ),
            default_rate=float(np.mean(known)) if known else None,
        )
