"""``credit-scoring drift`` and ``credit-scoring monitor``: drift reports and scheduled checks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from credit_scoring.cli.common import console, err_console, progress, user_errors
from credit_scoring.config import get_settings

monitor_app = typer.Typer(
    help="Scheduled checks on served scores; exit 1 when a threshold is crossed (for alerting).",
    invoke_without_command=True,
)

SinceOpt = Annotated[
    datetime | None, typer.Option(help="Start of the period (UTC), e.g. 2026-11-01.")
]
UntilOpt = Annotated[datetime | None, typer.Option(help="End of the period (UTC); default now.")]
DaysOpt = Annotated[
    int | None, typer.Option(help="Length of the period in days, ending at --until.")
]


def _print_summary(summary: dict[str, Any], html: Path) -> None:
    colour = {"ok": "green", "watch": "yellow", "action": "red"}[summary["verdict"]]
    console.print(f"[bold {colour}]{summary['verdict'].upper()}[/] {summary['message']}")
    for kind, share in summary["by_kind"].items():
        console.print(
            f"  {kind}: {share['drifted']}/{share['columns']} columns drifted ({share['share']:.0%})"
        )
    if summary["top_drifted"]:
        table = Table(title="Most important drifted columns")
        for col in ("column", "kind", "method", "score", "threshold", "importance"):
            table.add_column(col)
        for c in summary["top_drifted"]:
            table.add_row(
                c["column"],
                c["kind"],
                c["method"],
                f"{c['score']:.3f}",
                f"{c['threshold']:.2f}",
                "" if c["importance"] is None else f"{c['importance']:.1%}",
            )
        console.print(table)
    console.print(f"Report: {html} (summary: {html.with_suffix('.json')})")


def drift(
    reference: Annotated[
        str | None,
        typer.Option(
            help="Training side: Kaggle folder (its application_train), .parquet/.csv file or db:TABLE."
        ),
    ] = None,
    current: Annotated[
        str | None,
        typer.Option(
            help="New clients: Kaggle folder (its application_test), .parquet/.csv file or db:TABLE."
        ),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            help="Folder used for both sides when --reference/--current are omitted (default <home>/data)."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="HTML report (JSON summary beside it); default <home>/reports/drift/drift-<time>.html."
        ),
    ] = None,
    sample: Annotated[
        int | None, typer.Option(help="Rows per side (default from the settings).")
    ] = None,
    production: Annotated[
        bool,
        typer.Option(
            "--production",
            help="Compare the clients and scores the API served over a period with training.",
        ),
    ] = False,
    since: SinceOpt = None,
    until: UntilOpt = None,
    days: DaysOpt = None,
) -> None:
    """Evidently drift report: raw columns, the model's top features, weighted by importance."""
    settings = get_settings()
    with user_errors(), progress() as bar:
        task = bar.add_task("Starting", total=6)

        def step(label: str) -> None:
            bar.update(task, advance=1, description=label)

        try:
            if production:
                from credit_scoring.monitoring.production import period, production_drift

                start, end = period(days or settings.monitor_window_days, since, until)
                summary = production_drift(
                    settings, start, end, out=out, sample=sample, on_step=step
                )
            else:
                from credit_scoring.monitoring.drift import build_drift_report

                folder = data or settings.data_dir
                summary = build_drift_report(
                    reference or str(folder),
                    current or str(folder),
                    settings=settings,
                    out=out,
                    sample=sample,
                    on_step=step,
                )
        except ValueError as exc:
            err_console.print(f"[bold red]error:[/] {exc}")
            raise typer.Exit(2) from exc
        bar.update(task, completed=6, description="Done")
    _print_summary(summary, out or settings.reports_dir / "drift" / summary["html"])


@monitor_app.callback()
def monitor(
    ctx: typer.Context, since: SinceOpt = None, until: UntilOpt = None, days: DaysOpt = None
) -> None:
    """Score PSI and top-feature CSI vs training, approval rate per segment, share of overrides."""
    if ctx.invoked_subcommand is not None:
        return
    from credit_scoring.monitoring.checks import run_checks
    from credit_scoring.monitoring.production import period

    settings = get_settings()
    try:
        start, end = period(days or settings.monitor_window_days, since, until)
        checks = run_checks(settings, start, end)
    except ValueError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    except Exception as exc:  # the database is the usual culprit: say where we looked
        if type(exc).__module__.startswith("sqlalchemy"):
            err_console.print(
                f"[bold red]error:[/] cannot read the score log from "
                f"{settings.resolved_database_url.split('@')[-1]}: {str(exc).splitlines()[0]}. "
                "Check CREDIT_SCORING_DATABASE_URL and run `credit-scoring db upgrade`."
            )
            raise typer.Exit(2) from exc
        raise
    table = Table(title=f"Checks {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC")
    for col in ("check", "status", "value", "threshold", "detail"):
        table.add_column(col, overflow="fold")
    colours = {"ok": "green", "alert": "bold red", "skipped": "yellow"}
    for c in checks:
        table.add_row(
            c.name,
            f"[{colours[c.status]}]{c.status}[/]",
            "" if c.value is None else f"{c.value:.3f}",
            f"{c.threshold:.3f}",
            c.detail,
        )
    console.print(table)
    alerts = [c.name for c in checks if c.status == "alert"]
    if alerts:
        err_console.print(f"[bold red]ALERT:[/] threshold crossed: {', '.join(alerts)}")
        raise typer.Exit(1)


@monitor_app.command("baseline")
def baseline(
    data: Annotated[
        Path, typer.Option(help="Kaggle folder whose application_train the champion scores.")
    ],
) -> None:
    """Save the champion's scores on the training applications (reference of the score PSI)."""
    from credit_scoring.monitoring.production import write_training_scores

    settings = get_settings()
    with user_errors(), progress() as bar:
        task = bar.add_task("Scoring the training applications with the champion", total=1)
        try:
            path = write_training_scores(settings, data)
        except Exception as exc:
            if type(exc).__name__ != "ModelNotReadyError":
                raise
            err_console.print(f"[bold red]error:[/] {exc}")
            raise typer.Exit(2) from exc
        bar.update(task, advance=1)
    console.print(f"Training scores saved to {path}")


def register(app: typer.Typer) -> None:
    app.command("drift")(drift)
    app.add_typer(monitor_app, name="monitor")
