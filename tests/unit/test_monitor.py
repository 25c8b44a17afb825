"""Monitoring checks (PSI, approval gaps, overrides), the `monitor` command's exit code, and
production drift, on a SQLite operational database filled like the API fills it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert
from typer.testing import CliRunner

from credit_scoring.cli import app
from credit_scoring.config import Settings, get_settings
from credit_scoring.data.loading import DataError
from credit_scoring.db.models import Base, Client, Decision, ScoreLog
from credit_scoring.db.session import engine_for
from credit_scoring.monitoring.checks import (
    approval_gaps,
    evaluate,
    feature_stability,
    override_share,
    psi,
)
from credit_scoring.monitoring.production import baseline_path, period, production_drift

NOW = datetime.now(UTC).replace(tzinfo=None)


def test_psi_is_near_zero_for_the_same_distribution_and_large_for_a_shift() -> None:
    rng = np.random.default_rng(0)
    reference = rng.beta(2, 20, 5000)
    assert psi(reference, rng.beta(2, 20, 3000)) < 0.02
    assert psi(reference, rng.beta(4, 20, 3000)) > 0.2
    with pytest.raises(ValueError, match="both sides"):
        psi(reference, np.array([np.nan]))


def _scores(n: int, *, men_refused: bool, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    gender = rng.choice(["F", "M"], n)
    grant = rng.random(n) < 0.8
    if men_refused:
        grant &= gender == "F"
    return pd.DataFrame(
        {
            "probability": rng.beta(2, 20, n),
            "decision": np.where(grant, "grant", "refuse"),
            "gender": gender,
            "age_years": rng.uniform(20, 70, n),
            "income_total": rng.lognormal(12, 0.5, n),
            "contract_type": "Cash loans",
            "model_version": "1",
        }
    )


def test_approval_gap_alerts_when_a_segment_is_treated_differently() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    fair = approval_gaps(_scores(600, men_refused=False), settings)
    assert fair.status == "ok" and fair.value is not None and fair.value < 0.1
    unfair = approval_gaps(_scores(600, men_refused=True), settings)
    assert unfair.status == "alert" and "gender=M" in unfair.detail


def test_feature_csi_names_the_worst_feature_and_alerts_above_the_psi_threshold() -> None:
    settings = Settings(_env_file=None, monitor_psi_max=0.25)  # type: ignore[call-arg]
    reference = pd.DataFrame({"EXT_SOURCE_2": np.arange(1000.0), "AMT_CREDIT": np.arange(1000.0)})
    current = pd.DataFrame(
        {
            "EXT_SOURCE_2": np.arange(1000.0),
            "AMT_CREDIT": np.concatenate([np.full(750, 100.0), np.full(250, 900.0)]),
        }
    )
    features = ["EXT_SOURCE_2", "AMT_CREDIT", "BUREAU_DEBT_RATIO"]
    calm = feature_stability(
        reference, current.assign(AMT_CREDIT=np.arange(1000.0)), features, settings
    )
    assert calm.status == "ok" and calm.value == pytest.approx(0.0, abs=1e-12)
    assert "2 of the top 3 features compared: 2 stable, 0 watch, 0 action" in calm.detail
    shifted = feature_stability(reference, current, features, settings)
    expected = psi(reference["AMT_CREDIT"], current["AMT_CREDIT"])
    assert shifted.value == pytest.approx(expected) and expected > 0.25
    assert shifted.status == "alert" and "worst AMT_CREDIT (action)" in shifted.detail
    none = feature_stability(reference, current, ["BUREAU_DEBT_RATIO"], settings)
    assert none.status == "skipped" and "drift --production" in none.detail
    assert feature_stability(None, None, [], settings).status == "skipped"


def test_override_share_and_the_minimum_number_of_scores() -> None:
    settings = Settings(_env_file=None, monitor_min_scores=100)  # type: ignore[call-arg]
    decisions = pd.DataFrame({"override": [True] * 3 + [False] * 7})
    check = override_share(decisions, settings)
    assert check.status == "alert" and check.value == pytest.approx(0.3)
    checks = evaluate(_scores(40, men_refused=False), decisions.iloc[3:], None, settings)
    assert [c.status for c in checks] == ["skipped", "skipped", "ok"]
    assert "fewer than" in checks[0].detail


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """A SQLite operational database with training clients, new clients and what the API logged."""
    monkeypatch.setenv("CREDIT_SCORING_HOME", str(tmp_path))
    monkeypatch.setenv("CREDIT_SCORING_ENVIRONMENT", "test")
    monkeypatch.setenv("CREDIT_SCORING_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("CREDIT_SCORING_MONITOR_MIN_SCORES", "50")
    get_settings.cache_clear()
    settings = get_settings()
    engine = engine_for(settings)
    Base.metadata.create_all(engine)
    rng = np.random.default_rng(1)
    clients, logs = [], []
    for i in range(400):
        train = i < 200
        credit = float(rng.lognormal(13, 0.3) * (1.0 if train else 2.0))
        row = {
            "SK_ID_CURR": i,
            "AMT_CREDIT": credit,
            "CODE_GENDER": str(rng.choice(["F", "M"])),
            "AMT_INCOME_TOTAL": float(rng.lognormal(12, 0.4)),
            "DAYS_BIRTH": -float(rng.integers(7000, 25000)),
        }
        clients.append(
            {
                "sk_id_curr": i,
                "is_train": train,
                "gender": row["CODE_GENDER"],
                "age_years": -row["DAYS_BIRTH"] / 365.25,
                "income_total": row["AMT_INCOME_TOTAL"],
                "contract_type": "Cash loans",
                "application_json": json.dumps(row),
            }
        )
        if not train:
            p = float(rng.beta(5, 20))  # riskier than training scores
            logs.append(
                {
                    "created_at": NOW - timedelta(hours=int(rng.integers(1, 48))),
                    "username": "ana",
                    "route": "/clients/{id}/score",
                    "sk_id_curr": i,
                    "inputs_digest": "d" * 64,
                    "model_version": "3",
                    "threshold": 0.3,
                    "probability": p,
                    "decision": "grant" if p < 0.3 else "refuse",
                    "reasons": [],
                }
            )
    with engine.begin() as conn:
        conn.execute(insert(Client), clients)
        conn.execute(insert(ScoreLog), logs)
        conn.execute(
            insert(Decision),
            [
                {
                    "sk_id_curr": 200 + k,
                    "username": "ana",
                    "created_at": NOW - timedelta(hours=2),
                    "decision": "grant",
                    "model_decision": "grant" if k % 10 else "refuse",
                    "probability": 0.2,
                    "threshold": 0.3,
                    "model_version": "3",
                    "override": k % 10 == 0,
                    "reason": None,
                }
                for k in range(30)
            ],
        )
    baseline = baseline_path(settings, "3")
    baseline.parent.mkdir(parents=True)
    pd.DataFrame({"SK_ID_CURR": np.arange(200), "probability": rng.beta(2, 20, 200)}).to_parquet(
        baseline
    )
    yield settings
    engine.dispose()
    get_settings.cache_clear()


def test_monitor_command_exits_non_zero_when_a_threshold_is_crossed(
    home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credit_scoring import registry

    # the champion's report names its top features; AMT_CREDIT doubled for the new clients
    monkeypatch.setattr(
        registry, "champion_report", lambda settings: {"top_features": {"AMT_CREDIT": 0.4}}
    )
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(app, ["monitor", "--days", "3"])
    assert result.exit_code == 1, result.output
    assert "feature CSI vs training" in result.output and "worst AMT_CREDIT" in result.output
    assert "score PSI vs training" in result.output and "alert" in result.output
    assert "action (PSI" in result.output  # the field's verdict beside the value
    monkeypatch.setenv("CREDIT_SCORING_MONITOR_PSI_MAX", "50")
    monkeypatch.setenv("CREDIT_SCORING_MONITOR_APPROVAL_GAP_MAX", "1")
    get_settings.cache_clear()
    calm = runner.invoke(app, ["monitor", "--days", "3"])
    assert calm.exit_code == 0, calm.output
    assert "share of overrides" in calm.output
    past = runner.invoke(app, ["monitor", "--since", "2020-01-01", "--until", "2020-01-02"])
    assert (
        past.exit_code == 0 and "skipped" in past.output
    )  # nothing logged then: nothing to alert on


def test_production_drift_compares_served_clients_and_scores_with_training(home: Settings) -> None:
    start, end = period(3)
    summary = production_drift(home, start, end)
    assert summary["rows"]["current"] == 200 and summary["rows"]["reference"] == 200
    assert summary["score_baseline"] is True
    assert "AMT_CREDIT" in summary["by_kind"]["raw"]["drifted_columns"]
    assert summary["by_kind"]["score"]["drifted_columns"] == ["probability"]
    assert summary["score_psi"]["variable"] == "probability"
    assert summary["score_psi"]["psi"] > 0.25 and summary["score_psi"]["verdict"] == "action"
    assert (home.reports_dir / "drift" / summary["html"]).is_file()
    with pytest.raises(DataError, match="no score was logged"):
        production_drift(home, *period(since=datetime(2020, 1, 1), until=datetime(2020, 1, 2)))


def test_drift_command_in_production_mode_writes_the_report_the_api_serves(home: Settings) -> None:
    from credit_scoring.monitoring.drift import latest_report

    result = CliRunner().invoke(app, ["drift", "--production", "--days", "3", "--sample", "150"])
    assert result.exit_code == 0, result.output
    assert "score: 1/1 columns drifted" in result.output and "Report:" in result.output
    found = latest_report(home)
    assert found is not None and found[1]["kind"] == "production"
    assert found[1]["rows"]["sampled_to"] == 150 and found[1]["rows"]["current"] == 150
