"""Business cost and threshold choice on cases small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pytest

from credit_scoring.modeling.cost import (
    best_threshold,
    confusion_at,
    cost_curve,
    cost_per_applicant,
)

Y = np.array([0, 0, 1, 1])
P = np.array([0.1, 0.4, 0.35, 0.8])


def test_confusion_refuses_at_or_above_the_threshold() -> None:
    # refuse 0.35, 0.4, 0.8: one good client refused, no defaulter accepted
    assert confusion_at(Y, P, 0.35) == (1, 1, 0, 2)
    assert confusion_at(Y, P, 0.36) == (1, 1, 1, 1)


def test_cost_per_applicant_weights_false_negatives() -> None:
    # threshold 0.8: the defaulter at 0.35 is accepted (10), nobody good refused
    assert cost_per_applicant(Y, P, 0.8, cost_fn=10, cost_fp=1) == pytest.approx(10 / 4)
    # threshold 0.1: everyone refused: two good clients refused (1 each)
    assert cost_per_applicant(Y, P, 0.1, cost_fn=10, cost_fp=1) == pytest.approx(2 / 4)


def test_best_threshold_and_reference_costs() -> None:
    choice = best_threshold(Y, P, cost_fn=10, cost_fp=1)
    assert choice.threshold == pytest.approx(0.35)
    assert choice.cost == pytest.approx(1 / 4)
    assert choice.cost_accept_all == pytest.approx(20 / 4)
    assert choice.cost_refuse_all == pytest.approx(2 / 4)
    assert choice.cost_at_half == pytest.approx(10 / 4)  # only 0.8 refused
    assert choice.saving_vs_accept_all == pytest.approx(1 - 0.25 / 5)


def test_cheap_false_negatives_make_accepting_everyone_best() -> None:
    # the riskiest-looking client repaid: any refusal costs more than accepting the defaulter
    y, p = np.array([0, 1]), np.array([0.9, 0.1])
    choice = best_threshold(y, p, cost_fn=0.01, cost_fp=1)
    assert choice.threshold == 1.0 and choice.cost == pytest.approx(choice.cost_accept_all)


def test_curve_matches_pointwise_cost_and_theory() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(size=4000)
    y = (rng.uniform(size=4000) < p).astype(int)  # perfectly calibrated
    thresholds, costs = cost_curve(y, p, cost_fn=10, cost_fp=1, thresholds=np.array([0.2, 0.5]))
    for t, c in zip(thresholds, costs, strict=True):
        assert c == pytest.approx(cost_per_applicant(y, p, t, cost_fn=10, cost_fp=1))
    # with calibrated probabilities the optimum is near cost_fp / (cost_fp + cost_fn)
    assert best_threshold(y, p, cost_fn=10, cost_fp=1).threshold == pytest.approx(1 / 11, abs=0.04)


def test_bad_inputs_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="one probability per label"):
        best_threshold(Y, P[:3], cost_fn=10, cost_fp=1)
    with pytest.raises(ValueError, match="labels must be 0"):
        best_threshold(np.array([0, 2]), np.array([0.1, 0.2]), cost_fn=10, cost_fp=1)
