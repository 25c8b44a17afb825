"""Fairness of the decisions by sex and age band (fairlearn), on out-of-fold predictions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, false_negative_rate, false_positive_rate
from sklearn.metrics import roc_auc_score

AGE_BANDS = ((0, 30, "under 30"), (30, 45, "30–45"), (45, 60, "45–60"), (60, 200, "over 60"))


def age_band(days_birth: pd.Series) -> pd.Series:
    """Age band from Kaggle's DAYS_BIRTH (negative days before the application).

    Parameters
    ----------
    days_birth : Series
        ``DAYS_BIRTH`` values; non-numbers count as missing.

    Returns
    -------
    Series
        The label of :data:`AGE_BANDS` (lower bound included), ``"unknown"`` when the
        age is missing or outside the bands.

    Examples
    --------
    >>> import pandas as pd
    >>> age_band(pd.Series([-20 * 365.25, -50 * 365.25, None])).tolist()
    ['under 30', '45–60', 'unknown']
    """
    years = -pd.to_numeric(days_birth, errors="coerce") / 365.25
    labels = [label for _, _, label in AGE_BANDS]
    edges = [AGE_BANDS[0][0]] + [high for _, high, _ in AGE_BANDS]
    return pd.cut(years, bins=edges, labels=labels, right=False).astype(object).fillna("unknown")


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    return float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else float("nan")


def fairness_frame(
    y: np.ndarray, probability: np.ndarray, threshold: float, groups: pd.Series
) -> pd.DataFrame:
    """Per group: clients, default rate, approval rate, FNR, FPR and AUC (refuse when p >= t).

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid), the positive class being default.
    probability : ndarray of shape (n_samples,)
        Predicted probabilities of default.
    threshold : float
        Refuse when the probability is at least this.
    groups : Series
        The group of each row, aligned with ``y``.

    Returns
    -------
    DataFrame
        One row per group (column ``group``): ``clients``, ``default_rate``,
        ``approval_rate``, ``false_negative_rate`` (a defaulter granted),
        ``false_positive_rate`` (a good client refused) and ``roc_auc`` (NaN for a group
        with a single class).
    """
    y = np.asarray(y, dtype=int)
    p = np.asarray(probability, dtype=float)
    threshold = float(threshold)

    def refuse(score: np.ndarray) -> np.ndarray:
        return (np.asarray(score) >= threshold).astype(int)

    metrics: dict[str, Any] = {
        "clients": lambda yt, s: float(len(yt)),
        "default_rate": lambda yt, s: float(np.mean(yt)),
        "approval_rate": lambda yt, s: float(1.0 - refuse(s).mean()),
        # FN: a defaulter granted; FP: a good client refused (positive class = default)
        "false_negative_rate": lambda yt, s: float(false_negative_rate(yt, refuse(s), pos_label=1)),
        "false_positive_rate": lambda yt, s: float(false_positive_rate(yt, refuse(s), pos_label=1)),
        "roc_auc": _auc,
    }
    frame = MetricFrame(
        metrics=metrics,
        y_true=y,
        y_pred=p,
        sensitive_features=pd.Series(np.asarray(groups), name="group"),
    )
    table = frame.by_group.reset_index()
    table["clients"] = table["clients"].astype(int)
    return table


def fairness_report(
    y: np.ndarray, probability: np.ndarray, threshold: float, applications: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Tables for CODE_GENDER and age bands; ``applications`` is aligned with ``y``.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid).
    probability : ndarray of shape (n_samples,)
        Predicted probabilities of default.
    threshold : float
        Refuse when the probability is at least this.
    applications : DataFrame
        Application rows aligned with ``y``, with ``CODE_GENDER`` and/or ``DAYS_BIRTH``.

    Returns
    -------
    dict of str to DataFrame
        :func:`fairness_frame` under ``"CODE_GENDER"`` (missing sex as ``"unknown"``)
        and ``"age_band"`` (bands in age order), for the columns present.
    """
    out = {}
    if "CODE_GENDER" in applications:
        out["CODE_GENDER"] = fairness_frame(
            y, probability, threshold, applications["CODE_GENDER"].fillna("unknown")
        )
    if "DAYS_BIRTH" in applications:
        table = fairness_frame(y, probability, threshold, age_band(applications["DAYS_BIRTH"]))
        order = {label: i for i, (_, _, label) in enumerate(AGE_BANDS)}
        out["age_band"] = table.sort_values(
            "group", key=lambda g: g.map(order).fillna(len(order)), ignore_index=True
        )
    return out


def disparity(table: pd.DataFrame, column: str) -> float:
    """Largest minus smallest value of ``column`` over groups with at least 100 clients.

    Parameters
    ----------
    table : DataFrame
        A :func:`fairness_frame`.
    column : str
        The metric compared.

    Returns
    -------
    float
        The gap; NaN when no group has 100 clients with a value.
    """
    big = table[table["clients"] >= 100][column].dropna()
    return float(big.max() - big.min()) if len(big) else float("nan")


GAP_METRICS = ("approval_rate", "false_negative_rate", "false_positive_rate")


def gap_table(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Gaps between groups per attribute and metric, with and without protected inputs.

    A gap is the largest minus the smallest value over groups of at least 100 clients
    (:func:`disparity`), for the metrics of :data:`GAP_METRICS`.

    Parameters
    ----------
    before : dict of str to DataFrame
        :func:`fairness_report` of the model with the protected attributes.
    after : dict of str to DataFrame
        :func:`fairness_report` of the model without them.

    Returns
    -------
    DataFrame
        One row per attribute of ``after`` and metric: ``attribute``, ``metric``,
        ``gap_with_protected`` (NaN when ``before`` lacks the attribute) and
        ``gap_without_protected``.
    """
    rows = []
    for attribute in after:
        for metric in GAP_METRICS:
            rows.append(
                {
                    "attribute": attribute,
                    "metric": metric,
                    "gap_with_protected": (
                        disparity(before[attribute], metric)
                        if attribute in before
                        else float("nan")
                    ),
                    "gap_without_protected": disparity(after[attribute], metric),
                }
            )
    return pd.DataFrame(rows)
