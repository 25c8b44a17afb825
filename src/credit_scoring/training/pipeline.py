"""``credit-scoring train`` end to end: data, features, training, reports, registry."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from credit_scoring import registry
from credit_scoring.config import Settings
from credit_scoring.core import grades as scale
from credit_scoring.data.loading import DataError, PreparedData, prepare
from credit_scoring.features import categories as cats
from credit_scoring.features.metadata import (
    PROTECTED_ATTRIBUTES,
    PROXY_COLUMNS,
    FeatureMeta,
    save_metadata,
)
from credit_scoring.modeling import scorecard
from credit_scoring.modeling.calibration import reliability_curve
from credit_scoring.modeling.evaluate import grade_table, to_markdown
from credit_scoring.modeling.external_scores import ExternalScoreModel
from credit_scoring.modeling.loan_terms import PREVIOUS_COLUMNS, LoanTermModel
from credit_scoring.modeling.train import Step, TrainConfig, check_no_protected, rows_in_words
from credit_scoring.training.fairness import fairness_report, gap_table
from credit_scoring.training.methodology import methodology_markdown, write_methodology
from credit_scoring.training.model_card import LANGS, model_card
from credit_scoring.training.review_pack import write_training_pack
from credit_scoring.training.steps import TrainingOutcome, train_on_table


@dataclass
class TrainingRun:
    """What :func:`run_training` returns.

    Attributes
    ----------
    outcome : TrainingOutcome
        Everything the run produced (:class:`~credit_scoring.training.steps.TrainingOutcome`).
    registration : RegistrationResult or None
        The MLflow run, model version and promotion decision; None when not registered.
    report_dir : Path
        The run's report folder (``<reports_dir>/training/<timestamp>``).
    files : list of Path
        The report files written.
    """

    outcome: TrainingOutcome
    registration: registry.RegistrationResult | None
    report_dir: Path
    files: list[Path]


def load_features(
    data_dir: Path, settings: Settings, step: Step, *, need: str = "application_train"
) -> tuple[PreparedData, pd.DataFrame, dict[str, FeatureMeta]]:
    """Check the folder, then build the feature table with the project's feature definitions.

    The table ``features build`` wrote (``<home>/features/features.parquet``) is read back
    instead when it was built from this folder's files as they are, by the same feature
    code (:mod:`credit_scoring.training.feature_reuse`); ``step`` says which happened.

    Parameters
    ----------
    data_dir : Path
        A folder of Kaggle-layout tables.
    settings : Settings
        The cache folder of prepared tables.
    step : callable
        Called with the name of each step.
    need : str, default="application_train"
        The table the folder must hold.

    Returns
    -------
    prepared : PreparedData
        The checked tables.
    table : DataFrame
        The feature table, one row per client.
    metas : dict of str to FeatureMeta
        The features' metadata.

    Raises
    ------
    DataError
        A table fails its checks, or the folder has no ``need`` table.
    """
    from credit_scoring.features.batch import build_feature_table, feature_metadata

    step(f"Reading and checking tables in {data_dir}")
    prepared = prepare(Path(data_dir), settings.cache_dir)
    prepared.raise_for_errors()
    if not prepared.has(need):
        raise DataError(
            data_dir,
            f"has no {need} table.",
            hint=f"Give a folder in Kaggle layout with {need}.csv(.gz) or .parquet.",
        )
    from credit_scoring.training.feature_reuse import fingerprint_path, reusable_table

    stored = settings.features_dir / "features.parquet"
    table = reusable_table(stored, data_dir)
    if table is not None:
        step(
            f"Reusing the feature table {stored} (same input files and feature code, "
            f"{fingerprint_path(stored).name})"
        )
        return prepared, table, feature_metadata()
    step("Building features (no stored table built from these files by this feature code)")
    return prepared, build_feature_table(prepared), feature_metadata()


def fit_external_scores(
    table: pd.DataFrame, metas: dict[str, FeatureMeta], step: Step, *, n_threads: int = 1
) -> ExternalScoreModel | None:
    """The external-score model learned from every application of the folder, if it can be.

    Labelled and unlabelled applications alike: the scores are the targets, never the
    default outcome.

    Parameters
    ----------
    table : DataFrame
        The feature table of every application.
    metas : dict of str to FeatureMeta
        Its metadata.
    step : callable
        Called with the name of each step, and with the reason when no model is learned.
    n_threads : int, default=1
        LightGBM threads.

    Returns
    -------
    ExternalScoreModel or None
        None when no external score has enough known values.

    Raises
    ------
    ValueError
        If an input of the model derives from a protected attribute.
    """
    step("Learning the external scores from the applications that have them")
    try:
        model = ExternalScoreModel().fit(table, metas, n_threads=n_threads)
    except ValueError as exc:
        step(f"External scores not estimated: {exc}")
        return None
    check_no_protected(model.inputs, metas)
    known = ", ".join(f"{name} from {n:,}" for name, n in model.n_rows.items())
    step(f"Learned the external scores ({known} applications)")
    return model


def fit_loan_terms(
    prepared: PreparedData, step: Step, *, n_threads: int = 1
) -> LoanTermModel | None:
    """The loan-term model learned from the folder's previous applications, if it can be.

    Parameters
    ----------
    prepared : PreparedData
        The checked tables.
    step : callable
        Called with the name of each step, and with the reason when no model is learned.
    n_threads : int, default=1
        LightGBM threads.

    Returns
    -------
    LoanTermModel or None
        None without ``previous_application``, without one of its needed columns, or
        with too few usable contracts.
    """
    if not prepared.has("previous_application"):
        step("No previous applications: loan terms and rates not estimated")
        return None
    names = set(prepared.columns("previous_application"))
    missing = [c for c in PREVIOUS_COLUMNS if c not in names]
    if missing:
        step(f"Loan terms and rates not estimated: previous_application lacks {missing}")
        return None
    try:
        model = LoanTermModel().fit(
            prepared.read("previous_application", list(PREVIOUS_COLUMNS)), n_threads=n_threads
        )
    except ValueError as exc:
        step(f"Loan terms and rates not estimated: {exc}")
        return None
    step(f"Learned loan terms from {model.n_contracts:,} past contracts")
    return model


def protected_inputs(prepared: PreparedData) -> pd.DataFrame | None:
    """Sex, family status and their proxies encoded as numbers, indexed by SK_ID_CURR.

    Only for the reference run that measures what leaving them out of the model costs.

    Parameters
    ----------
    prepared : PreparedData
        The checked tables.

    Returns
    -------
    DataFrame or None
        One 0/1 column per category of a categorical attribute, numeric ones as floats;
        None when ``application_train`` has none of these columns.
    """
    names = set(prepared.columns("application_train"))
    present = [c for c in (*PROTECTED_ATTRIBUTES, *PROXY_COLUMNS) if c in names]
    if not present:
        return None
    app = prepared.read("application_train", columns=["SK_ID_CURR", *present])
    app = app.drop_duplicates("SK_ID_CURR").set_index("SK_ID_CURR")
    columns: dict[str, pd.Series] = {}
    for col in present:
        if col in cats.APPLICATION:
            for value in cats.APPLICATION[col]:
                name = re.sub(r"[^0-9A-Za-z]+", "_", value).strip("_").upper()
                columns[f"{col}_{name}"] = (app[col] == value).astype(float)
        else:
            columns[col] = pd.to_numeric(app[col], errors="coerce").astype(float)
    return pd.DataFrame(columns, index=app.index)


def data_summary(prepared: PreparedData) -> str:
    """The input folder in markdown, for the methodology note.

    Parameters
    ----------
    prepared : PreparedData
        The checked tables.

    Returns
    -------
    str
        The folder and a table of rows, columns, clients and missing share per table.
    """
    rows = pd.DataFrame(
        [
            {
                "table": s.name,
                "rows": s.rows,
                "columns": s.columns,
                "clients": s.clients if s.clients is not None else "",
                "missing share": round(s.missing_share, 3),
            }
            for s in prepared.summaries
        ]
    )
    return f"Folder `{prepared.source_dir}`.\n\n{to_markdown(rows)}"


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return list(json.loads(table.to_json(orient="records")))


def protected_summary(
    outcome: TrainingOutcome, app: pd.DataFrame, fairness: dict[str, pd.DataFrame]
) -> dict[str, Any] | None:
    """AUC and cost with and without the protected attributes, and both models' fairness.

    Parameters
    ----------
    outcome : TrainingOutcome
        The run, with its protected reference.
    app : DataFrame
        Application rows aligned with ``outcome.y`` (``CODE_GENDER``, ``DAYS_BIRTH``).
    fairness : dict of str to DataFrame
        The champion's fairness tables.

    Returns
    -------
    dict or None
        ``auc_with``, ``auc_without``, ``cost_with``, ``cost_without`` and the fairness
        tables of both models (each at its own threshold, on the same folds):
        ``fairness_before`` (with) and ``fairness_after`` (without). None when the run
        has no reference.
    """
    ref = outcome.reference
    if ref is None:
        return None
    return {
        "auc_with": ref.metrics["roc_auc"],
        "auc_without": outcome.winner.metrics["roc_auc"],
        "cost_with": ref.metrics["cost_per_applicant"],
        "cost_without": outcome.winner.metrics["cost_per_applicant"],
        "fairness_before": fairness_report(
            outcome.y, ref.oof_probability, ref.metrics["threshold"], app
        ),
        "fairness_after": fairness,
    }


def build_report(
    outcome: TrainingOutcome,
    fairness: dict[str, pd.DataFrame],
    card: str,
    settings: Settings,
    *,
    grades: pd.DataFrame | None = None,
    protected: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What ``registry.champion_report`` serves to the API's ``/model`` route.

    Parameters
    ----------
    outcome : TrainingOutcome
        The run.
    fairness : dict of str to DataFrame
        The champion's fairness tables.
    card : str
        The model card in markdown.
    settings : Settings
        The business costs.
    grades : DataFrame, optional
        The grade table.
    protected : dict, optional
        :func:`protected_summary`.

    Returns
    -------
    dict
        JSON-ready: threshold, metrics, costs, comparison, model card, fairness, winner,
        versions, top features, reliability curve, grades, points scale, KS tables,
        protected-attribute costs and the scorecard's points.
    """
    m = outcome.metrics
    return {
        "threshold": m["threshold"],
        "metrics": {
            k: m[k]
            for k in (
                "roc_auc",
                "gini",
                "ks",
                "pr_auc",
                "accuracy",
                "precision",
                "recall",
                "f_beta",
                "brier",
                "ece",
                "baseline_roc_auc",
                "n_train",
                "default_rate",
            )
        },
        "costs": {
            "cost_fn": settings.cost_fn,
            "cost_fp": settings.cost_fp,
            "per_applicant": m["cost_per_applicant"],
            "at_half": m["cost_at_half"],
            "accept_all": m["cost_accept_all"],
            "saving_vs_accept_all": m["saving_vs_accept_all"],
        },
        "comparison": json.loads(outcome.table.to_json(orient="records")),
        "model_card": card,
        "fairness": {k: json.loads(v.to_json(orient="records")) for k, v in fairness.items()},
        "winner": outcome.winner.name,
        "feature_set_version": outcome.feature_set_version,
        "data_fingerprint": outcome.data_fingerprint,
        "top_features": {k: float(v) for k, v in outcome.importance.head(20).items()},
        "calibration": _reliability(outcome),
        "grades": _records(grades) if grades is not None else [],
        "points_scale": {
            "base_points": scale.BASE_POINTS,
            "base_odds": scale.BASE_ODDS,
            "pdo": scale.PDO,
            "description": scale.scale_description(),
        },
        "ks_tables": {name: _records(t) for name, t in outcome.ks_tables.items()},
        "protected": (
            {
                **{
                    k: protected[k]
                    for k in ("auc_with", "auc_without", "cost_with", "cost_without")
                },
                "gaps": _records(
                    gap_table(protected["fairness_before"], protected["fairness_after"])
                ),
            }
            if protected
            else {}
        ),
        "scorecard_points": (
            scorecard.points_records(outcome.scorecard_points)
            if outcome.scorecard_points is not None
            else []
        ),
    }


def _reliability(outcome: TrainingOutcome) -> dict[str, list[float]]:
    """The champion's out-of-fold reliability curve (quantile bins), for the Model page."""
    predicted, observed, count = reliability_curve(
        outcome.y, outcome.winner.oof_probability, n_bins=10, strategy="quantile"
    )
    return {
        "predicted": [float(v) for v in predicted],
        "observed": [float(v) for v in observed],
        "count": [float(v) for v in count],
    }


def write_reports(
    outcome: TrainingOutcome,
    prepared: PreparedData,
    settings: Settings,
) -> tuple[list[Path], dict[str, Any]]:
    """Comparison table, fairness, model card and methodology note under the run's folder.

    The folder is then copied to ``<reports_dir>/model`` (replacing it), the stable
    place of the newest reports.

    Parameters
    ----------
    outcome : TrainingOutcome
        The run.
    prepared : PreparedData
        The checked tables (applications for the fairness tables, the data summary).
    settings : Settings
        Costs, model name and the reports folder.

    Returns
    -------
    files : list of Path
        The files written in ``outcome.out_dir``.
    report : dict
        :func:`build_report`, for the registry.
    """
    out = outcome.out_dir
    out.mkdir(parents=True, exist_ok=True)
    app = prepared.read(
        "application_train",
        columns=[
            c
            for c in ("SK_ID_CURR", "CODE_GENDER", "DAYS_BIRTH")
            if c in prepared.columns("application_train")
        ],
    )
    app = app.drop_duplicates("SK_ID_CURR").set_index("SK_ID_CURR").reindex(outcome.ids)
    fairness = fairness_report(
        outcome.y, outcome.winner.oof_probability, outcome.metrics["threshold"], app
    )
    protected = protected_summary(outcome, app, fairness)
    grades = grade_table(outcome.y, outcome.winner.oof_probability)
    cards = {
        lang: model_card(
            lang=lang,
            model_name=settings.model_name,
            winner=outcome.winner.name,
            metrics=outcome.metrics,
            params=outcome.params,
            fairness=fairness,
            n_features=len(outcome.scorer.feature_names),
            fingerprint=outcome.data_fingerprint,
            cost_fn=settings.cost_fn,
            cost_fp=settings.cost_fp,
            grades=grades,
            ks=outcome.ks_tables.get(outcome.winner.name),
            protected=protected,
            monotone=len(outcome.monotone),
        )
        for lang in LANGS
    }
    card = cards["en"]
    files = [
        out / "comparison.csv",
        out / "comparison.md",
        out / "model_card.md",
        out / "features.json",
        out / "data_fingerprint.json",
    ]
    outcome.table.to_csv(files[0], index=False)
    files[1].write_text(to_markdown(outcome.table) + "\n", encoding="utf-8")
    files[2].write_text(card, encoding="utf-8")
    files.append(out / "model_card.fr.md")
    files[-1].write_text(cards["fr"], encoding="utf-8")
    save_metadata(
        {n: outcome.metas[n] for n in outcome.scorer.model_columns if n in outcome.metas}, files[3]
    )
    files[4].write_text(
        json.dumps(
            {
                "fingerprint": outcome.data_fingerprint,
                "source": str(prepared.source_dir),
                "tables": {s.name: s.rows for s in prepared.summaries},
            },
            indent=1,
        )
    )
    for name, table in fairness.items():
        path = out / f"fairness_{name}.csv"
        table.to_csv(path, index=False)
        files.append(path)
    grades.to_csv(out / "grades.csv", index=False)
    files.append(out / "grades.csv")
    ks_path = out / "ks_tables.csv"
    pd.concat(
        [t.assign(candidate=name) for name, t in outcome.ks_tables.items()], ignore_index=True
    ).to_csv(ks_path, index=False)
    files.append(ks_path)
    if protected:
        path = out / "protected_gaps.csv"
        gap_table(protected["fairness_before"], protected["fairness_after"]).to_csv(
            path, index=False
        )
        files.append(path)
    if outcome.scorecard_points is not None:
        files.append(out / "scorecard_points.csv")
        outcome.scorecard_points.to_csv(files[-1], index=False)
        files.append(out / "scorecard_points.json")
        files[-1].write_text(
            json.dumps(
                {
                    "scale": scale.scale_description(),
                    "base_points": scale.BASE_POINTS,
                    "base_odds": scale.BASE_ODDS,
                    "pdo": scale.PDO,
                    "points": scorecard.points_records(outcome.scorecard_points),
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    for lang in LANGS:
        note = methodology_markdown(
            outcome,
            fairness=fairness,
            data_summary=data_summary(prepared),
            settings=settings,
            grades=grades,
            protected=protected,
            lang=lang,
        )
        files.extend(write_methodology(note, out, lang))
    report = build_report(outcome, fairness, card, settings, grades=grades, protected=protected)
    report["model_cards"] = cards
    # before the copy below replaces <reports>/model: the previous version's report is there
    files.extend(
        write_training_pack(report, out, settings.reports_dir, model_name=settings.model_name)
    )
    latest = settings.reports_dir / "model"  # stable place for the newest reports
    shutil.rmtree(latest, ignore_errors=True)
    shutil.copytree(out, latest)
    return files, report


def run_training(
    data_dir: Path,
    *,
    settings: Settings,
    config: TrainConfig,
    step: Step = lambda _: None,
    register: bool = True,
) -> TrainingRun:
    """Train on a data folder: ``credit-scoring train`` end to end.

    Checks the folder and builds the features, learns the loan terms, runs the training
    steps (:func:`~credit_scoring.training.steps.train_on_table`), writes the reports,
    then logs the run to MLflow and registers the model, which the registry promotes to
    champion if it passes the gates.

    Parameters
    ----------
    data_dir : Path
        A folder of Kaggle-layout tables with ``application_train``.
    settings : Settings
        Home, cache and reports folders, MLflow, costs and the model's name.
    config : TrainConfig
        How the candidates are compared and refitted.
    step : callable, optional
        Called with the name of each step (progress display); by default nothing.
    register : bool, default=True
        Log and register the model; False writes the reports only.

    Returns
    -------
    TrainingRun
        The outcome, the registration (None when not registered), the report folder and
        the files written.

    Raises
    ------
    DataError
        A table fails its checks, or the folder has no ``application_train``.
    ValueError
        The table has no labelled rows of both classes, or a feature derives from a
        protected attribute.
    """
    prepared, table, metas = load_features(data_dir, settings, step)
    loan_terms = fit_loan_terms(prepared, step, n_threads=config.n_threads)
    external_scores = fit_external_scores(table, metas, step, n_threads=config.n_threads)
    outcome = train_on_table(
        table,
        metas,
        settings=settings,
        config=config,
        step=step,
        loan_terms=loan_terms,
        external_scores=external_scores,
        protected=protected_inputs(prepared),
    )
    step("Writing the comparison table, model card and methodology note")
    files, report = write_reports(outcome, prepared, settings)
    registration = None
    if register:
        step("Logging the run to MLflow and registering the model")
        registration = registry.log_and_register(
            scorer=outcome.scorer,
            params=outcome.params,
            metrics=outcome.metrics,
            artifacts=[*files, *outcome.plots],
            report=report,
            settings=settings,
            tags={
                "data_fingerprint": outcome.data_fingerprint,
                "winner": outcome.winner.name,
                "mode": "quick" if config.quick else "full",
                "subsampled": rows_in_words(outcome.results) or "none",
            },
        )
    return TrainingRun(
        outcome=outcome, registration=registration, report_dir=outcome.out_dir, files=files
    )
