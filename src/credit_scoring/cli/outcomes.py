"""``credit-scoring outcomes load FILE``: the matured outcomes of granted loans, from a bank file."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from credit_scoring.cli.common import console, err_console
from credit_scoring.cli.db import db_errors
from credit_scoring.config import get_settings

outcomes_app = typer.Typer(
    help="Outcomes: which granted loans defaulted (for the back-test).", no_args_is_help=True
)


@outcomes_app.command("load")
def load(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV or parquet: application_id or SK_ID_CURR, defaulted (0/1), "
            "observed_on (YYYY-MM-DD)."
        ),
    ],
    user: Annotated[str | None, typer.Option(help="Who loads it (default: the OS user).")] = None,
) -> None:
    """Check every row, then append the outcomes in one transaction: all of them or none."""
    from credit_scoring.db.session import engine_for
    from credit_scoring.lending.outcomes import OutcomesError, load_outcomes_file

    try:
        with db_errors():
            report = load_outcomes_file(
                engine_for(get_settings()), file, username=user or getpass.getuser()
            )
    except OutcomesError as exc:
        err_console.print(f"[bold red]error:[/] {exc.message('en')}")
        raise typer.Exit(2) from exc
    console.print(
        f"{report.source}: {report.rows:,} row(s); {report.appended:,} outcome(s) appended, "
        f"{report.already_known:,} already known (unchanged)."
    )


def register(app: typer.Typer) -> None:
    app.add_typer(outcomes_app, name="outcomes")
