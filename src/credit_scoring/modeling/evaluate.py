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
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    fbeta_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from credit_scoring.modeling.calibration import (
    expected_calibration_error,
    reliability_curve,
)
from credit_scoring.modeling.cost import best_threshold, confusion_at, cost_curve

F_BETA = 2.0  # recall weighs more: a missed defaulter costs more than a refused client


@dataclass
class CandidateResult:
    """One row of the comparison: out-of-fold scores and what they cost."""

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


def compute_metrics(
    y: np.ndarray, p: np.ndarray, *, cost_fn: float, cost_fp: float
) -> dict[str, float]:
    """Ranking, calibration and decision metrics; decisions at the cost-minimising threshold."""
    choice = best_threshold(y, p, cost_fn=cost_fn, cost_fp=cost_fp)
    tn, fp, fn, tp = confusion_at(y, p, choice.threshold)
    refuse = np.asarray(p) >= choice.threshold
    constant = np.ptp(p) == 0
    return {
        "roc_auc": 0.5 if constant else float(roc_auc_score(y, p)),
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


TABLE_COLUMNS = [
    "candidate",
    "imbalance",
    "calibration",
    "roc_auc",
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
]


def comparison_table(results: list[CandidateResult]) -> pd.DataFrame:
    rows = [
        {
            "candidate": r.name,
            "imbalance": r.imbalance,
            "calibration": r.calibration,
            **r.metrics,
            "fit_seconds": r.fit_seconds,
            "predict_ms_per_1000": r.predict_ms_per_1000,
        }
        for r in results
    ]
    table = pd.DataFrame(rows)[TABLE_COLUMNS]
    return table.sort_values("cost_per_applicant", kind="stable").reset_index(drop=True)


def to_markdown(table: pd.DataFrame, digits: int = 4) -> str:
    """A GitHub-flavoured markdown table (no extra dependency)."""

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
    """ROC, precision-recall, cost vs threshold, calibration and confusion matrix plots."""
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
