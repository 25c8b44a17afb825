"""The population summary follows what writes clients and scores (issue 26).

``db load`` builds it (and a load deletes the old one in its transaction), a re-score
removes its version's, ``db score`` and ``db summarize`` build it; the API serves it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from credit_scoring.cli import app, deploy
from credit_scoring.config import Settings, get_settings
from credit_scoring.data.loading import prepare
from credit_scoring.db import models as m
from credit_scoring.db.client_scores import refresh_client_scores
from credit_scoring.db.load import load_prepared
from credit_scoring.db.population import UNSCORED
from credit_scoring.db.session import get_engine
from credit_scoring.lending.security import add_user

from .conftest import PASSWORD, SECRET, Bank, auth_headers, fake_for, served


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CREDIT_SCORING_HOME", str(tmp_path))
    monkeypatch.setenv("CREDIT_SCORING_ENVIRONMENT", "development")
    monkeypatch.delenv("CREDIT_SCORING_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _cells(engine: Engine) -> dict[str, int]:
    """Cells of the summary per model version."""
    with Session(engine) as session:
        rows = session.execute(
            select(m.PopulationSummary.model_version, func.count()).group_by(
                m.PopulationSummary.model_version
            )
        ).all()
    return {version: int(n) for version, n in rows}


def _everyone(engine: Engine, version: str = UNSCORED) -> m.PopulationSummary:
    with Session(engine) as session:
        row = session.get(m.PopulationSummary, (version, ""))
    assert row is not None
    return row


def _income_mean(row: m.PopulationSummary) -> float:
    return next(f["mean"] for f in row.features if f["name"] == "income_total")


def test_load_builds_the_summary_and_a_reload_replaces_it(home: Path, bank: Bank) -> None:
    features = home / "features.parquet"
    bank.features.to_parquet(features)
    data = home / "data"
    shutil.copytree(bank.data_dir, data)
    args = ["db", "load", "--data", str(data), "--features", str(features), "--no-score"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "Population summary: " in first.output and "1,080 cells" in first.output
    engine = get_engine(get_settings().resolved_database_url)
    assert _cells(engine) == {UNSCORED: 1080}
    before = _everyone(engine)
    assert before.n_clients == len(bank.features)

    # the same clients with ten times their income: the summary follows the reload
    train = data / "application_train.csv"
    frame = pd.read_csv(train)
    frame["AMT_INCOME_TOTAL"] *= 10
    frame.to_csv(train, index=False)
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    after = _everyone(engine)
    assert after.built_at >= before.built_at and after.n_clients == before.n_clients
    with engine.connect() as conn:
        mean = conn.execute(select(func.avg(m.Client.income_total))).scalar_one()
    assert _income_mean(after) == pytest.approx(mean, rel=1e-9)
    assert _income_mean(after) > 2 * _income_mean(before)

    # a load by itself (no CLI) removes the summary in its transaction
    load_prepared(engine, prepare(data, home / "cache"), bank.features)
    assert _cells(engine) == {}
    assert not deploy.population_summarized(get_settings())  # `init` would build it
    rebuilt = CliRunner().invoke(app, ["db", "summarize"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert f"{len(bank.features):,} clients" in rebuilt.output
    assert _cells(engine) == {UNSCORED: 1080}
    assert deploy.population_summarized(get_settings())


def test_a_rescore_removes_its_version_and_summarize_builds_it_again(
    home: Path, bank: Bank
) -> None:
    url = get_settings().resolved_database_url
    engine = get_engine(url)
    from credit_scoring.db import migrate

    migrate.upgrade(engine)
    load_prepared(engine, prepare(bank.data_dir, home / "cache"), bank.features)
    scorer = fake_for(bank.features)
    refresh_client_scores(engine, scorer)
    built = CliRunner().invoke(app, ["db", "summarize"])
    assert built.exit_code == 0, built.output
    version = scorer.model_version
    assert _cells(engine) == {UNSCORED: 1080, version: 1080}

    refresh_client_scores(engine, scorer)  # the version's scores replaced: its summary goes
    assert _cells(engine) == {UNSCORED: 1080}
    only = CliRunner().invoke(app, ["db", "summarize", "--model-version", version])
    assert only.exit_code == 0, only.output
    assert _cells(engine) == {UNSCORED: 1080, version: 1080}

    with Session(engine) as session, session.begin():
        add_user(session, "analyst", PASSWORD, "analyst")
    settings = Settings(environment="test", secret_key=SECRET, database_url=url)
    with served(settings, scorer) as client:
        headers = auth_headers(client, "analyst")
        high = client.get("/population/stats?score_band=high&gender=F", headers=headers).json()
        page = client.get("/clients?score_band=high&gender=F", headers=headers).json()
    assert high["source"] == "summary" and high["summary_built_at"]
    score = m.ClientScore
    with engine.connect() as conn:
        expected = conn.execute(
            select(func.count())
            .select_from(m.Client)
            .join(score, score.sk_id_curr == m.Client.sk_id_curr)
            .where(
                score.model_version == version,
                score.probability >= score.threshold,
                m.Client.gender == "F",
            )
        ).scalar_one()
    assert high["n_clients"] == page["total"] == expected > 0


def test_db_score_summarises_the_version_it_scored(
    home: Path, bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credit_scoring.cli import db as db_cli
    from credit_scoring.db import migrate

    engine = get_engine(get_settings().resolved_database_url)
    migrate.upgrade(engine)
    load_prepared(engine, prepare(bank.data_dir, home / "cache"), bank.features)
    scorer = fake_for(bank.features)
    monkeypatch.setattr(db_cli, "_champion_or_none", lambda: scorer)
    result = CliRunner().invoke(app, ["db", "score"])
    assert result.exit_code == 0, result.output
    assert f"v{scorer.model_version})" in result.output
    assert _cells(engine) == {scorer.model_version: 1080}
    row = _everyone(engine, scorer.model_version)
    probability = next(f for f in row.features if f["name"] == "probability")
    assert probability["count"] == row.n_clients == len(bank.features)
