"""Feature lookup: the stored feature set the champion was trained on, clients' vectors.

A loaded client is scored from its stored vector (``feature_vectors``, written by
``db load`` with the batch feature path); vectors are cached per client in an LRU keyed by
the model version. The feature set is matched to the champion by its version (equality);
a mismatch is said at start-up and in ``/health`` (:meth:`FeatureStore.problem`).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from credit_scoring.api.services.cache import LRU
from credit_scoring.db import models as m
from credit_scoring.db.client_scores import FeatureSetInfo, FeatureSetMissingError, feature_set_for
from credit_scoring.db.load import decode_vector, vector_sha
from credit_scoring.features.metadata import FeatureMeta
from credit_scoring.modeling.contracts import Scorer


class NotFoundError(LookupError):
    """A client (or its feature vector) is not in the database; the message says what to do."""


def load_feature_metadata() -> dict[str, FeatureMeta]:
    """Plain-words metadata of the features (descriptions, groups, sources)."""
    from credit_scoring.features.build import feature_metadata

    return feature_metadata()


def application_features(application: dict) -> pd.DataFrame:
    """The feature row of one application without history (the online row-level path)."""
    from credit_scoring.features.build import build_features_for_frames

    return build_features_for_frames({"application": pd.DataFrame([application])})


def model_frame(features: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The model's columns of a feature row (the row itself when it has no others, or when
    it lacks some: the scorer then says which)."""
    columns = features.columns
    if len(columns) == len(names) and list(columns) == names:
        return features
    return features[names] if set(names) <= set(columns) else features


class FeatureStore:
    """Stored feature vectors of the champion's feature set, read once per client (cached)."""

    def __init__(
        self,
        scorer: Scorer | None,
        metas: dict[str, FeatureMeta] | None = None,
        *,
        cache_size: int = 50_000,
    ) -> None:
        self.scorer = scorer
        self.metas = metas or {}
        self._info: FeatureSetInfo | None = None
        self.vectors = LRU(cache_size)

    @property
    def _model_version(self) -> str:
        return self.scorer.model_version if self.scorer else ""

    def feature_set(self, session: Session) -> FeatureSetInfo:
        """The stored feature set the champion was trained on (read once)."""
        if self._info is None:
            if self.scorer is None:
                raise NotFoundError("No champion model is loaded: no feature set to serve.")
            try:
                self._info = feature_set_for(session, self.scorer)
            except FeatureSetMissingError as exc:
                raise NotFoundError(str(exc)) from None
        return self._info

    def problem(self, session: Session) -> str | None:
        """Why stored clients cannot be scored with this champion, or None (for ``/health``)."""
        if self.scorer is None:
            return None
        try:
            self.feature_set(session)
        except NotFoundError as exc:
            return str(exc)
        return None

    def client(self, session: Session, sk_id_curr: int) -> pd.DataFrame:
        """A stored client's feature row (``attrs["vector_sha"]``: which stored vector)."""

        def make() -> pd.DataFrame:
            info = self.feature_set(session)
            found = session.execute(
                select(m.FeatureVector.vector, m.FeatureVector.vector_sha).where(
                    m.FeatureVector.sk_id_curr == sk_id_curr,
                    m.FeatureVector.feature_set == info.version,
                )
            ).first()
            if found is None:
                require_client(session, sk_id_curr)
                raise NotFoundError(
                    f"Client {sk_id_curr} has no stored feature vector: reload the "
                    "data with `credit-scoring db load`."
                )
            frame = decode_vector(found[0], info.columns, info.categories)
            # which stored vector this is: the score log points to it (db load keeps versions)
            frame.attrs["vector_sha"] = found[1] or vector_sha(info.version, found[0])
            return frame

        return self.vectors.get_or((sk_id_curr, self._model_version), make)

    def with_application(self, stored: pd.DataFrame, rebuilt: pd.DataFrame) -> pd.DataFrame:
        """A stored client's features with those of an application replaced by ``rebuilt``'s:
        application features come from the (new or changed) application, history features
        stay as stored. Returns a new frame (``stored``'s columns, in its order)."""
        names = [
            name
            for name in rebuilt.columns
            if name in stored
            and ((meta := self.metas.get(name)) is None or meta.source.startswith("application"))
        ]
        if not names:
            return stored.copy()
        kept = stored.drop(columns=names).reset_index(drop=True)
        new = rebuilt[names].reset_index(drop=True)
        merged = pd.concat([kept, new], axis=1)[list(stored.columns)]
        merged.attrs = dict(stored.attrs)
        return merged


def require_client(session: Session, sk_id_curr: int) -> m.Client:
    """The stored client, or :class:`NotFoundError`."""
    client = session.get(m.Client, sk_id_curr)
    if client is None:
        raise NotFoundError(f"Client {sk_id_curr} does not exist.")
    return client
