"""The WoE/IV scorecard challenger (optbinning): binning, logistic regression, points.

Per training part (each fold, then all clients for the exported table):

1. a short list of characteristics: the numeric features ranked by their univariate rank
   AUC on the training rows (missing values at the median), skipping any whose ranks
   correlate above ``MAX_CORRELATION`` with one already kept, up to ``CANDIDATES``;
2. ``BinningProcess`` bins each into at most ``MAX_BINS`` weight-of-evidence bins, with the
   declared direction of the feature metadata as a monotonic trend ("ascending" event rate
   for a feature that raises the risk, "descending" for one that lowers it, otherwise the
   best of the two), and keeps those with an information value of at least ``MIN_IV``;
3. a logistic regression on the WoE values, then ``Scorecard`` turns its coefficients into
   points on the platform's scale (:mod:`credit_scoring.core.grades`: 600 points at 50:1,
   20 points to double the odds).

The points table (characteristic, bin, points) is the model: a person can add it up.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from optbinning import BinningProcess, Scorecard
from scipy.stats import rankdata
from sklearn.linear_model import LogisticRegression

from credit_scoring.core import grades
from credit_scoring.features.metadata import FeatureMeta

CANDIDATES = 30
MAX_CORRELATION = 0.85
MAX_BINS = 6
MIN_IV = 0.01
MIN_BIN_SIZE = 0.03
C = 0.1  # L2 strength of the regression on WoE values
# Share of the time left in the training budget its cross-validation may take: on a large
# table it fits on a stratified subsample of each fold (credit_scoring.modeling.sizing).
BUDGET_SHARE = 0.10


@dataclass
class ScorecardRun:
    """Out-of-fold results of the scorecard.

    Attributes
    ----------
    scores : ndarray
        Out-of-fold probabilities of default.
    fit_seconds : float
        Mean fit time per fold.
    predict_ms_per_1000 : float
        Prediction time in milliseconds per 1000 rows.
    characteristics : list of list of str
        Per fold, the characteristics kept.
    """

    scores: np.ndarray  # out-of-fold probabilities of default
    fit_seconds: float  # per fold
    predict_ms_per_1000: float
    characteristics: list[list[str]]  # per fold, the characteristics kept


def shortlist(X: pd.DataFrame, y: np.ndarray, *, size: int = CANDIDATES) -> list[str]:
    """Numeric features by univariate rank AUC (distance from 0.5), decorrelated.

    Missing values count as the column's median. A feature is skipped when its ranks
    correlate above :data:`MAX_CORRELATION` with one already kept, or is constant; the
    list stops at ``size`` features or at the first whose AUC is within 0.005 of 0.5.

    Parameters
    ----------
    X : DataFrame
        The training rows.
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid).
    size : int, default=CANDIDATES
        Most features kept.

    Returns
    -------
    list of str
        The features kept, strongest first.
    """
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    values = X[numeric].to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(values, axis=0)
    values = np.where(np.isnan(values), np.where(np.isnan(median), 0.0, median), values)
    ranks = rankdata(values, axis=0)
    y = np.asarray(y, dtype=int)
    n1 = int(y.sum())
    n0 = len(y) - n1
    auc = (ranks[y == 1].sum(axis=0) - n1 * (n1 + 1) / 2) / max(n1 * n0, 1)
    strength = np.abs(auc - 0.5)
    centred = ranks - ranks.mean(axis=0)
    norms = np.sqrt((centred**2).sum(axis=0))
    kept: list[int] = []
    for j in np.argsort(-strength):
        if len(kept) >= size or strength[j] < 0.005:
            break
        if norms[j] == 0:
            continue
        if kept:
            corr = centred[:, kept].T @ centred[:, j] / (norms[kept] * norms[j])
            if np.max(np.abs(corr)) > MAX_CORRELATION:
                continue
        kept.append(int(j))
    return [numeric[j] for j in kept]


def _trend(meta: FeatureMeta | None) -> str:
    if meta is None or meta.monotone == 0:
        return "auto_asc_desc"
    return "ascending" if meta.monotone > 0 else "descending"


def make_scorecard(names: list[str], metas: dict[str, FeatureMeta]) -> Scorecard:
    """The unfitted scorecard: binning of ``names``, regression on WoE, the points scale.

    Parameters
    ----------
    names : list of str
        The characteristics to bin (:func:`shortlist`).
    metas : dict of str to FeatureMeta
        Feature metadata: a declared monotone direction becomes the binning trend.

    Returns
    -------
    optbinning.Scorecard
        Unfitted, scaled to the platform's points (:mod:`credit_scoring.core.grades`).
    """
    process = BinningProcess(
        variable_names=names,
        max_n_bins=MAX_BINS,
        min_bin_size=MIN_BIN_SIZE,
        selection_criteria={"iv": {"min": MIN_IV}},
        binning_fit_params={n: {"monotonic_trend": _trend(metas.get(n))} for n in names},
        n_jobs=1,
    )
    return Scorecard(
        binning_process=process,
        estimator=LogisticRegression(C=C, max_iter=1000),
        scaling_method="pdo_odds",
        scaling_method_params={
            "pdo": grades.PDO,
            "odds": grades.BASE_ODDS,
            "scorecard_points": grades.BASE_POINTS,
        },
    )


def fit_scorecard(X: pd.DataFrame, y: np.ndarray, metas: dict[str, FeatureMeta]) -> Scorecard:
    """Shortlist the characteristics, then fit the scorecard on them.

    Parameters
    ----------
    X : DataFrame
        The training rows.
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid).
    metas : dict of str to FeatureMeta
        Feature metadata (binning trends).

    Returns
    -------
    optbinning.Scorecard
        The fitted scorecard.

    Raises
    ------
    ValueError
        No numeric feature separates defaulters from repaid clients.
    """
    names = shortlist(X, y)
    if not names:
        raise ValueError("no feature separates defaulters from repaid clients: no scorecard")
    card = make_scorecard(names, metas)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # solver notes of the binning optimiser
        card.fit(X[names], np.asarray(y, dtype=int))
    return card


def kept_characteristics(card: Scorecard) -> list[str]:
    """The characteristics a fitted scorecard kept (information value of at least ``MIN_IV``).

    Parameters
    ----------
    card : optbinning.Scorecard
        A fitted scorecard.

    Returns
    -------
    list of str
        Their names.
    """
    process = card.binning_process_
    return [str(n) for n in process.get_support(names=True)]


def scorecard_oof(
    X: pd.DataFrame,
    y: np.ndarray,
    folds: list[tuple[np.ndarray, np.ndarray]],
    metas: dict[str, FeatureMeta],
) -> ScorecardRun:
    """Out-of-fold probabilities of the scorecard, every step fitted inside each fold.

    Parameters
    ----------
    X : DataFrame
        The training matrix.
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid).
    folds : list of (train_idx, valid_idx)
        The folds shared by every candidate.
    metas : dict of str to FeatureMeta
        Feature metadata (binning trends).

    Returns
    -------
    ScorecardRun
        The scores, the timings and each fold's characteristics.

    Raises
    ------
    ValueError
        In a fold, no feature separates defaulters from repaid clients.
    """
    scores = np.full(len(y), np.nan)  # a row no fold predicts stays NaN, never a silent 0
    fit_time = predict_time = 0.0
    kept = []
    for train_idx, valid_idx in folds:
        start = time.perf_counter()
        card = fit_scorecard(X.iloc[train_idx], y[train_idx], metas)
        fit_time += time.perf_counter() - start
        start = time.perf_counter()
        names = list(card.binning_process_.variable_names)
        scores[valid_idx] = card.predict_proba(X.iloc[valid_idx][names])[:, 1]
        predict_time += time.perf_counter() - start
        kept.append(kept_characteristics(card))
    return ScorecardRun(scores, fit_time / len(folds), 1000 * 1000 * predict_time / len(y), kept)


def points_table(card: Scorecard, metas: dict[str, FeatureMeta]) -> pd.DataFrame:
    """The readable points table of a fitted scorecard.

    Parameters
    ----------
    card : optbinning.Scorecard
        A fitted scorecard.
    metas : dict of str to FeatureMeta
        Feature metadata (English descriptions; the name when there is none).

    Returns
    -------
    DataFrame
        One row per bin: characteristic, its description, bin, clients' share, default
        rate, WoE and points (a client's score is the sum of the points of its bins).
    """
    table = card.table(style="detailed")
    table = table[~table["Bin"].astype(str).isin(["Totals"])]
    out = pd.DataFrame(
        {
            "characteristic": table["Variable"].astype(str),
            "description": [
                metas[v].description_en if v in metas else v for v in table["Variable"].astype(str)
            ],
            "bin": table["Bin"].astype(str),
            "share": table["Count (%)"].astype(float),
            "default_rate": table["Event rate"].astype(float),
            "woe": table["WoE"].astype(float),
            "points": table["Points"].astype(float).round(1),
        }
    )
    return out.reset_index(drop=True)


def points_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The points table as JSON-ready records.

    Parameters
    ----------
    table : DataFrame
        A :func:`points_table`.

    Returns
    -------
    list of dict
        One dict per row; NaN floats become None.
    """
    return [
        {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
        for row in table.to_dict(orient="records")
    ]
