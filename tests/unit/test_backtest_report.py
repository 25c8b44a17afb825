"""The back-test read from the database (issue 23): the score a decision was made on, the
latest outcome, vintages and overrides from stored records, the command's JSON and exit code."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from credit_scoring.core.grades import grade_of
from credit_scoring.db import audit_chain, migrate
from credit_scoring.db import models as m
from credit_scoring.monitoring.backtest_report import (
    backtest,
    backtest_frame,
    population_stability,
)
from credit_scoring.monitoring.stability import psi

N = 600


def _score(app_id: int, probability: float, when: datetime, version: str = "7") -> dict:
    return {
        "application_id": app_id,
        "created_at": when,
        "username": "load",
        "model_name": "credit-default",
        "model_version": version,
        "inputs_digest": "0" * 64,
        "probability": probability,
        "threshold": 0.1,
        "model_decision": "refuse" if probability >= 0.1 else "grant",
        "decision": "refuse" if probability >= 0.1 else "grant",
        "grade": grade_of(probability),
        "policy": [],
        "reasons": [],
        "lang": "fr",
    }


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, np.ndarray, np.ndarray]:
    """600 applications over three months; outcomes drawn from the served PD."""
    path = tmp_path_factory.mktemp("backtest") / "bank.db"
    engine = create_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    rng = np.random.default_rng(11)
    p = rng.beta(1.2, 12, N)
    y = (rng.random(N) < p).astype(int)
    start = datetime(2026, 1, 10)
    with Session(engine) as session, session.begin():
        for i in range(N):
            session.add(
                m.Client(
                    sk_id_curr=200_000 + i,
                    gender="F" if i % 2 else "M",
                    age_years=float(20 + i % 50),
                    contract_type="Cash loans",
                    application_json="{}",
                )
            )
            session.add(
                m.Application(
                    id=i + 1,
                    sk_id_curr=200_000 + i,
                    source="load",
                    new_client=False,
                    contract_type="Cash loans" if i % 3 else "Revolving loans",
                    declared={},
                    application_row={},
                    entered_by="load",
                    entered_at=start,
                    status="decided",
                )
            )
        session.flush()
        conn = session.connection()
        month = [start + timedelta(days=31 * (i * 3 // N)) for i in range(N)]
        # a first score nobody decided on, 10 points higher, then the score decided on
        audit_chain.append(
            conn, "scores", [_score(i + 1, min(p[i] + 0.1, 0.99), month[i]) for i in range(N)]
        )
        audit_chain.append(
            conn,
            "scores",
            [_score(i + 1, float(p[i]), month[i] + timedelta(hours=1)) for i in range(N)],
        )
        decisions = []
        for i in range(N):
            advice = "refuse" if p[i] >= 0.1 else "grant"
            final = "grant" if i % 10 == 0 else advice  # one in ten granted regardless
            decisions.append(
                {
                    "sk_id_curr": 200_000 + i,
                    "username": "advisor",
                    "created_at": month[i] + timedelta(hours=2),
                    "decision": final,
                    "model_decision": advice,
                    "probability": float(p[i]),
                    "threshold": 0.1,
                    "model_version": "7",
                    "override": final != advice,
                    "reason": "x" if final != advice else None,
                    "application_id": i + 1,
                    "score_id": N + i + 1,
                }
            )
        audit_chain.append(conn, "decisions", decisions)
        # a first, wrong outcome then the correction observed later
        audit_chain.append(
            conn,
            "outcomes",
            [
                {
                    "application_id": i + 1,
                    "sk_id_curr": 200_000 + i,
                    "defaulted": bool(1 - y[i]),
                    "observed_on": date(2026, 5, 1),
                    "source": "first.csv",
                    "username": "a",
                }
                for i in range(N)
            ]
            + [
                {
                    "application_id": i + 1,
                    "sk_id_curr": 200_000 + i,
                    "defaulted": bool(y[i]),
                    "observed_on": date(2026, 9, 1),
                    "source": "second.csv",
                    "username": "a",
                }
                for i in range(N)
            ],
        )
    return engine, p, y


def test_the_frame_holds_the_decided_score_and_the_latest_outcome(bank) -> None:
    engine, p, y = bank
    frame = backtest_frame(engine).sort_values("application_id")
    assert len(frame) == N
    assert np.allclose(frame["probability"], p)  # the score decided on, not the first
    assert frame["defaulted"].tolist() == y.tolist()  # the correction, not the first record
    assert frame["sex"].isin(["F", "M"]).all()
    assert frame["decided_at"].notna().all()
    assert backtest_frame(engine, model_version="8").empty


def test_the_report_agrees_with_scikit_learn(bank) -> None:
    engine, p, y = bank
    report = backtest(backtest_frame(engine), development_auc=0.80, auc_floor=0.6, boot=50)
    assert report["auc"] == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert report["gini"] == pytest.approx(2 * report["auc"] - 1)
    assert report["clients"] == N and report["defaults"] == int(y.sum())
    assert [g["grade"] for g in report["grades"]] == list("ABCDEFGH")
    assert sum(g["clients"] for g in report["grades"]) == N
    for key in ("grade", "clients", "defaults", "pd", "observed", "jeffreys_p", "light"):
        assert key in report["grades"][0]
    assert [v["vintage"] for v in report["vintages"]] == ["2026-01", "2026-02", "2026-03"]
    kinds = {o["kind"]: o for o in report["overrides"]}
    assert kinds["granted_against_advice"]["decisions"] > 0
    assert report["development"]["development_auc"] == 0.80
    assert set(report["segments"]) == {"contract_type", "age_band", "sex"}
    json.dumps(report)  # JSON-ready: no NaN, no numpy scalar


def test_a_floor_above_the_auc_raises_an_alert(bank) -> None:
    engine, _, _ = bank
    report = backtest(backtest_frame(engine), development_auc=None, auc_floor=0.99, boot=0)
    assert not report["ok"] and "below its floor" in report["alerts"][0]
    item = report["alert_items"][0]  # the same alert as figures, for the dashboard's words
    assert item["code"] == "auc_floor" and item["floor"] == 0.99
    assert item["auc"] == pytest.approx(report["auc"])
    assert len(report["alert_items"]) == len(report["alerts"])


def test_compared_features_are_described_from_the_training_metadata(tmp_path: Path) -> None:
    from credit_scoring.config import Settings
    from credit_scoring.features.metadata import FeatureMeta, save_metadata
    from credit_scoring.monitoring.backtest_report import feature_labels

    settings = Settings(home=tmp_path)
    assert feature_labels(settings, ["AMT_CREDIT"]) == {}  # no training yet: names stay
    meta = FeatureMeta("AMT_CREDIT", "application", "Credit amount", "Montant du crédit", "", "")
    save_metadata({"AMT_CREDIT": meta}, settings.reports_dir / "model" / "features.json")
    assert feature_labels(settings, ["AMT_CREDIT", "OTHER"]) == {
        "AMT_CREDIT": {"fr": "Montant du crédit", "en": "Credit amount"}
    }


def test_the_command_prints_json_and_exits_1_on_an_alert(
    bank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credit_scoring.cli import app
    from credit_scoring.config import get_settings

    engine, p, y = bank
    monkeypatch.setenv("CREDIT_SCORING_DATABASE_URL", str(engine.url))
    monkeypatch.setenv("CREDIT_SCORING_HOME", str(tmp_path))
    monkeypatch.setenv("CREDIT_SCORING_BACKTEST_BOOTSTRAP", "20")
    get_settings.cache_clear()
    try:
        monkeypatch.setenv("CREDIT_SCORING_BACKTEST_AUC_FLOOR", "0.55")
        get_settings.cache_clear()
        result = CliRunner().invoke(app, ["backtest", "--json", "--development-auc", "0.8"])
        report = json.loads(result.stdout)
        assert report["auc"] == pytest.approx(roc_auc_score(y, p), abs=1e-9)
        assert result.exit_code == (1 if report["alerts"] else 0)
        stored = get_settings().reports_dir / "backtest" / "latest.json"
        assert json.loads(stored.read_text())["auc"] == report["auc"]
        monkeypatch.setenv("CREDIT_SCORING_BACKTEST_AUC_FLOOR", "0.99")
        get_settings.cache_clear()
        result = CliRunner().invoke(app, ["backtest"])
        assert result.exit_code == 1
        assert "Grades: mean PD against the observed default rate" in result.stdout
        assert "ALERT" in result.output
        section = json.loads(stored.read_text())["population_stability"]
        assert not section["available"] and "monitor baseline" in section["message"]
        from credit_scoring.monitoring.production import baseline_path

        baseline = baseline_path(get_settings(), "7")
        baseline.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame({"SK_ID_CURR": np.arange(N), "probability": p}).to_parquet(baseline)
        CliRunner().invoke(app, ["backtest", "--json"])
        section = json.loads(stored.read_text())["population_stability"]
        assert section["available"]
        assert [r["month"] for r in section["score"]] == ["2026-01", "2026-02", "2026-03"]
        assert all(r["verdict"] in {"stable", "watch", "action"} for r in section["score"])
    finally:
        get_settings.cache_clear()


def test_population_stability_by_month_against_training() -> None:
    rng = np.random.default_rng(3)
    training = pd.DataFrame({"probability": rng.beta(2, 20, 4000)})
    same, shifted = rng.beta(2, 20, 500), rng.beta(6, 20, 500)
    frame = pd.DataFrame(
        {
            "sk_id_curr": np.arange(1000),
            "scored_at": pd.to_datetime(["2026-03-02"] * 500 + ["2026-04-02"] * 500),
            "probability": np.concatenate([same, shifted]),
        }
    )
    reference_rows = pd.DataFrame(
        {"SK_ID_CURR": np.arange(5000, 9000), "EXT_SOURCE_2": rng.uniform(0, 1, 4000)}
    )
    current_rows = pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(1000),
            "EXT_SOURCE_2": np.concatenate([rng.uniform(0, 1, 500), rng.uniform(0, 0.5, 500)]),
        }
    )
    section = population_stability(
        frame,
        training,
        features=["EXT_SOURCE_2", "BUREAU_DEBT_RATIO"],
        reference_rows=reference_rows,
        current_rows=current_rows,
    )
    assert section["available"]
    march, april = section["score"]
    assert march["month"] == "2026-03" and march["rows"] == 500
    assert march["psi"] == pytest.approx(psi(training["probability"], same))
    assert april["psi"] == pytest.approx(psi(training["probability"], shifted))
    assert march["verdict"] == "stable" and april["verdict"] == "action"
    assert section["compared"] == ["EXT_SOURCE_2"]
    assert section["not_stored"] == ["BUREAU_DEBT_RATIO"]
    assert [(r["month"], r["variable"]) for r in section["features"]] == [
        ("2026-03", "EXT_SOURCE_2"),
        ("2026-04", "EXT_SOURCE_2"),
    ]
    assert section["worst"]["month"] == "2026-04" and section["worst"]["verdict"] == "action"
    assert "1 of the model's top 2 features" in section["message"]
    skipped = population_stability(frame, None)
    assert not skipped["available"] and "monitor baseline" in skipped["message"]
    json.dumps(section)
