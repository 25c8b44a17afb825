"""``credit-scoring audit verify``: walk the audit tables' hash chains, exit 1 on a break."""

from __future__ import annotations

from typing import Annotated

import typer

from credit_scoring.cli.common import console, err_console
from credit_scoring.cli.db import db_app, db_errors
from credit_scoring.config import get_settings

audit_app = typer.Typer(
    help="Audit log: integrity of the append-only tables.", no_args_is_help=True
)


@audit_app.command("verify")
def verify(
    table: Annotated[
        list[str] | None, typer.Option(help="Only this audit table (repeat for several).")
    ] = None,
) -> None:
    """Recompute every record's hash in order; print counts and the first break of each chain."""
    from credit_scoring.db import audit_chain
    from credit_scoring.db.append_only import AUDIT_TABLES
    from credit_scoring.db.session import engine_for

    names = table or list(AUDIT_TABLES)
    unknown = sorted(set(names) - set(AUDIT_TABLES))
    if unknown:
        raise typer.BadParameter(
            f"unknown audit table(s) {', '.join(unknown)}; choose from {', '.join(AUDIT_TABLES)}",
            param_hint="--table",
        )
    with db_errors():
        reports = audit_chain.verify(engine_for(get_settings()), names)
    broken = False
    for report in reports:
        if report.ok:
            console.print(f"{report.table}: {report.records:,} records, chain intact")
        else:
            broken = True
            err_console.print(
                f"[bold red]{report.table}[/]: {report.records:,} records, "
                f"BROKEN: {report.first_break}"
            )
    if broken:
        err_console.print(
            "The audit log was altered outside the application. Keep this database as "
            "evidence, compare with the last verified backup (docs/operations.md)."
        )
        raise typer.Exit(1)


@db_app.command("grant-api")
def grant_api(
    user: Annotated[str, typer.Option(help="The API's database user (created beforehand).")],
    host: Annotated[str, typer.Option(help="MariaDB: the user's host part.")] = "%",
) -> None:
    """Give the API's user SELECT, and only INSERT on the audit tables (run as the owner)."""
    from sqlalchemy import text

    from credit_scoring.db.append_only import grant_statements
    from credit_scoring.db.session import engine_for

    if not user.replace("_", "").isalnum():
        raise typer.BadParameter("letters, digits and _ only", param_hint="--user")
    engine = engine_for(get_settings())
    dialect = engine.dialect.name
    if dialect == "sqlite":
        console.print("SQLite has no database users: nothing to grant.")
        return
    quoted = f"'{user}'@'{host}'" if dialect in ("mysql", "mariadb") else user
    with db_errors(), engine.begin() as conn:
        for sql in grant_statements(dialect, quoted, database=engine.url.database):
            conn.execute(text(sql))
    console.print(f"User {user} may read, and only append to the audit tables.")


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
