"""The known clients closest to a client, on the features that matter most (scaled)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from credit_scoring.core.results import SimilarClient


class SimilarityIndex:
    """Brute-force nearest neighbours on a few robustly scaled, median-imputed features."""

    def __init__(self, *, features: Sequence[str]) -> None:
        self.features = list(features)

    def fit(
        self, X: pd.DataFrame, ids: np.ndarray, targets: np.ndarray | None = None
    ) -> SimilarityIndex:
        values = X[self.features].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        self.center_ = np.nanmedian(values, axis=0)
        q75, q25 = np.nanpercentile(values, [75, 25], axis=0)
        spread = q75 - q25
        std = np.nanstd(values, axis=0)
        self.scale_ = np.where(spread > 0, spread, np.where(std > 0, std, 1.0))
        self.matrix_ = self._transform(values).astype(np.float32)
        self.ids_ = np.asarray(ids, dtype=np.int64)
        self.targets_ = None if targets is None else np.asarray(targets, dtype=float)
        return self

    def _transform(self, values: np.ndarray) -> np.ndarray:
        filled = np.where(np.isnan(values), self.center_, values)
        return (filled - self.center_) / self.scale_

    def query(
        self, row: pd.DataFrame, *, k: int = 10, exclude_id: int | None = None
    ) -> list[SimilarClient]:
        """The ``k`` nearest indexed clients of the first row of ``row``."""
        x = self._transform(
            row[self.features].iloc[:1].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        )[0]
        distances = np.sqrt(np.sum((self.matrix_ - x.astype(np.float32)) ** 2, axis=1))
        if exclude_id is not None:
            distances[self.ids_ == exclude_id] = np.inf
        k = min(k, int(np.isfinite(distances).sum()))
        nearest = np.argpartition(distances, k - 1)[:k] if k else np.array([], dtype=int)
        nearest = nearest[np.argsort(distances[nearest])]
        out = []
        for i in nearest:
            target = (
                None
                if self.targets_ is None or np.isnan(self.targets_[i])
                else int(self.targets_[i])
            )
            out.append(
                SimilarClient(
                    sk_id_curr=int(self.ids_[i]), distance=float(distances[i]), target=target
                )
            )
        return out
