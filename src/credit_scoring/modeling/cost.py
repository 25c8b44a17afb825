"""Business cost of decisions and the threshold that minimises it.

A client is refused when the probability of default is at least the threshold.
A false negative (a defaulter accepted) costs ``cost_fn``, a false positive (a
good client refused) costs ``cost_fp``; costs are reported per applicant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ThresholdChoice:
    """The cost-minimising threshold and the costs to compare it with (per applicant)."""

    threshold: float
    cost: float
    cost_at_half: float
    cost_accept_all: float
    cost_refuse_all: float

    @property
    def saving_vs_accept_all(self) -> float:
        """Share of the accept-everyone cost that the threshold saves."""
        return 1.0 - self.cost / self.cost_accept_all if self.cost_accept_all else 0.0


def _check(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=float).ravel()
    p = np.asarray(p, dtype=float).ravel()
    if y.shape != p.shape:
        raise ValueError(
            f"{y.size} labels but {p.size} probabilities: give one probability per label."
        )
    if y.size == 0:
        raise ValueError("no rows to evaluate: the labels are empty.")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("labels must be 0 (repaid) or 1 (defaulted).")
    return y, p


def confusion_at(y: np.ndarray, p: np.ndarray, threshold: float) -> tuple[int, int, int, int]:
    """(tn, fp, fn, tp) when refusing every client with ``p >= threshold``."""
    y, p = _check(y, p)
    refuse = p >= threshold
    tp = int(np.sum(refuse & (y == 1)))
    fp = int(np.sum(refuse & (y == 0)))
    fn = int(np.sum(~refuse & (y == 1)))
    tn = int(np.sum(~refuse & (y == 0)))
    return tn, fp, fn, tp


def cost_per_applicant(
    y: np.ndarray, p: np.ndarray, threshold: float, *, cost_fn: float, cost_fp: float
) -> float:
    """Average cost of the decisions taken at ``threshold``."""
    _, fp, fn, _ = confusion_at(y, p, threshold)
    return (cost_fn * fn + cost_fp * fp) / len(np.ravel(y))


def cost_curve(
    y: np.ndarray,
    p: np.ndarray,
    *,
    cost_fn: float,
    cost_fp: float,
    thresholds: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Cost per applicant at each threshold (default: every distinct probability, then accept-all)."""
    y, p = _check(y, p)
    if thresholds is None:
        thresholds = np.append(np.unique(p), np.inf)
    thresholds = np.asarray(thresholds, dtype=float)
    pos = np.sort(p[y == 1])
    neg = np.sort(p[y == 0])
    fn = np.searchsorted(pos, thresholds, side="left")  # defaulters below the threshold: accepted
    fp = neg.size - np.searchsorted(neg, thresholds, side="left")  # good clients at or above it
    return thresholds, (cost_fn * fn + cost_fp * fp) / y.size


def best_threshold(
    y: np.ndarray, p: np.ndarray, *, cost_fn: float, cost_fp: float
) -> ThresholdChoice:
    """The threshold with the lowest cost per applicant (the lowest such threshold on ties)."""
    thresholds, costs = cost_curve(y, p, cost_fn=cost_fn, cost_fp=cost_fp)
    best = int(np.argmin(costs))
    threshold = float(thresholds[best]) if np.isfinite(thresholds[best]) else 1.0
    y_arr, _ = _check(y, p)
    return ThresholdChoice(
        threshold=threshold,
        cost=float(costs[best]),
        cost_at_half=cost_per_applicant(y, p, 0.5, cost_fn=cost_fn, cost_fp=cost_fp),
        cost_accept_all=float(cost_fn * y_arr.sum() / y_arr.size),
        cost_refuse_all=float(cost_fp * (y_arr.size - y_arr.sum()) / y_arr.size),
    )
