"""``db upgrade``, ``db load`` (idempotent, all-or-nothing), ``users add`` and ``demo-users``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from credit_scoring.api.security import verify_password
from credit_scoring.cli import app
from credit_scoring.config import get_settings
from credit_scoring.data.loading import prepare
from credit_scoring.db import models as m
from credit_scoring.db.load import load_prepared
from credit_scoring.db.session import get_engine

from .conftest import Bank

TABLES = (m.Client, m.Loan, m.Transaction, m.FeatureVector)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CREDIT_SCORING_HOME", str(tmp_path))
    monkeypatch.setenv("CREDIT_SCORING_ENVIRONMENT", "development")
    monkeypatch.delenv("CREDIT_SCORING_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _counts(url: str) -> dict[str, int]:
    with get_engine(url).connect() as conn:
        return {
            t.__tablename__: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in TABLES
        }


def _snapshot(url: str) -> pd.DataFrame:
    with get_engine(url).connect() as conn:
        return pd.read_sql(select(m.Loan).order_by(m.Loan.source, m.Loan.loan_id), conn)


def test_upgrade_creates_every_table(home: Path) -> None:
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    names = set(inspect(get_engine(get_settings().resolved_database_url)).get_table_names())
    assert {t.name for t in m.Base.metadata.sorted_tables} <= names


def test_load_twice_changes_nothing(home: Path, bank: Bank) -> None:
    features = home / "features.parquet"
    bank.features.to_parquet(features)
    args = ["db", "load", "--data", str(bank.data_dir), "--features", str(features), "--no-score"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    url = get_settings().resolved_database_url
    counts, loans = _counts(url), _snapshot(url)
    assert counts["clients"] == len(bank.features) == counts["feature_vectors"]
    assert counts["loans"] > counts["clients"] and counts["transactions"] > 0
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    assert _counts(url) == counts
    pd.testing.assert_frame_equal(_snapshot(url), loans)


def test_bad_file_leaves_the_database_as_it_was(home: Path, bank: Bank) -> None:
    features = home / "features.parquet"
    bank.features.to_parquet(features)
    data = home / "data"
    shutil.copytree(bank.data_dir, data)
    args = ["db", "load", "--data", str(data), "--features", str(features), "--no-score"]
    assert CliRunner().invoke(app, args).exit_code == 0
    url = get_settings().resolved_database_url
    before = _counts(url)
    bureau = data / "bureau.csv"
    lines = bureau.read_text().splitlines()
    header = [h.strip('"') for h in lines[0].split(",")]
    row = lines[1].split(",")
    row[header.index("DAYS_CREDIT")] = "yesterday"
    bureau.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "bureau.csv" in result.output and "DAYS_CREDIT" in result.output
    assert _counts(url) == before


def test_failure_mid_load_rolls_everything_back(bank: Bank, tmp_path: Path) -> None:
    engine = get_engine(f"sqlite:///{tmp_path / 'atomic.db'}")
    from credit_scoring.db import migrate

    migrate.upgrade(engine)
    prepared = prepare(bank.data_dir, tmp_path / "cache")
    duplicated = pd.concat([bank.features, bank.features.tail(1)], ignore_index=True)
    with pytest.raises(IntegrityError):  # the last feature vector collides, after all else
        load_prepared(engine, prepared, duplicated)
    assert _counts(str(engine.url)) == dict.fromkeys((t.__tablename__ for t in TABLES), 0)


def test_users_add_reads_the_password_from_stdin(home: Path) -> None:
    result = CliRunner().invoke(
        app, ["users", "add", "alice", "--role", "analyst"], input="s3cret-passphrase\n"
    )
    assert result.exit_code == 0, result.output
    assert "s3cret-passphrase" not in result.output
    with get_engine(get_settings().resolved_database_url).connect() as conn:
        user = conn.execute(select(m.User).where(m.User.username == "alice")).one()
    assert user.role == "analyst" and verify_password(user.password_hash, "s3cret-passphrase")
    assert "s3cret" not in user.password_hash


def test_users_add_refuses_short_passwords_and_unknown_roles(home: Path) -> None:
    short = CliRunner().invoke(app, ["users", "add", "bob", "--role", "admin"], input="short\n")
    assert short.exit_code == 2 and "8 characters" in short.output
    role = CliRunner().invoke(app, ["users", "add", "bob", "--role", "boss"], input="x" * 12)
    assert role.exit_code == 2


def test_demo_users_take_passwords_from_env_or_print_them_once(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDIT_SCORING_DEMO_ADMIN_PASSWORD", "admin-from-env-123")
    result = CliRunner().invoke(app, ["demo-users"])
    assert result.exit_code == 0, result.output
    assert "admin-from-env-123" not in result.output
    with get_engine(get_settings().resolved_database_url).connect() as conn:
        users = {u.username: u for u in conn.execute(select(m.User)).all()}
    assert set(users) == {"advisor", "analyst", "admin"}
    assert verify_password(users["admin"].password_hash, "admin-from-env-123")
    printed = result.output.split("User advisor (advisor): password ")[1].split()[0]
    assert verify_password(users["advisor"].password_hash, printed)
