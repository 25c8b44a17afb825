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

from credit_scoring.api import schemas as s
from credit_scoring.api.services.cache import LRU
from credit_scoring.api.services.features import FeatureStore, model_frame
from credit_scoring.core.results import ScoreResult
from credit_scoring.modeling.contracts import Scorer


@dataclass(frozen=True)
class ScoredClient:
    out: s.ScoreOut
    body: bytes
    digest: str
    reasons: list[dict[str, Any]]  # for the score log, dumped once
    features_sha: str | None = None  # the stored vector scored (feature_vectors or versions)


def digest_frame(features: pd.DataFrame) -> str:
    """SHA-256 of the feature values scored (names and values)."""
    return hashlib.sha256(features.to_json(orient="split", index=False).encode()).hexdigest()


def to_score_out(result: ScoreResult, sk_id_curr: int | None, lang: str) -> s.ScoreOut:
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
    return [r.model_dump() for r in out.reasons_against + out.reasons_for]


class ScoreService:
    """The champion's scores: of a feature row, of an application, of a stored client."""

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
        self._names = list(scorer.feature_names)
        self.responses = LRU(cache_size)

    @property
    def version(self) -> str:
        return self.scorer.model_version

    def model_frame(self, features: pd.DataFrame) -> pd.DataFrame:
        """The model's columns of a feature row (the row itself when it has no others)."""
        return model_frame(features, self._names)

    def result(self, features: pd.DataFrame, lang: str) -> ScoreResult:
        """The champion's score of one feature row: probability, decision, grade, reasons."""
        return self.scorer.score(self.model_frame(features), lang=lang, top=4)[0]  # type: ignore[arg-type]

    def frame(self, features: pd.DataFrame, sk_id_curr: int | None, lang: str) -> s.ScoreOut:
        """The score of one feature row, as the API shows it."""
        return to_score_out(self.result(features, lang), sk_id_curr, lang)

    def predict(
        self, tables: dict[str, pd.DataFrame], sk_id_curr: int | None, lang: str
    ) -> s.ScoreOut:
        """The score of an application in Kaggle's columns, with optional history tables."""
        from credit_scoring.features.build import build_features_for_frames

        return self.frame(build_features_for_frames(tables), sk_id_curr, lang)  # type: ignore[arg-type]

    def cached(self, sk_id_curr: int, lang: str) -> ScoredClient | None:
        return self.responses.get(("score", sk_id_curr, self.version, lang))

    def client(self, session: Session | None, sk_id_curr: int, lang: str) -> ScoredClient:
        """A stored client's score with reasons, its JSON body and inputs digest (cached)."""
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
