"""Settings: home folder defaults, URL overrides, and the placeholder secret refused in production."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from credit_scoring.config import MAX_TOKEN_MINUTES, PLACEHOLDER_SECRET, Settings


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


SECRET_URL = "postgresql+psycopg://credit:p%25ss%40w%3Ard@db:5432/bank"


@pytest.mark.parametrize("environment", ["production", "test"])
def test_short_secret_refused_outside_development(environment: str) -> None:
    short = "s3cr3t-" * 4  # 28 bytes
    with pytest.raises(ValidationError, match="shorter than 32 bytes") as caught:
        Settings(environment=environment, secret_key=short, database_url=SECRET_URL, _env_file=None)  # type: ignore[call-arg]
    assert short not in str(caught.value)
    Settings(environment=environment, secret_key="k" * 32, _env_file=None)  # type: ignore[call-arg]
    assert Settings(environment="development", secret_key="short", _env_file=None)  # type: ignore[call-arg]


def test_errors_never_echo_the_inputs() -> None:
    """A refused setting names itself; no value (secret, database password) is printed."""
    for bad in (
        {"secret_key": PLACEHOLDER_SECRET},
        {"secret_key": "k" * 40, "token_expire_minutes": 100_000},
        {"secret_key": "k" * 40, "trusted_proxies": "p%ss@w:rd"},
        {"secret_key": "k" * 40, "login_limits_per_user": "p%ss@w:rd"},
    ):
        with pytest.raises(ValidationError) as caught:
            Settings(environment="production", database_url=SECRET_URL, _env_file=None, **bad)  # type: ignore[arg-type]
        text = str(caught.value)
        assert "p%25ss" not in text and "p%ss" not in text and "credit:" not in text, text
        assert PLACEHOLDER_SECRET not in text.replace("placeholder", "")


def test_token_lifetime_is_capped() -> None:
    with pytest.raises(ValidationError, match="token_expire_minutes"):
        Settings(token_expire_minutes=MAX_TOKEN_MINUTES + 1, _env_file=None)  # type: ignore[call-arg]
    assert Settings(token_expire_minutes=MAX_TOKEN_MINUTES, _env_file=None).token_expire_minutes  # type: ignore[call-arg]


def test_trusted_proxies_parse_to_networks() -> None:
    settings = Settings(trusted_proxies="10.0.0.5, 172.16.0.0/12,::1", _env_file=None)  # type: ignore[call-arg]
    assert [str(n) for n in settings.proxy_networks] == ["10.0.0.5/32", "172.16.0.0/12", "::1/128"]
