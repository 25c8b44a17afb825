"""``credit-scoring applicant-space``: start the applicant's own Streamlit app.

A separate server from the staff dashboard: it faces the public (the applicants), the
dashboard stays on the staff network. It calls the API's ``/applicant`` routes only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from credit_scoring.cli.dashboard import become_streamlit

APP = Path(__file__).resolve().parent.parent / "applicant_space" / "app.py"


def applicant_space(
    # Streamlit's own variables set the defaults (the image sets 0.0.0.0), as for the dashboard.
    port: Annotated[
        int, typer.Option(envvar="STREAMLIT_SERVER_PORT", help="Port of the applicant space.")
    ] = 8502,
    host: Annotated[
        str, typer.Option(envvar="STREAMLIT_SERVER_ADDRESS", help="Address to listen on.")
    ] = "127.0.0.1",
    api_url: Annotated[
        str | None, typer.Option(help="URL of the scoring API (default: CREDIT_SCORING_API_URL).")
    ] = None,
) -> None:
    """Start the applicant space (Streamlit): applicants see their own application."""
    become_streamlit("Applicant space", APP, port, host, api_url)


def register(app: typer.Typer) -> None:
    app.command("applicant-space")(applicant_space)
