"""Contributions in log-odds as steps of probability of default, in a fixed order.

TreeSHAP splits a client's raw score (log-odds) exactly into one contribution per feature
plus a bias, the model's average log-odds. A person reads a probability, not log-odds, and
the sigmoid (then the calibration) is not linear: a contribution of +0.5 log-odds moves the
probability of default by more at 30 % than at 2 %. So the contributions are added one at a
time, largest in absolute value first (ties by name), and each step is the probability
after it minus the probability before it. The steps then add up, by telescoping, to the
client's probability minus the base probability, with nothing left over and the same
result on every run.

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
        Each feature and its step of probability, in the order added (largest log-odds
        first); a positive step raises the risk. They sum to ``probability - base``.
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
    """Each contribution's step of probability, added largest first from the bias.

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
        The base and final probabilities and one step per contribution. The steps are
        differences of consecutive cumulative probabilities, so they add up to
        ``probability - base`` up to floating-point rounding (below 1e-12); a step has the
        sign of its contribution (or is zero where the calibration is flat).
    """
    items = ordered(contributions)
    cumulative = float(bias) + np.cumsum([0.0, *[value for _, value in items]])
    probabilities = np.asarray(to_probability(cumulative), dtype=float)
    deltas = np.diff(probabilities)
    return ProbabilitySteps(
        base=float(probabilities[0]),
        probability=float(probabilities[-1]),
        steps=[(name, float(d)) for (name, _), d in zip(items, deltas, strict=True)],
    )
