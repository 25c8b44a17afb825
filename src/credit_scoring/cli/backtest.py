"""``credit-scoring backtest``: the served scores against matured outcomes; exit 1 on an alert."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from credit_scoring.cli.common import console, err_console
from credit_scoring.cli.db import db_errors
from credit_scoring.config import get_settings

LIGHTS = {"green": "[green]green[/]", "yellow": "[yellow]yellow[/]", "red": "[bold red]red[/]"}


def _pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}%}"


def _num(value: float | None, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _print(report: dict[str, Any]) -> None:
    console.print(
        f"Back-test: {report['clients']:,} clients with a matured outcome, "
        f"{report['defaults']:,} defaults; model version(s) "
        f"{', '.join(report['model_versions']) or '—'}"
    )
    figures = Table(title="Discrimination and calibration (95% bootstrap intervals)")
    for col in ("figure", "value", "low", "high"):
        figures.add_column(col)
    for name in ("auc", "gini", "ks", "brier", "ece"):
        interval = report["intervals"][name]
        figures.add_row(
            name.upper(), _num(report[name]), _num(interval["low"]), _num(interval["high"])
        )
    console.print(figures)
    dev = report["development"]
    if dev.get("development_auc") is not None:
        console.print(
            f"AUC {_num(dev['auc'])} against {_num(dev['development_auc'])} at development: "
            f"z = {_num(dev['z'], 2)}, one-sided p that it fell = {_num(dev['p_value'], 4)}"
        )
    grades = Table(title="Grades: mean PD against the observed default rate (Jeffreys test)")
    for col in ("grade", "clients", "defaults", "PD", "observed", "Jeffreys p", "light"):
        grades.add_column(col)
    for row in [*report["grades"], report["portfolio"]]:
        if row is None:
            continue
        grades.add_row(
            row["grade"],
            f"{row['clients']:,}",
            f"{row['defaults']:,}",
            _pct(row["pd"], 2),
            _pct(row["observed"], 2),
            _num(row["jeffreys_p"], 4),
            LIGHTS[row["light"]],
        )
    console.print(grades)
    console.print(f"Grade concentration (Herfindahl index): {_num(report['herfindahl'], 3)}")
    if report["vintages"]:
        vintages = Table(title="By vintage (month of decision)")
        for col in ("vintage", "clients", "defaults", "PD", "observed", "Gini", "light"):
            vintages.add_column(col)
        for row in report["vintages"]:
            vintages.add_row(
                row["vintage"],
                f"{row['clients']:,}",
                f"{row['defaults']:,}",
                _pct(row["pd"], 2),
                _pct(row["observed"], 2),
                _num(row["gini"], 3),
                LIGHTS[row["light"]],
            )
        console.print(vintages)
        s = report["stability"]
        console.print(
            f"Gini stability over {s['months']} month(s): mean {_num(s['mean_gini'], 3)}, "
            f"slope {_num(s['slope'], 4)} a month, residual spread {_num(s['residual_std'], 4)}, "
            f"score {_num(s['score'], 3)}"
        )
    overrides = Table(title="Decisions against the model's advice, and how they turned out")
    for col in ("kind", "decisions", "outcomes", "defaults", "default rate"):
        overrides.add_column(col)
    for row in report["overrides"]:
        overrides.add_row(
            row["kind"].replace("_", " "),
            f"{row['decisions']:,}",
            f"{row['outcomes']:,}",
            f"{row['defaults']:,}",
            _pct(row["default_rate"]),
        )
    console.print(overrides)
    if report.get("challenger"):
        _print_challenger(report["challenger"])


def _print_challenger(c: dict[str, Any]) -> None:
    """Champion against challenger on the same applications (the ``challenger`` section)."""
    auc = c["auc"]
    table = Table(
        title=f"Champion ({', '.join(c['champion_versions'])}) against challenger "
        f"{c['challenger_version']}: {c['clients']:,} applications, {c['defaults']:,} defaults"
    )
    for col in ("model", "AUC", "threshold", "cost per applicant", "green", "yellow", "red"):
        table.add_column(col)
    for who in ("champion", "challenger"):
        lights = c["lights"][who]
        table.add_row(
            who,
            _num(auc[who]),
            _num(c["threshold"][who], 3),
            _num(c["cost"][who], 4),
            str(lights["green"]),
            str(lights["yellow"]),
            str(lights["red"]),
        )
    console.print(table)
    verdict = "lost" if c["lost"] else "won" if c["won"] else "no better, no worse"
    console.print(
        f"DeLong's paired test: AUC difference {_num(auc['difference'])} (challenger - "
        f"champion), z = {_num(auc['z'], 2)}, p = {_num(auc['p_value'], 4)}; the challenger "
        f"{verdict}."
    )


def backtest(
    model_version: Annotated[
        str | None, typer.Option(help="Only this model version's scores (default: all).")
    ] = None,
    since: Annotated[
        datetime | None, typer.Option(help="Scores made from this time (UTC).")
    ] = None,
    until: Annotated[datetime | None, typer.Option(help="Scores made before this time.")] = None,
    development_auc: Annotated[
        float | None,
        typer.Option(help="The AUC at development (default: the registry's for the version)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the figures as one JSON object.")
    ] = False,
) -> None:
    """Served scores against matured outcomes, by grade and vintage; exit 1 on an alert."""
    from credit_scoring.db.session import engine_for
    from credit_scoring.monitoring.backtest_report import run_backtest

    settings = get_settings()
    with db_errors():
        report = run_backtest(
            settings,
            engine_for(settings),
            model_version=model_version,
            start=since,
            end=until,
            development=development_auc,
        )
    if report["clients"] == 0:
        err_console.print(
            "No scored application has a matured outcome yet: load outcomes with "
            "`credit-scoring outcomes load FILE` (or `db load` a Kaggle train folder)."
        )
        raise typer.Exit(2)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
    else:
        _print(report)
    if report["alerts"]:
        for alert in report["alerts"]:
            err_console.print(f"[bold red]ALERT:[/] {alert}")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("backtest")(backtest)
