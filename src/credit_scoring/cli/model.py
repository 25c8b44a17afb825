"""``credit-scoring train``, ``score`` and ``model list|promote|rollback``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from credit_scoring.cli.common import console, err_console, progress, user_errors

model_app = typer.Typer(help="Registered models and the champion alias.", no_args_is_help=True)


def _known_errors(exc: Exception) -> None:
    err_console.print(f"[bold red]error:[/] {exc}")
    raise typer.Exit(2) from exc


def train(
    data: Annotated[
        Path, typer.Option(help="Folder with the Kaggle tables (application_train required).")
    ],
    quick: Annotated[
        bool, typer.Option(help="Fixed LightGBM settings, 3 folds, baselines only (< 2 min).")
    ] = False,
    budget_minutes: Annotated[
        float,
        typer.Option(
            min=1,
            help="Time budget of the comparison: the baselines fit on a stratified subsample "
            "sized to their share of it, LightGBM on every row.",
        ),
    ] = 15.0,
    folds: Annotated[
        int | None,
        typer.Option(min=2, max=10, help="Cross-validation folds (default 5, 3 with --quick)."),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option(
            min=1, max=64, help="LightGBM training threads (default: the cores, at most 4)."
        ),
    ] = None,
    bagging_seeds: Annotated[
        int,
        typer.Option(
            min=1,
            max=10,
            help="Full runs: also try the best LightGBM averaged over N seeds (the champion "
            "and its explanations get about N times slower).",
        ),
    ] = 1,
    register: Annotated[bool, typer.Option(help="Log to MLflow and register the model.")] = True,
) -> None:
    """Train, compare and calibrate candidates; register the winner (champion if it passes)."""
    from credit_scoring.config import get_settings
    from credit_scoring.modeling.train import TrainConfig, rows_in_words
    from credit_scoring.training.pipeline import run_training

    settings = get_settings()
    config = TrainConfig(
        quick=quick, budget_minutes=budget_minutes, folds=folds, bagging_seeds=bagging_seeds
    )
    if threads:
        config.n_threads = threads
    with user_errors(), progress() as bar:
        task = bar.add_task("Training", total=None)

        def step(message: str) -> None:
            console.log(message)
            bar.update(task, description=message)

        try:
            run = run_training(data, settings=settings, config=config, step=step, register=register)
        except ValueError as exc:
            _known_errors(exc)
    m = run.outcome.metrics
    console.print(
        run.outcome.table.to_string(index=False, float_format=lambda v: f"{v:.4f}"),
        markup=False,
        soft_wrap=True,
    )
    console.print(
        f"Winner [bold]{run.outcome.winner.name}[/]: OOF ROC AUC {m['roc_auc']:.4f}, ECE {m['ece']:.4f}, "
        f"threshold {m['threshold']:.4f}, cost per applicant {m['cost_per_applicant']:.4f} "
        f"(0.5: {m['cost_at_half']:.4f}, accept all: {m['cost_accept_all']:.4f}); "
        f"{run.outcome.seconds / 60:.1f} min."
    )
    subsampled = rows_in_words(run.outcome.results)
    console.print(
        "Every candidate fitted on every training row of each fold."
        if not subsampled
        else f"Fitted on a stratified subsample (scored out of fold on every client; "
        f"LightGBM on every row): {subsampled}.",
        markup=False,
    )
    console.print(f"Reports: {run.report_dir} (newest copy in {settings.reports_dir / 'model'})")
    if run.registration:
        reg = run.registration
        state = (
            "[green]promoted to champion[/]"
            if reg.promoted
            else "[yellow]not promoted[/]: " + "; ".join(reg.reasons)
        )
        console.print(
            f"Registered {settings.model_name} version {reg.version} (run {reg.run_id}): {state}"
        )


def score(
    data: Annotated[Path, typer.Option(help="Folder in Kaggle layout with application_test.")],
    out: Annotated[Path, typer.Option(help="CSV file to write.")],
    lang: Annotated[str, typer.Option(help="Language of the reasons: fr or en.")] = "fr",
    engine: Annotated[
        str, typer.Option(help="duckdb (one machine) or spark (features and scoring on Spark).")
    ] = "duckdb",
) -> None:
    """Score every row of application_test with the champion, then the credit committee's rules.

    The file's ``decision`` is the one an application gets (grant, refuse or refer), the
    model's is ``model_decision`` and the rules that fired are ``policy_codes``.
    """
    import pandas as pd

    from credit_scoring.config import get_settings
    from credit_scoring.lending.batch import apply_policy
    from credit_scoring.lending.policy import FACT_COLUMNS, Policy
    from credit_scoring.modeling.batch import batch_threads, score_features
    from credit_scoring.registry import ModelNotReadyError, load_champion
    from credit_scoring.training.pipeline import load_features

    if lang not in ("fr", "en"):
        _known_errors(ValueError(f"--lang must be fr or en, not {lang!r}."))
    settings = get_settings()
    policy = Policy.load()
    rows = pd.DataFrame()

    def finish(frame: pd.DataFrame) -> pd.DataFrame:
        return apply_policy(frame, rows, policy, lang=lang)

    with user_errors(), progress() as bar:
        task = bar.add_task("Loading the champion", total=None)
        try:
            scorer = load_champion(settings)
        except ModelNotReadyError as exc:
            _known_errors(exc)
        if engine not in ("duckdb", "spark"):
            _known_errors(ValueError(f"--engine must be duckdb or spark, not {engine!r}."))
        if engine == "spark":
            from credit_scoring.data.loading import prepare
            from credit_scoring.modeling.spark_scoring import score_prepared_on_spark

            prepared = prepare(data, settings.cache_dir)
            prepared.raise_for_errors()
            if prepared.has("application_test"):
                rows = _policy_rows(prepared, FACT_COLUMNS)
            result = score_prepared_on_spark(
                scorer,
                prepared,
                out,
                lang=lang,  # type: ignore[arg-type]
                on_step=lambda m: bar.update(task, description=m),
                finish=finish,
            )
            console.print(
                f"Wrote {result.rows:,} scores to {result.out} on Spark in {result.seconds:.1f} s."
            )
            _print_decisions(result.out, policy.version)
            return
        prepared, table, _ = load_features(
            data, settings, lambda m: bar.update(task, description=m), need="application_test"
        )
        rows = _policy_rows(prepared, FACT_COLUMNS)
        features = table[table["SK_ID_CURR"].isin(rows["SK_ID_CURR"])].reset_index(drop=True)
        scorer.warm_up(batch_threads())  # compiled kernels loaded before the clock starts
        bar.update(
            task, description=f"Scoring {len(features):,} clients", total=len(features), completed=0
        )
        try:
            result = score_features(
                scorer,
                features,
                out,
                lang=lang,  # type: ignore[arg-type]
                on_chunk=lambda n: bar.advance(task, n),
                finish=finish,
            )
        except ValueError as exc:
            _known_errors(exc)
    console.print(
        f"Wrote {result.rows:,} scores to {result.out} with {scorer.model_name} "
        f"v{scorer.model_version} in {result.seconds:.1f} s "
        f"({result.rows_per_second:,.0f} clients/s, reasons and policy included)."
    )
    _print_decisions(result.out, policy.version)


def _policy_rows(prepared: Any, columns: tuple[str, ...]) -> Any:
    """``SK_ID_CURR`` and the columns the policy reads, of every row of application_test."""
    present = set(prepared.columns("application_test"))
    wanted = ["SK_ID_CURR", *(c for c in columns if c in present)]
    return prepared.read("application_test", columns=wanted)


def _print_decisions(out: Path, policy_version: str) -> None:
    import pandas as pd

    written = pd.read_csv(out, usecols=["decision", "model_decision"])
    counts = written["decision"].value_counts()
    changed = int((written["decision"] != written["model_decision"]).sum())
    console.print(
        "Decisions after the committee's rules (policy "
        f"{policy_version}): "
        + ", ".join(f"{counts.get(d, 0):,} {d}" for d in ("grant", "refuse", "refer"))
        + f"; the rules changed the model's proposal for {changed:,}."
    )


@model_app.command("list")
def list_models() -> None:
    """Registered versions with their metrics; the champion is marked."""
    from credit_scoring.config import get_settings
    from credit_scoring.registry import list_versions

    rows = list_versions(get_settings())
    if not rows:
        console.print("No model registered yet: run `credit-scoring train --data DIR`.")
        return
    table = Table(title="credit-default versions")
    for col in ("version", "aliases", "roc_auc", "cost_per_applicant", "ece", "created", "gate"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["version"],
            ", ".join(r["aliases"]),
            r["roc_auc"],
            r["cost_per_applicant"],
            r["ece"],
            r["created"][:19],
            r["gate"][:60],
        )
    console.print(table)


@model_app.command("promote")
def promote_model(
    version: Annotated[str, typer.Argument(help="Version to give the alias.")],
    alias: Annotated[
        str,
        typer.Option(help="'champion' (decides) or 'challenger' (scored in the shadow)."),
    ] = "champion",
    force: Annotated[
        bool,
        typer.Option(help="Make champion a challenger that lost on matured outcomes."),
    ] = False,
    reason: Annotated[
        str | None, typer.Option(help="Why, with --force (recorded on the version).")
    ] = None,
) -> None:
    """Give an alias to a version (a person's decision: no gates, but a lost challenger asks why)."""
    from credit_scoring.config import get_settings
    from credit_scoring.registry import (
        CHALLENGER_ALIAS,
        ModelNotReadyError,
        alias_version,
        promote,
        record_forced_promotion,
    )

    settings = get_settings()
    forced: dict[str, Any] | None = None
    try:
        if alias == settings.model_alias and alias_version(CHALLENGER_ALIAS, settings) == version:
            forced = _refuse_lost_challenger(settings, version, force=force, reason=reason)
        promote(version, settings, alias=alias)
        if forced is not None:
            record_forced_promotion(version, forced, settings)
    except ModelNotReadyError as exc:
        _known_errors(exc)
    if alias == CHALLENGER_ALIAS:
        console.print(
            f"Version {version} is now the challenger: restart the API to score in the shadow."
        )
    else:
        console.print(f"Version {version} is now the champion.")
    if forced is not None:
        console.print(f"Forced over a lost comparison; recorded on version {version}.")


def _refuse_lost_challenger(
    settings: Any, version: str, *, force: bool, reason: str | None
) -> dict[str, Any] | None:
    """Exit 1 when the challenger lost on matured outcomes and the promotion is not forced.

    Returns the record of a forced promotion over a lost comparison, else None.
    """
    import getpass
    from datetime import UTC, datetime

    from credit_scoring.cli.db import db_errors
    from credit_scoring.db.session import engine_for
    from credit_scoring.monitoring.backtest_report import compare_challenger

    with db_errors():
        comparison = compare_challenger(settings, engine_for(settings), version)
    if comparison is None or not comparison["lost"]:
        return None
    auc, cost = comparison["auc"], comparison["cost"]
    facts = (
        f"on {comparison['clients']:,} matured outcomes the challenger's AUC is "
        f"{_fmt(auc['challenger'])} against {_fmt(auc['champion'])} (DeLong p = "
        f"{_fmt(auc['p_value'])}) and its cost per applicant {cost['challenger']:.4f} against "
        f"{cost['champion']:.4f}"
    )
    if not force or not (reason or "").strip():
        err_console.print(
            f"[bold red]refused:[/] version {version} is the challenger and lost: {facts}. "
            'Promote it anyway with --force --reason "why" (the reason is recorded).'
        )
        raise typer.Exit(1)
    return {
        "version": version,
        "by": getpass.getuser(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reason": (reason or "").strip(),
        "comparison": {
            "clients": comparison["clients"],
            "auc": auc,
            "cost": cost,
        },
    }


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


@model_app.command("rollback")
def rollback_model() -> None:
    """Give the champion alias back to the previous champion."""
    from credit_scoring.config import get_settings
    from credit_scoring.registry import ModelNotReadyError, rollback

    try:
        version = rollback(get_settings())
    except ModelNotReadyError as exc:
        _known_errors(exc)
    console.print(f"Rolled back: version {version} is the champion again.")


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("score")(score)
    app.add_typer(model_app, name="model")
