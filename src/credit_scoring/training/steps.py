"""One training run on a feature table, as named steps called in order.

The labelled rows, the loan-term columns, the training matrix and its folds, the
candidates, the winner, the reference with the protected attributes, the refit, the
explanations, the scorecard's points, the run's metrics and parameters. The building
blocks are in ``modeling``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from credit_scoring.config import Settings
from credit_scoring.explain.shap_values import global_plots, tree_contributions
from credit_scoring.explain.similar import SimilarityIndex
from credit_scoring.features.metadata import FeatureMeta, feature_set_version
from credit_scoring.modeling import crossval, scorecard, sizing
from credit_scoring.modeling.calibration import CalibrationResult
from credit_scoring.modeling.derived import DerivedColumns
from credit_scoring.modeling.evaluate import CandidateResult, comparison_table, ks_table, plot_all
from credit_scoring.modeling.external_scores import ExternalScoreModel
from credit_scoring.modeling.loan_terms import LoanTermModel
from credit_scoring.modeling.scorer import ChampionScorer
from credit_scoring.modeling.train import (
    MIN_PRESENT,
    Step,
    TrainConfig,
    by_cost,
    candidate_result,
    check_no_protected,
    compare_candidates,
    data_fingerprint,
    fit_champion,
    informative_columns,
    monotone_constraints,
    monotone_params,
)

KEY_COLUMNS = ("SK_ID_CURR", "TARGET")
SIMILARITY_FEATURES = 8
SHAP_SAMPLE = 2_000
REFERENCE_NAME = "lightgbm_with_protected"


@dataclass
class TrainingOutcome:
    """Everything a run produced: the registry logs it, the reports describe it.

    Attributes
    ----------
    results : list of CandidateResult
        Every candidate compared.
    winner : CandidateResult
        The champion's candidate (its ``params`` are those of the refit).
    table : DataFrame
        The comparison table, cheapest first.
    scorer : ChampionScorer
        The refitted champion, with its similar-clients index.
    calibration : CalibrationResult
        The winner's calibration.
    importance : Series
        Global TreeSHAP importance, most important first.
    y, ids : ndarray
        Outcomes and ``SK_ID_CURR`` of the training rows.
    metas : dict of str to FeatureMeta
        Feature metadata, with the loan-term columns' when they were added.
    config : TrainConfig
        The run's configuration.
    out_dir : Path
        The run's report folder.
    data_fingerprint, feature_set_version : str
        What the run was trained on.
    params, metrics : dict
        What MLflow logs (:func:`run_params`, :func:`run_metrics`).
    plots : list of Path
        The comparison and TreeSHAP plots.
    notes : list of str
        What the run left out or skipped, for the reports.
    seconds : float
        Wall-clock duration.
    reference : CandidateResult or None
        The champion's configuration trained with the protected attributes as extra
        inputs, on the same folds: what leaving them out costs (never served).
    ks_tables : dict of str to DataFrame
        The KS table of each candidate.
    scorecard_points : DataFrame or None
        The scorecard's points table fitted on all clients.
    monotone : dict of str to int
        The columns with a monotone constraint and its direction.
    """

    results: list[CandidateResult]
    winner: CandidateResult
    table: pd.DataFrame
    scorer: ChampionScorer
    calibration: CalibrationResult
    importance: pd.Series
    y: np.ndarray
    ids: np.ndarray
    metas: dict[str, FeatureMeta]
    config: TrainConfig
    out_dir: Path
    data_fingerprint: str
    feature_set_version: str
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    plots: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # the champion's configuration trained with the protected attributes as extra inputs, on
    # the same folds: what leaving them out costs (never served)
    reference: CandidateResult | None = None
    ks_tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    scorecard_points: pd.DataFrame | None = None
    monotone: dict[str, int] = field(default_factory=dict)


@dataclass
class TrainingData:
    """The training matrix (informative, non-protected columns), outcomes, ids and folds.

    Attributes
    ----------
    X : DataFrame
        The training matrix.
    y : ndarray
        Outcomes (1 defaulted, 0 repaid).
    ids : ndarray of int64
        ``SK_ID_CURR`` of the rows.
    folds : list of (train_idx, valid_idx)
        The folds shared by every candidate.
    """

    X: pd.DataFrame
    y: np.ndarray
    ids: np.ndarray
    folds: crossval.Folds


def labelled_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows with a TARGET; refuse a table without both classes.

    Parameters
    ----------
    table : DataFrame
        The feature table with ``SK_ID_CURR`` and ``TARGET``.

    Returns
    -------
    DataFrame
        The labelled rows, index reset.

    Raises
    ------
    ValueError
        No labelled rows, or a single class among them.
    """
    labelled = table[table["TARGET"].notna()].reset_index(drop=True)
    if labelled.empty or labelled["TARGET"].nunique() < 2:
        raise ValueError(
            "the feature table has no labelled rows of both classes (TARGET 0 and 1): "
            "training needs application_train with defaulters and repaid clients."
        )
    return labelled


M = TypeVar("M", bound=DerivedColumns)


def add_derived(
    labelled: pd.DataFrame,
    metas: dict[str, FeatureMeta],
    model: M | None,
    notes: list[str],
) -> tuple[pd.DataFrame, dict[str, FeatureMeta], M | None]:
    """A fitted model's derived columns, when the labelled rows know what they derive from.

    Otherwise the table as it is and no model (with a note). The loan-term model needs
    every one of its inputs; the external-score model any one of the scores.

    Parameters
    ----------
    labelled : DataFrame
        The labelled rows.
    metas : dict of str to FeatureMeta
        Feature metadata.
    model : DerivedColumns or None
        A fitted derived-column model, if any.
    notes : list of str
        Appended to when the columns cannot be added.

    Returns
    -------
    labelled : DataFrame
        The rows, with the model's columns when added.
    metas : dict of str to FeatureMeta
        The metadata, with those columns' when added.
    model : DerivedColumns or None
        The model when its columns were added, else None.
    """
    if model is None:
        return labelled, metas, None
    needed = list(model.needed)
    known = informative_columns(labelled[[c for c in needed if c in labelled]])
    if (set(known) >= set(needed)) if model.needs_all else known:
        return model.add_to(labelled), {**metas, **model.metas}, model
    notes.append(
        f"{model.what} not estimated: the table lacks known values of " + ", ".join(needed)
    )
    return labelled, metas, None


def training_data(
    labelled: pd.DataFrame, metas: dict[str, FeatureMeta], config: TrainConfig, notes: list[str]
) -> TrainingData:
    """The informative feature columns (none protected), the outcomes and the folds.

    Parameters
    ----------
    labelled : DataFrame
        The labelled rows (:func:`labelled_rows`).
    metas : dict of str to FeatureMeta
        Feature metadata (groups of protected attributes).
    config : TrainConfig
        Number of folds and the seed.
    notes : list of str
        Appended to when uninformative columns are left out.

    Returns
    -------
    TrainingData
        The matrix without ``SK_ID_CURR``, ``TARGET`` and uninformative columns.

    Raises
    ------
    ValueError
        A column derives from a protected attribute
        (:func:`~credit_scoring.modeling.train.check_no_protected`).
    """
    X = labelled.drop(columns=list(KEY_COLUMNS))
    kept = informative_columns(X)
    if len(kept) < X.shape[1]:
        notes.append(
            f"{X.shape[1] - len(kept)} of {X.shape[1]} features left out: fewer than "
            f"{MIN_PRESENT} known values or a single value among training clients."
        )
        X = X[kept]
    y = labelled["TARGET"].to_numpy(dtype=int)
    ids = labelled["SK_ID_CURR"].to_numpy(dtype=np.int64)
    folds = crossval.make_folds(y, n_splits=config.n_folds, seed=config.seed)
    check_no_protected(list(X.columns), metas)
    return TrainingData(X=X, y=y, ids=ids, folds=folds)


def choose_winner(results: list[CandidateResult]) -> CandidateResult:
    """The LightGBM candidate of lowest business cost (then highest AUC).

    Parameters
    ----------
    results : list of CandidateResult
        Every candidate compared.

    Returns
    -------
    CandidateResult
        The winner; only LightGBM candidates can win (the champion is a booster).

    Raises
    ------
    ValueError
        No LightGBM candidate in ``results``.
    """
    return min((r for r in results if r.family == "lightgbm"), key=by_cost)


def protected_reference(
    data: TrainingData,
    winner: CandidateResult,
    protected: pd.DataFrame | None,
    metas: dict[str, FeatureMeta],
    *,
    settings: Settings,
    config: TrainConfig,
    step: Step,
) -> CandidateResult | None:
    """The winner's configuration with sex and family status as extra inputs, on the same folds.

    Never served: it measures what leaving them out costs.

    Parameters
    ----------
    data : TrainingData
        The training matrix and folds.
    winner : CandidateResult
        The champion's candidate (parameters, imbalance strategy, seeds).
    protected : DataFrame or None
        :func:`~credit_scoring.training.pipeline.protected_inputs`, indexed by SK_ID_CURR.
    metas : dict of str to FeatureMeta
        Feature metadata (monotone constraints).
    settings : Settings
        The business costs.
    config : TrainConfig
        Threads and the seed.
    step : callable
        Called with the name of the step.

    Returns
    -------
    CandidateResult or None
        The reference, named :data:`REFERENCE_NAME`; None without those columns.
    """
    if protected is None or not protected.shape[1]:
        return None
    step("LightGBM with sex and family status as inputs (reference: the cost of leaving them out)")
    extra = protected.reindex(data.ids).reset_index(drop=True)
    extra.columns = [f"PROTECTED_{c}" for c in extra.columns]
    params = {**winner.params, **monotone_params([*data.X.columns, *extra.columns], metas)}
    run = crossval.booster_oof(
        params,
        pd.concat([data.X, extra], axis=1),
        data.y,
        data.folds,
        strategy=winner.imbalance,
        n_threads=config.n_threads,
        seeds=winner.seeds or (config.seed,),
    )
    reference, _ = candidate_result(
        REFERENCE_NAME, "lightgbm", winner.imbalance, run, data.y, data.folds, settings
    )
    return reference


def explain_champion(
    scorer: ChampionScorer, data: TrainingData, plots_dir: Path, config: TrainConfig
) -> tuple[pd.Series, list[Path]]:
    """Global TreeSHAP importance and plots on a sample, and the similar-clients index.

    The index (set on ``scorer.similarity``) uses the :data:`SIMILARITY_FEATURES` most
    important numeric features.

    Parameters
    ----------
    scorer : ChampionScorer
        The refitted champion; its ``similarity`` is replaced.
    data : TrainingData
        The training matrix, ids and outcomes.
    plots_dir : Path
        Folder of the TreeSHAP plots.
    config : TrainConfig
        Threads and the sampling seed.

    Returns
    -------
    importance : Series
        Global importance per feature, most important first.
    plots : list of Path
        The plots written.
    """
    X = data.X
    sample = X.sample(min(SHAP_SAMPLE, len(X)), random_state=config.seed)
    contrib = tree_contributions(scorer.booster, scorer.frame(sample), num_threads=config.n_threads)
    importance, shap_plots = global_plots(contrib, sample, plots_dir)
    numeric_top = [n for n in importance.index if pd.api.types.is_numeric_dtype(X[n])]
    scorer.similarity = SimilarityIndex(features=numeric_top[:SIMILARITY_FEATURES]).fit(
        X, data.ids, data.y
    )
    return importance, shap_plots


def scorecard_points(
    data: TrainingData,
    rows: sizing.RowPlan | None,
    metas: dict[str, FeatureMeta],
    config: TrainConfig,
    step: Step,
) -> pd.DataFrame | None:
    """The scorecard's points table, fitted on all clients or on the subsample it was sized to.

    Parameters
    ----------
    data : TrainingData
        The training matrix and outcomes.
    rows : RowPlan or None
        The scorecard's rows in the comparison; None when it was skipped.
    metas : dict of str to FeatureMeta
        Feature metadata (binning trends, descriptions).
    config : TrainConfig
        The sampling seed.
    step : callable
        Called with the name of the step.

    Returns
    -------
    DataFrame or None
        The points table (:func:`~credit_scoring.modeling.scorecard.points_table`); None
        when the scorecard was skipped. A scorecard fitted on a subsample of each fold is
        fitted here on a stratified subsample of as many clients.
    """
    if rows is None:
        return None
    every = np.arange(len(data.y))
    chosen = (
        sizing.stratified_subsample(every, data.y, rows.rows_used, seed=config.seed)
        if rows.subsampled
        else every
    )
    step(f"Fitting the scorecard's points table on {len(chosen):,} of {len(data.y):,} clients")
    card = scorecard.fit_scorecard(data.X.iloc[chosen], data.y[chosen], metas)
    return scorecard.points_table(card, metas)


def run_metrics(
    results: list[CandidateResult],
    winner: CandidateResult,
    calibration: CalibrationResult,
    reference: CandidateResult | None,
    y: np.ndarray,
) -> dict[str, float]:
    """The winner's out-of-fold metrics, as MLflow logs them.

    Parameters
    ----------
    results : list of CandidateResult
        Every candidate (the logistic-regression baseline's AUC).
    winner : CandidateResult
        The champion's candidate.
    calibration : CalibrationResult
        The winner's calibration (the raw scores' Brier score and ECE).
    reference : CandidateResult or None
        The run with the protected attributes, if any.
    y : ndarray
        Outcomes of the training rows.

    Returns
    -------
    dict of str to float
        The winner's metrics, with the raw calibration, the baseline's AUC (NaN without
        it), the number of clients, the default rate and, with a reference, what leaving
        the protected attributes out costs.
    """
    baseline = next((r for r in results if r.name == "logistic_regression"), None)
    metrics = {
        **winner.metrics,
        "brier_raw": calibration.brier_raw,
        "ece_raw": calibration.ece_raw,
        "baseline_roc_auc": baseline.metrics["roc_auc"] if baseline else float("nan"),
        "n_train": float(len(y)),
        "default_rate": float(y.mean()),
    }
    if reference is not None:
        metrics["protected_roc_auc"] = reference.metrics["roc_auc"]
        metrics["protected_auc_cost"] = reference.metrics["roc_auc"] - winner.metrics["roc_auc"]
    return metrics


def run_params(
    winner: CandidateResult,
    X: pd.DataFrame,
    metas: dict[str, FeatureMeta],
    *,
    settings: Settings,
    config: TrainConfig,
    version: str,
    results: list[CandidateResult] | None = None,
) -> dict[str, Any]:
    """The run's parameters as MLflow logs them (the winner's LightGBM ones prefixed).

    Parameters
    ----------
    winner : CandidateResult
        The champion's candidate, after the refit.
    X : DataFrame
        The training matrix.
    metas : dict of str to FeatureMeta
        Feature metadata (the monotone features counted).
    settings : Settings
        The business costs.
    config : TrainConfig
        The run's configuration.
    version : str
        The feature-set version.
    results : list of CandidateResult, optional
        Every candidate compared: the training rows per fold each fitted on.

    Returns
    -------
    dict
        The configuration, winner, costs and feature counts, the winner's LightGBM
        parameters as ``lgbm_<name>`` (without verbosity, objective, metric and the
        constraint list), and per candidate ``rows_used_<name>`` and
        ``rows_available_<name>`` (training rows per fold it fitted on, and in each fold).
    """
    return {
        "quick": config.quick,
        "folds": config.n_folds,
        "seed": config.seed,
        "budget_minutes": config.budget_minutes,
        "winner": winner.name,
        "imbalance": winner.imbalance,
        "calibration": winner.calibration,
        "cost_fn": settings.cost_fn,
        "cost_fp": settings.cost_fp,
        "n_features": X.shape[1],
        "feature_set_version": version,
        "monotone_features": sum(1 for v in monotone_constraints(list(X.columns), metas) if v),
        **{
            f"lgbm_{k}": v
            for k, v in winner.params.items()
            if k not in ("verbosity", "objective", "metric", "monotone_constraints")
        },
        **{f"rows_used_{r.name}": r.rows_used for r in results or []},
        **{f"rows_available_{r.name}": r.rows_available for r in results or []},
    }


def train_on_table(
    table: pd.DataFrame,
    metas: dict[str, FeatureMeta],
    *,
    settings: Settings,
    config: TrainConfig,
    step: Step = lambda _: None,
    loan_terms: LoanTermModel | None = None,
    external_scores: ExternalScoreModel | None = None,
    protected: pd.DataFrame | None = None,
) -> TrainingOutcome:
    """The whole modelling pipeline on a feature table (rows with a TARGET only).

    ``protected`` (numeric columns indexed by SK_ID_CURR: sex and family status encoded)
    is never an input of the champion; with it, the champion's configuration is also
    trained with those columns added, on the same folds, to measure what leaving them out
    costs (``TrainingOutcome.reference``).

    With a fitted ``loan_terms`` model its columns (estimated term and interest rate of the
    loan) are added to the table and carried by the champion, which adds them when scoring;
    so are those of a fitted ``external_scores`` model (the external scores, missing ones
    estimated).

    Parameters
    ----------
    table : DataFrame
        The feature table with ``SK_ID_CURR`` and ``TARGET``.
    metas : dict of str to FeatureMeta
        Feature metadata.
    settings : Settings
        Costs, model name and the reports folder.
    config : TrainConfig
        How the candidates are compared and refitted.
    step : callable, optional
        Called with the name of each step; by default nothing.
    loan_terms : LoanTermModel, optional
        A fitted loan-term model.
    external_scores : ExternalScoreModel, optional
        A fitted external-score model.
    protected : DataFrame, optional
        Protected attributes for the reference run.

    Returns
    -------
    TrainingOutcome
        Everything the run produced; plots are written under ``out_dir``.

    Raises
    ------
    ValueError
        No labelled rows of both classes, or a feature derives from a protected attribute.
    """
    started = time.perf_counter()
    budget = crossval.Budget(config.budget_minutes)
    labelled = labelled_rows(table)
    notes: list[str] = []
    # the table's columns as db load stores them (before the champion's derived ones)
    version = feature_set_version([c for c in table.columns if c not in KEY_COLUMNS], metas)
    labelled, metas, loan_terms = add_derived(labelled, metas, loan_terms, notes)
    labelled, metas, external_scores = add_derived(labelled, metas, external_scores, notes)
    fingerprint = data_fingerprint(labelled)
    data = training_data(labelled, metas, config, notes)
    del labelled  # nothing below reads it: freed before the comparison when X is a copy
    X, y = data.X, data.y
    results, extras = compare_candidates(
        X,
        y,
        data.folds,
        settings=settings,
        config=config,
        budget=budget,
        step=step,
        notes=notes,
        metas=metas,
    )
    winner = choose_winner(results)
    calibration = extras["calibrations"][winner.name]
    reference = protected_reference(
        data, winner, protected, metas, settings=settings, config=config, step=step
    )
    step(f"Refitting {winner.name} on all {len(y):,} clients")
    scorer = fit_champion(
        X,
        y,
        data.ids,
        winner,
        extras["iterations"][winner.name],
        calibration,
        metas,
        settings=settings,
        config=config,
        version=version,
        loan_terms=loan_terms,
        external_scores=external_scores,
    )

    step("Explaining (TreeSHAP) and indexing similar clients")
    out_dir = settings.reports_dir / "training" / time.strftime("%Y%m%d-%H%M%S")
    plots_dir = out_dir / "plots"
    importance, shap_plots = explain_champion(scorer, data, plots_dir, config)

    points = scorecard_points(data, extras["rows"].get("scorecard"), metas, config, step)
    table_df = comparison_table(results)
    plots = plot_all(
        results, winner, y, plots_dir, cost_fn=settings.cost_fn, cost_fp=settings.cost_fp
    )
    return TrainingOutcome(
        results=results,
        winner=winner,
        table=table_df,
        scorer=scorer,
        calibration=calibration,
        importance=importance,
        y=y,
        ids=data.ids,
        metas=metas,
        config=config,
        out_dir=out_dir,
        data_fingerprint=fingerprint,
        feature_set_version=version,
        params=run_params(
            winner, X, metas, settings=settings, config=config, version=version, results=results
        ),
        metrics=run_metrics(results, winner, calibration, reference, y),
        plots=plots + shap_plots,
        notes=notes,
        seconds=time.perf_counter() - started,
        reference=reference,
        ks_tables={r.name: ks_table(y, r.oof_probability) for r in results},
        scorecard_points=points,
        monotone={
            c: v
            for c, v in zip(X.columns, monotone_constraints(list(X.columns), metas), strict=True)
            if v
        },
    )
