"""Out-of-fold predictions of every candidate on the same folds, within a time budget."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
import optuna
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from credit_scoring.modeling import imbalance
from credit_scoring.modeling.candidates import (
    EARLY_STOPPING,
    MAX_ROUNDS,
    SEED,
    SklearnCandidate,
    lgbm_search_space,
)

Folds = list[tuple[np.ndarray, np.ndarray]]
# a fold's extra columns learnt from outcomes: (train_idx, valid_idx) -> (train rows, valid rows)
FoldColumns = Callable[[np.ndarray, np.ndarray], tuple[pd.DataFrame, pd.DataFrame]]
GRID_SAMPLE = 8_000  # rows used by GridSearchCV: enough to rank a few settings, cheap


class Budget:
    """Wall-clock budget shared by the steps of one training run.

    The clock starts when the budget is created.

    Parameters
    ----------
    minutes : float
        The budget in minutes.

    Attributes
    ----------
    seconds : float
        The budget in seconds.
    start : float
        ``time.perf_counter()`` at creation.
    """

    def __init__(self, minutes: float) -> None:
        self.seconds = minutes * 60.0
        self.start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        """Seconds since the budget was created."""
        return time.perf_counter() - self.start

    @property
    def remaining(self) -> float:
        """Seconds left in the budget (never negative)."""
        return max(self.seconds - self.elapsed, 0.0)


def make_folds(y: np.ndarray, *, n_splits: int, seed: int = SEED) -> Folds:
    """Stratified, shuffled folds: every candidate is compared on the same ones.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid), the strata.
    n_splits : int
        Number of folds.
    seed : int, default=SEED
        Seed of the shuffle.

    Returns
    -------
    list of (train_idx, valid_idx)
        Row positions of each fold's training and validation parts.
    """
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y))


@dataclass
class OofRun:
    """Out-of-fold scores of one candidate and how long it took.

    Attributes
    ----------
    scores : ndarray
        Out-of-fold scores (uncalibrated probabilities), one per training row.
    params : dict
        The parameters the candidate ran with.
    fit_seconds : float
        Mean fit time per fold.
    predict_ms_per_1000 : float
        Prediction time in milliseconds per 1000 rows.
    best_iterations : list of int
        LightGBM: the number of rounds kept, per fold.
    seeds : tuple of int
        LightGBM: the seeds averaged.
    """

    scores: np.ndarray
    params: dict[str, Any]
    fit_seconds: float
    predict_ms_per_1000: float
    best_iterations: list[int] = field(default_factory=list)
    seeds: tuple[int, ...] = (SEED,)


def grid_search(
    candidate: SklearnCandidate, X: pd.DataFrame, y: np.ndarray, *, strategy: str, seed: int = SEED
) -> dict[str, Any]:
    """Best grid parameters by ROC AUC (3-fold ``GridSearchCV`` on a stratified sample).

    Parameters
    ----------
    candidate : SklearnCandidate
        The pipeline and its grid.
    X : DataFrame
        The training matrix.
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid).
    strategy : str
        Imbalance strategy whose estimator parameters the pipeline gets.
    seed : int, default=SEED
        Seed of the sample and of the folds.

    Returns
    -------
    dict
        The best parameters (grid keys such as ``"model__C"``); empty for an empty grid.
        Tables larger than :data:`GRID_SAMPLE` rows are searched on a stratified sample
        of about that size.
    """
    if not candidate.grid:
        return {}
    rng = np.random.default_rng(seed)
    if len(y) > GRID_SAMPLE:
        pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
        share = GRID_SAMPLE / len(y)
        rows = np.sort(
            np.concatenate(
                [
                    rng.choice(pos, int(len(pos) * share), replace=False),
                    rng.choice(neg, int(len(neg) * share), replace=False),
                ]
            )
        )
    else:
        rows = np.arange(len(y))
    pipeline = candidate.make(X, imbalance.sklearn_params(strategy))
    search = GridSearchCV(
        pipeline,
        candidate.grid,
        scoring="roc_auc",
        refit=False,
        n_jobs=1,
        cv=StratifiedKFold(3, shuffle=True, random_state=seed),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X.iloc[rows], y[rows])
    return dict(search.best_params_)


def sklearn_oof(
    candidate: SklearnCandidate,
    X: pd.DataFrame,
    y: np.ndarray,
    folds: Folds,
    *,
    params: dict[str, Any],
    strategy: str = "none",
) -> OofRun:
    """Out-of-fold scores of a scikit-learn candidate, refitted in each fold.

    Parameters
    ----------
    candidate : SklearnCandidate
        The pipeline to fit.
    X : DataFrame
        The training matrix.
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid).
    folds : list of (train_idx, valid_idx)
        The folds (:func:`make_folds`).
    params : dict
        Pipeline parameters set before each fit (e.g. from :func:`grid_search`).
    strategy : str, default="none"
        Imbalance strategy, applied inside each training part only.

    Returns
    -------
    OofRun
        The scores and the timings.
    """
    scores = np.full(len(y), np.nan)  # a row no fold predicts stays NaN, never a silent 0
    fit_time = predict_time = 0.0
    for train_idx, valid_idx in folds:
        X_fit, y_fit = imbalance.resample(X.iloc[train_idx], y[train_idx], strategy)
        model = candidate.make(X, imbalance.sklearn_params(strategy)).set_params(**params)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_fit, y_fit)
        fit_time += time.perf_counter() - start
        start = time.perf_counter()
        scores[valid_idx] = model.predict_proba(X.iloc[valid_idx])[:, 1]
        predict_time += time.perf_counter() - start
    return OofRun(scores, params, fit_time / len(folds), 1000 * 1000 * predict_time / len(y))


def patience(params: dict[str, Any]) -> int:
    """Rounds without improvement before a fold stops.

    ``EARLY_STOPPING`` at a learning rate of 0.02, proportionally fewer at faster rates
    (``--quick`` learns at 0.05), and never fewer than 30.

    Parameters
    ----------
    params : dict
        LightGBM parameters; ``learning_rate`` defaults to 0.02.

    Returns
    -------
    int
        The early-stopping patience in rounds.

    Examples
    --------
    >>> patience({"learning_rate": 0.02}), patience({"learning_rate": 0.05})
    (150, 60)
    """
    return max(int(EARLY_STOPPING * 0.02 / float(params.get("learning_rate", 0.02))), 30)


def booster_oof(
    params: dict[str, Any],
    X: pd.DataFrame,
    y: np.ndarray,
    folds: Folds,
    *,
    strategy: str = "none",
    n_threads: int = 1,
    seeds: tuple[int, ...] = (SEED,),
    fold_columns: FoldColumns | None = None,
) -> OofRun:
    """LightGBM out of fold, each fold trained on its whole training part.

    The number of rounds is a hyper-parameter chosen like the others, on the folds: every
    fold's validation ROC AUC is recorded round by round (a fold stops once it has not
    improved for :func:`patience` rounds), and the round with the highest mean over the
    folds is kept for every fold's predictions and, scaled, for the final refit. (AUC, not
    log loss: with class weights the log loss of unweighted rows rises from the start.)
    Stopping on a split of each fold's own data instead cost the model a tenth of its
    training rows and a noisy stopping point (about 0.002 of AUC on the real sample).

    With several ``seeds`` each fold trains one booster per seed (other row and column
    samples) and predicts their average raw score, as the merged champion will.

    Parameters
    ----------
    params : dict
        LightGBM parameters; ``metric`` is replaced by ``"auc"``.
    X : DataFrame
        The training matrix.
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid).
    folds : list of (train_idx, valid_idx)
        The folds (:func:`make_folds`).
    strategy : str, default="none"
        Imbalance strategy, applied inside each training part only.
    n_threads : int, default=1
        LightGBM threads.
    seeds : tuple of int, default=(SEED,)
        One booster per seed in each fold.
    fold_columns : callable, optional
        Columns learnt from outcomes, which must be recomputed in each fold:
        ``fold_columns(train_idx, valid_idx)`` returns the fold's extra columns for its
        training rows and for its validation rows (two DataFrames, same columns), appended
        to ``X``'s. It must read the outcomes of ``train_idx`` only, and give each training
        row a value that does not read its own outcome (out of fold within the fold).

    Returns
    -------
    OofRun
        The scores (sigmoid of the averaged raw scores at the round kept), the timings,
        that round for every fold in ``best_iterations``, and the seeds.
    """
    fit_time = predict_time = 0.0
    boosters: list[list[lgb.Booster]] = []
    curves = []
    valid_frames = []
    for train_idx, valid_idx in folds:
        X_train, X_valid = X.iloc[train_idx], X.iloc[valid_idx]
        if fold_columns is not None:
            extra_train, extra_valid = fold_columns(train_idx, valid_idx)
            X_train = pd.concat([X_train, extra_train.set_axis(X_train.index)], axis=1)
            X_valid = pd.concat([X_valid, extra_valid.set_axis(X_valid.index)], axis=1)
        valid_frames.append(X_valid)
        X_fit, y_fit = imbalance.resample(X_train, y[train_idx], strategy)
        start = time.perf_counter()
        fit_set = lgb.Dataset(X_fit, y_fit)
        valid_set = lgb.Dataset(X_valid, y[valid_idx], reference=fit_set)
        fold_boosters = []
        for seed in seeds:
            fit_params = {
                **params,
                **imbalance.booster_params(strategy, y_fit),
                "num_threads": n_threads,
                "metric": "auc",
                "seed": seed,
            }
            history: dict[str, Any] = {}
            fold_boosters.append(
                lgb.train(
                    fit_params,
                    fit_set,
                    num_boost_round=MAX_ROUNDS,
                    valid_sets=[valid_set],
                    valid_names=["fold"],
                    keep_training_booster=True,  # else cut at its own best
                    callbacks=[
                        lgb.early_stopping(patience(params), verbose=False),
                        lgb.record_evaluation(history),
                    ],
                )
            )
            curves.append(np.asarray(history["fold"]["auc"]))
        fit_time += time.perf_counter() - start
        boosters.append(fold_boosters)
    common = min(len(c) for c in curves)  # every fold ran at least this many rounds
    best = int(np.argmax(np.mean([c[:common] for c in curves], axis=0))) + 1
    scores = np.full(len(y), np.nan)  # a row no fold predicts stays NaN, never a silent 0
    start = time.perf_counter()
    for fold_boosters, (_, valid_idx), X_valid in zip(boosters, folds, valid_frames, strict=True):
        raw = np.mean(
            [
                b.predict(X_valid, num_iteration=best, raw_score=True, num_threads=n_threads)
                for b in fold_boosters
            ],
            axis=0,
        )
        scores[valid_idx] = 1.0 / (1.0 + np.exp(-raw))
    predict_time += time.perf_counter() - start
    return OofRun(
        scores,
        params,
        fit_time / len(folds),
        1000 * 1000 * predict_time / len(y),
        [best] * len(folds),
        seeds,
    )


def auc(y: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC as a Python float.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid).
    scores : ndarray of shape (n_samples,)
        Scores, higher for riskier clients.

    Returns
    -------
    float
        The area under the ROC curve.
    """
    return float(roc_auc_score(y, scores))


def tune_booster(
    base: dict[str, Any],
    X: pd.DataFrame,
    y: np.ndarray,
    folds: Folds,
    *,
    budget: Budget,
    reserve_trials: float,
    max_trials: int,
    n_threads: int = 1,
    seed: int = SEED,
    on_trial: Callable[[int, float], None] | None = None,
) -> tuple[OofRun, int]:
    """Optuna (TPE) over a modest space, first trial = the defaults; best by out-of-fold AUC.

    Stops when the next trial would eat into ``reserve_trials`` trials' worth of the budget.
    The first trial measures how long one takes: the later ones (at most
    ``max_trials - 1``) get what is left of the budget after ``reserve_trials + 1`` such
    durations, as an Optuna timeout.

    Parameters
    ----------
    base : dict
        LightGBM parameters; the searched ones are taken from it for the first trial.
    X : DataFrame
        The training matrix.
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid).
    folds : list of (train_idx, valid_idx)
        The folds (:func:`make_folds`).
    budget : Budget
        The run's budget.
    reserve_trials : float
        Trials' worth of time to leave for the steps after the search.
    max_trials : int
        Most trials, the first included.
    n_threads : int, default=1
        LightGBM threads.
    seed : int, default=SEED
        Seed of the TPE sampler.
    on_trial : callable, optional
        Called as ``on_trial(number, auc)`` after each trial (numbers from 0).

    Returns
    -------
    run : OofRun
        The best trial's out-of-fold run.
    n_trials : int
        Number of trials run.
    """
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    started = budget.elapsed
    runs: dict[int, OofRun] = {}

    def objective(trial: optuna.Trial) -> float:
        run = booster_oof({**base, **lgbm_search_space(trial)}, X, y, folds, n_threads=n_threads)
        runs[trial.number] = run
        value = auc(y, run.scores)
        if on_trial:
            on_trial(trial.number, value)
        return value

    study = optuna.create_study(
        direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed, n_startup_trials=4)
    )
    study.enqueue_trial(
        {
            k: base[k]
            for k in (
                "num_leaves",
                "min_child_samples",
                "feature_fraction",
                "bagging_fraction",
                "lambda_l2",
                "min_gain_to_split",
            )
        }
    )
    study.optimize(objective, n_trials=1)
    trial_seconds = max(budget.elapsed - started, 1.0)
    spare = budget.remaining - (reserve_trials + 1) * trial_seconds
    if max_trials > 1 and spare > 0:
        study.optimize(objective, n_trials=max_trials - 1, timeout=spare)
    return runs[study.best_trial.number], len(study.trials)
