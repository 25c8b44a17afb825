"""``credit-scoring data ...``: check a Kaggle-layout folder, or generate a synthetic one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from credit_scoring.cli.common import console, err_console, progress, read_tables, user_errors
from credit_scoring.config import get_settings
from credit_scoring.data.synth import DEFAULT_TEST_SHARE, generate

data_app = typer.Typer(
    help="Check, convert and generate tables in Kaggle layout.", no_args_is_help=True
)


@data_app.command("check")
def check(
    data: Annotated[
        Path, typer.Argument(help="Folder with the Kaggle tables (.csv, .csv.gz or .parquet).")
    ],
    drop_orphans: Annotated[
        bool,
        typer.Option(help="Drop history rows whose client or credit is absent, with a warning."),
    ] = False,
) -> None:
    """Load, validate and summarise a folder; exit 2 when a problem needs fixing."""
    settings = get_settings()
    with user_errors():
        prepared = read_tables(data, settings.cache_dir, drop_orphans=drop_orphans)
    table = Table(title=f"Tables in {data}")
    for col in ("table", "rows", "columns", "clients", "missing", "target rate"):
        table.add_column(col, justify="left" if col == "table" else "right")
    for s in prepared.summaries:
        table.add_row(
            s.name,
            f"{s.rows:,}",
            str(s.columns),
            "" if s.clients is None else f"{s.clients:,}",
            f"{s.missing_share:.1%}",
            "" if s.target_rate is None else f"{s.target_rate:.2%}",
        )
    console.print(table)
    absent = [
        t
        for t in (
            "bureau",
            "bureau_balance",
            "previous_application",
            "POS_CASH_balance",
            "installments_payments",
            "credit_card_balance",
        )
        if t not in prepared.parquet
    ]
    if absent:
        console.print(
            f"History tables absent (allowed; their features will be missing): {', '.join(absent)}"
        )
    for finding in prepared.warnings:
        err_console.print(f"[yellow]warning:[/] {finding.file}: {finding.message}")
    for finding in prepared.errors:
        column = f", column {finding.column}" if finding.column else ""
        err_console.print(f"[bold red]error:[/] {finding.file}{column}: {finding.message}")
    if prepared.errors:
        raise typer.Exit(2)
    console.print("[green]All checks passed.[/]")


@data_app.command("synth")
def synth(
    out: Annotated[
        Path, typer.Option(help="Folder to write the eight tables to (created if needed).")
    ],
    clients: Annotated[int, typer.Option(min=1, help="Clients (train + test).")] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same bytes.")] = 0,
    fmt: Annotated[str, typer.Option("--format", help="csv, csv.gz or parquet.")] = "csv",
    test_share: Annotated[
        float,
        typer.Option(
            help="Share of clients in application_test.",
            show_default="0.137, Kaggle's 48,744 of 356,255",
        ),
    ] = DEFAULT_TEST_SHARE,
) -> None:
    """Generate synthetic Home Credit tables in Kaggle layout (Kaggle size: --clients 356255)."""
    with user_errors(), progress() as bar:
        paths = generate(
            out, clients=clients, seed=seed, fmt=fmt, test_share=test_share, progress=bar
        )
    table = Table(title=f"Synthetic tables in {out}")
    table.add_column("table")
    table.add_column("file")
    table.add_column("size", justify="right")
    for name, path in paths.items():
        table.add_row(name, path.name, f"{path.stat().st_size / 1e6:,.1f} MB")
    console.print(table)
    console.print(f"Check them with: credit-scoring data check {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
