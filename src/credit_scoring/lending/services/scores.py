"""Scoring: the champion's score of a feature row, and of a stored client (cached).

A repeated score of a stored client costs no database round trip and no model call: the
response is cached per client, model version and language.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from credit_scoring.core.results import ScoreResult
from credit_scoring.lending import schemas as s
from credit_scoring.lending.services.cache import LRU
from credit_scoring.lending.services.features import FeatureStore
from credit_scoring.modeling.contracts import Scorer


@dataclass(frozen=True)
class ScoredClient:
    """A stored client's score, ready to answer and to log (:meth:`ScoreService.client`).

    Attributes
    ----------
    out : ScoreOut
        The score as the API shows it.
    body : bytes
        ``out`` as JSON, the response body (serialised once).
    digest : str
        SHA-256 of the feature values scored (:func:`digest_frame`), for the score log.
    reasons : list of dict
        The reasons against then for (:func:`reasons_of`), for the score log.
    features_sha : str or None
        The id of the stored vector scored (``feature_vectors``, or its versions), or None.
    """

    out: s.ScoreOut
    body: bytes
    digest: str
    reasons: list[dict[str, Any]]  # for the score log, dumped once
    features_sha: str | None = None  # the stored vector scored (feature_vectors or versions)


def digest_frame(features: pd.DataFrame) -> str:
    """SHA-256 of the feature values scored: the column names, then the values.

    Numbers are hashed as their float64 bytes (a stored vector decodes to numbers only: the
    JSON text of ~900 columns took ~50 ms, more than the score); a frame holding text falls
    back to its JSON form.

    Parameters
    ----------
    features : DataFrame
        The feature row (or table) scored.

    Returns
    -------
    str
        The digest, 64 hex digits: the same values in the same columns give the same one.
    """
    digest = hashlib.sha256("\x1f".join(map(str, features.columns)).encode())
    try:
        values = features.to_numpy(dtype="float64")
    except (TypeError, ValueError):
        digest.update(features.to_json(orient="split", index=False).encode())
    else:
        digest.update(b"float64:" + values.tobytes())
    return digest.hexdigest()


def to_score_out(result: ScoreResult, sk_id_curr: int | None, lang: str) -> s.ScoreOut:
    """A model's score as the API shows it.

    Parameters
    ----------
    result : ScoreResult
        The scorer's result for one row.
    sk_id_curr : int or None
        The client scored, or None for an application that is not stored.
    lang : {"fr", "en"}
        The language of the reasons' texts, echoed in the response.

    Returns
    -------
    ScoreOut
        Probability, decision, threshold, model, grade and points, and the reasons against
        and for in the scorer's order.
    """
    return s.ScoreOut(
        sk_id_curr=sk_id_curr,
        probability=float(result.probability),
        decision=result.decision,
        threshold=float(result.threshold),
        model_name=result.model_name,
        model_version=result.model_version,
        lang=lang,  # type: ignore[arg-type]
        reasons_against=[
            s.ReasonOut(**{**asdict(r), "features": list(r.features)})
            for r in result.reasons_against
        ],
        reasons_for=[
            s.ReasonOut(**{**asdict(r), "features": list(r.features)}) for r in result.reasons_for
        ],
        grade=result.grade,
        points=result.points,
    )


def reasons_of(out: s.ScoreOut) -> list[dict[str, Any]]:
    """The reasons of a score as the score log stores them (JSON).

    Parameters
    ----------
    out : ScoreOut
        A score as the API shows it.

    Returns
    -------
    list of dict
        The reasons against, then the reasons for, each as a plain dict.
    """
    return [r.model_dump() for r in out.reasons_against + out.reasons_for]


class ScoreService:
    """The champion's scores: of a feature row, of an application, of a stored client.

    A stored client's score is cached per client, model version and language
    (:meth:`cached`, :meth:`client`).

    Parameters
    ----------
    scorer : Scorer
        The champion.
    features : FeatureStore
        Where stored clients' feature vectors are read.
    sessions : sessionmaker of Session
        Database sessions, for a stored client's score asked without a session.
    cache_size : int, default=50_000
        Stored clients' scores kept in :attr:`responses`.

    Attributes
    ----------
    responses : LRU
        Stored clients' :class:`ScoredClient`, keyed by client, model version and language.
    """

    def __init__(
        self,
        scorer: Scorer,
        features: FeatureStore,
        sessions: sessionmaker[Session],
        *,
        cache_size: int = 50_000,
    ) -> None:
        self.scorer = scorer
        self.features = features
        self._sessions = sessions
        self.responses = LRU(cache_size)

    @property
    def version(self) -> str:
        """The champion's model version."""
        return self.scorer.model_version

    def result(self, features: pd.DataFrame, lang: str) -> ScoreResult:
        """The champion's score of one feature row: probability, decision, grade, reasons.

        Parameters
        ----------
        features : DataFrame
            The feature row; only its first row is scored.
        lang : {"fr", "en"}
            Language of the reasons.

        Returns
        -------
        ScoreResult
            The score, with at most 4 reasons against and 4 for.
        """
        return self.scorer.score(features, lang=lang, top=4)[0]  # type: ignore[arg-type]

    def frame(self, features: pd.DataFrame, sk_id_curr: int | None, lang: str) -> s.ScoreOut:
        """The score of one feature row, as the API shows it.

        Parameters
        ----------
        features : DataFrame
            The feature row.
        sk_id_curr : int or None
            The client scored, or None for an application that is not stored.
        lang : {"fr", "en"}
            Language of the reasons.

        Returns
        -------
        ScoreOut
            The score (:meth:`result`, then :func:`to_score_out`).
        """
        return to_score_out(self.result(features, lang), sk_id_curr, lang)

    def predict(
        self, tables: dict[str, pd.DataFrame], sk_id_curr: int | None, lang: str
    ) -> s.ScoreOut:
        """The score of an application in Kaggle's columns, with optional history tables.

        Parameters
        ----------
        tables : dict of str to DataFrame
            ``"application"`` (one row) and, optionally, the history tables by their
            Kaggle names (``"bureau"``, ``"previous_application"``...); an absent table
            leaves its features missing.
        sk_id_curr : int or None
            The id echoed in the response, or None.
        lang : {"fr", "en"}
            Language of the reasons.

        Returns
        -------
        ScoreOut
            The score of the application's feature row.
        """
        from credit_scoring.features.online import build_features_for_frames

        return self.frame(build_features_for_frames(tables), sk_id_curr, lang)  # type: ignore[arg-type]

    def cached(self, sk_id_curr: int, lang: str) -> ScoredClient | None:
        """A stored client's cached score, or None (no database read, no model call).

        Parameters
        ----------
        sk_id_curr : int
            The stored client.
        lang : {"fr", "en"}
            Language of the reasons.

        Returns
        -------
        ScoredClient or None
            The score cached by :meth:`client` for this client, model version and
            language, or None when there is none yet.
        """
        return self.responses.get(("score", sk_id_curr, self.version, lang))

    def client(self, session: Session | None, sk_id_curr: int, lang: str) -> ScoredClient:
        """A stored client's score with reasons, its JSON body and inputs digest (cached).

        Parameters
        ----------
        session : Session or None
            The database session the client's vector is read with; None opens one of
            the service's own (the route scores off the event loop, without the request's).
        sk_id_curr : int
            The stored client.
        lang : {"fr", "en"}
            Language of the reasons.

        Returns
        -------
        ScoredClient
            The score, cached per client, model version and language.

        Raises
        ------
        NotFoundError
            The client, its feature vector or the champion's feature set is not stored
            (from :meth:`FeatureStore.client`).
        """
        key = ("score", sk_id_curr, self.version, lang)
        cached = self.responses.get(key)
        if cached is not None:
            return cached
        if session is None:
            with self._sessions() as own:
                features = self.features.client(own, sk_id_curr)
        else:
            features = self.features.client(session, sk_id_curr)
        out = self.frame(features, sk_id_curr, lang)
        scored = ScoredClient(
            out,
            out.model_dump_json().encode(),
            digest_frame(features),
            reasons_of(out),
            features.attrs.get("vector_sha"),
        )
        self.responses.put(key, scored)
        return scored
