"""Calibration of scores into probabilities, fitted out of fold, and how to measure it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss

METHODS = ("isotonic", "sigmoid")
_EPS = 1e-6

Folds = Sequence[tuple[np.ndarray, np.ndarray]]


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


class Calibrator(BaseEstimator):
    """Maps a model's scores (probabilities) to calibrated probabilities.

    ``method="sigmoid"`` fits a logistic curve on the log-odds of the score (Platt);
    ``method="isotonic"`` fits a non-decreasing step function, interpolated.

    Parameters
    ----------
    method : {"isotonic", "sigmoid"}, default="isotonic"
        The calibration curve; checked by :meth:`fit`.

    Attributes
    ----------
    model_ : IsotonicRegression or LogisticRegression
        The fitted curve (set by :meth:`fit`).
    """

    def __init__(self, *, method: str = "isotonic") -> None:
        self.method = method

    def fit(self, scores: np.ndarray, y: np.ndarray) -> Calibrator:
        """Fit the curve of :attr:`method` on scores and outcomes.

        Parameters
        ----------
        scores : array-like of shape (n_samples,)
            The model's scores, probabilities in [0, 1].
        y : array-like of shape (n_samples,)
            Outcomes: 1 defaulted, 0 repaid.

        Returns
        -------
        Calibrator
            ``self``, fitted.

        Raises
        ------
        ValueError
            ``method`` is not one of :data:`METHODS`.
        """
        if self.method not in METHODS:
            raise ValueError(f"unknown calibration method {self.method!r}: use one of {METHODS}.")
        scores = np.asarray(scores, dtype=float).ravel()
        y = np.asarray(y, dtype=float).ravel()
        if self.method == "isotonic":
            self.model_ = IsotonicRegression(y_min=_EPS, y_max=1 - _EPS, out_of_bounds="clip")
            self.model_.fit(scores, y)
        else:
            self.model_ = LogisticRegression(C=1e6)
            self.model_.fit(_logit(scores).reshape(-1, 1), y)
        return self

    def predict(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of the given scores.

        The fitted curves evaluated directly: the same numbers as scikit-learn's
        ``predict`` (tested), without its input validation, which cost about 1 ms per
        served client.

        Parameters
        ----------
        scores : array-like of shape (n_samples,)
            The model's scores, probabilities in [0, 1].

        Returns
        -------
        ndarray of shape (n_samples,)
            Calibrated probabilities of default.
        """
        scores = np.asarray(scores, dtype=float).ravel()
        if self.method == "isotonic":
            iso = self.model_
            x = np.clip(scores, iso.X_min_, iso.X_max_)
            return np.interp(x, iso.X_thresholds_, iso.y_thresholds_)
        z = self.model_.coef_[0, 0] * _logit(scores) + self.model_.intercept_[0]
        return 1.0 / (1.0 + np.exp(-z))


def calibrate_out_of_fold(
    scores: np.ndarray, y: np.ndarray, folds: Folds, *, method: str
) -> np.ndarray:
    """Calibrated probabilities where each fold is mapped by a calibrator fitted on the others.

    Parameters
    ----------
    scores : ndarray of shape (n_samples,)
        Out-of-fold scores of a model.
    y : ndarray of shape (n_samples,)
        Outcomes: 1 defaulted, 0 repaid.
    folds : sequence of (train_idx, valid_idx)
        The cross-validation folds; every row should be in one validation part.
    method : {"isotonic", "sigmoid"}
        The calibration curve.

    Returns
    -------
    ndarray of shape (n_samples,)
        Each row's probability from the calibrator fitted on the other folds.
    """
    scores = np.asarray(scores, dtype=float)
    y = np.asarray(y, dtype=float)
    out = np.empty_like(scores)
    for train_idx, valid_idx in folds:
        out[valid_idx] = (
            Calibrator(method=method)
            .fit(scores[train_idx], y[train_idx])
            .predict(scores[valid_idx])
        )
    return out


def reliability_curve(
    y: np.ndarray, p: np.ndarray, *, n_bins: int = 10, strategy: str = "uniform"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean predicted, observed rate, count) per non-empty bin.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Outcomes: 1 defaulted, 0 repaid.
    p : array-like of shape (n_samples,)
        Predicted probabilities of default.
    n_bins : int, default=10
        Number of bins (before empty ones are dropped).
    strategy : {"uniform", "quantile"}, default="uniform"
        ``"uniform"``: equal-width bins over [0, 1]; ``"quantile"``: bins of about equal
        counts (duplicate edges merged). Any other value means ``"uniform"``.

    Returns
    -------
    mean_predicted : ndarray
        Mean predicted probability per non-empty bin.
    observed_rate : ndarray
        Observed default rate per non-empty bin.
    count : ndarray
        Number of rows per non-empty bin.
    """
    y = np.asarray(y, dtype=float).ravel()
    p = np.asarray(p, dtype=float).ravel()
    if strategy == "quantile":
        edges = np.unique(np.quantile(p, np.linspace(0, 1, n_bins + 1)))
    else:
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    counts = np.bincount(bins, minlength=len(edges) - 1)
    mean_p = np.bincount(bins, weights=p, minlength=len(edges) - 1)
    rate = np.bincount(bins, weights=y, minlength=len(edges) - 1)
    keep = counts > 0
    return mean_p[keep] / counts[keep], rate[keep] / counts[keep], counts[keep]


def expected_calibration_error(
    y: np.ndarray, p: np.ndarray, *, n_bins: int = 10, strategy: str = "uniform"
) -> float:
    """Share-weighted mean gap between predicted probability and observed rate over bins.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Outcomes: 1 defaulted, 0 repaid.
    p : array-like of shape (n_samples,)
        Predicted probabilities of default.
    n_bins : int, default=10
        Number of bins, as in :func:`reliability_curve`.
    strategy : {"uniform", "quantile"}, default="uniform"
        Binning, as in :func:`reliability_curve`.

    Returns
    -------
    float
        The expected calibration error (ECE), in probability units.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 0, 1, 1])
    >>> round(expected_calibration_error(y, np.array([0.05, 0.05, 0.95, 0.95])), 6)
    0.05
    """
    mean_p, rate, counts = reliability_curve(y, p, n_bins=n_bins, strategy=strategy)
    return float(np.sum(counts * np.abs(mean_p - rate)) / np.sum(counts))


@dataclass
class CalibrationResult:
    """The calibration kept for a candidate and how well it and the raw score calibrate.

    Attributes
    ----------
    method : str
        The method kept (one of :data:`METHODS`).
    calibrator : Calibrator
        Fitted on every out-of-fold score: the one served.
    oof_probability : ndarray
        Out-of-fold calibrated probabilities (for every later step).
    brier, ece : float
        Brier score and expected calibration error of ``oof_probability``.
    brier_raw, ece_raw : float
        The same of the raw scores (clipped to [0, 1]).
    """

    method: str
    calibrator: Calibrator  # fitted on every out-of-fold score: the one served
    oof_probability: np.ndarray  # out-of-fold calibrated probabilities (for every later step)
    brier: float
    ece: float
    brier_raw: float
    ece_raw: float


def choose_calibration(
    scores: np.ndarray, y: np.ndarray, folds: Folds, methods: Sequence[str] = METHODS
) -> CalibrationResult:
    """Try each method out of fold; keep the lowest Brier score.

    Parameters
    ----------
    scores : ndarray of shape (n_samples,)
        Out-of-fold scores of a model.
    y : ndarray of shape (n_samples,)
        Outcomes: 1 defaulted, 0 repaid.
    folds : sequence of (train_idx, valid_idx)
        The folds the scores were computed on.
    methods : sequence of str, default=METHODS
        The methods to try, in order. A later one replaces the best only when its Brier
        score is lower by more than 1e-6: on a near-tie the earlier method stays (the ECE
        decides only when the Brier score is exactly 1e-6 lower).

    Returns
    -------
    CalibrationResult
        The best method, its calibrator fitted on all scores, and the metrics.
    """
    y = np.asarray(y, dtype=float)
    best: CalibrationResult | None = None
    for method in methods:
        oof = calibrate_out_of_fold(scores, y, folds, method=method)
        result = CalibrationResult(
            method=method,
            calibrator=Calibrator(method=method).fit(scores, y),
            oof_probability=oof,
            brier=float(brier_score_loss(y, oof)),
            ece=expected_calibration_error(y, oof),
            brier_raw=float(brier_score_loss(y, np.clip(scores, 0, 1))),
            ece_raw=expected_calibration_error(y, np.clip(scores, 0, 1)),
        )
        if best is None or (result.brier, result.ece) < (best.brier - 1e-6, best.ece):
            best = result
    assert best is not None
    return best
