"""Append-only audit tables and hash chains on SQLite, MariaDB and PostgreSQL (integration).

Triggers refuse UPDATE and DELETE, chains stay intact under concurrent writers (threads on
separate connections), tampering with the triggers dropped is found, values read back hash
the same (MariaDB's DATETIME and FLOAT would not), and a user with the API's grants can
read and append but neither change nor remove a record.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from backends import BACKENDS, DECISION, SCORE, drop_everything, reachable_engine
from backends import score_record as score
from sqlalchemy import Engine, MetaData, create_engine, func, select, text
from sqlalchemy.engine import make_url

from credit_scoring.db import audit_chain, migrate
from credit_scoring.db import models as m
from credit_scoring.db.append_only import AUDIT_TABLES, grant_statements, protect, unprotect

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=list(BACKENDS))
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Engine]]:
    url = BACKENDS[request.param] or f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'a.db'}"
    engine = reachable_engine(request.param, url)
    drop_everything(engine)
    migrate.upgrade(engine)
    yield request.param, engine
    engine.dispose()
    drop_everything(engine)


ACCESS = {"username": "analyst", "role": "analyst", "route": "get_client", "sk_id_curr": 1}

OUTCOME = {
    "application_id": 1,
    "sk_id_curr": 100002,
    "defaulted": True,
    "observed_on": date(2026, 6, 30),
    "source": "outcomes.csv",
    "username": "analyst",
}


def test_the_migration_chains_a_populated_database_in_place(backend: tuple[str, Engine]) -> None:
    _, engine = backend
    migrate.downgrade(engine, "0001")  # the schema before the audit migration, then data
    old = MetaData()
    old.reflect(engine)
    t = f"{m.TABLE_PREFIX}"
    with engine.begin() as conn:
        rows = [score(i) for i in range(3)]
        for row in rows:
            row.pop("reasons")
        conn.execute(old.tables[f"{t}score_log"].insert(), [r | {"reasons": "[]"} for r in rows])
        conn.execute(
            old.tables[f"{t}decisions"].insert(),
            [DECISION | {"created_at": datetime(2026, 1, 2, 3, 4, 5)}],
        )
    migrate.upgrade(engine)
    reports = {r.table: r for r in audit_chain.verify(engine)}
    assert reports["score_log"].records == 3 and reports["decisions"].records == 1
    assert all(r.ok for r in reports.values()), reports


def test_chains_stay_intact_under_concurrent_writers(backend: tuple[str, Engine]) -> None:
    _, engine = backend
    before = {r.table: r.records for r in audit_chain.verify(engine)}
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for i in range(15):
                with engine.begin() as conn:
                    audit_chain.append(conn, "score_log", [score(k * 100 + i), score(k * 100 + 50)])
                    audit_chain.append(conn, "data_access_events", [ACCESS])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with engine.begin() as conn:
        audit_chain.append(conn, "decisions", [DECISION])
    reports = {r.table: r for r in audit_chain.verify(engine)}
    assert reports["score_log"].records == before["score_log"] + 120
    assert reports["data_access_events"].records == before["data_access_events"] + 60
    assert all(r.ok for r in reports.values()), reports


SHADOW = {
    "application_id": 1,
    "score_id": 1,
    "model_name": "m",
    "model_version": "8",
    "probability": 0.2,
    "threshold": 0.3,
    "model_decision": "grant",
    "grade": "B",
}


def _column(table: str) -> str:
    """A column to try to rewrite: the user who wrote the record, or the shadow's model."""
    return {"shadow_scores": "model_version", "applicant_access_events": "detail"}.get(
        table, "username"
    )


def test_audit_tables_refuse_update_and_delete(backend: tuple[str, Engine]) -> None:
    name, engine = backend
    with engine.begin() as conn:  # a row in each, so that row triggers have one to refuse
        audit_chain.append(conn, "auth_events", [{"event": "failure", "username": "eve"}])
        audit_chain.append(conn, "scores", [SCORE | {"application_id": 1}])
        audit_chain.append(conn, "outcomes", [OUTCOME])
        audit_chain.append(conn, "shadow_scores", [SHADOW])
        audit_chain.append(
            conn, "applicant_access_events", [{"event": "sign_in", "application_id": 1}]
        )
    statements = ["UPDATE {t} SET {c} = 'x'", "DELETE FROM {t}"]
    if name == "postgresql":
        statements.append("TRUNCATE {t}")
    for table in AUDIT_TABLES:
        for sql in statements:
            with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
                conn.execute(text(sql.format(t=f"{m.TABLE_PREFIX}{table}", c=_column(table))))
    assert all(r.ok for r in audit_chain.verify(engine))


def test_tampering_with_the_triggers_dropped_is_found(backend: tuple[str, Engine]) -> None:
    _, engine = backend
    table = f"{m.TABLE_PREFIX}score_log"
    with engine.begin() as conn:
        unprotect(conn, table)
        conn.execute(text(f"UPDATE {table} SET probability = 0.01 WHERE sk_id_curr = 100005"))
        protect(conn, table)
    (report,) = audit_chain.verify(engine, ["score_log"])
    assert not report.ok and "was changed after it was written" in (report.first_break or "")


@contextlib.contextmanager
def _api_user(name: str, engine: Engine) -> Iterator[str]:
    """A database user with the API's grants; yields its URL."""
    user = f"{engine.url.database}_api_{uuid.uuid4().hex[:6]}"
    password = uuid.uuid4().hex
    with engine.begin() as conn:
        if name == "mariadb":
            conn.execute(text(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'"))
            quoted = f"'{user}'@'%'"
        else:
            conn.execute(text(f"CREATE ROLE {user} LOGIN PASSWORD '{password}'"))
            conn.execute(text(f"GRANT CONNECT ON DATABASE {engine.url.database} TO {user}"))
            conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {user}"))
            quoted = user
        for sql in grant_statements(name, quoted, database=engine.url.database):
            conn.execute(text(sql))
    url = make_url(str(engine.url)).set(username=user, password=password)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.begin() as conn:
            if name == "mariadb":
                conn.execute(text(f"DROP USER '{user}'@'%'"))
            else:
                conn.execute(text(f"DROP OWNED BY {user}"))
                conn.execute(text(f"DROP ROLE {user}"))


def test_the_api_user_reads_and_appends_but_cannot_change_or_remove(
    backend: tuple[str, Engine],
) -> None:
    name, engine = backend
    if name == "sqlite":
        pytest.skip("SQLite has no database users: the triggers are its only guard")
    with _api_user(name, engine) as url:
        _as_api_user(create_engine(url))
    reports = {r.table: r for r in audit_chain.verify(engine)}
    assert reports["decisions"].ok and reports["score_log"].records >= 121


def _as_api_user(api: Engine) -> None:
    try:
        with api.begin() as conn:  # what the API does: read, append through the chain
            audit_chain.append(conn, "score_log", [score(900)])
            audit_chain.append(conn, "decisions", [DECISION])
            assert conn.execute(select(func.count()).select_from(m.ScoreLog)).scalar_one() > 0
        for table in AUDIT_TABLES:
            for sql in ("UPDATE {t} SET {c} = 'x'", "DELETE FROM {t}"):
                with pytest.raises(Exception, match=r"(?i)denied|append-only"), api.begin() as c:
                    c.execute(text(sql.format(t=f"{m.TABLE_PREFIX}{table}", c=_column(table))))
        # nor drop the triggers to do it
        with pytest.raises(Exception, match=r"(?i)denied|owner|must be"), api.begin() as conn:
            unprotect(conn, f"{m.TABLE_PREFIX}score_log")
    finally:
        api.dispose()
