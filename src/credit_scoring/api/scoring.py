"""Scoring behind the routes: stored feature vectors, the champion Scorer, in-memory caches.

Feature vectors and responses are cached per client in LRUs keyed by the model
version, so that a repeated score costs no database round trip and no model call.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from credit_scoring.api import schemas as s
from credit_scoring.core.results import ScoreResult
from credit_scoring.db import models as m
from credit_scoring.db.load import application_dict, decode_vector, decode_vectors, vector_sha
from credit_scoring.features.metadata import FeatureMeta
from credit_scoring.modeling.contracts import Scorer

T = TypeVar("T")


class NotFoundError(LookupError):
    """A client (or its feature vector) is not in the database; the message says what to do."""


class LRU:
    """A small thread-safe LRU cache."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._size:
                self._data.popitem(last=False)

    def get_or(self, key: Hashable, make: Callable[[], T]) -> T:
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


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


@dataclass(frozen=True)
class FeatureSetInfo:
    version: str
    columns: list[str]
    categories: dict[str, list[str]]


def load_feature_metadata() -> dict[str, FeatureMeta]:
    """Plain-words metadata of the features (descriptions, groups, sources)."""
    from credit_scoring.features.build import feature_metadata

    return feature_metadata()


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


class ScoringService:
    """The champion model plus what it needs from the database, shared by all requests."""

    def __init__(
        self,
        *,
        scorer: Scorer | None,
        engine: Engine,
        model_error: str | None = None,
        metas: dict[str, FeatureMeta] | None = None,
        cache_size: int = 50_000,
    ) -> None:
        self.scorer = scorer
        self.model_error = model_error
        self.engine = engine
        self.metas = metas or {}
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._feature_set: FeatureSetInfo | None = None
        self.vectors = LRU(cache_size)
        self.responses = LRU(cache_size)

    # --- features -------------------------------------------------------------------------
    def feature_set(self, session: Session) -> FeatureSetInfo:
        """The stored feature set the champion was trained on (same version: same column
        definitions). A model without a recorded version (older, or a test double) gets the
        newest stored set that has every column it needs."""
        if self._feature_set is not None:
            return self._feature_set
        wanted = self.scorer.feature_set_version if self.scorer else ""
        if wanted:
            row = session.get(m.FeatureSet, wanted)
            if row is None:
                raise NotFoundError(
                    f"No stored feature vectors were built with the definitions the model was "
                    f"trained on (feature set {wanted}): run `credit-scoring db load --data DIR` "
                    "with the current feature definitions, or promote a model trained on them."
                )
            self._feature_set = FeatureSetInfo(row.version, list(row.columns), dict(row.categories))
            return self._feature_set
        needed = set(self.scorer.feature_names) if self.scorer else set()
        rows = session.execute(
            select(m.FeatureSet).order_by(m.FeatureSet.created_at.desc())
        ).scalars()
        for row in rows:
            if needed <= set(row.columns):
                self._feature_set = FeatureSetInfo(
                    row.version, list(row.columns), dict(row.categories)
                )
                return self._feature_set
        raise NotFoundError(
            "No stored feature vectors match the model's features: run "
            "`credit-scoring db load --data DIR` with the current feature definitions."
        )

    def client_features(self, session: Session, sk_id_curr: int) -> pd.DataFrame:
        def make() -> pd.DataFrame:
            info = self.feature_set(session)
            found = session.execute(
                select(m.FeatureVector.vector, m.FeatureVector.vector_sha).where(
                    m.FeatureVector.sk_id_curr == sk_id_curr,
                    m.FeatureVector.feature_set == info.version,
                )
            ).first()
            if found is None:
                self._require_client(session, sk_id_curr)
                raise NotFoundError(
                    f"Client {sk_id_curr} has no stored feature vector: reload the "
                    "data with `credit-scoring db load`."
                )
            frame = decode_vector(found[0], info.columns, info.categories)
            # which stored vector this is: the score log points to it (db load keeps versions)
            frame.attrs["vector_sha"] = found[1] or vector_sha(info.version, found[0])
            return frame

        return self.vectors.get_or((sk_id_curr, self.version), make)

    def _require_client(self, session: Session, sk_id_curr: int) -> m.Client:
        client = session.get(m.Client, sk_id_curr)
        if client is None:
            raise NotFoundError(f"Client {sk_id_curr} does not exist.")
        return client

    def model_frame(self, features: pd.DataFrame) -> pd.DataFrame:
        assert self.scorer is not None
        names = self.scorer.feature_names
        return features[names] if set(names) <= set(features.columns) else features

    @property
    def version(self) -> str:
        return self.scorer.model_version if self.scorer else ""

    # --- scoring --------------------------------------------------------------------------
    def cached_score(self, sk_id_curr: int, lang: str) -> ScoredClient | None:
        return self.responses.get(("score", sk_id_curr, self.version, lang))

    def score_client(self, session: Session | None, sk_id_curr: int, lang: str) -> ScoredClient:
        """The client's score with reasons, its JSON body and its inputs digest (cached)."""
        key = ("score", sk_id_curr, self.version, lang)
        cached = self.responses.get(key)
        if cached is not None:
            return cached
        with self._session(session) as active:
            features = self.client_features(active, sk_id_curr)
        out = self.score_frame(features, sk_id_curr, lang)
        scored = ScoredClient(
            out,
            out.model_dump_json().encode(),
            digest_frame(features),
            reasons_of(out),
            features.attrs.get("vector_sha"),
        )
        self.responses.put(key, scored)
        return scored

    def score_frame(self, features: pd.DataFrame, sk_id_curr: int | None, lang: str) -> s.ScoreOut:
        assert self.scorer is not None
        result = self.scorer.score(self.model_frame(features), lang=lang, top=4)[0]  # type: ignore[arg-type]
        return to_score_out(result, sk_id_curr, lang)

    def explanation(self, session: Session, sk_id_curr: int, lang: str) -> s.ExplanationOut:
        assert self.scorer is not None
        features = self.model_frame(self.client_features(session, sk_id_curr))
        contrib = self.scorer.contributions(features).iloc[0]
        # the champion may add columns of its own (estimated loan term and rate): their
        # values and descriptions come from it
        features = self.scorer.with_derived(features)
        items = []
        for name, value in contrib.items():
            if name == "bias":
                continue
            meta = self.metas.get(str(name)) or self.scorer.metas.get(str(name))
            raw = features[name].iloc[0] if name in features else None
            items.append(
                s.ContributionOut(
                    feature=str(name),
                    value=_plain(raw),
                    contribution=float(value),
                    description=meta.description(lang) if meta else str(name),
                    group=meta.group if meta else str(name),
                )
            )
        items.sort(key=lambda c: abs(c.contribution), reverse=True)
        return s.ExplanationOut(
            sk_id_curr=sk_id_curr,
            model_version=self.version,
            bias=float(contrib.get("bias", 0.0)),
            contributions=items,
        )

    def similar(self, session: Session, sk_id_curr: int, k: int) -> s.SimilarOut:
        assert self.scorer is not None
        features = self.model_frame(self.client_features(session, sk_id_curr))
        found = [c for c in self.scorer.similar(features, k=k + 1) if c.sk_id_curr != sk_id_curr][
            :k
        ]
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

    def predict(
        self, tables: dict[str, pd.DataFrame], sk_id_curr: int | None, lang: str
    ) -> s.ScoreOut:
        from credit_scoring.features.build import build_features_for_frames

        return self.score_frame(build_features_for_frames(tables), sk_id_curr, lang)

    def what_if(self, session: Session, sk_id_curr: int, body: s.WhatIfIn) -> s.WhatIfOut:
        from credit_scoring.features.build import build_features_for_frames

        client = self._require_client(session, sk_id_curr)
        baseline = self.score_client(session, sk_id_curr, body.lang).out
        application = application_dict(client)
        changes = what_if_changes(application, body)
        application.update(changes)
        rebuilt = build_features_for_frames({"application": pd.DataFrame([application])})
        stored = self.with_application_features(self.client_features(session, sk_id_curr), rebuilt)
        scenario = self.score_frame(stored, sk_id_curr, body.lang)
        return s.WhatIfOut(baseline=baseline, scenario=scenario, changes=changes)

    def with_application_features(
        self, stored: pd.DataFrame, rebuilt: pd.DataFrame
    ) -> pd.DataFrame:
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

    # --- batch ----------------------------------------------------------------------------
    def refresh_client_scores(self, *, chunk: int = 5_000) -> int:
        """Score every stored client with the champion (for filters by score band)."""
        assert self.scorer is not None
        with self._sessions() as session, session.begin():
            info = self.feature_set(session)
            session.execute(
                delete(m.ClientScore).where(m.ClientScore.model_version == self.version)
            )
            result = session.execute(
                select(m.FeatureVector.sk_id_curr, m.FeatureVector.vector).where(
                    m.FeatureVector.feature_set == info.version
                )
            )
            done = 0
            while rows := result.fetchmany(chunk):
                frame = decode_vectors([r[1] for r in rows], info.columns, info.categories)
                proba = self.scorer.predict_proba(self.model_frame(frame))
                session.execute(
                    insert(m.ClientScore),
                    [
                        {
                            "sk_id_curr": int(r[0]),
                            "model_version": self.version,
                            "probability": float(p),
                            "threshold": float(self.scorer.threshold),
                        }
                        for r, p in zip(rows, proba, strict=True)
                    ],
                )
                done += len(rows)
        return done

    def _session(self, session: Session | None) -> Any:
        return contextlib.nullcontext(session) if session is not None else self._sessions()


def reasons_of(out: s.ScoreOut) -> list[dict[str, Any]]:
    return [r.model_dump() for r in out.reasons_against + out.reasons_for]


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


def _plain(value: Any) -> float | str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float | int) and not isinstance(value, bool):
        return None if value != value else float(value)
    return str(value)
