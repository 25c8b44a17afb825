"""``credit-scoring dashboard``: start the Streamlit dashboard (it calls the API only)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from credit_scoring.cli.common import console
from credit_scoring.config import get_settings

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


def streamlit_command(port: int, host: str, app: Path = APP) -> list[str]:
    """The ``streamlit run`` command line of ``app`` (headless, no usage statistics)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "minimal",
    ]


def dashboard(
    # Streamlit's own variables set the defaults (the image sets 0.0.0.0): an explicit
    # --host 127.0.0.1 default would beat them, and a container would serve loopback only.
    port: Annotated[
        int, typer.Option(envvar="STREAMLIT_SERVER_PORT", help="Port of the dashboard.")
    ] = 8501,
    host: Annotated[
        str, typer.Option(envvar="STREAMLIT_SERVER_ADDRESS", help="Address to listen on.")
    ] = "127.0.0.1",
    api_url: Annotated[
        str | None, typer.Option(help="URL of the scoring API (default: CREDIT_SCORING_API_URL).")
    ] = None,
) -> None:
    """Start the relationship-manager dashboard (Streamlit) against the scoring API."""
    become_streamlit("Dashboard", APP, port, host, api_url)


def become_streamlit(name: str, app: Path, port: int, host: str, api_url: str | None) -> None:
    """Replace this process by ``streamlit run app`` against the API at ``api_url``.

    No child process: a supervisor's SIGTERM then stops the server itself.
    """
    env = dict(os.environ)
    env["CREDIT_SCORING_API_URL"] = api_url or get_settings().api_url
    console.print(f"{name} on http://{host}:{port} — API {env['CREDIT_SCORING_API_URL']}")
    command = streamlit_command(port, host, app)
    sys.stdout.flush()
    os.execve(command[0], command, env)


def register(app: typer.Typer) -> None:
    app.command("dashboard")(dashboard)
