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
    """The cost-minimising threshold and the costs to compare it with (per applicant).

    Attributes
    ----------
    threshold : float
        Refuse a client when the probability of default is at least this.
    cost : float
        Cost per applicant at ``threshold``.
    cost_at_half : float
        Cost per applicant at a threshold of 0.5.
    cost_accept_all, cost_refuse_all : float
        Cost per applicant when every client is granted, or refused.
    """

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
    """(tn, fp, fn, tp) when refusing every client with ``p >= threshold``.

    The positive class is default: a false positive is a good client refused, a false
    negative a defaulter accepted.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Outcomes: 1 defaulted, 0 repaid.
    p : array-like of shape (n_samples,)
        Predicted probabilities of default.
    threshold : float
        Refuse when ``p >= threshold``.

    Returns
    -------
    tuple of int
        ``(tn, fp, fn, tp)``.

    Raises
    ------
    ValueError
        ``y`` and ``p`` differ in length, are empty, or ``y`` holds a value other than
        0 and 1.

    Examples
    --------
    >>> confusion_at([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], 0.5)
    (1, 1, 1, 1)
    """
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
    """Average cost of the decisions taken at ``threshold``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Outcomes: 1 defaulted, 0 repaid.
    p : array-like of shape (n_samples,)
        Predicted probabilities of default.
    threshold : float
        Refuse when ``p >= threshold``.
    cost_fn : float
        Cost of a defaulter accepted.
    cost_fp : float
        Cost of a good client refused.

    Returns
    -------
    float
        ``(cost_fn * fn + cost_fp * fp) / n_samples``.

    Raises
    ------
    ValueError
        Invalid labels or probabilities, as in :func:`confusion_at`.

    Examples
    --------
    >>> cost_per_applicant([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], 0.5, cost_fn=10, cost_fp=1)
    2.75
    """
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
    """Cost per applicant at each threshold (default: every distinct probability, then accept-all).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Outcomes: 1 defaulted, 0 repaid.
    p : array-like of shape (n_samples,)
        Predicted probabilities of default.
    cost_fn : float
        Cost of a defaulter accepted.
    cost_fp : float
        Cost of a good client refused.
    thresholds : ndarray, optional
        The thresholds to evaluate (refuse when ``p >= threshold``). By default every
        distinct probability in increasing order, then ``inf`` (accept everyone).

    Returns
    -------
    thresholds : ndarray
        The thresholds evaluated, as floats.
    costs : ndarray
        Cost per applicant at each of them.

    Raises
    ------
    ValueError
        Invalid labels or probabilities, as in :func:`confusion_at`.
    """
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
    """The threshold with the lowest cost per applicant (the lowest such threshold on ties).

    The candidate thresholds are those of :func:`cost_curve`; when accepting everyone is
    cheapest the threshold reported is 1.0.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Outcomes: 1 defaulted, 0 repaid.
    p : array-like of shape (n_samples,)
        Predicted probabilities of default.
    cost_fn : float
        Cost of a defaulter accepted.
    cost_fp : float
        Cost of a good client refused.

    Returns
    -------
    ThresholdChoice
        The threshold, its cost and the costs to compare it with.

    Raises
    ------
    ValueError
        Invalid labels or probabilities, as in :func:`confusion_at`.

    Examples
    --------
    >>> choice = best_threshold([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], cost_fn=10, cost_fp=1)
    >>> choice.threshold, choice.cost
    (0.4, 0.25)
    """
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
