"""Metrics of a candidate from its out-of-fold predictions, the comparison table, and plots."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from optbinning.metrics.classification import ks as optbinning_ks
from scipy import stats
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    fbeta_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from credit_scoring.core.grades import MASTER_SCALE, grades_of
from credit_scoring.modeling.calibration import (
    expected_calibration_error,
    reliability_curve,
)
from credit_scoring.modeling.cost import best_threshold, confusion_at, cost_curve

F_BETA = 2.0  # recall weighs more: a missed defaulter costs more than a refused client


@dataclass
class CandidateResult:
    """One row of the comparison: out-of-fold scores and what they cost.

    Attributes
    ----------
    name : str
        The candidate's name (``"lightgbm_class_weight"``...).
    family : str
        ``"sklearn"``, ``"scorecard"`` or ``"lightgbm"``.
    imbalance : str
        The imbalance strategy it was trained with.
    params : dict
        Its parameters.
    oof_raw : ndarray
        Out-of-fold scores before calibration.
    oof_probability : ndarray
        Out-of-fold probabilities, calibrated out of fold.
    calibration : str
        The calibration method kept.
    fit_seconds : float
        Mean fit time per fold.
    predict_ms_per_1000 : float
        Prediction time in milliseconds per 1000 rows.
    metrics : dict of str to float
        :func:`compute_metrics` of ``oof_probability``.
    seeds : tuple of int
        LightGBM: one booster per seed, averaged; empty for other families.
    rows_used : int
        Training rows per fold it was fitted on (a stratified subsample when fewer than
        ``rows_available``); its out-of-fold scores cover every row all the same.
    rows_available : int
        Training rows per fold (the smallest fold's training part).
    """

    name: str
    family: str
    imbalance: str
    params: dict[str, Any]
    oof_raw: np.ndarray
    oof_probability: np.ndarray  # calibrated out of fold
    calibration: str
    fit_seconds: float  # per fold
    predict_ms_per_1000: float
    metrics: dict[str, float] = field(default_factory=dict)
    seeds: tuple[int, ...] = ()  # LightGBM: one booster per seed, averaged
    rows_used: int = 0  # training rows per fold it was fitted on
    rows_available: int = 0  # training rows per fold (the smallest fold's)


def compute_metrics(
    y: np.ndarray, p: np.ndarray, *, cost_fn: float, cost_fp: float
) -> dict[str, float]:
    """Ranking, calibration and decision metrics; decisions at the cost-minimising threshold.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid).
    p : ndarray of shape (n_samples,)
        Predicted probabilities of default.
    cost_fn : float
        Cost of a defaulter accepted.
    cost_fp : float
        Cost of a good client refused.

    Returns
    -------
    dict of str to float
        ``roc_auc``, ``gini``, ``ks``, ``pr_auc``; ``accuracy``, ``precision``, ``recall``
        and ``f_beta`` (beta = :data:`F_BETA`) of the refusals at the threshold;
        ``brier``, ``ece``; ``threshold`` and the costs of :class:`ThresholdChoice`. A
        constant ``p`` gets an AUC of 0.5 and a KS of 0.

    Raises
    ------
    ValueError
        Invalid labels or probabilities (:func:`~credit_scoring.modeling.cost.confusion_at`).
    """
    choice = best_threshold(y, p, cost_fn=cost_fn, cost_fp=cost_fp)
    tn, fp, fn, tp = confusion_at(y, p, choice.threshold)
    refuse = np.asarray(p) >= choice.threshold
    constant = np.ptp(p) == 0
    auc = 0.5 if constant else float(roc_auc_score(y, p))
    return {
        "roc_auc": auc,
        "gini": 2.0 * auc - 1.0,
        "ks": 0.0 if constant else kolmogorov_smirnov(y, p),
        "pr_auc": float(average_precision_score(y, p)),
        "accuracy": (tp + tn) / len(y),
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "f_beta": float(fbeta_score(y, refuse, beta=F_BETA, zero_division=0.0)),
        "brier": float(brier_score_loss(y, p)),
        "ece": expected_calibration_error(y, p),
        "threshold": choice.threshold,
        "cost_per_applicant": choice.cost,
        "cost_at_half": choice.cost_at_half,
        "cost_accept_all": choice.cost_accept_all,
        "saving_vs_accept_all": choice.saving_vs_accept_all,
    }


def kolmogorov_smirnov(y: np.ndarray, p: np.ndarray) -> float:
    """Kolmogorov-Smirnov statistic of the scores (optbinning's implementation).

    The largest gap between the cumulative shares of defaulters and of repaid clients
    ranked by score.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid).
    p : ndarray of shape (n_samples,)
        Predicted probabilities of default.

    Returns
    -------
    float
        The KS statistic, between 0 and 1.
    """
    score, _ = optbinning_ks(np.asarray(y, dtype=int), np.asarray(p, dtype=float))
    return float(score)


def ks_table(y: np.ndarray, p: np.ndarray, *, bins: int = 10) -> pd.DataFrame:
    """The KS table by score decile, riskiest decile first.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid).
    p : ndarray of shape (n_samples,)
        Predicted probabilities of default.
    bins : int, default=10
        Number of score bands of equal size (deciles by default).

    Returns
    -------
    DataFrame
        One row per band (``decile`` 1 is the riskiest): clients, probability range,
        defaulters, default rate, cumulative shares of defaulters and of repaid clients,
        their gap ``ks`` (KS is its maximum) and the ``lift`` (band default rate over the
        overall rate).
    """
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    order = np.argsort(-p, kind="stable")
    decile = np.empty(len(p), dtype=int)
    decile[order] = np.arange(len(p)) * bins // max(len(p), 1) + 1
    frame = pd.DataFrame({"decile": decile, "y": y, "p": p})
    g = frame.groupby("decile")
    table = pd.DataFrame(
        {
            "clients": g.size(),
            "min_probability": g["p"].min(),
            "max_probability": g["p"].max(),
            "defaults": g["y"].sum(),
        }
    ).reset_index()
    table["default_rate"] = table["defaults"] / table["clients"]
    total_bad = max(int(y.sum()), 1)
    total_good = max(len(y) - int(y.sum()), 1)
    table["cum_defaults_share"] = table["defaults"].cumsum() / total_bad
    table["cum_repaid_share"] = (table["clients"] - table["defaults"]).cumsum() / total_good
    table["ks"] = table["cum_defaults_share"] - table["cum_repaid_share"]
    table["lift"] = table["default_rate"] / max(float(y.mean()), 1e-12)
    return table


def grade_table(y: np.ndarray, p: np.ndarray) -> pd.DataFrame:
    """Per grade of the master scale, the predicted PD tested against the defaults observed.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid).
    p : ndarray of shape (n_samples,)
        Predicted probabilities of default (PD).

    Returns
    -------
    DataFrame
        One row per grade of :data:`~credit_scoring.core.grades.MASTER_SCALE`: clients,
        their share, PD range, mean predicted PD, defaults, observed default rate, and two
        tests of the predicted PD against the defaults observed: the Jeffreys test
        (one-sided p-value that the PD is not underestimated, as supervisors use it) and
        the exact two-sided binomial test. An empty grade has NaN figures.
    """
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    grades = grades_of(p)
    rows = []
    for grade in MASTER_SCALE:
        mask = grades == grade.name
        n = int(mask.sum())
        defaults = int(y[mask].sum())
        predicted = float(p[mask].mean()) if n else float("nan")
        rows.append(
            {
                "grade": grade.name,
                "pd_from": grade.low,
                "pd_to": grade.high,
                "clients": n,
                "share": n / max(len(y), 1),
                "predicted_pd": predicted,
                "defaults": defaults,
                "observed_default_rate": defaults / n if n else float("nan"),
                # Jeffreys: posterior Beta(d + 1/2, n - d + 1/2); small = PD too low
                "jeffreys_p_value": (
                    float(stats.beta.cdf(predicted, defaults + 0.5, n - defaults + 0.5))
                    if n
                    else float("nan")
                ),
                "binomial_p_value": (
                    float(stats.binomtest(defaults, n, predicted).pvalue) if n else float("nan")
                ),
            }
        )
    return pd.DataFrame(rows)


TABLE_COLUMNS = [
    "candidate",
    "imbalance",
    "calibration",
    "roc_auc",
    "gini",
    "ks",
    "pr_auc",
    "accuracy",
    "precision",
    "recall",
    "f_beta",
    "brier",
    "ece",
    "threshold",
    "cost_per_applicant",
    "cost_at_half",
    "saving_vs_accept_all",
    "fit_seconds",
    "predict_ms_per_1000",
    "rows_used",
    "rows_available",
]


def comparison_table(results: list[CandidateResult]) -> pd.DataFrame:
    """The comparison of the candidates, cheapest first.

    Parameters
    ----------
    results : list of CandidateResult
        The candidates, with their metrics computed.

    Returns
    -------
    DataFrame
        The :data:`TABLE_COLUMNS`, one row per candidate, sorted by cost per applicant
        (stable: ties keep the order of ``results``).
    """
    rows = [
        {
            "candidate": r.name,
            "imbalance": r.imbalance,
            "calibration": r.calibration,
            **r.metrics,
            "fit_seconds": r.fit_seconds,
            "predict_ms_per_1000": r.predict_ms_per_1000,
            "rows_used": r.rows_used,
            "rows_available": r.rows_available,
        }
        for r in results
    ]
    table = pd.DataFrame(rows)[TABLE_COLUMNS]
    return table.sort_values("cost_per_applicant", kind="stable").reset_index(drop=True)


def to_markdown(table: pd.DataFrame, digits: int = 4) -> str:
    """A GitHub-flavoured markdown table (no extra dependency).

    Parameters
    ----------
    table : DataFrame
        The table; its index is not written.
    digits : int, default=4
        Decimals of float cells; other cells are written with ``str``.

    Returns
    -------
    str
        The header, the separator and one line per row, without a final newline.

    Examples
    --------
    >>> import pandas as pd
    >>> print(to_markdown(pd.DataFrame({"name": ["a"], "auc": [0.75]}), digits=2))
    | name | auc |
    |---|---|
    | a | 0.75 |
    """

    def cell(value: Any) -> str:
        if isinstance(value, float | np.floating):
            return f"{value:.{digits}f}"
        return str(value)

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += [
        "| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)
    ]
    return "\n".join(lines)


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_all(
    results: list[CandidateResult],
    winner: CandidateResult,
    y: np.ndarray,
    out_dir: Path,
    *,
    cost_fn: float,
    cost_fp: float,
) -> list[Path]:
    """ROC, precision-recall, cost vs threshold, calibration and confusion matrix plots.

    Parameters
    ----------
    results : list of CandidateResult
        Every candidate (ROC and precision-recall curves).
    winner : CandidateResult
        The champion (drawn thicker; the cost, calibration and confusion plots).
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid).
    out_dir : Path
        Folder of the PNG files, created if needed.
    cost_fn : float
        Cost of a defaulter accepted.
    cost_fp : float
        Cost of a good client refused.

    Returns
    -------
    list of Path
        ``roc_pr.png``, ``cost_vs_threshold.png``, ``calibration.png`` and
        ``confusion_matrix.png`` in ``out_dir``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    fig, (roc_ax, pr_ax) = plt.subplots(1, 2, figsize=(11, 4.5))
    for r in results:
        fpr, tpr, _ = roc_curve(y, r.oof_probability)
        roc_ax.plot(
            fpr, tpr, label=f"{r.name} ({r.metrics['roc_auc']:.3f})", lw=2.2 if r is winner else 1
        )
        prec, rec, _ = precision_recall_curve(y, r.oof_probability)
        pr_ax.plot(
            rec, prec, label=f"{r.name} ({r.metrics['pr_auc']:.3f})", lw=2.2 if r is winner else 1
        )
    roc_ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    roc_ax.set(xlabel="False positive rate", ylabel="True positive rate", title="ROC (out of fold)")
    pr_ax.set(xlabel="Recall", ylabel="Precision", title="Precision-recall (out of fold)")
    roc_ax.legend(fontsize=7)
    pr_ax.legend(fontsize=7)
    paths.append(_save(fig, out_dir / "roc_pr.png"))

    grid = np.linspace(0, 1, 501)
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    _, costs = cost_curve(
        y, winner.oof_probability, cost_fn=cost_fn, cost_fp=cost_fp, thresholds=grid
    )
    ax.plot(grid, costs, label="cost per applicant")
    ax.axvline(
        winner.metrics["threshold"],
        color="C3",
        ls="--",
        label=f"chosen {winner.metrics['threshold']:.3f}",
    )
    ax.axhline(winner.metrics["cost_accept_all"], color="grey", ls=":", label="accept everyone")
    ax.set(
        xlabel="Threshold (refuse when p ≥ threshold)",
        ylabel="Cost per applicant",
        title=f"Business cost (FN={cost_fn:g}, FP={cost_fp:g})",
    )
    ax.legend()
    paths.append(_save(fig, out_dir / "cost_vs_threshold.png"))

    fig, ax = plt.subplots(figsize=(5.5, 5))
    for label, p in (
        ("raw score", np.clip(winner.oof_raw, 0, 1)),
        (f"calibrated ({winner.calibration})", winner.oof_probability),
    ):
        mean_p, rate, _ = reliability_curve(y, p, n_bins=15, strategy="quantile")
        ax.plot(mean_p, rate, "o-", ms=3, label=label)
    top = float(np.quantile(winner.oof_probability, 0.995))
    ax.plot([0, top], [0, top], "k:", lw=0.8)
    ax.set(
        xlabel="Predicted probability",
        ylabel="Observed default rate",
        title=f"Reliability (ECE {winner.metrics['ece']:.4f})",
    )
    ax.legend()
    paths.append(_save(fig, out_dir / "calibration.png"))

    tn, fp, fn, tp = confusion_at(y, winner.oof_probability, winner.metrics["threshold"])
    matrix = np.array([[tn, fp], [fn, tp]])
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.imshow(matrix, cmap="Blues")
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(
            j,
            i,
            f"{value:,}",
            ha="center",
            va="center",
            color="white" if value > matrix.max() / 2 else "black",
        )
    ax.set(
        xticks=[0, 1],
        yticks=[0, 1],
        xticklabels=["grant", "refuse"],
        yticklabels=["repaid", "defaulted"],
        xlabel="Decision",
        ylabel="Outcome",
        title=f"Confusion at threshold {winner.metrics['threshold']:.3f}",
    )
    paths.append(_save(fig, out_dir / "confusion_matrix.png"))
    return paths
