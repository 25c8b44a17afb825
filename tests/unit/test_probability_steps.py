"""Contributions in log-odds as steps of probability of default (``explain/probability.py``):
they add up to the client's probability minus the base rate, in no order, with the sign
of their contribution, through the served model's calibration too."""

from __future__ import annotations

import numpy as np
import pytest

from credit_scoring.explain.probability import ordered, probability_steps, sigmoid
from credit_scoring.modeling.calibration import Calibrator


def _contributions(seed: int, n: int = 40) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    return {f"f{i:02d}": float(v) for i, v in enumerate(rng.normal(0, 0.4, n))}


@pytest.mark.parametrize("seed", range(5))
def test_the_steps_add_up_to_the_probability_minus_the_base(seed: int) -> None:
    contributions = _contributions(seed)
    bias = -2.3
    steps = probability_steps(bias, contributions)
    assert steps.base == pytest.approx(float(sigmoid(np.array([bias]))[0]), abs=1e-15)
    client = float(sigmoid(np.array([bias + sum(contributions.values())]))[0])
    assert steps.probability == pytest.approx(client, abs=1e-15)
    assert sum(p for _, p in steps.steps) == pytest.approx(
        steps.probability - steps.base, abs=1e-12
    )


def test_the_order_is_largest_log_odds_first_ties_by_name() -> None:
    steps = probability_steps(0.0, {"b": 0.3, "a": -0.3, "c": -1.0, "d": 0.05})
    assert [name for name, _ in steps.steps] == ["c", "a", "b", "d"]
    assert ordered({"z": 1.0, "y": -1.0}) == [("y", -1.0), ("z", 1.0)]


def test_the_result_does_not_depend_on_the_input_order() -> None:
    contributions = _contributions(7)
    shuffled = dict(reversed(list(contributions.items())))
    assert probability_steps(-1.0, contributions) == probability_steps(-1.0, shuffled)


def test_a_step_has_the_sign_of_its_contribution() -> None:
    contributions = _contributions(3)
    for name, step in probability_steps(-2.0, contributions).steps:
        assert np.sign(step) == np.sign(contributions[name])


def test_the_steps_differ_from_a_linear_reading_of_the_log_odds() -> None:
    """The same +0.5 log-odds is a larger step at 50 % than at 2 %: why log-odds are converted."""
    low = probability_steps(float(np.log(0.02 / 0.98)), {"x": 0.5}).steps[0][1]
    mid = probability_steps(0.0, {"x": 0.5}).steps[0][1]
    assert mid > 5 * low > 0


def test_through_a_calibration_the_steps_end_at_the_calibrated_probability() -> None:
    rng = np.random.default_rng(0)
    scores = rng.uniform(0.01, 0.9, 2000)
    outcomes = (rng.uniform(size=2000) < scores * 0.6).astype(float)
    for method in ("isotonic", "sigmoid"):
        calibrator = Calibrator(method=method).fit(scores, outcomes)

        def served(log_odds: np.ndarray, c: Calibrator = calibrator) -> np.ndarray:
            return c.predict(sigmoid(log_odds))

        contributions = _contributions(11)
        steps = probability_steps(-1.2, contributions, to_probability=served)
        total = -1.2 + sum(contributions.values())
        assert steps.probability == pytest.approx(float(served(np.array([total]))[0]), abs=1e-12)
        assert steps.base == pytest.approx(float(served(np.array([-1.2]))[0]), abs=1e-12)
        assert sum(p for _, p in steps.steps) == pytest.approx(
            steps.probability - steps.base, abs=1e-12
        )
        # a non-decreasing calibration never turns a step against its contribution
        assert all(p * contributions[n] >= 0 for n, p in steps.steps)


def test_no_contribution_no_step() -> None:
    steps = probability_steps(-1.0, {})
    assert steps.steps == [] and steps.base == steps.probability


def test_equal_contributions_get_equal_steps_whatever_their_place() -> None:
    """No order enters: the contribution listed first is not read where the curve is flat."""
    steps = probability_steps(-3.0, {"a": 0.5, "b": 0.5, "c": 2.0, "d": -0.2}).by_name()
    assert steps["a"] == pytest.approx(steps["b"], abs=1e-15)
    # each step is its contribution's share of the change: c_i / sum(c) of (p - p0)
    ratio = steps["c"] / steps["a"]
    assert ratio == pytest.approx(4.0, rel=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_a_larger_contribution_gets_a_larger_step(seed: int) -> None:
    contributions = _contributions(seed)
    steps = probability_steps(-2.5, contributions).by_name()
    by_size = sorted(contributions, key=lambda n: abs(contributions[n]))
    assert sorted(steps, key=lambda n: abs(steps[n])) == by_size
