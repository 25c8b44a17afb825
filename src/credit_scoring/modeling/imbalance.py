"""Ways to treat the class imbalance (8% defaulters), applied inside the training folds only."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from imblearn.under_sampling import RandomUnderSampler

STRATEGIES = ("none", "class_weight", "undersample")
UNDERSAMPLE_RATIO = 0.3  # defaulters per repaid client after undersampling


def describe(strategy: str) -> str:
    """A strategy in words, for the reports.

    Parameters
    ----------
    strategy : {"none", "class_weight", "undersample"}
        One of :data:`STRATEGIES`.

    Returns
    -------
    str
        A short description (``"no correction"`` for ``"none"``).

    Raises
    ------
    KeyError
        ``strategy`` is not one of :data:`STRATEGIES`.
    """
    return {
        "none": "no correction",
        "class_weight": "defaulters weighted by the class ratio (scale_pos_weight)",
        "undersample": f"random undersampling of repaid clients to {UNDERSAMPLE_RATIO:.0%} "
        "of them per defaulter, inside each training fold",
    }[strategy]


def booster_params(strategy: str, y: np.ndarray) -> dict[str, Any]:
    """Extra LightGBM parameters for a strategy (class weights only).

    Parameters
    ----------
    strategy : str
        One of :data:`STRATEGIES`; only ``"class_weight"`` adds parameters.
    y : ndarray of shape (n_samples,)
        The outcomes the booster is fitted on (1 defaulted, 0 repaid).

    Returns
    -------
    dict
        For ``"class_weight"``: ``scale_pos_weight`` (repaid clients per defaulter) and
        ``metric="auc"``, since a weighted log-loss on an unweighted stopping split would
        stop too soon. Empty otherwise.
    """
    if strategy == "class_weight":
        positives = max(float(np.sum(y)), 1.0)
        # weighted log-loss on an unweighted stopping split would stop too soon: stop on AUC
        return {"scale_pos_weight": (len(y) - positives) / positives, "metric": "auc"}
    return {}


def sklearn_params(strategy: str) -> dict[str, Any]:
    """Extra scikit-learn estimator parameters for a strategy (class weights only).

    Parameters
    ----------
    strategy : str
        One of :data:`STRATEGIES`.

    Returns
    -------
    dict
        ``{"class_weight": "balanced"}`` for ``"class_weight"``, empty otherwise.
    """
    return {"class_weight": "balanced"} if strategy == "class_weight" else {}


def resample(
    X: pd.DataFrame, y: np.ndarray, strategy: str, *, seed: int = 42
) -> tuple[pd.DataFrame, np.ndarray]:
    """The training rows to fit on: resampled for ``undersample``, unchanged otherwise.

    Parameters
    ----------
    X : DataFrame
        The training part of a fold.
    y : ndarray of shape (n_samples,)
        Its outcomes (1 defaulted, 0 repaid).
    strategy : str
        One of :data:`STRATEGIES`.
    seed : int, default=42
        Seed of the undersampler.

    Returns
    -------
    X : DataFrame
        The rows kept, in their original order.
    y : ndarray
        Their outcomes.

    Raises
    ------
    ValueError
        ``strategy`` is not one of :data:`STRATEGIES`.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown imbalance strategy {strategy!r}: use one of {STRATEGIES}.")
    if strategy != "undersample":
        return X, y
    sampler = RandomUnderSampler(sampling_strategy=UNDERSAMPLE_RATIO, random_state=seed)
    sampler.fit_resample(np.zeros((len(y), 1)), y)
    keep = np.sort(sampler.sample_indices_)
    return X.iloc[keep], np.asarray(y)[keep]
