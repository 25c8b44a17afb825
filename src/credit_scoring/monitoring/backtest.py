"""The back-test of served scores against matured outcomes, as a validation team reads it.

A score is right or wrong months after it was served, when the loan defaults or is repaid.
This module takes the scores a model version served and the outcomes observed since, and
gives the figures model-risk management asks for (SR 11-7, the ECB's instructions for
validating PD models, the EU AI Act's post-market monitoring):

- **discrimination**: ROC AUC, Gini, KS, with bootstrap confidence intervals, and the AUC
  now against the AUC at development with DeLong's standard error and its z statistic;
- **calibration**: Brier score and expected calibration error (with intervals), and per
  grade of the master scale the mean PD against the observed default rate, tested with the
  one-sided **Jeffreys test** (``p = Beta(D + 1/2, N - D + 1/2).cdf(PD)``: a small p says
  the PD is too low) and a **traffic light** (green below 95% confidence, yellow from 95% to
  99.9%, red above), the same for the whole portfolio;
- **concentration and migration**: the Herfindahl index of the grades, and the migration
  matrix of clients scored twice;
- **stability**: the same figures by vintage (month of decision) and by segment, and the
  Gini's stability over vintages summarised as the 2024 Home Credit stability benchmark
  does it (mean Gini, slope of a line through the monthly Ginis, spread of its residuals);
- **overrides**: how the clients an advisor decided against the model's advice turned out.

Every function here is pure (frames in, frames and numbers out): the database query, the
command line, the API and the dashboard page sit above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import brier_score_loss, roc_auc_score

from credit_scoring.core.grades import GRADE_NAMES
from credit_scoring.modeling.calibration import expected_calibration_error
from credit_scoring.modeling.evaluate import grade_table, kolmogorov_smirnov

Light = Literal["green", "yellow", "red"]

YELLOW_CONFIDENCE = 0.95  # from here the PD is probably too low
RED_CONFIDENCE = 0.999  # from here it almost certainly is
STABILITY_SLOPE_WEIGHT = 88.0  # the 2024 Home Credit stability benchmark's weights
STABILITY_RESIDUAL_WEIGHT = 0.5


def jeffreys_p(defaults: int, clients: int, pd_value: float) -> float:
    """One-sided Jeffreys test of a PD against the defaults observed.

    The posterior of the default rate under Jeffreys' prior is
    ``Beta(D + 1/2, N - D + 1/2)``; the p-value is its mass below the predicted PD. A small
    p-value says the defaults observed are too many for that PD: the PD is underestimated.

    Parameters
    ----------
    defaults : int
        Defaults observed (D).
    clients : int
        Clients with a matured outcome (N).
    pd_value : float
        The predicted PD (mean of the grade or portfolio).

    Returns
    -------
    float
        The p-value, NaN when there is no client.

    Examples
    --------
    >>> round(jeffreys_p(10, 100, 0.10), 3)
    0.482
    >>> jeffreys_p(30, 100, 0.10) < 0.001
    True
    """
    if clients <= 0 or not np.isfinite(pd_value):
        return float("nan")
    return float(stats.beta.cdf(pd_value, defaults + 0.5, clients - defaults + 0.5))


def traffic_light(p_value: float) -> Light:
    """Green below 95% confidence that the PD is too low, yellow to 99.9%, red above.

    Parameters
    ----------
    p_value : float
        The Jeffreys p-value (:func:`jeffreys_p`); NaN (no client) is green.

    Returns
    -------
    {"green", "yellow", "red"}
        The light.

    Examples
    --------
    >>> traffic_light(0.2), traffic_light(0.01), traffic_light(0.0001)
    ('green', 'yellow', 'red')
    """
    if not np.isfinite(p_value):
        return "green"
    confidence = 1.0 - p_value
    if confidence >= RED_CONFIDENCE:
        return "red"
    if confidence >= YELLOW_CONFIDENCE:
        return "yellow"
    return "green"


def _both_classes(y: np.ndarray) -> bool:
    return 0 < int(y.sum()) < len(y)


def _gini(y: np.ndarray, p: np.ndarray) -> float:
    return 2.0 * float(roc_auc_score(y, p)) - 1.0


METRICS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "auc": lambda y, p: float(roc_auc_score(y, p)),
    "gini": _gini,
    "ks": kolmogorov_smirnov,
    "brier": lambda y, p: float(brier_score_loss(y, p)),
    "ece": expected_calibration_error,
}
DISCRIMINATION = ("auc", "gini", "ks")


def metrics_with_intervals(
    y: np.ndarray, p: np.ndarray, *, boot: int = 200, level: float = 0.95, seed: int = 0
) -> dict[str, dict[str, float]]:
    """AUC, Gini, KS, Brier and ECE, each with a percentile bootstrap interval.

    Parameters
    ----------
    y : ndarray
        Outcomes (1 defaulted, 0 repaid).
    p : ndarray
        The probabilities of default served.
    boot : int, default=200
        Bootstrap resamples (clients drawn with replacement); 0 gives no interval.
    level : float, default=0.95
        Confidence level of the intervals.
    seed : int, default=0
        Seed of the resampling, so a back-test is reproducible.

    Returns
    -------
    dict
        ``{name: {"value", "low", "high"}}``; discrimination figures are NaN when the
        outcomes hold a single class, and so are intervals without resamples.
    """
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    out: dict[str, dict[str, float]] = {}
    usable = _both_classes(y)
    rng = np.random.default_rng(seed)
    draws = [rng.integers(0, len(y), len(y)) for _ in range(boot)] if len(y) else []
    for name, metric in METRICS.items():
        if len(y) == 0 or (name in DISCRIMINATION and not usable):
            out[name] = {"value": float("nan"), "low": float("nan"), "high": float("nan")}
            continue
        value = metric(y, p)
        values = [
            metric(y[i], p[i]) for i in draws if name not in DISCRIMINATION or _both_classes(y[i])
        ]
        if values:
            low, high = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
        else:
            low = high = float("nan")
        out[name] = {"value": value, "low": float(low), "high": float(high)}
    return out


def _midranks(x: np.ndarray) -> np.ndarray:
    return stats.rankdata(x, method="average")


def delong(y: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The AUCs of one or more score columns and their DeLong covariance matrix.

    The fast algorithm of Sun and Xu (2014): midranks within and across classes give each
    AUC's structural components, whose covariances give the variance of an AUC and the
    covariance of two AUCs on the same clients (for a paired comparison).

    Parameters
    ----------
    y : ndarray of shape (n,)
        Outcomes (1 defaulted, 0 repaid), both classes present.
    scores : ndarray of shape (k, n) or (n,)
        One row of scores per model (higher = riskier).

    Returns
    -------
    tuple of (ndarray of shape (k,), ndarray of shape (k, k))
        The AUCs and their covariance matrix.

    Raises
    ------
    ValueError
        If the outcomes hold a single class.
    """
    y = np.asarray(y, dtype=int)
    scores = np.atleast_2d(np.asarray(scores, dtype=float))
    positive, negative = y == 1, y == 0
    m, n = int(positive.sum()), int(negative.sum())
    if m == 0 or n == 0:
        raise ValueError("DeLong's test needs defaulted and repaid clients")
    k = scores.shape[0]
    aucs = np.empty(k)
    v10 = np.empty((k, m))
    v01 = np.empty((k, n))
    for r in range(k):
        pos, neg = scores[r, positive], scores[r, negative]
        tx, ty = _midranks(pos), _midranks(neg)
        tz = _midranks(np.concatenate([pos, neg]))
        aucs[r] = (tz[:m].sum() - m * (m + 1) / 2) / (m * n)
        v10[r] = (tz[:m] - tx) / n
        v01[r] = 1.0 - (tz[m:] - ty) / m
    # one client of a class has no spread to estimate: its part of the variance is 0
    cov_pos = np.atleast_2d(np.cov(v10)) / m if m > 1 else np.zeros((k, k))
    cov_neg = np.atleast_2d(np.cov(v01)) / n if n > 1 else np.zeros((k, k))
    cov = cov_pos + cov_neg
    return aucs, cov


def auc_against_development(y: np.ndarray, p: np.ndarray, development_auc: float | None) -> dict:
    """The AUC now against the AUC measured at development, with its z statistic.

    Parameters
    ----------
    y : ndarray
        Matured outcomes.
    p : ndarray
        The probabilities served.
    development_auc : float or None
        The out-of-fold AUC recorded when the model was trained.

    Returns
    -------
    dict
        ``auc``, ``development_auc``, ``se`` (DeLong), ``z`` = (AUC - development) / se and
        the one-sided ``p_value`` that the AUC fell; NaN where it cannot be computed.
    """
    nan = float("nan")
    y = np.asarray(y, dtype=int)
    if not _both_classes(y):
        return {"auc": nan, "development_auc": development_auc, "se": nan, "z": nan, "p_value": nan}
    aucs, cov = delong(y, np.asarray(p, dtype=float))
    auc, se = float(aucs[0]), float(np.sqrt(cov[0, 0]))
    if development_auc is None or se <= 0:
        return {"auc": auc, "development_auc": development_auc, "se": se, "z": nan, "p_value": nan}
    z = (auc - development_auc) / se
    return {
        "auc": auc,
        "development_auc": float(development_auc),
        "se": se,
        "z": float(z),
        "p_value": float(stats.norm.cdf(z)),
    }


def paired_auc_test(y: np.ndarray, first: np.ndarray, second: np.ndarray) -> dict[str, float]:
    """DeLong's paired test of two models' AUCs on the same clients.

    Parameters
    ----------
    y : ndarray
        Matured outcomes.
    first, second : ndarray
        The two models' probabilities for the same clients (champion, challenger).

    Returns
    -------
    dict
        ``auc_first``, ``auc_second``, ``difference`` (second - first), ``z`` and the
        two-sided ``p_value``.
    """
    aucs, cov = delong(y, np.vstack([first, second]))
    var = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    diff = float(aucs[1] - aucs[0])
    z = diff / np.sqrt(var) if var > 0 else float("nan")
    return {
        "auc_first": float(aucs[0]),
        "auc_second": float(aucs[1]),
        "difference": diff,
        "z": float(z),
        "p_value": float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else float("nan"),
    }


def grades_backtest(y: np.ndarray, p: np.ndarray) -> pd.DataFrame:
    """Per grade: clients, defaults, mean PD, observed rate, Jeffreys p-value and light.

    Parameters
    ----------
    y : ndarray
        Matured outcomes.
    p : ndarray
        The probabilities served.

    Returns
    -------
    DataFrame
        Columns ``grade``, ``clients``, ``defaults``, ``pd``, ``observed``, ``jeffreys_p``,
        ``light``, one row per grade of the master scale (A to H), then a ``portfolio``
        row for all clients together.
    """
    table = grade_table(np.asarray(y, dtype=int), np.asarray(p, dtype=float))
    out = pd.DataFrame(
        {
            "grade": table["grade"],
            "clients": table["clients"].astype(int),
            "defaults": table["defaults"].astype(int),
            "pd": table["predicted_pd"],
            "observed": table["observed_default_rate"],
            "jeffreys_p": table["jeffreys_p_value"],
        }
    )
    total = len(y)
    defaults = int(np.sum(y))
    mean_pd = float(np.mean(p)) if total else float("nan")
    out.loc[len(out)] = {
        "grade": "portfolio",
        "clients": total,
        "defaults": defaults,
        "pd": mean_pd,
        "observed": defaults / total if total else float("nan"),
        "jeffreys_p": jeffreys_p(defaults, total, mean_pd),
    }
    out["light"] = [traffic_light(v) for v in out["jeffreys_p"]]
    return out


def herfindahl(grades: np.ndarray | pd.Series) -> float:
    """The Herfindahl index of the grades' shares: 1/8 spread evenly, 1 in a single grade.

    Parameters
    ----------
    grades : array-like of str
        The grade of each client.

    Returns
    -------
    float
        The sum of the squared shares of the grades (NaN without a client).

    Examples
    --------
    >>> herfindahl(["A", "A", "B", "B"])
    0.5
    """
    values = pd.Series(np.asarray(grades))
    if values.empty:
        return float("nan")
    shares = values.value_counts(normalize=True)
    return float((shares**2).sum())


def migration_matrix(scores: pd.DataFrame) -> pd.DataFrame:
    """Grade migrations of the clients scored twice: first grade by latest grade, in shares.

    Parameters
    ----------
    scores : DataFrame
        One row per score with ``client`` (the client's key), ``scored_at`` and ``grade``.

    Returns
    -------
    DataFrame
        Rows: the grade of a client's first score; columns: the grade of their latest; cells:
        the share of the row's clients (rows sum to 1). Empty when no client was scored twice.
    """
    ordered = scores.sort_values("scored_at", kind="stable")
    grouped = ordered.groupby("client")["grade"]
    counts = grouped.size()
    twice = counts[counts >= 2].index
    if len(twice) == 0:
        return pd.DataFrame(index=pd.Index([], name="from"), columns=pd.Index([], name="to"))
    first = grouped.first().loc[twice]
    last = grouped.last().loc[twice]
    table = pd.crosstab(first.rename("from"), last.rename("to"), normalize="index")
    order = [g for g in GRADE_NAMES if g in set(first) | set(last)]
    return table.reindex(
        index=[g for g in order if g in table.index], columns=order, fill_value=0.0
    )


def _group_rows(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    rows = []
    for key, part in frame.groupby(by, sort=True, dropna=False):
        y = part["defaulted"].to_numpy(dtype=int)
        p = part["probability"].to_numpy(dtype=float)
        n, d = len(y), int(y.sum())
        usable = _both_classes(y)
        auc = float(roc_auc_score(y, p)) if usable else float("nan")
        mean_pd = float(p.mean())
        p_value = jeffreys_p(d, n, mean_pd)
        rows.append(
            {
                by: "—" if pd.isna(key) else key,
                "clients": n,
                "defaults": d,
                "pd": mean_pd,
                "observed": d / n,
                "auc": auc,
                "gini": 2 * auc - 1 if usable else float("nan"),
                "jeffreys_p": p_value,
                "light": traffic_light(p_value),
            }
        )
    return pd.DataFrame(rows)


def vintage_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The back-test by vintage: the month of the decision (or of the score).

    Parameters
    ----------
    frame : DataFrame
        One row per scored application with ``decided_at`` (datetime), ``probability`` and
        ``defaulted``.

    Returns
    -------
    DataFrame
        Per month (``vintage``, ``YYYY-MM``): clients, defaults, mean PD, observed rate,
        AUC, Gini, Jeffreys p-value and light.
    """
    months = pd.to_datetime(frame["decided_at"]).dt.strftime("%Y-%m")
    return _group_rows(frame.assign(vintage=months), "vintage")


def segment_table(frame: pd.DataFrame, segment: str) -> pd.DataFrame:
    """The back-test by segment (contract type, age band, sex — sex for fairness only).

    Parameters
    ----------
    frame : DataFrame
        One row per scored application with ``probability``, ``defaulted`` and ``segment``.
    segment : str
        The column to group by.

    Returns
    -------
    DataFrame
        Per value of the segment, the figures of :func:`vintage_table`.
    """
    return _group_rows(frame, segment)


@dataclass(frozen=True)
class Stability:
    """The Gini's stability over vintages, as the 2024 Home Credit benchmark scores it."""

    months: int
    mean_gini: float
    slope: float
    residual_std: float
    score: float


def gini_stability(vintages: pd.DataFrame) -> Stability:
    """Mean Gini, slope of a line through the monthly Ginis, spread of the residuals.

    The benchmark's score is ``mean + 88 * min(0, slope) - 0.5 * std(residuals)``: a Gini that
    falls month after month, or jumps around, scores lower than its mean.

    Parameters
    ----------
    vintages : DataFrame
        :func:`vintage_table`'s rows (``vintage``, ``gini``), in month order.

    Returns
    -------
    Stability
        NaN figures below two months with a Gini.

    Examples
    --------
    >>> table = pd.DataFrame({"vintage": ["2026-01", "2026-02", "2026-03"],
    ...                       "gini": [0.50, 0.48, 0.46]})
    >>> s = gini_stability(table)
    >>> round(s.slope, 3), round(s.score, 3)
    (-0.02, -1.28)
    """
    usable = vintages.dropna(subset=["gini"])
    ginis = usable["gini"].to_numpy(dtype=float)
    if len(ginis) < 2:
        nan = float("nan")
        mean = float(ginis.mean()) if len(ginis) else nan
        return Stability(len(ginis), mean, nan, nan, nan)
    x = np.arange(len(ginis), dtype=float)
    slope, intercept = np.polyfit(x, ginis, 1)
    residuals = ginis - (slope * x + intercept)
    std = float(np.std(residuals))
    mean = float(ginis.mean())
    score = mean + STABILITY_SLOPE_WEIGHT * min(0.0, float(slope)) - STABILITY_RESIDUAL_WEIGHT * std
    return Stability(len(ginis), mean, float(slope), std, float(score))


def override_outcomes(frame: pd.DataFrame) -> pd.DataFrame:
    """How the clients decided against the model's advice turned out.

    Parameters
    ----------
    frame : DataFrame
        One row per decided application with ``model_decision`` (the score's decision the
        advisor saw), ``decision`` (the advisor's final grant or refuse) and ``defaulted``
        (NaN while no outcome is known: a refused client's loan usually never exists).

    Returns
    -------
    DataFrame
        One row per kind (``followed_grant``, ``granted_against_advice``,
        ``followed_refusal``, ``refused_against_advice``): decisions, outcomes known,
        defaults and the default rate among the outcomes known.
    """
    kinds = {
        "followed_grant": ("grant", "grant"),
        "granted_against_advice": ("refuse", "grant"),
        "followed_refusal": ("refuse", "refuse"),
        "refused_against_advice": ("grant", "refuse"),
    }
    rows = []
    for kind, (advice, final) in kinds.items():
        part = frame[(frame["model_decision"] == advice) & (frame["decision"] == final)]
        known = part["defaulted"].dropna()
        rows.append(
            {
                "kind": kind,
                "decisions": len(part),
                "outcomes": len(known),
                "defaults": int(known.sum()),
                "default_rate": float(known.mean()) if len(known) else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def frame_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table as JSON-ready records: NaN becomes None, numpy scalars Python numbers."""
    records = []
    for row in table.to_dict(orient="records"):
        clean = {}
        for key, value in row.items():
            if isinstance(value, np.generic):
                value = value.item()
            if isinstance(value, float) and not np.isfinite(value):
                value = None
            clean[str(key)] = value
        records.append(clean)
    return records
