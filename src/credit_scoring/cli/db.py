"""``credit-scoring db upgrade|load|score|summarize``, ``users add``, ``demo-users`` and ``serve``."""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import TaskID

from credit_scoring.cli.common import console, err_console, progress, user_errors
from credit_scoring.config import get_settings
from credit_scoring.core.roles import ROLES

if TYPE_CHECKING:
    import pandas as pd

    from credit_scoring.modeling.scorer import ChampionScorer

db_app = typer.Typer(help="Operational database: migrations and loading.", no_args_is_help=True)
users_app = typer.Typer(help="API users and roles.", no_args_is_help=True)


@contextlib.contextmanager
def db_errors() -> Iterator[None]:
    """A database that cannot be reached or refuses a statement: one clear line, exit 2."""
    from sqlalchemy.exc import SQLAlchemyError

    from credit_scoring.db.session import redact, scrub

    try:
        yield
    except SQLAlchemyError as exc:
        url = redact(get_settings().resolved_database_url)
        first = scrub(str(exc).strip().splitlines()[0][:300])
        err_console.print(
            f"[bold red]error:[/] database {url}: {first}\nNothing was changed. Check "
            "that the server runs and CREDIT_SCORING_DATABASE_URL, then run again."
        )
        raise typer.Exit(2) from exc


def _engine():  # type: ignore[no-untyped-def]
    from credit_scoring.db.session import engine_for

    return engine_for(get_settings())


@db_app.command("upgrade")
def upgrade(revision: Annotated[str, typer.Option(help="Target revision")] = "head") -> None:
    """Create or migrate the database schema (Alembic migrations shipped in the package)."""
    from credit_scoring.db import migrate
    from credit_scoring.db.session import redact

    with db_errors():
        migrate.upgrade(_engine(), revision)
    console.print(
        f"Database {redact(get_settings().resolved_database_url)} is at revision {revision}."
    )


@db_app.command("load")
def load(
    data: Annotated[Path, typer.Option("--data", help="Folder with the Kaggle tables.")],
    features: Annotated[
        Path | None,
        typer.Option(
            help="Feature table (parquet) built from the same folder; default: build it now."
        ),
    ] = None,
    drop_orphans: Annotated[bool, typer.Option(help="Drop history rows without a parent.")] = False,
    score: Annotated[
        bool,
        typer.Option(
            help="Score every client with the champion, if one exists (for filters by score band)."
        ),
    ] = True,
    batch_size: Annotated[
        int, typer.Option(min=100, help="Clients per batch (one transaction each).")
    ] = 10_000,
    rewrite: Annotated[
        bool,
        typer.Option(help="Write every batch again, even those already loaded with the same rows."),
    ] = False,
) -> None:
    """Load clients, loans, monthly history and feature vectors by batches of clients, one
    transaction each: idempotent, and resumable (run again after a stop, it continues with
    the first batch not loaded)."""
    from credit_scoring.data.loading import prepare
    from credit_scoring.db import migrate
    from credit_scoring.db.load import load_prepared

    settings = get_settings()
    with user_errors(), db_errors():
        engine = _engine()
        migrate.upgrade(engine)
        with progress() as bar:
            task = bar.add_task("Reading and checking tables", total=None)
            prepared = prepare(
                data,
                settings.cache_dir,
                drop_orphans=drop_orphans,
                on_table=lambda n: bar.update(task, description=f"Reading {n}"),
            )
            prepared.raise_for_errors()
            table: Path | pd.DataFrame
            if features is not None:
                table = features  # read a row group at a time by the load
            else:
                from credit_scoring.features.batch import build_feature_table

                bar.update(task, description="Building features")
                table = build_feature_table(prepared)
            bar.update(task, total=1, completed=1)
            steps: dict[str, TaskID] = {}
            labels = {
                "staging": "Sorting the tables by client",
                "batches": f"Loading batches of {batch_size:,} clients",
            }

            def on_progress(step: str, done: int, total: int) -> None:
                if step == "already loaded":  # said on the batches' bar
                    bar.update(
                        steps["batches"],
                        description=f"{labels['batches']} ({done:,} already loaded)",
                    )
                    return
                if step not in steps:
                    steps[step] = bar.add_task(labels.get(step, step), total=total)
                bar.update(steps[step], completed=done, total=total)

            report = load_prepared(
                engine,
                prepared,
                table,
                batch_size=batch_size,
                rewrite=rewrite,
                work_dir=settings.cache_dir,
                on_progress=on_progress,
            )
    console.print(
        "Loaded "
        + ", ".join(f"{n:,} {k}" for k, n in report.rows.items())
        + f" (feature set {report.feature_set}) in {_seconds(report.seconds)}: "
        f"{report.batches:,} batches, {report.written:,} written, "
        f"{report.skipped:,} already loaded."
    )
    if score:
        scorer = _champion_or_none()
        if scorer is not None:
            _score_clients(scorer)
            _load_applications(scorer)
    _summarize(None)


def _seconds(value: float) -> str:
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{value:.1f} s"


def _champion_or_none() -> ChampionScorer | None:
    try:
        from credit_scoring.registry import load_champion

        return load_champion(get_settings())
    except Exception as exc:  # no champion yet: scores come later with `db score`
        console.print(
            f"Clients not scored ({type(exc).__name__}: {exc}). Run `credit-scoring db "
            "score` once a champion exists."
        )
        return None


def _challenger_or_none() -> ChampionScorer | None:
    """The challenger to shadow the loaded scores with, or None (none, or not loadable)."""
    try:
        from credit_scoring.registry import load_challenger

        challenger = load_challenger(get_settings())
    except Exception as exc:  # the champion's scores are loaded all the same
        console.print(f"No shadow scores: the challenger was not loaded ({type(exc).__name__}).")
        return None
    if challenger is not None:
        console.print(f"Challenger v{challenger.model_version} scores in the shadow.")
    return challenger


def _score_clients(scorer: ChampionScorer) -> None:
    from credit_scoring.db.client_scores import refresh_client_scores

    with db_errors(), progress() as bar:
        task = bar.add_task("Scoring the clients", total=None)
        done = refresh_client_scores(
            _engine(),
            scorer,
            on_progress=lambda n, total: bar.update(task, completed=n, total=total),
        )
    console.print(f"Scored {done:,} clients with {scorer.model_name} v{scorer.model_version}.")


def _load_applications(scorer: ChampionScorer) -> None:
    """Each client's current Kaggle application as an application with its score."""
    from credit_scoring.lending.loaded import load_applications
    from credit_scoring.lending.policy import Policy

    policy = Policy.load()
    challenger = _challenger_or_none()
    with db_errors(), progress() as bar:
        task = bar.add_task("Scoring applications", total=None)
        report = load_applications(
            _engine(),
            scorer,
            policy=policy,
            on_progress=lambda done, total: bar.update(task, completed=done, total=total),
            challenger=challenger,
        )
    console.print(
        f"Applications: {report.created:,} created, {report.scored:,} scores written "
        f"({report.rescored:,} re-scored, {report.clients - report.scored:,} unchanged) "
        f"with policy {policy.version}."
    )
    from credit_scoring.lending.outcomes import record_loaded_targets

    with db_errors():
        outcomes = record_loaded_targets(_engine())
    if outcomes.rows:
        console.print(
            f"Outcomes: the TARGET of {outcomes.rows:,} train clients, {outcomes.appended:,} "
            f"recorded ({outcomes.already_known:,} already known), for the back-test."
        )


def _score_all() -> None:
    scorer = _champion_or_none()
    if scorer is not None:
        _score_clients(scorer)
        _summarize([scorer.model_version])


@db_app.command("score")
def score_clients() -> None:
    """Store the champion's probability for every client (filters by score band)."""
    _score_all()


def _summarize(versions: list[str] | None) -> None:
    from credit_scoring.db.population import summarize

    with db_errors(), progress() as bar:
        task = bar.add_task("Summarising the population", total=None)
        report = summarize(
            _engine(),
            versions,
            on_progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    shown = ", ".join(f"v{v}" if v else "no scores" for v in report.versions)
    console.print(
        f"Population summary: {report.clients:,} clients, {report.cells:,} cells "
        f"({shown}) in {report.seconds:.1f} s."
    )


@db_app.command("summarize")
def summarize_population(
    model_version: Annotated[
        list[str] | None,
        typer.Option(
            "--model-version",
            help="A model version to summarise (repeatable); default: every version with "
            "stored scores, and the population without scores.",
        ),
    ] = None,
) -> None:
    """Rebuild the population summary that population statistics and client search read.

    `db load` and `db score` rebuild it; run it after writing clients or scores another
    way, or to count in the new applicants since (they are counted in at read time, but
    the quantiles stay those of the summary).
    """
    from credit_scoring.db import migrate

    with db_errors():
        migrate.upgrade(_engine())
    _summarize(model_version or None)


def _read_password(password_env: str | None, generate: bool) -> tuple[str, bool]:
    if password_env:
        value = os.environ.get(password_env)
        if not value:
            raise typer.BadParameter(
                f"environment variable {password_env} is empty or unset.",
                param_hint="--password-env",
            )
        return value, False
    if generate:
        return secrets.token_urlsafe(12), True
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n"), False
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True), False


def _add(name: str, role: str, password: str) -> None:
    from sqlalchemy import select

    from credit_scoring.db import migrate
    from credit_scoring.db.models import User
    from credit_scoring.db.session import session_scope
    from credit_scoring.lending.security import add_user, record_event

    migrate.upgrade(_engine())  # a no-op when the schema is current
    with session_scope(get_settings()) as session:
        exists = session.execute(select(User.id).where(User.username == name)).first()
        add_user(session, name, password, role)
        event = "reset" if exists else "create"
        record_event(session, event, name, actor="cli", detail=f"role {role}")


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[str, typer.Option(help="advisor, analyst or admin")],
    password_env: Annotated[
        str | None, typer.Option(help="Read the password from this environment variable.")
    ] = None,
    generate: Annotated[bool, typer.Option(help="Generate a password and print it once.")] = False,
) -> None:
    """Create a user (or reset their password); the password comes from a prompt or stdin."""
    if role not in ROLES:
        raise typer.BadParameter(f"choose one of {', '.join(ROLES)}", param_hint="--role")
    password, generated = _read_password(password_env, generate)
    try:
        with db_errors():
            _add(name, role, password)
    except ValueError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    console.print(
        f"User {name} ({role}) saved."
        + (f" Password (shown once): {password}" if generated else "")
    )


def demo_users() -> None:
    """Create advisor, senior, analyst and admin; passwords from CREDIT_SCORING_DEMO_<ROLE>_PASSWORD or
    generated and printed once."""
    with db_errors():
        for role in ROLES:
            env = f"CREDIT_SCORING_DEMO_{role.upper()}_PASSWORD"
            password = os.environ.get(env) or secrets.token_urlsafe(12)
            _add(role, role, password)
            shown = f"password from {env}" if os.environ.get(env) else f"password {password}"
            console.print(f"User {role} ({role}): {shown}")


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Start the scoring API (uvicorn)."""
    import uvicorn

    uvicorn.run(
        "credit_scoring.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(users_app, name="users")
    app.command("demo-users")(demo_users)
    app.command("serve")(serve)
