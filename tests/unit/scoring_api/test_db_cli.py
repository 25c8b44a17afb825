"""``db upgrade``, ``db load`` (idempotent, by batches; a bad input writes nothing), ``users add``
and ``demo-users``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, inspect, select, text
from typer.testing import CliRunner

from credit_scoring.cli import app
from credit_scoring.config import get_settings
from credit_scoring.data.loading import DataError, prepare
from credit_scoring.db import models as m
from credit_scoring.db.load import load_prepared
from credit_scoring.db.session import get_engine
from credit_scoring.lending.security import verify_password

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


def test_a_client_twice_in_the_features_is_refused_before_anything_is_written(
    bank: Bank, tmp_path: Path
) -> None:
    engine = get_engine(f"sqlite:///{tmp_path / 'atomic.db'}")
    from credit_scoring.db import migrate

    migrate.upgrade(engine)
    prepared = prepare(bank.data_dir, tmp_path / "cache")
    duplicated = pd.concat([bank.features, bank.features.tail(1)], ignore_index=True)
    client = int(bank.features["SK_ID_CURR"].iloc[-1])
    with pytest.raises(DataError, match=f"client {client} has more than one row"):
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
    assert set(users) == {"advisor", "senior", "analyst", "admin"}
    assert verify_password(users["admin"].password_hash, "admin-from-env-123")
    printed = result.output.split("User advisor (advisor): password ")[1].split()[0]
    assert verify_password(users["advisor"].password_hash, printed)


def test_upgrade_works_with_special_characters_in_the_url(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'%', '@' and ':' (e.g. in a password) once broke Alembic's config interpolation."""
    folder = home / "p%40ss%w"  # a SQLite path cannot hold "@"; see the next test
    monkeypatch.setenv("CREDIT_SCORING_DATABASE_URL", f"sqlite:///{folder / 'bank.db'}")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (
        "auth_events" in inspect(get_engine(get_settings().resolved_database_url)).get_table_names()
    )


def test_alembic_config_keeps_a_password_with_special_characters() -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from credit_scoring.db import migrate

    url = "postgresql+psycopg://credit:p%25ss%40w%3Ard@db.example:5432/bank"
    engine = create_engine(url)
    read_back = migrate.alembic_config(engine).get_main_option("sqlalchemy.url")
    assert make_url(read_back or "").password == "p%ss@w:rd"


def test_database_errors_never_print_the_password(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "CREDIT_SCORING_DATABASE_URL", "postgresql+psycopg://credit:p%25ss%40w%3Ard@127.0.0.1:9/x"
    )
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "Nothing was changed" in result.output and "***" in result.output
    for spelling in ("p%ss@w:rd", "p%25ss%40w%3Ard", "p%ss"):
        assert spelling not in result.output


def test_upgrade_keeps_the_users_of_a_populated_database(tmp_path: Path) -> None:
    from credit_scoring.db import migrate

    engine = get_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (username, password_hash, role, active, failed_logins, "
                "created_at) VALUES ('old', 'x', 'advisor', 1, 2, '2026-01-01 00:00:00')"
            )
        )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        user = conn.execute(select(m.User).where(m.User.username == "old")).one()
        assert user.token_version == 0 and user.failed_logins == 2
        assert conn.execute(select(func.count()).select_from(m.AuthEvent)).scalar_one() == 0
    migrate.downgrade(engine, "0001")
    assert "auth_events" not in inspect(engine).get_table_names()


def test_users_add_is_recorded_as_an_auth_event(home: Path) -> None:
    for _ in range(2):
        CliRunner().invoke(app, ["users", "add", "carol", "--role", "advisor"], input="x" * 12)
    with get_engine(get_settings().resolved_database_url).connect() as conn:
        rows = conn.execute(select(m.AuthEvent.event, m.AuthEvent.actor)).all()
    assert [tuple(r) for r in rows] == [("create", "cli"), ("reset", "cli")]
