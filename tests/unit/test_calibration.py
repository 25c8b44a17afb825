"""Calibration fitted out of fold, and the calibration error measured against hand values."""

from __future__ import annotations

import numpy as np
import pytest

from credit_scoring.modeling.calibration import (
    Calibrator,
    calibrate_out_of_fold,
    choose_calibration,
    expected_calibration_error,
    reliability_curve,
)
from credit_scoring.modeling.crossval import make_folds


@pytest.fixture(scope="module")
def overconfident() -> tuple[np.ndarray, np.ndarray]:
    """True risk p; the model reports sigmoid(3 * logit(p)): ranking right, probabilities wrong."""
    rng = np.random.default_rng(1)
    logit = rng.normal(-2.5, 0.8, size=20_000)
    y = (rng.uniform(size=logit.size) < 1 / (1 + np.exp(-logit))).astype(int)
    scores = 1 / (1 + np.exp(-(3 * logit + 5)))
    return scores, y


def test_ece_by_hand() -> None:
    y = np.array([0, 1, 0, 0])
    p = np.array([0.05, 0.05, 0.95, 0.95])
    # bin [0, 0.1): mean p 0.05, rate 0.5; bin [0.9, 1]: mean p 0.95, rate 0 -> gaps 0.45, 0.95
    assert expected_calibration_error(y, p) == pytest.approx(0.5 * 0.45 + 0.5 * 0.95)
    mean_p, rate, counts = reliability_curve(y, p)
    assert counts.tolist() == [2, 2] and rate.tolist() == [0.5, 0.0]
    assert mean_p == pytest.approx([0.05, 0.95])


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
def test_calibration_repairs_overconfident_scores(overconfident, method) -> None:
    scores, y = overconfident
    folds = make_folds(y, n_splits=5)
    before = expected_calibration_error(y, scores)
    after = expected_calibration_error(y, calibrate_out_of_fold(scores, y, folds, method=method))
    assert before > 0.05
    assert after < 0.01
    fitted = Calibrator(method=method).fit(scores, y).predict(np.sort(scores))
    assert np.all(np.diff(fitted) >= -1e-12)  # keeps the ranking


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
def test_served_curve_equals_scikit_learns(overconfident, method) -> None:
    scores, y = overconfident
    calibrator = Calibrator(method=method).fit(scores[:10_000], y[:10_000])
    # other scores, some beyond the fitted range, one exactly 0 and one exactly 1
    new = np.concatenate([scores[10_000:], [0.0, 1.0, scores.min() / 2, 1 - 1e-9]])
    model = calibrator.model_
    if method == "isotonic":
        expected = model.predict(new)
    else:
        logit = np.log(np.clip(new, 1e-6, 1 - 1e-6) / (1 - np.clip(new, 1e-6, 1 - 1e-6)))
        expected = model.predict_proba(logit.reshape(-1, 1))[:, 1]
    assert np.allclose(calibrator.predict(new), expected, rtol=1e-12, atol=1e-15)


def test_out_of_fold_calibration_never_sees_its_own_fold() -> None:
    # fold A: low scores defaulted; fold B: high scores defaulted. Fitted on B, A's low scores
    # map to ~0 and high to ~1; a fit that saw A itself would pool both to 0.5.
    scores = np.tile([0.2, 0.8], 100)
    y = np.r_[np.tile([1, 0], 50), np.tile([0, 1], 50)]
    folds = [(np.arange(100, 200), np.arange(0, 100)), (np.arange(0, 100), np.arange(100, 200))]
    out = calibrate_out_of_fold(scores, y, folds, method="isotonic")[:100]
    assert np.allclose(out[scores[:100] == 0.2], 0.0, atol=1e-5)
    assert np.allclose(out[scores[:100] == 0.8], 1.0, atol=1e-5)


def test_choose_calibration_reports_raw_and_calibrated(overconfident) -> None:
    scores, y = overconfident
    result = choose_calibration(scores, y, make_folds(y, n_splits=5))
    assert result.method in ("isotonic", "sigmoid")
    assert result.ece < result.ece_raw and result.brier < result.brier_raw
    assert result.oof_probability.shape == y.shape


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown calibration method"):
        Calibrator(method="beta").fit(np.array([0.1, 0.9]), np.array([0, 1]))
