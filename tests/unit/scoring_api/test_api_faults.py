"""Faults: the database going away and coming back, a missing model."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from credit_scoring.api.app import create_app
from credit_scoring.db import models as m
from credit_scoring.db.session import get_engine
from credit_scoring.modeling.load_errors import ModelNotReadyError

from .conftest import Bank, TestClient, auth_headers, bank_copy, login, make_settings, served
from .fake_scorer import FakeScorer


def _no_model(_settings):  # type: ignore[no-untyped-def]
    raise ModelNotReadyError(
        "no model registered under alias 'champion': run `credit-scoring train`"
    )


def test_missing_model_health_and_scoring_say_why(bank: Bank) -> None:
    app = create_app(bank.settings, load_scorer=_no_model)
    with TestClient(app) as client:
        health = client.get("/health")
        assert health.status_code == 503
        body = health.json()
        assert body["ready"] is False and body["database"] is True
        assert "credit-scoring train" in body["model_error"]
        headers = auth_headers(client, "advisor")
        for path in ("/clients/100002/score", "/clients/100002/explanation", "/model"):
            response = client.get(path, headers=headers)
            assert response.status_code == 503, path
            assert "Model not ready" in response.json()["detail"]
            assert "credit-scoring train" in response.json()["detail"]
        # What needs no model still works.
        assert client.get("/clients", headers=headers).status_code == 200


def test_database_going_away_gives_503_then_recovers(
    bank: Bank, scorer: FakeScorer, tmp_path: Path, known_ids
) -> None:
    folder = tmp_path / "server"
    settings = bank_copy(bank, folder)
    with served(settings, scorer) as client:
        app = client.app
        headers = auth_headers(client, "advisor")
        warm = client.get(f"/clients/{known_ids[0]}/score", headers=headers)
        assert warm.status_code == 200

        folder.rename(tmp_path / "away")  # the database disappears mid-run (file, WAL and all)
        get_engine(settings.resolved_database_url).dispose()
        down = client.get(f"/clients/{known_ids[1]}", headers=headers)
        assert down.status_code == 503
        assert "Database unreachable" in down.json()["detail"]
        assert client.get("/health").json()["database"] is False
        assert login(client, "advisor").status_code == 503
        # A score already in memory is still served, and its log record waits for the database.
        assert client.get(f"/clients/{known_ids[0]}/score", headers=headers).status_code == 200
        assert app.state.audit.flush() is False

        (tmp_path / "away").rename(folder)  # it comes back
        get_engine(settings.resolved_database_url).dispose()
        assert client.get(f"/clients/{known_ids[1]}", headers=headers).status_code == 200
        assert client.get("/health").json()["ready"] is True
        assert app.state.audit.flush() is True
    with get_engine(settings.resolved_database_url).connect() as conn:
        logged = conn.execute(
            select(func.count())
            .select_from(m.ScoreLog)
            .where(m.ScoreLog.sk_id_curr == known_ids[0])
        ).scalar_one()
    assert logged >= 2


def test_health_says_what_is_wrong_without_internals(bank: Bank, tmp_path: Path) -> None:
    def crash(_settings):  # type: ignore[no-untyped-def]
        raise OSError("cannot read /srv/secret/models via postgresql://u:hunter2@db/mlflow")

    empty = make_settings(tmp_path)  # a SQLite file without the schema
    with TestClient(create_app(empty, load_scorer=crash)) as client:
        body = client.get("/health").json()
    assert body["ready"] is False and body["database"] is False
    assert "credit-scoring db upgrade" in body["database_error"]
    assert "API log" in body["model_error"]
    text = str(body)
    assert "hunter2" not in text and "/srv/secret" not in text and "OSError" not in text
