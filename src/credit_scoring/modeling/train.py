"""Training's building blocks, from the candidates' comparison to the winner's refit.

Compare candidates on the same folds, treat imbalance, calibrate, pick the cost-minimising
threshold, refit the winner. ``training.steps`` calls them in order for a run;
``training.pipeline`` reports the run and registers its winner.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from credit_scoring.config import Settings
from credit_scoring.explain.reasons import population_quantiles
from credit_scoring.features.metadata import EXCLUDED_COLUMNS, FeatureMeta
from credit_scoring.modeling import crossval, imbalance, scorecard, sizing
from credit_scoring.modeling import external_scores as ext
from credit_scoring.modeling import loan_terms as terms
from credit_scoring.modeling.calibration import CalibrationResult, choose_calibration
from credit_scoring.modeling.candidates import (
    LGBM_BASE,
    LGBM_QUICK,
    SEED,
    fit_booster,
    sklearn_candidates,
)
from credit_scoring.modeling.evaluate import CandidateResult, compute_metrics
from credit_scoring.modeling.external_scores import ExternalScoreModel
from credit_scoring.modeling.loan_terms import LoanTermModel
from credit_scoring.modeling.scorer import ChampionScorer

MIN_PRESENT = 50  # a feature known for fewer training clients cannot be learnt: left out
# LightGBM's "basic" method: the one that guarantees monotone predictions. The "intermediate"
# and "advanced" methods constrain less, but a model trained with "intermediate" on the real
# sample raised the probability of some clients when their income rose (LightGBM issues
# #5358 and #6155 report the same violations), which the behavioural test forbids.
MONOTONE_METHOD = "basic"
Step = Callable[[str], None]


def default_threads() -> int:
    """LightGBM threads for training: the machine's cores, at most 4.

    Beyond 4 the histograms of 40k clients gain little. The API predicts with one thread
    regardless.

    Returns
    -------
    int
        Between 1 and 4.
    """
    return max(1, min(os.cpu_count() or 1, 4))


@dataclass
class TrainConfig:
    """How a training run compares and refits its candidates.

    Attributes
    ----------
    quick : bool, default=False
        ``--quick``: fewer folds, faster LightGBM settings, no grid or Optuna search,
        no KNN or random forest, one seed.
    budget_minutes : float, default=15.0
        Wall-clock budget of the comparison (:class:`~credit_scoring.modeling.crossval.Budget`).
    folds : int, optional
        Number of folds; by default 5, or 3 with ``quick`` (:attr:`n_folds`).
    seed : int, default=SEED
        Seed of the folds, the search, the resampling and the boosters.
    n_threads : int, default=default_threads()
        LightGBM threads.
    max_trials : int, default=10
        Most Optuna trials (full runs).
    bagging_seeds : int, default=1
        Full runs with N > 1: the best LightGBM also as an average of N seeds. Off by
        default: on the real sample 3 seeds gained 0.0003 of AUC but made the champion 3
        times larger, and one client's exact contributions (TreeSHAP) 3 times slower (over
        the 10 ms target).
    """

    quick: bool = False
    budget_minutes: float = 15.0
    folds: int | None = None  # default: 5, or 3 with ``quick``
    seed: int = SEED
    n_threads: int = field(default_factory=default_threads)
    max_trials: int = 10
    # full runs with N > 1: the best LightGBM also as an average of N seeds. Off by default:
    # on the real sample 3 seeds gained 0.0003 of AUC but made the champion 3 times larger,
    # and one client's exact contributions (TreeSHAP) 3 times slower (over the 10 ms target)
    bagging_seeds: int = 1

    @property
    def seeds(self) -> tuple[int, ...]:
        """Seeds of the bagged LightGBM (none in quick runs)."""
        n = 1 if self.quick else max(self.bagging_seeds, 1)
        return tuple(self.seed + 1000 * i for i in range(n))

    @property
    def n_folds(self) -> int:
        """Number of folds: :attr:`folds`, or 5 (3 with ``quick``) when unset."""
        return self.folds or (3 if self.quick else 5)


def monotone_constraints(columns: list[str], metas: dict[str, FeatureMeta]) -> list[int]:
    """LightGBM's ``monotone_constraints``: the declared direction of each column, 0 unknown.

    Parameters
    ----------
    columns : list of str
        The training matrix's columns, in order.
    metas : dict of str to FeatureMeta
        Feature metadata with the declared directions.

    Returns
    -------
    list of int
        Per column: 1 (raises the risk), -1 (lowers it) or 0 (unknown or undeclared).
    """
    return [metas[c].monotone if c in metas else 0 for c in columns]


def check_no_protected(columns: list[str], metas: dict[str, FeatureMeta]) -> None:
    """Refuse a table whose features name or derive from a protected attribute.

    A column is refused when it is in ``EXCLUDED_COLUMNS``, its metadata group is, or its
    name starts with one of them followed by ``_`` (a one-hot column).

    Parameters
    ----------
    columns : list of str
        The training matrix's columns.
    metas : dict of str to FeatureMeta
        Feature metadata (groups).

    Raises
    ------
    ValueError
        Some columns derive from a protected attribute or its proxy (up to five named).
    """
    bad = [
        c
        for c in columns
        if c in EXCLUDED_COLUMNS
        or (c in metas and metas[c].group in EXCLUDED_COLUMNS)
        or any(c.startswith(f"{p}_") for p in EXCLUDED_COLUMNS)
    ]
    if bad:
        raise ValueError(
            f"{len(bad)} feature(s) derive from a protected attribute or its proxy "
            f"({', '.join(bad[:5])}): remove them from the feature definitions "
            "(features/metadata.py, EXCLUDED_COLUMNS)."
        )


def data_fingerprint(table: pd.DataFrame) -> str:
    """A short hash of a table's columns and values, recorded with the run.

    Parameters
    ----------
    table : DataFrame
        The labelled training table.

    Returns
    -------
    str
        The first 16 hex digits of the SHA-256 of the column names and the pandas hash of
        the rows (index ignored).
    """
    digest = hashlib.sha256(",".join(map(str, table.columns)).encode())
    digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def informative_columns(X: pd.DataFrame) -> list[str]:
    """Columns with at least ``MIN_PRESENT`` known values and two distinct values.

    Parameters
    ----------
    X : DataFrame
        A feature table.

    Returns
    -------
    list of str
        The informative columns, in table order.
    """
    present = X.notna().sum()
    distinct = X.nunique(dropna=True)
    return [c for c in X.columns if present[c] >= MIN_PRESENT and distinct[c] >= 2]


def candidate_result(
    name: str,
    family: str,
    strategy: str,
    run: crossval.OofRun,
    y: np.ndarray,
    folds: crossval.Folds,
    settings: Settings,
    rows: sizing.RowPlan | None = None,
) -> tuple[CandidateResult, CalibrationResult]:
    """Calibrate a candidate's out-of-fold run and compute its metrics.

    Parameters
    ----------
    name : str
        The candidate's name.
    family : str
        ``"sklearn"``, ``"scorecard"`` or ``"lightgbm"``; only LightGBM keeps its seeds.
    strategy : str
        The imbalance strategy it ran with.
    run : OofRun
        Its out-of-fold scores and timings.
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid).
    folds : list of (train_idx, valid_idx)
        The folds the run used (calibration out of fold on the same ones).
    settings : Settings
        The business costs ``cost_fn`` and ``cost_fp``.
    rows : RowPlan, optional
        The training rows per fold it was fitted on; by default every row of each fold.

    Returns
    -------
    result : CandidateResult
        The comparison row, metrics at the cost-minimising threshold.
    calibration : CalibrationResult
        The calibration kept.
    """
    calibration = choose_calibration(run.scores, y, folds)
    rows = rows or sizing.all_rows(folds)
    result = CandidateResult(
        name=name,
        family=family,
        imbalance=strategy,
        params=run.params,
        oof_raw=run.scores,
        oof_probability=calibration.oof_probability,
        calibration=calibration.method,
        fit_seconds=run.fit_seconds,
        predict_ms_per_1000=run.predict_ms_per_1000,
        seeds=run.seeds if family == "lightgbm" else (),
        rows_used=rows.rows_used,
        rows_available=rows.rows_available,
    )
    result.metrics = compute_metrics(
        y, result.oof_probability, cost_fn=settings.cost_fn, cost_fp=settings.cost_fp
    )
    return result, calibration


def by_cost(result: CandidateResult) -> tuple[float, float]:
    """Order of preference: lowest business cost, then highest AUC.

    Parameters
    ----------
    result : CandidateResult
        A candidate with its metrics.

    Returns
    -------
    tuple of float
        A sort key: ``(cost_per_applicant, -roc_auc)``.
    """
    return result.metrics["cost_per_applicant"], -result.metrics["roc_auc"]


def monotone_params(columns: list[str], metas: dict[str, FeatureMeta]) -> dict[str, Any]:
    """LightGBM parameters of the declared monotone directions, with :data:`MONOTONE_METHOD`.

    Parameters
    ----------
    columns : list of str
        The training matrix's columns, in order.
    metas : dict of str to FeatureMeta
        Feature metadata with the declared directions.

    Returns
    -------
    dict
        ``monotone_constraints`` and ``monotone_constraints_method``; empty when no
        column has a declared direction.
    """
    constraints = monotone_constraints(columns, metas)
    if not any(constraints):
        return {}
    return {"monotone_constraints": constraints, "monotone_constraints_method": MONOTONE_METHOD}


def plan_candidate(
    run: Callable[[crossval.Folds], Any],
    y: np.ndarray,
    folds: crossval.Folds,
    *,
    columns: int,
    seconds: float | None,
    seed: int,
) -> sizing.RowPlan | None:
    """The training rows per fold a candidate fits on (:func:`sizing.plan_rows`).

    Parameters
    ----------
    run : callable
        ``run(folds)`` cross-validates the candidate on the folds given.
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid), the strata of the pilots.
    folds : list of (train_idx, valid_idx)
        The folds shared by every candidate; the pilots use the first one's training part,
        subsampled, and its whole validation part.
    columns : int
        Columns of the training matrix (the memory bound).
    seconds : float or None
        What is left of the candidate's share of the budget; None: every row.
    seed : int
        Seed of the pilots' subsamples.

    Returns
    -------
    RowPlan or None
        The rows per fold; None when the candidate must be skipped.
    """
    if seconds is None:
        return sizing.all_rows(folds)
    train, valid = folds[0]

    def time_fold(n: int) -> None:
        run([(sizing.stratified_subsample(train, y, n, seed=seed), valid)])

    return sizing.plan_rows(
        time_fold,
        available=sizing.available_rows(folds),
        n_folds=len(folds),
        seconds=seconds,
        max_rows=sizing.memory_rows(columns),
    )


def rows_in_words(results: list[CandidateResult]) -> str:
    """Which candidates fitted on a subsample, and how many rows, in one sentence.

    Parameters
    ----------
    results : list of CandidateResult
        The candidates compared.

    Returns
    -------
    str
        E.g. ``"knn on 20,000 of 245,004 training rows per fold"``, the candidates joined
        by ``"; "``; empty when every candidate fitted on every row.

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> rows_in_words([R(name="knn", rows_used=20_000, rows_available=245_004),
    ...                R(name="lightgbm_none", rows_used=245_004, rows_available=245_004)])
    'knn on 20,000 of 245,004 training rows per fold'
    """
    return "; ".join(
        f"{r.name} on {r.rows_used:,} of {r.rows_available:,} training rows per fold"
        for r in results
        if r.rows_used < r.rows_available
    )


def compare_candidates(
    X: pd.DataFrame,
    y: np.ndarray,
    folds: crossval.Folds,
    *,
    settings: Settings,
    config: TrainConfig,
    budget: crossval.Budget,
    step: Step,
    notes: list[str],
    metas: dict[str, FeatureMeta] | None = None,
) -> tuple[list[CandidateResult], dict[str, Any]]:
    """Every candidate's calibrated out-of-fold results; LightGBM runs keep their calibration.

    In order: the scikit-learn baselines, the scorecard, LightGBM (fixed parameters with
    ``quick``, else an Optuna search), LightGBM with each imbalance strategy (always run,
    even past the budget, with a note), and with ``bagging_seeds`` > 1 the best LightGBM
    averaged over several seeds.

    A baseline or the scorecard with a share of the budget may take that share of the time
    left when it starts: on a large table it fits on a stratified subsample of each fold's
    training part sized to it (:func:`plan_candidate`), and predicts the whole validation
    part. It is skipped, with a note, only when not even :data:`sizing.MIN_ROWS` rows fit.
    LightGBM always fits on every row.

    Parameters
    ----------
    X : DataFrame
        The training matrix.
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid).
    folds : list of (train_idx, valid_idx)
        The folds shared by every candidate.
    settings : Settings
        The business costs.
    config : TrainConfig
        The run's configuration.
    budget : Budget
        The run's wall-clock budget.
    step : callable
        Called with the name of each step (progress display).
    notes : list of str
        Appended to: subsampled and skipped candidates, the number of trials, budget
        overruns.
    metas : dict of str to FeatureMeta, optional
        The declared monotone directions (LightGBM constraints, the scorecard's binning
        trends); without it nothing is constrained.

    Returns
    -------
    results : list of CandidateResult
        Every candidate, in the order run, with the rows it fitted on.
    extras : dict
        ``"calibrations"`` and ``"iterations"``: per LightGBM candidate name, its
        :class:`~credit_scoring.modeling.calibration.CalibrationResult` and its rounds
        per fold, for the refit; ``"rows"``: per candidate run, its
        :class:`~credit_scoring.modeling.sizing.RowPlan`.
    """
    metas = metas or {}
    results: list[CandidateResult] = []
    extras: dict[str, Any] = {"calibrations": {}, "iterations": {}, "rows": {}}

    def record(
        name: str,
        family: str,
        strategy: str,
        run: crossval.OofRun,
        rows: sizing.RowPlan | None = None,
    ) -> None:
        """Keep a candidate's calibrated results.

        A LightGBM one also keeps its calibrator and its rounds per fold for the refit.
        """
        result, calibration = candidate_result(
            name, family, strategy, run, y, folds, settings, rows
        )
        results.append(result)
        extras["rows"][name] = rows or sizing.all_rows(folds)
        if family == "lightgbm":
            extras["calibrations"][name] = calibration
            extras["iterations"][name] = run.best_iterations

    def run_sized(
        name: str,
        family: str,
        run: Callable[[crossval.Folds], crossval.OofRun],
        allowed: float | None,
        started: float,
    ) -> None:
        """Cross-validate a candidate on the rows its share allows, or note why it cannot.

        ``allowed`` is its share of the budget in seconds from ``started`` (None: every row).
        """
        seconds = None if allowed is None else allowed - (time.perf_counter() - started)
        rows = plan_candidate(run, y, folds, columns=X.shape[1], seconds=seconds, seed=config.seed)
        if rows is None:
            notes.append(
                f"{name} skipped: its share of the time budget ({allowed:.0f} s) does not "
                f"fit {sizing.MIN_ROWS:,} training rows per fold."
            )
            return
        if rows.subsampled:
            bound = "its share of the time budget" if rows.limit == "time" else "memory"
            step(
                f"{name} on a stratified subsample: {rows.rows_used:,} of "
                f"{rows.rows_available:,} training rows per fold (bounded by {bound})"
            )
            notes.append(
                f"{name} fitted on a stratified subsample of {rows.rows_used:,} of the "
                f"{rows.rows_available:,} training rows of each fold (bounded by {bound}); "
                "scored out of fold on every client."
            )
        record(
            name, family, "none", run(sizing.capped_folds(folds, y, rows, seed=config.seed)), rows
        )

    for candidate in sklearn_candidates():
        if config.quick and not candidate.quick:
            continue
        started = time.perf_counter()
        share = candidate.budget_share
        allowed = None if share is None else share * budget.remaining
        if (
            allowed is not None
            and allowed <= 0
            and not sizing.is_small(sizing.available_rows(folds))
        ):
            notes.append(f"{candidate.name} skipped: the time budget is spent.")
            continue
        step(f"Baseline {candidate.name}")
        params = {} if config.quick else crossval.grid_search(candidate, X, y, strategy="none")

        def sklearn_run(
            fold_list: crossval.Folds,
            candidate: Any = candidate,
            params: dict[str, Any] = params,
        ) -> crossval.OofRun:
            return crossval.sklearn_oof(candidate, X, y, fold_list, params=params)

        run_sized(candidate.name, "sklearn", sklearn_run, allowed, started)

    def scorecard_run(fold_list: crossval.Folds) -> crossval.OofRun:
        card = scorecard.scorecard_oof(X, y, fold_list, metas)
        return crossval.OofRun(card.scores, {}, card.fit_seconds, card.predict_ms_per_1000)

    step("WoE/IV scorecard (optbinning binning, logistic regression, points)")
    run_sized(
        "scorecard",
        "scorecard",
        scorecard_run,
        scorecard.BUDGET_SHARE * budget.remaining,
        time.perf_counter(),
    )

    base = {
        **(LGBM_QUICK if config.quick else LGBM_BASE),
        **monotone_params(list(X.columns), metas),
    }
    if config.quick:
        step("LightGBM (quick: fixed parameters)")
        best = crossval.booster_oof(base, X, y, folds, n_threads=config.n_threads)
    else:
        step(f"LightGBM search (Optuna, up to {config.max_trials} trials; first: the defaults)")
        # the first trial measures the cost of one; keep room for the imbalance runs, the
        # bagged run (one trial per seed) and the refit
        reserve = 2.5 + (len(config.seeds) if len(config.seeds) > 1 else 0)
        best, trials = crossval.tune_booster(
            base,
            X,
            y,
            folds,
            budget=budget,
            reserve_trials=reserve,
            max_trials=config.max_trials,
            n_threads=config.n_threads,
            seed=config.seed,
            on_trial=lambda number, auc: step(f"LightGBM trial {number + 1}: AUC {auc:.4f}"),
        )
        notes.append(f"LightGBM search: {trials} Optuna trials.")

    for strategy in imbalance.STRATEGIES:
        if strategy == "none":
            run = best
        else:
            if budget.remaining <= 0:
                notes.append(
                    f"LightGBM with {strategy} ran after the time budget was spent "
                    "(the imbalance comparison is always made)."
                )
            step(f"LightGBM with {imbalance.describe(strategy)}")
            run = crossval.booster_oof(
                best.params, X, y, folds, strategy=strategy, n_threads=config.n_threads
            )
        record(f"lightgbm_{strategy}", "lightgbm", strategy, run)
    if len(config.seeds) > 1:
        # averaging boosters trained on other row and column samples lowers the variance
        lead = min((r for r in results if r.family == "lightgbm"), key=by_cost)
        step(
            f"LightGBM with {imbalance.describe(lead.imbalance)}, averaged over "
            f"{len(config.seeds)} seeds"
        )
        run = crossval.booster_oof(
            lead.params,
            X,
            y,
            folds,
            strategy=lead.imbalance,
            n_threads=config.n_threads,
            seeds=config.seeds,
        )
        record(f"{lead.name}_{len(config.seeds)}seeds", "lightgbm", lead.imbalance, run)
    return results, extras


def fit_champion(
    X: pd.DataFrame,
    y: np.ndarray,
    ids: np.ndarray,
    winner: CandidateResult,
    iterations: list[int],
    calibration: CalibrationResult,
    metas: dict[str, FeatureMeta],
    *,
    settings: Settings,
    config: TrainConfig,
    version: str,
    loan_terms: LoanTermModel | None = None,
    external_scores: ExternalScoreModel | None = None,
) -> ChampionScorer:
    """Refit the winner on every training row (rounds chosen on the folds, scaled up).

    The refit trains 1.1 times the mean of the rounds kept on the folds (at least 10): a
    fold trains on (k-1)/k of the rows. ``winner.params`` is replaced by the parameters of
    the refit (with ``num_boost_round`` and ``averaged_seeds``).

    Parameters
    ----------
    X : DataFrame
        The training matrix (with the derived columns of the models given).
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid).
    ids : ndarray
        ``SK_ID_CURR`` of the rows (not used by the refit itself).
    winner : CandidateResult
        The LightGBM candidate chosen; its imbalance strategy and seeds are reused.
    iterations : list of int
        Its rounds per fold.
    calibration : CalibrationResult
        Its calibration; the calibrator is served.
    metas : dict of str to FeatureMeta
        Feature metadata the champion explains with.
    settings : Settings
        The model's registered name.
    config : TrainConfig
        Threads and the seed.
    version : str
        The feature-set version the champion records.
    loan_terms : LoanTermModel, optional
        Carried by the champion, which adds its columns when scoring.
    external_scores : ExternalScoreModel, optional
        Likewise: the external scores, missing ones estimated.

    Returns
    -------
    ChampionScorer
        The champion, without a similar-clients index yet.
    """
    # a fold trains on (k-1)/k of the rows: the refit on all of them affords a few more rounds
    rounds = max(int(np.mean(iterations) * 1.1), 10)
    X_fit, y_fit = imbalance.resample(X, y, winner.imbalance, seed=config.seed)
    params = {**winner.params, **imbalance.booster_params(winner.imbalance, y_fit)}
    booster = fit_booster(
        params,
        X_fit,
        y_fit,
        n_threads=config.n_threads,
        rounds=rounds,
        seeds=winner.seeds or (config.seed,),
    )
    winner.params = {
        **params,
        "num_boost_round": rounds,
        "averaged_seeds": ",".join(map(str, winner.seeds or (config.seed,))),
    }
    categories = {
        c: list(X[c].cat.categories)
        for c in X.columns
        if isinstance(X[c].dtype, pd.CategoricalDtype)
    }
    derived = [
        c
        for c in X.columns
        if (loan_terms and c in terms.NAMES) or (external_scores and c in ext.NAMES)
    ]
    return ChampionScorer(
        booster=booster,
        calibrator=calibration.calibrator,
        threshold=winner.metrics["threshold"],
        feature_names=[c for c in X.columns if c not in derived],
        loan_terms=loan_terms,
        external_scores=external_scores,
        derived=derived,
        metas=metas,
        quantiles=population_quantiles(X),
        categories=categories,
        similarity=None,
        model_name=settings.model_name,
        feature_set_version=version,
    )
