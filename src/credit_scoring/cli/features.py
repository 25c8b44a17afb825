"""``credit-scoring features ...``: build the feature table from a Kaggle-layout folder."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from credit_scoring.cli.common import console, err_console, progress, read_tables, user_errors
from credit_scoring.config import get_settings

features_app = typer.Typer(help="Build the model's feature table.", no_args_is_help=True)


@features_app.command("build")
def build(
    data: Annotated[
        Path, typer.Option(help="Folder with the Kaggle tables (.csv, .csv.gz or .parquet).")
    ],
    engine: Annotated[
        str, typer.Option(help="Where the features are computed: duckdb or spark.")
    ] = "duckdb",
    out: Annotated[
        Path | None,
        typer.Option(help="Parquet file to write (default <home>/features/features.parquet)."),
    ] = None,
    drop_orphans: Annotated[
        bool, typer.Option(help="Drop history rows whose client or credit is absent.")
    ] = False,
) -> None:
    """Compute every feature for every application; write parquet plus features.meta.json beside it."""
    from credit_scoring.features.batch import build_feature_table, feature_metadata, step_count
    from credit_scoring.features.engines import ENGINES
    from credit_scoring.features.metadata import save_metadata

    if engine not in ENGINES:
        err_console.print(
            f"[bold red]error:[/] unknown engine {engine!r}: use one of {', '.join(ENGINES)}."
        )
        raise typer.Exit(2)
    settings = get_settings()
    target = out or settings.features_dir / "features.parquet"
    started = time.perf_counter()
    with user_errors():
        prepared = read_tables(data, settings.cache_dir, drop_orphans=drop_orphans)
        prepared.raise_for_errors()
        with progress() as bar:
            task = bar.add_task("Building features", total=step_count())
            first = [True]

            def step(label: str) -> None:
                bar.update(task, advance=0 if first[0] else 1, description=label)
                first[0] = False

            table = build_feature_table(prepared, engine=engine, on_step=step)
            bar.update(task, completed=step_count(), description="Features built")
    from credit_scoring.training.feature_reuse import forget, write_fingerprint

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".partial")
    # row groups of 10,000 clients: `db load` streams the table a row group at a time
    table.to_parquet(tmp, index=False, row_group_size=10_000)
    forget(target)
    tmp.replace(target)
    write_fingerprint(target, data, drop_orphans=drop_orphans)  # train/score reuse the table
    meta_path = target.with_name("features.meta.json")
    save_metadata(feature_metadata(), meta_path)
    elapsed = time.perf_counter() - started
    n_features = table.shape[1] - 2
    console.print(
        f"[green]{len(table):,} rows[/] x {n_features} features in {elapsed:.1f} s "
        f"({engine}) -> {target}"
    )
    console.print(f"Metadata: {meta_path}")
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
        if not prepared.has(t)
    ]
    if absent:
        console.print(f"Absent history tables (their features are missing): {', '.join(absent)}")


def register(app: typer.Typer) -> None:
    app.add_typer(features_app, name="features")
