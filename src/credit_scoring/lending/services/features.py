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

from credit_scoring.db import models as m
from credit_scoring.db.client_scores import FeatureSetInfo, FeatureSetMissingError, feature_set_for
from credit_scoring.db.load import decode_vector, vector_sha
from credit_scoring.features.metadata import FeatureMeta
from credit_scoring.lending.services.cache import LRU
from credit_scoring.modeling.contracts import Scorer


class NotFoundError(LookupError):
    """A client (or its feature vector) is not in the database; the message says what to do.

    The app answers it with 404 and the message as ``detail``.
    """


def load_feature_metadata() -> dict[str, FeatureMeta]:
    """Plain-words metadata of the features (descriptions, groups, sources).

    The app's lifespan loads them once and hands them to :func:`build_services`.

    Returns
    -------
    dict of str to FeatureMeta
        The metadata of every feature, by column name.
    """
    from credit_scoring.features.batch import feature_metadata

    return feature_metadata()


def application_features(application: dict) -> pd.DataFrame:
    """The feature row of one application without history (the online row-level path).

    Parameters
    ----------
    application : dict
        The application in Kaggle's column names (``application_train.csv``); a column
        left out is read as missing.

    Returns
    -------
    DataFrame
        One row: ``SK_ID_CURR``, ``TARGET`` and every feature, the history features
        missing.
    """
    from credit_scoring.features.online import build_features_for_frames

    return build_features_for_frames({"application": pd.DataFrame([application])})


class FeatureStore:
    """Stored feature vectors of the champion's feature set, read once per client (cached).

    Parameters
    ----------
    scorer : Scorer or None
        The champion; None when none is loaded (:meth:`problem` then says nothing, and
        the lookups raise :class:`NotFoundError`).
    metas : dict of str to FeatureMeta, optional
        Plain-words metadata of the features: their ``source`` says which are application
        features (:meth:`with_application`).
    cache_size : int, default=50_000
        Clients' vectors kept in :attr:`vectors`.

    Attributes
    ----------
    vectors : LRU
        Clients' feature rows, keyed by client and model version.
    """

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
        """The stored feature set the champion was trained on (read once).

        Parameters
        ----------
        session : Session
            The database session of the first read; later calls return the cached set.

        Returns
        -------
        FeatureSetInfo
            The set's version, columns and categories
            (:func:`~credit_scoring.db.client_scores.feature_set_for`).

        Raises
        ------
        NotFoundError
            No champion is loaded, or no stored feature set matches it (the message says
            what to run). A failure is not cached: the next call reads again.
        """
        if self._info is None:
            if self.scorer is None:
                raise NotFoundError("No champion model is loaded: no feature set to serve.")
            try:
                self._info = feature_set_for(session, self.scorer)
            except FeatureSetMissingError as exc:
                raise NotFoundError(str(exc)) from None
        return self._info

    def problem(self, session: Session) -> str | None:
        """Why stored clients cannot be scored with this champion, or None (for ``/health``).

        Parameters
        ----------
        session : Session
            The database session the feature set is read with.

        Returns
        -------
        str or None
            The message of the :class:`NotFoundError` of :meth:`feature_set`; None when the
            set is found, or when no champion is loaded (``model_error`` says that).
        """
        if self.scorer is None:
            return None
        try:
            self.feature_set(session)
        except NotFoundError as exc:
            return str(exc)
        return None

    def client(self, session: Session, sk_id_curr: int) -> pd.DataFrame:
        """A stored client's feature row (``attrs["vector_sha"]``: which stored vector).

        The vector of the champion's feature set, decoded (categoricals restored) and cached
        per client and model version: a cached row is returned as is, not copied.

        Parameters
        ----------
        session : Session
            The database session the vector is read with (on a cache miss).
        sk_id_curr : int
            The stored client.

        Returns
        -------
        DataFrame
            One row in the feature set's columns; ``attrs["vector_sha"]`` is the id of the
            stored vector (the score log points to it).

        Raises
        ------
        NotFoundError
            The client does not exist, has no vector of the champion's feature set, or no
            feature set matches the champion.
        """

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
        """A stored client's features with those of an application replaced by ``rebuilt``'s.

        Application features come from the (new or changed) application, history features
        stay as stored. A column counts as an application feature when its metadata's
        source is an application table, or when it has no metadata.

        Parameters
        ----------
        stored : DataFrame
            The stored client's feature row (:meth:`client`); not modified.
        rebuilt : DataFrame
            The feature row of the application (:func:`application_features`).

        Returns
        -------
        DataFrame
            A new frame: ``stored``'s columns, in its order, and its ``attrs``.
        """
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
    """The stored client, or :class:`NotFoundError`.

    Parameters
    ----------
    session : Session
        The database session.
    sk_id_curr : int
        The client's id.

    Returns
    -------
    Client
        The client's row.

    Raises
    ------
    NotFoundError
        No client has this id.
    """
    client = session.get(m.Client, sk_id_curr)
    if client is None:
        raise NotFoundError(f"Client {sk_id_curr} does not exist.")
    return client
