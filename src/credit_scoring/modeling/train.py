"""Training's building blocks: compare candidates on the same folds, treat imbalance,
calibrate, pick the cost-minimising threshold, refit the winner. ``training.steps`` calls
them in order for a run; ``training.pipeline`` reports the run and registers its winner."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from credit_scoring.config import Settings
from credit_scoring.explain.reasons import population_quantiles
from credit_scoring.features.metadata import EXCLUDED_COLUMNS, FeatureMeta
from credit_scoring.modeling import crossval, imbalance, scorecard
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
    """LightGBM threads for training: the machine's cores, at most 4 (beyond that the
    histograms of 40k clients gain little). The API predicts with one thread regardless."""
    return max(1, min(os.cpu_count() or 1, 4))


@dataclass
class TrainConfig:
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
        return self.folds or (3 if self.quick else 5)


def monotone_constraints(columns: list[str], metas: dict[str, FeatureMeta]) -> list[int]:
    """LightGBM's ``monotone_constraints``: the declared direction of each column, 0 unknown."""
    return [metas[c].monotone if c in metas else 0 for c in columns]


def check_no_protected(columns: list[str], metas: dict[str, FeatureMeta]) -> None:
    """Refuse a table whose features name or derive from a protected attribute."""
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
    digest = hashlib.sha256(",".join(map(str, table.columns)).encode())
    digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def informative_columns(X: pd.DataFrame) -> list[str]:
    """Columns with at least ``MIN_PRESENT`` known values and two distinct values."""
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
) -> tuple[CandidateResult, CalibrationResult]:
    calibration = choose_calibration(run.scores, y, folds)
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
    )
    result.metrics = compute_metrics(
        y, result.oof_probability, cost_fn=settings.cost_fn, cost_fp=settings.cost_fp
    )
    return result, calibration


def by_cost(result: CandidateResult) -> tuple[float, float]:
    """Order of preference: lowest business cost, then highest AUC."""
    return result.metrics["cost_per_applicant"], -result.metrics["roc_auc"]


def monotone_params(columns: list[str], metas: dict[str, FeatureMeta]) -> dict[str, Any]:
    constraints = monotone_constraints(columns, metas)
    if not any(constraints):
        return {}
    return {"monotone_constraints": constraints, "monotone_constraints_method": MONOTONE_METHOD}


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

    ``metas`` gives the declared monotone directions (LightGBM constraints, the scorecard's
    binning trends); without it nothing is constrained."""
    metas = metas or {}
    results: list[CandidateResult] = []
    extras: dict[str, Any] = {"calibrations": {}, "iterations": {}}

    def record(name: str, family: str, strategy: str, run: crossval.OofRun) -> None:
        """Keep a candidate's calibrated results; a LightGBM one keeps its calibrator and
        its rounds per fold for the refit."""
        result, calibration = candidate_result(name, family, strategy, run, y, folds, settings)
        results.append(result)
        if family == "lightgbm":
            extras["calibrations"][name] = calibration
            extras["iterations"][name] = run.best_iterations

    for candidate in sklearn_candidates():
        if config.quick and not candidate.quick:
            continue
        if budget.remaining < 0.6 * budget.seconds and candidate.name in ("knn", "random_forest"):
            notes.append(f"{candidate.name} skipped: less than 60% of the time budget left.")
            continue
        step(f"Baseline {candidate.name}")
        params = {} if config.quick else crossval.grid_search(candidate, X, y, strategy="none")
        record(
            candidate.name,
            "sklearn",
            "none",
            crossval.sklearn_oof(candidate, X, y, folds, params=params),
        )

    step("WoE/IV scorecard (optbinning binning, logistic regression, points)")
    card = scorecard.scorecard_oof(X, y, folds, metas)
    record(
        "scorecard",
        "scorecard",
        "none",
        crossval.OofRun(card.scores, {}, card.fit_seconds, card.predict_ms_per_1000),
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
) -> ChampionScorer:
    """Refit the winner on every training row (rounds chosen on the folds, scaled up)."""
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
    derived = [c for c in X.columns if c in terms.NAMES] if loan_terms else []
    return ChampionScorer(
        booster=booster,
        calibrator=calibration.calibrator,
        threshold=winner.metrics["threshold"],
        feature_names=[c for c in X.columns if c not in derived],
        loan_terms=loan_terms,
        derived=derived,
        metas=metas,
        quantiles=population_quantiles(X),
        categories=categories,
        similarity=None,
        model_name=settings.model_name,
        feature_set_version=version,
    )
