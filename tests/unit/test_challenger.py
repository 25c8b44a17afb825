"""Champion against challenger on matured outcomes (issue 23): the back-test's ``challenger``
section on hand-made scores, and ``model promote`` refusing a challenger that lost."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from credit_scoring.core.grades import grade_of
from credit_scoring.db import audit_chain, migrate
from credit_scoring.db import models as m
from credit_scoring.modeling.cost import cost_per_applicant
from credit_scoring.monitoring.backtest_report import (
    backtest_frame,
    challenger_comparison,
    compare_challenger,
    shadow_frame,
)

N = 2000
COSTS = {"cost_fn": 10.0, "cost_fp": 1.0}


def _outcomes(seed: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True PD, outcomes drawn from it, and a noisy score that knows less."""
    rng = np.random.default_rng(seed)
    p = rng.beta(1.2, 12, N)
    y = (rng.random(N) < p).astype(int)
    noisy = np.clip(p * np.exp(rng.normal(0, 2.0, N)), 0.001, 0.999)
    return p, y, noisy


def _frames(
    y: np.ndarray,
    champion: np.ndarray,
    challenger: np.ndarray,
    t_champion: float,
    t_challenger: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = pd.DataFrame(
        {
            "score_id": np.arange(1, N + 1),
            "model_version": "7",
            "probability": champion,
            "defaulted": y,
        }
    )
    shadow = pd.DataFrame(
        {
            "score_id": np.arange(1, N + 1),
            "champion_threshold": t_champion,
            "challenger_version": "8",
            "challenger_probability": challenger,
            "challenger_threshold": t_challenger,
            "challenger_grade": [grade_of(v) for v in challenger],
            "shadow_at": pd.Timestamp("2026-03-01"),
        }
    )
    return frame, shadow


def test_a_weaker_challenger_loses_by_delong_and_by_cost() -> None:
    p, y, noisy = _outcomes()
    frame, shadow = _frames(y, p, noisy, 0.1, 0.1)
    c = challenger_comparison(frame, shadow, **COSTS)
    assert c is not None and c["challenger_version"] == "8" and c["clients"] == N
    assert c["auc"]["difference"] < 0 and c["auc"]["p_value"] < 0.05
    assert c["cost"]["champion"] == pytest.approx(cost_per_applicant(y, p, 0.1, **COSTS))
    assert c["cost"]["challenger"] == pytest.approx(cost_per_applicant(y, noisy, 0.1, **COSTS))
    assert c["lost"] and not c["won"]
    assert c["grades"]["champion"][0]["grade"] == "A"
    assert sum(c["lights"]["champion"].values()) == len(c["grades"]["champion"])
    json.dumps(c)


def test_the_better_model_as_challenger_wins() -> None:
    p, y, noisy = _outcomes()
    frame, shadow = _frames(y, noisy, p, 0.1, 0.1)
    c = challenger_comparison(frame, shadow, **COSTS)
    assert c is not None and c["won"] and not c["lost"]
    assert c["auc"]["difference"] > 0


def test_the_same_scores_at_a_costlier_threshold_lose_on_cost_alone() -> None:
    p, y, _ = _outcomes()
    frame, shadow = _frames(y, p, p, 0.1, 0.9)  # grants nearly every defaulter
    c = challenger_comparison(frame, shadow, **COSTS)
    assert c is not None and c["auc"]["difference"] == pytest.approx(0.0)
    assert c["cost"]["challenger"] > c["cost"]["champion"] and c["lost"]


def test_no_shadow_score_no_section() -> None:
    p, y, noisy = _outcomes()
    frame, shadow = _frames(y, p, noisy, 0.1, 0.1)
    assert challenger_comparison(frame, shadow.iloc[0:0], **COSTS) is None
    assert challenger_comparison(frame, shadow, **COSTS, version="99") is None


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, np.ndarray, np.ndarray]:
    """Applications scored by champion 7 and shadowed by a weaker challenger 8, with outcomes."""
    p, y, noisy = _outcomes(9)
    engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('challenger') / 'bank.db'}")
    migrate.upgrade(engine)
    when = datetime(2026, 1, 10)
    with Session(engine) as session, session.begin():
        for i in range(N):
            session.add(
                m.Application(
                    id=i + 1,
                    sk_id_curr=300_000 + i,
                    source="load",
                    new_client=False,
                    contract_type="Cash loans",
                    declared={},
                    application_row={},
                    entered_by="load",
                    entered_at=when,
                    status="scored",
                )
            )
        session.flush()
        conn = session.connection()
        audit_chain.append(
            conn,
            "scores",
            [
                {
                    "application_id": i + 1,
                    "created_at": when + timedelta(days=i % 60),
                    "username": "load",
                    "model_name": "credit-default",
                    "model_version": "7",
                    "inputs_digest": "0" * 64,
                    "probability": float(p[i]),
                    "threshold": 0.1,
                    "model_decision": "refuse" if p[i] >= 0.1 else "grant",
                    "decision": "refuse" if p[i] >= 0.1 else "grant",
                    "grade": grade_of(p[i]),
                    "policy": [],
                    "reasons": [],
                    "lang": "fr",
                }
                for i in range(N)
            ],
        )
        audit_chain.append(
            conn,
            "shadow_scores",
            [
                {
                    "application_id": i + 1,
                    "score_id": i + 1,
                    "model_name": "credit-default",
                    "model_version": "8",
                    "probability": float(noisy[i]),
                    "threshold": 0.1,
                    "model_decision": "refuse" if noisy[i] >= 0.1 else "grant",
                    "grade": grade_of(noisy[i]),
                }
                for i in range(N)
            ],
        )
        audit_chain.append(
            conn,
            "outcomes",
            [
                {
                    "application_id": i + 1,
                    "sk_id_curr": 300_000 + i,
                    "defaulted": bool(y[i]),
                    "observed_on": date(2026, 9, 1),
                    "source": "test",
                    "username": "a",
                }
                for i in range(N)
            ],
        )
    return engine, p, y


def test_the_shadow_scores_are_read_beside_the_scores_they_shadow(bank) -> None:
    engine, _, y = bank
    frame = backtest_frame(engine)
    shadow = shadow_frame(engine, frame["score_id"].tolist())
    assert len(shadow) == N and set(shadow["challenger_version"]) == {"8"}
    assert (shadow["champion_threshold"] == 0.1).all()
    settings: Any = type("S", (), COSTS)()
    c = compare_challenger(settings, engine, "8")
    assert c is not None and c["clients"] == N and c["defaults"] == int(y.sum())
    assert c["champion_versions"] == ["7"] and c["lost"]


@pytest.fixture
def cli_env(bank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The CLI on the bank, with the registry's alias calls recorded instead of MLflow's."""
    from credit_scoring import registry
    from credit_scoring.config import get_settings

    engine, _, _ = bank
    monkeypatch.setenv("CREDIT_SCORING_DATABASE_URL", str(engine.url))
    monkeypatch.setenv("CREDIT_SCORING_HOME", str(tmp_path))
    monkeypatch.setenv("CREDIT_SCORING_BACKTEST_BOOTSTRAP", "0")
    get_settings.cache_clear()
    calls: dict[str, Any] = {"promoted": [], "forced": []}
    monkeypatch.setattr(
        registry, "alias_version", lambda alias, _s=None: "8" if alias == "challenger" else "7"
    )
    monkeypatch.setattr(
        registry,
        "promote",
        lambda version, _s=None, alias=None: calls["promoted"].append((version, alias)),
    )
    monkeypatch.setattr(
        registry,
        "record_forced_promotion",
        lambda version, record, _s=None: calls["forced"].append((version, record)),
    )
    yield calls
    get_settings.cache_clear()


def test_promoting_a_challenger_that_lost_is_refused_unless_forced_with_a_reason(
    cli_env: dict[str, Any],
) -> None:
    from credit_scoring.cli import app

    refused = CliRunner().invoke(app, ["model", "promote", "8"])
    assert refused.exit_code == 1 and cli_env["promoted"] == []
    assert "lost" in refused.stderr and "--force --reason" in refused.stderr
    no_reason = CliRunner().invoke(app, ["model", "promote", "8", "--force"])
    assert no_reason.exit_code == 1 and cli_env["promoted"] == []

    forced = CliRunner().invoke(
        app, ["model", "promote", "8", "--force", "--reason", "new bureau data since May"]
    )
    assert forced.exit_code == 0, forced.output
    assert cli_env["promoted"] == [("8", "champion")]
    [(version, record)] = cli_env["forced"]
    assert version == "8" and record["reason"] == "new bureau data since May"
    assert record["comparison"]["clients"] == N and record["comparison"]["auc"]["p_value"] < 0.05
    assert record["by"] and record["at"]


def test_another_version_and_the_challenger_alias_need_no_comparison(
    cli_env: dict[str, Any],
) -> None:
    from credit_scoring.cli import app

    assert CliRunner().invoke(app, ["model", "promote", "5"]).exit_code == 0
    made = CliRunner().invoke(app, ["model", "promote", "9", "--alias", "challenger"])
    assert made.exit_code == 0 and "shadow" in made.stdout
    assert cli_env["promoted"] == [("5", "champion"), ("9", "challenger")]
    assert cli_env["forced"] == []


def test_the_backtest_command_prints_the_comparison(cli_env: dict[str, Any]) -> None:
    from credit_scoring.cli import app

    result = CliRunner().invoke(app, ["backtest", "--json", "--development-auc", "0.8"])
    report = json.loads(result.stdout)
    assert report["challenger"]["challenger_version"] == "8" and report["challenger"]["lost"]
    text = CliRunner().invoke(app, ["backtest", "--development-auc", "0.8"]).stdout
    assert "DeLong's paired test" in text and "the challenger lost" in text
