"""A real Scorer for tests: deterministic arithmetic (a fixed logistic model), no training."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit_scoring.core.results import Reason, ScoreResult, SimilarClient
from credit_scoring.features.metadata import FeatureMeta


class FakeScorer:
    """Logistic score on standardised features with fixed weights; reasons from the terms."""

    model_name = "fake-credit-default"
    feature_set_version = ""  # no recorded definitions: the newest stored set is served

    def __init__(
        self,
        reference: pd.DataFrame,
        feature_names: list[str],
        *,
        version: str = "7",
        threshold: float = 0.3,
    ) -> None:
        self.model_version = version
        self.threshold = threshold
        self.feature_names = list(feature_names)
        self.metas: dict[str, FeatureMeta] = {}  # descriptions come from the feature metadata
        values = reference[self.feature_names].to_numpy(np.float64)
        self._mean = np.nanmean(values, axis=0)
        self._std = np.nanstd(values, axis=0) + 1e-9
        self._weights = np.linspace(1.0, -1.0, len(self.feature_names))
        self._bias = -1.0
        self._ref_ids = reference["SK_ID_CURR"].to_numpy()
        self._ref_z = self._z(reference)
        self._ref_target = reference["TARGET"].to_numpy()
        self.calls = 0

    def _z(self, features: pd.DataFrame) -> np.ndarray:
        z = (features[self.feature_names].to_numpy(np.float64) - self._mean) / self._std
        return np.nan_to_num(z)

    def with_derived(self, features: pd.DataFrame) -> pd.DataFrame:
        return features  # no columns of its own

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame:
        terms = self._z(features) * self._weights
        out = pd.DataFrame(terms, columns=self.feature_names, index=features.index)
        out["bias"] = self._bias
        return out

    def probability_of_log_odds(self, log_odds: np.ndarray) -> np.ndarray:
        return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(log_odds, dtype=float))))

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        self.calls += 1
        logit = self._bias + (self._z(features) * self._weights).sum(axis=1)
        return 1.0 / (1.0 + np.exp(-logit))

    def score(self, features: pd.DataFrame, *, lang: str = "fr", top: int = 4) -> list[ScoreResult]:
        proba = self.predict_proba(features)
        contrib = self.contributions(features).drop(columns="bias")
        results = []
        for i, p in enumerate(proba):
            row = contrib.iloc[i].sort_values()
            word = "augmente" if lang == "fr" else "raises"
            against = [
                Reason(
                    group=n,
                    direction="against",
                    contribution=float(v),
                    text=f"{n} {word} risk",
                    features=(n,),
                )
                for n, v in row[::-1].items()
                if v > 0
            ][:top]
            for_ = [
                Reason(
                    group=n,
                    direction="for",
                    contribution=float(v),
                    text=f"{n} lowers risk",
                    features=(n,),
                )
                for n, v in row.items()
                if v < 0
            ][:top]
            results.append(
                ScoreResult(
                    probability=float(p),
                    decision="refuse" if p >= self.threshold else "grant",
                    threshold=self.threshold,
                    model_name=self.model_name,
                    model_version=self.model_version,
                    reasons_against=against,
                    reasons_for=for_,
                )
            )
        return results

    def similar(self, features: pd.DataFrame, *, k: int = 10) -> list[SimilarClient]:
        dist = np.sqrt(((self._ref_z - self._z(features.iloc[:1])) ** 2).sum(axis=1))
        order = np.argsort(dist, kind="stable")[:k]
        return [
            SimilarClient(
                int(self._ref_ids[i]),
                float(dist[i]),
                None if np.isnan(self._ref_target[i]) else int(self._ref_target[i]),
            )
            for i in order
        ]
