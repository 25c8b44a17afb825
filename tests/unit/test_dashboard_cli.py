"""``credit-scoring dashboard``: becomes Streamlit on the dashboard app with the API URL set."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from credit_scoring.cli import app
from credit_scoring.cli import dashboard as cli_dashboard


def test_dashboard_execs_streamlit_with_port_and_api_url(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_execve(path: str, argv: list[str], env: dict[str, str]) -> None:
        seen.update(path=path, argv=argv, env=env)

    monkeypatch.setattr(cli_dashboard.os, "execve", fake_execve)
    result = CliRunner().invoke(
        app, ["dashboard", "--port", "8765", "--api-url", "http://api.test:9000"]
    )
    assert result.exit_code == 0, result.output
    argv = seen["argv"]
    assert isinstance(argv, list) and argv[1:4] == ["-m", "streamlit", "run"]
    assert Path(argv[4]).name == "app.py" and Path(argv[4]).exists()
    assert argv[argv.index("--server.port") + 1] == "8765"
    assert argv[argv.index("--server.headless") + 1] == "true"
    env = seen["env"]
    assert isinstance(env, dict) and env["CREDIT_SCORING_API_URL"] == "http://api.test:9000"


def test_dashboard_defaults_to_the_settings_api_url(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, dict[str, str]] = {}
    monkeypatch.setattr(cli_dashboard.os, "execve", lambda p, a, env: seen.update(env=env))
    monkeypatch.setenv("CREDIT_SCORING_API_URL", "http://from-env:8000")
    from credit_scoring.config import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["dashboard"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert seen["env"]["CREDIT_SCORING_API_URL"] == "http://from-env:8000"


def test_streamlit_variables_set_the_address_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    """The image sets STREAMLIT_SERVER_ADDRESS=0.0.0.0: a container serves on its published
    port without --host (the default 127.0.0.1 once beat it, and the port reset connections)."""
    seen: dict[str, list[str]] = {}
    monkeypatch.setattr(cli_dashboard.os, "execve", lambda p, argv, env: seen.update(argv=argv))
    monkeypatch.setenv("STREAMLIT_SERVER_ADDRESS", "0.0.0.0")
    monkeypatch.setenv("STREAMLIT_SERVER_PORT", "8600")
    result = CliRunner().invoke(app, ["dashboard", "--api-url", "http://api:8000"])
    assert result.exit_code == 0, result.output
    argv = seen["argv"]
    assert argv[argv.index("--server.address") + 1] == "0.0.0.0"
    assert argv[argv.index("--server.port") + 1] == "8600"


def test_applicant_space_execs_streamlit_on_its_own_app_and_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, object] = {}
    monkeypatch.delenv("STREAMLIT_SERVER_PORT", raising=False)
    # both commands become Streamlit through the dashboard's one helper
    monkeypatch.setattr(
        cli_dashboard.os, "execve", lambda p, argv, env: seen.update(argv=argv, env=env)
    )
    result = CliRunner().invoke(app, ["applicant-space", "--api-url", "http://api.test:9000"])
    assert result.exit_code == 0, result.output
    argv = seen["argv"]
    assert isinstance(argv, list)
    assert Path(argv[4]).parts[-2:] == ("applicant_space", "app.py") and Path(argv[4]).exists()
    assert argv[argv.index("--server.port") + 1] == "8502"  # beside the dashboard's 8501
    env = seen["env"]
    assert isinstance(env, dict) and env["CREDIT_SCORING_API_URL"] == "http://api.test:9000"
