"""``credit-scoring init``: compose's one-shot job, safe to run at every ``docker compose up``.

It asks the MLflow server for something real first (a server that refuses the request, e.g.
MLflow's host check, fails the job in seconds, not after a training), migrates the schema and
grants the API's user, then loads the data only when the database holds no client, trains
only when no model holds the champion alias, and stores the scores when either happened.
With a loaded database and a champion it changes nothing but a missing population summary
(built after migration 0011): an image rolled forward or back
(``CREDIT_SCORING_IMAGE_TAG=... docker compose up -d``) never retrains nor promotes.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer

from credit_scoring.cli.common import console, err_console
from credit_scoring.cli.demo import _run_step
from credit_scoring.config import Settings, get_settings


def check_mlflow(settings: Settings) -> None:
    """Exit 2 with the server's answer when the MLflow server does not serve its API."""
    from credit_scoring.db.session import redact, scrub
    from credit_scoring.registry import RegistryUnreachableError, check_server

    if not settings.mlflow_tracking_uri:
        return  # local store under the home: nothing to reach
    uri = settings.mlflow_tracking_uri
    try:
        check_server(settings)
    except RegistryUnreachableError as exc:
        err_console.print(
            f"[bold red]error:[/] the MLflow server {redact(uri)} refused a request: {scrub(str(exc))}\n"
            "Nothing was trained. Check CREDIT_SCORING_MLFLOW_TRACKING_URI; MLflow 3.5 and "
            "later also need this host name in `mlflow server --allowed-hosts`."
        )
        raise typer.Exit(2) from exc
    console.print(f"MLflow server {redact(uri)} answers.")


def database_loaded(settings: Settings) -> bool:
    """True when the operational database holds at least one client."""
    from sqlalchemy import select

    from credit_scoring.db.models import Client
    from credit_scoring.db.session import session_scope

    with session_scope(settings) as session:
        return session.execute(select(Client.sk_id_curr).limit(1)).first() is not None


def population_summarized(settings: Settings) -> bool:
    """True when the population summary holds at least one cell (migration 0011 builds
    none: a database upgraded to it gets its summary from the next init)."""
    from sqlalchemy import select

    from credit_scoring.db.models import PopulationSummary
    from credit_scoring.db.session import session_scope

    with session_scope(settings) as session:
        return session.execute(select(PopulationSummary.cell).limit(1)).first() is not None


def champion_exists(settings: Settings) -> bool:
    """True when a registered version holds the champion alias."""
    from credit_scoring.registry import list_versions

    return any(settings.model_alias in row["aliases"] for row in list_versions(settings))


def init(
    data: Annotated[Path, typer.Option(help="Folder with the Kaggle tables to load and train on.")],
    api_user: Annotated[
        str | None,
        typer.Option(help="The API's database user, granted its rights after the migrations."),
    ] = None,
    train_args: Annotated[
        str, typer.Option(help="Arguments of `credit-scoring train` when it runs (one string).")
    ] = "--quick",
) -> None:
    """First start of a deployment: migrate, grant, then load and train only what is missing."""
    settings = get_settings()
    check_mlflow(settings)
    _run_step("Database schema", "db", "upgrade")
    if api_user:
        _run_step("API user's rights", "db", "grant-api", "--user", api_user)
    loaded = database_loaded(settings)
    champion = champion_exists(settings)
    if loaded and champion:
        console.print(
            "The database holds clients and a champion exists: nothing to load nor train. "
            f"New data: `credit-scoring db load --data {data}`, then `credit-scoring train "
            f"--data {data}` (docs/operations.md)."
        )
        if not population_summarized(settings):
            _run_step("Population summary", "db", "summarize")
        return
    if not loaded:
        _run_step("Data", "db", "load", "--data", str(data), "--no-score")
    else:
        console.print("The database holds clients: not loaded again.")
    if not champion:
        _run_step("Model training", "train", "--data", str(data), *shlex.split(train_args))
        if not champion_exists(settings):
            err_console.print(
                "[bold red]error:[/] the training registered no champion (see its gates "
                "above): the API cannot serve. Promote a version (`credit-scoring model "
                "promote VERSION`) or train with a larger budget."
            )
            raise typer.Exit(1)
    else:
        console.print("A champion exists: not trained again.")
    _run_step("Stored scores", "db", "score")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
