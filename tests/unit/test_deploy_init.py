"""``credit-scoring init``, compose's one-shot job: MLflow checked first, only what is missing.

The steps themselves are the CLI's own commands (tested elsewhere); here they are recorded
instead of run, to check which ones run in which state, and that every one of them is a
command of the CLI.
"""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from credit_scoring.cli import app, deploy
from credit_scoring.config import get_settings


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    done: list[tuple[str, ...]] = []
    monkeypatch.setattr(deploy, "_run_step", lambda title, *args: done.append(args))
    monkeypatch.setattr(deploy, "check_mlflow", lambda settings: done.append(("mlflow",)))
    return done


def _state(
    monkeypatch: pytest.MonkeyPatch, *, loaded: bool, champions: list[bool], summary: bool = True
) -> None:
    answers = iter(champions)
    monkeypatch.setattr(deploy, "database_loaded", lambda settings: loaded)
    monkeypatch.setattr(deploy, "population_summarized", lambda settings: summary)
    monkeypatch.setattr(deploy, "champion_exists", lambda settings: next(answers))


def _init(*extra: str) -> Any:
    return CliRunner().invoke(app, ["init", "--data", "/data", "--api-user", "api", *extra])


def test_a_fresh_deployment_loads_trains_and_scores_in_order(
    steps: list[tuple[str, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _state(monkeypatch, loaded=False, champions=[False, True])
    result = _init("--train-args", "--quick --threads 2")
    assert result.exit_code == 0, result.output
    assert steps == [
        ("mlflow",),
        ("db", "upgrade"),
        ("db", "grant-api", "--user", "api"),
        ("db", "load", "--data", "/data", "--no-score"),
        ("train", "--data", "/data", "--quick", "--threads", "2"),
        ("db", "score"),
    ]
    root = typer.main.get_command(app)
    for args in steps[1:]:
        command = root
        for word in args:
            command = getattr(command, "commands", {}).get(word, command)
        assert command is not root and not getattr(command, "commands", None), args


def test_with_data_and_a_champion_it_neither_loads_nor_trains(
    steps: list[tuple[str, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _state(monkeypatch, loaded=True, champions=[True])
    result = _init()
    assert result.exit_code == 0, result.output
    assert steps == [("mlflow",), ("db", "upgrade"), ("db", "grant-api", "--user", "api")]
    assert "nothing to load nor train" in result.output


def test_a_database_upgraded_without_its_population_summary_gets_one(
    steps: list[tuple[str, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _state(monkeypatch, loaded=True, champions=[True], summary=False)
    result = _init()
    assert result.exit_code == 0, result.output
    assert steps[3:] == [("db", "summarize")]
    root = typer.main.get_command(app)
    assert "summarize" in root.commands["db"].commands  # type: ignore[attr-defined]


def test_a_loaded_database_without_champion_is_trained_not_reloaded(
    steps: list[tuple[str, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _state(monkeypatch, loaded=True, champions=[False, True])
    result = _init()
    assert result.exit_code == 0, result.output
    assert [s[0] for s in steps[3:]] == ["train", "db"]
    assert ("train", "--data", "/data", "--quick") in steps


def test_a_training_that_promotes_nothing_fails_the_job(
    steps: list[tuple[str, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _state(monkeypatch, loaded=False, champions=[False, False])
    result = _init()
    assert result.exit_code == 1
    assert "registered no champion" in result.output
    assert ("db", "score") not in steps


def test_mlflow_refusing_requests_stops_init_before_any_step(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from mlflow.exceptions import MlflowException

    class Refusing:
        def __init__(self, tracking_uri: str) -> None:
            self.uri = tracking_uri

        def search_experiments(self, max_results: int) -> None:
            raise MlflowException(
                "API request to endpoint /api/2.0/mlflow/experiments/search failed with error "
                "code 403 != 200. Response body: 'Invalid Host header - possible DNS rebinding "
                "attack detected'"
            )

    from credit_scoring import registry

    monkeypatch.setattr(registry, "MlflowClient", Refusing)
    done: list[tuple[str, ...]] = []
    monkeypatch.setattr(deploy, "_run_step", lambda title, *args: done.append(args))
    monkeypatch.setenv("CREDIT_SCORING_HOME", str(tmp_path))
    monkeypatch.setenv("CREDIT_SCORING_MLFLOW_TRACKING_URI", "http://mlflow:5000")
    get_settings.cache_clear()
    try:
        result = _init()
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "Invalid Host header" in result.output and "--allowed-hosts" in result.output
    assert done == []
