"""Settings: home folder defaults, URL overrides, and the placeholder secret refused in production."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from credit_scoring.config import PLACEHOLDER_SECRET, Settings


def test_state_lives_under_the_home(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve()}/credit_scoring.db"
    assert (
        settings.resolved_mlflow_uri.startswith("sqlite:///")
        and str(tmp_path) in settings.resolved_mlflow_uri
    )
    assert settings.features_dir == tmp_path / "features"


def test_urls_override_the_home(tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path,
        database_url="postgresql+psycopg://u@h/db",
        mlflow_tracking_uri="http://mlflow:5000",
        _env_file=None,
    )  # type: ignore[call-arg]
    assert settings.resolved_database_url == "postgresql+psycopg://u@h/db"
    assert settings.resolved_mlflow_uri == "http://mlflow:5000"


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDIT_SCORING_COST_FN", "12.5")
    monkeypatch.setenv("CREDIT_SCORING_HOME", "/srv/credit")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.cost_fn == 12.5 and settings.home == Path("/srv/credit")


@pytest.mark.parametrize("environment", ["production", "test"])
def test_placeholder_secret_refused_outside_development(environment: str) -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(environment=environment, secret_key=PLACEHOLDER_SECRET, _env_file=None)  # type: ignore[call-arg]
    dev = Settings(environment="development", _env_file=None)  # type: ignore[call-arg]
    assert dev.secret_key == PLACEHOLDER_SECRET
    ok = Settings(environment="production", secret_key="x" * 40, _env_file=None)  # type: ignore[call-arg]
    assert ok.secret_key == "x" * 40


def test_costs_must_be_positive() -> None:
    with pytest.raises(ValidationError):
        Settings(cost_fn=0, _env_file=None)  # type: ignore[call-arg]
