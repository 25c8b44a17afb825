"""The drift report made in the background: one at a time, its progress, who started it,
the refusals a person can act on, and the API routes over it."""

from __future__ import annotations

import shutil
import threading
import warnings
from pathlib import Path
from typing import Any

import pytest
from test_drift import kaggle_folder  # noqa: F401  (the module-scoped fixture, reused)

from credit_scoring.config import Settings
from credit_scoring.lending.errors import Conflict, NotFound
from credit_scoring.lending.services.drift import START_ROUTE, DriftReports
from credit_scoring.monitoring import drift
from credit_scoring.monitoring.drift_job import DriftJob

CHAMPION = object()  # the service only hands it on; the stub below ignores it


def _settings(tmp_path: Path, folder: Path | None) -> Settings:
    settings = Settings(home=tmp_path / "home")
    if folder is not None:
        shutil.copytree(folder, settings.data_dir)
    return settings


@pytest.fixture
def gated(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The real report without a model, held before its comparison until the event is set."""
    gate = threading.Event()
    real = drift.build_drift_report

    def build(reference: str, current: str, *, settings: Settings, on_step: Any, champion: Any):
        assert champion is CHAMPION

        def step(label: str) -> None:
            if label == drift.STEP_LABEL["compare"]:
                assert gate.wait(30)
            on_step(label)

        return real(reference, current, settings=settings, sample=300, on_step=step)

    monkeypatch.setattr(drift, "build_drift_report", build)
    return gate


def test_a_report_runs_in_the_background_once_at_a_time_and_is_audited(
    kaggle_folder: Path,  # noqa: F811
    tmp_path: Path,
    gated: threading.Event,
) -> None:
    audited: list[Any] = []
    reports = DriftReports(_settings(tmp_path, kaggle_folder), lambda rows: audited.extend(rows))
    reports.start(username="ana", role="analyst", champion=CHAMPION, model_error=None)
    assert audited == [
        (
            "data_access_events",
            {"username": "ana", "role": "analyst", "route": START_ROUTE, "sk_id_curr": None},
        )
    ]
    with pytest.raises(Conflict) as busy:
        reports.start(username="bob", role="admin", champion=CHAMPION, model_error=None)
    assert busy.value.code == "drift_running"
    assert "lancé par ana" in busy.value.fr and "started by ana" in busy.value.en
    assert len(audited) == 1  # a refused start is not a start
    running = reports.progress("en")
    assert running.state == "running" and running.steps_total == len(drift.STEPS)
    assert running.steps_done < running.steps_total and running.error is None
    gated.set()
    assert reports.job.wait(60)
    done = reports.progress("fr")
    assert done.state == "done" and done.steps_done == done.steps_total == 6
    assert done.elapsed_seconds > 0 and done.finished_at is not None
    html, summary = reports.latest("fr", {})
    assert html.name == done.report and summary["html"] == done.report
    assert all(c["label"] == c["column"] for c in summary["columns"])  # no model: no labels


def test_a_run_that_fails_says_why_in_both_languages(tmp_path: Path) -> None:
    job = DriftJob()

    def broken(step: Any) -> dict[str, Any]:
        step(drift.STEP_LABEL["reference"])
        raise ValueError("application_train.csv: column AMT_CREDIT is not numeric")

    reports = DriftReports(Settings(home=tmp_path), lambda rows: None, job)
    job.start(broken, started_by="ana")
    assert job.wait(10)
    fr, en = reports.progress("fr"), reports.progress("en")
    assert fr.state == en.state == "failed" and fr.error_code == "drift_data_error"
    assert fr.error is not None and "AMT_CREDIT is not numeric" in fr.error
    assert fr.error.startswith("Le rapport n'a pas pu être fait")
    assert en.error is not None and en.error.startswith("The report could not be made")


def test_refusals_name_what_is_missing(kaggle_folder: Path, tmp_path: Path) -> None:  # noqa: F811
    empty = DriftReports(_settings(tmp_path / "a", None), lambda rows: None)
    with pytest.raises(NotFound) as missing:
        empty.start(username="ana", role="analyst", champion=CHAMPION, model_error=None)
    assert missing.value.code == "no_reference_data"
    assert (
        "application_train" in missing.value.fr and "credit-scoring data synth" in missing.value.en
    )
    with pytest.raises(NotFound) as nothing_yet:
        empty.progress("fr")
    assert nothing_yet.value.code == "no_drift_run"
    with pytest.raises(NotFound) as no_report:
        empty.latest("en", {})
    assert no_report.value.code == "no_drift_report" and "Make the report" in no_report.value.en
    data = DriftReports(_settings(tmp_path / "b", kaggle_folder), lambda rows: None)
    with pytest.raises(NotFound) as no_model:
        data.start(username="ana", role="analyst", champion=None, model_error="no alias champion")
    assert no_model.value.code == "no_model" and "no alias champion" in no_model.value.fr
    assert "credit-scoring train" in no_model.value.en


def test_api_routes_start_and_follow_for_analysts(
    kaggle_folder: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    with warnings.catch_warnings():  # starlette prefers httpx2, which is not in the lock file
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from credit_scoring.api.app import create_app
    from credit_scoring.db import migrate
    from credit_scoring.db.session import get_engine, session_scope
    from credit_scoring.lending.security import add_user, create_token

    settings = Settings(
        home=tmp_path,
        environment="test",
        secret_key="s" * 48,
        database_url=f"sqlite:///{tmp_path / 'api.db'}",
    )
    migrate.upgrade(get_engine(settings.resolved_database_url))
    with session_scope(settings) as session:
        tokens = {
            role: create_token(settings, add_user(session, role, "a-long-enough-password", role))
            for role in ("advisor", "analyst")
        }

    def no_model(_settings: Settings) -> object:
        raise RuntimeError("no champion in this test")

    def auth(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[role]}"}

    with TestClient(create_app(settings, load_scorer=no_model)) as client:  # type: ignore[arg-type]
        assert client.post("/drift/runs", headers=auth("advisor")).status_code == 403
        no_data = client.post("/drift/runs?lang=fr", headers=auth("analyst"))
        assert no_data.status_code == 404 and no_data.json()["code"] == "no_reference_data"
        assert no_data.json()["message"].startswith("Aucune donnée de référence")
        shutil.copytree(kaggle_folder, settings.data_dir)
        no_model_yet = client.post("/drift/runs?lang=en", headers=auth("analyst"))
        assert no_model_yet.status_code == 404 and no_model_yet.json()["code"] == "no_model"
        assert "credit-scoring model list" in no_model_yet.json()["message"]  # the API's why
        current = client.get("/drift/runs/current", headers=auth("analyst"))
        assert current.status_code == 404 and current.json()["code"] == "no_drift_run"
        latest = client.get("/drift/latest?lang=en", headers=auth("analyst"))
        assert latest.status_code == 404 and "from this page" in latest.json()["message"]
