"""Shared helpers for CLI commands: console, progress bars, turning known errors into exits."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from credit_scoring.data.loading import DataError, PreparedData, locate_tables, prepare

console = Console()
err_console = Console(stderr=True)


def progress() -> Progress:
    """A progress display for long work (transient lines are kept so logs show what ran)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    )


def read_tables(data: Path, cache_dir: Path, *, drop_orphans: bool = False) -> PreparedData:
    """Convert and check every table of a folder, one progress step per table."""
    tables = locate_tables(data)
    with progress() as bar:
        task = bar.add_task("Reading and checking tables", total=len(tables))
        return prepare(
            data,
            cache_dir,
            drop_orphans=drop_orphans,
            on_table=lambda name: bar.update(task, advance=1, description=f"Reading {name}"),
        )


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Print a known, actionable error in one line and exit 2 instead of a traceback."""
    try:
        yield
    except DataError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from exc
