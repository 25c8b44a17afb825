"""The known clients closest to a client, on the features that matter most (scaled)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from credit_scoring.core.results import SimilarClient


class SimilarityIndex:
    """Brute-force nearest neighbours on a few robustly scaled, median-imputed features.

    Each feature is centred on its median and divided by its interquartile range (its
    standard deviation where that range is zero, 1 where both are); a missing value is
    replaced by the median. Distances are Euclidean on the result.

    Parameters
    ----------
    features : sequence of str
        The columns compared (the ones that matter most to the model).
    """

    def __init__(self, *, features: Sequence[str]) -> None:
        self.features = list(features)

    def fit(
        self, X: pd.DataFrame, ids: np.ndarray, targets: np.ndarray | None = None
    ) -> SimilarityIndex:
        """Index the known clients.

        Parameters
        ----------
        X : DataFrame
            The known clients' features, :attr:`features` among its columns (text that is
            not a number counts as missing).
        ids : ndarray
            The clients' ``SK_ID_CURR``, in the order of ``X``.
        targets : ndarray, optional
            The clients' outcomes (1 for a default), shown with each neighbour.

        Returns
        -------
        SimilarityIndex
            The index itself, fitted.
        """
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
        """The ``k`` nearest indexed clients of the first row of ``row``.

        Parameters
        ----------
        row : DataFrame
            A feature table with :attr:`features` among its columns; only its first row is
            used.
        k : int, default=10
            Number of neighbours.
        exclude_id : int, optional
            A ``SK_ID_CURR`` left out (the client itself, when indexed).

        Returns
        -------
        list of SimilarClient
            Up to ``k`` neighbours, nearest first, with their distance and outcome (None
            where unknown).
        """
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
