"""Contributions in log-odds as steps of probability of default, the same on every run.

TreeSHAP splits a client's raw score (log-odds) exactly into one contribution per feature
plus a bias, the model's average log-odds. A person reads a probability, not log-odds, and
the sigmoid (then the calibration) is not linear: a contribution of +0.5 log-odds moves the
probability of default by more at 30 % than at 2 %. Adding the contributions one at a time
would make each step depend on the order chosen: the first ones, added where the curve is
flat, would look small and the last ones large. Each contribution instead gets its share of
the change of probability in proportion to its share of the change of log-odds: the step of
feature *i* is ``c_i x (p - p0) / sum(c)``, where ``p0`` is the probability at the bias and
``p`` the client's. This is Integrated Gradients of the served probability along the straight
path in log-odds from the average client to this client (Sundararajan et al., 2017): the
steps add up to ``p - p0`` exactly (completeness), two equal contributions get equal steps
(symmetry), a step has the sign of its contribution (the probability never decreases with the
log-odds), and no order enters. The steps are listed largest contribution first.

Examples
--------
>>> steps = probability_steps(-2.0, {"income": -0.3, "age": 0.7, "term": 0.1})
>>> [name for name, _ in steps.steps]
['age', 'income', 'term']
>>> round(steps.base, 4), round(steps.probability, 4)
(0.1192, 0.1824)
>>> round(sum(p for _, p in steps.steps), 12) == round(steps.probability - steps.base, 12)
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

ToProbability = Callable[[np.ndarray], np.ndarray]


def sigmoid(log_odds: np.ndarray) -> np.ndarray:
    """The probability of log-odds, ``1 / (1 + exp(-z))``.

    Returns
    -------
    ndarray
        The probabilities, one per log-odds.

    Examples
    --------
    >>> sigmoid(np.array([0.0])).tolist()
    [0.5]
    """
    return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(log_odds, dtype=float))))


@dataclass(frozen=True)
class ProbabilitySteps:
    """A client's probability of default built step by step from the base probability.

    Attributes
    ----------
    base : float
        The probability at the bias (the model's average log-odds on its training clients).
    probability : float
        The client's probability (at the bias plus every contribution).
    steps : list of (str, float)
        Each feature and its step of probability, largest log-odds first; a positive step
        raises the risk. They sum to ``probability - base``.
    """

    base: float
    probability: float
    steps: list[tuple[str, float]]

    def by_name(self) -> dict[str, float]:
        """The step of each feature, by name."""
        return dict(self.steps)


def ordered(contributions: Mapping[str, float]) -> list[tuple[str, float]]:
    """Contributions largest in absolute value first, ties by name (a reproducible order).

    Returns
    -------
    list of (str, float)
        The ``(name, contribution)`` pairs in that order.

    Examples
    --------
    >>> ordered({"b": 0.2, "a": -0.2, "c": 1.0})
    [('c', 1.0), ('a', -0.2), ('b', 0.2)]
    """
    return sorted(contributions.items(), key=lambda kv: (-abs(kv[1]), kv[0]))


def probability_steps(
    bias: float,
    contributions: Mapping[str, float],
    *,
    to_probability: ToProbability = sigmoid,
) -> ProbabilitySteps:
    """Each contribution's step of probability, its share of the change from the bias.

    Parameters
    ----------
    bias : float
        The base log-odds (TreeSHAP's expected value).
    contributions : mapping of str to float
        Each feature's contribution in log-odds.
    to_probability : callable, default=:func:`sigmoid`
        Maps an array of log-odds to probabilities; non-decreasing (the served model passes
        its sigmoid followed by its calibration, so the last probability is the one shown).

    Returns
    -------
    ProbabilitySteps
        The base and final probabilities and one step per contribution, largest log-odds
        first. The steps are the contributions times the same slope, ``(probability - base)
        / sum(contributions)``, so they add up to ``probability - base`` up to
        floating-point rounding (below 1e-12); a step has the sign of its contribution (or
        is zero where the calibration is flat over the whole path).
    """
    items = ordered(contributions)
    total = float(sum(value for _, value in items))
    ends = np.asarray(to_probability(np.array([float(bias), float(bias) + total])), dtype=float)
    base, probability = float(ends[0]), float(ends[1])
    # the secant slope of the served probability along the path: Integrated Gradients
    slope = (probability - base) / total if total != 0.0 else 0.0
    return ProbabilitySteps(
        base=base,
        probability=probability,
        steps=[(name, float(value) * slope) for name, value in items],
    )
