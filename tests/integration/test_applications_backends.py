"""Migrations 0005 (applications, immutable scores) and 0006 (a refusal's category) on a
populated database, on SQLite, MariaDB and PostgreSQL (integration).

Then ``db load``'s applications step on each backend (JSON rows, key look-ups, chained
scores). A database at ``0004_audit_append_only`` with users, clients, decisions and score log
records (chained by ``audit_chain.append`` as that revision's code wrote them: without
the columns 0005 adds) upgrades in place: old records keep their hashes and read back
with the new columns NULL, ``scores`` is append-only and chained, one key per user
enters an application once, and the migration goes down to 0004 and up again.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from backends import (
    BACKENDS,
    DECISION,
    SCORE,
    drop_everything,
    reachable_engine,
    score_record,
)
from sqlalchemy import Engine, MetaData, Table, func, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from credit_scoring.data.loading import PreparedData, prepare
from credit_scoring.data.synth import generate
from credit_scoring.db import audit_chain, migrate
from credit_scoring.db import models as m
from credit_scoring.db.append_only import AUDIT_TABLES
from credit_scoring.db.load import load_prepared
from credit_scoring.features.batch import build_feature_table
from credit_scoring.lending.loaded import load_applications
from credit_scoring.lending.policy import Policy
from credit_scoring.lending.security import add_user, record_event

pytestmark = pytest.mark.integration

_spec = importlib.util.spec_from_file_location(
    "tiny_champion", Path(__file__).parents[1] / "unit" / "tiny_champion.py"
)
assert _spec is not None and _spec.loader is not None
tiny_champion = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tiny_champion)

BEFORE = "0004_audit_append_only"
ADDED = {
    "decisions": ("application_id", "score_id", "reason_category"),  # 0005 and 0006
    "score_log": ("score_id",),
}
P = m.TABLE_PREFIX


def _as_at_0004(name: str) -> Table:
    """The audit table as revision 0004's models declared it (without 0005's columns)."""
    head = audit_chain.audit_table(name)
    return Table(
        head.name, MetaData(), *(c._copy() for c in head.columns if c.name not in ADDED[name])
    )


def _append_at_0004(engine: Engine, name: str, rows: list[dict[str, Any]]) -> None:
    table = _as_at_0004(name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(audit_chain, "audit_table", lambda _name: table)
        with engine.begin() as conn:
            audit_chain.append(conn, name, rows)


def _hashes(engine: Engine, name: str) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT id, row_hash FROM {P}{name} ORDER BY id")).all()
    return [(int(i), str(h)) for i, h in rows]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> PreparedData:
    folder = tmp_path_factory.mktemp("synth")
    generate(folder / "data", clients=80, seed=9, fmt="csv")
    return prepare(folder / "data", folder / "cache")


@pytest.fixture(scope="module", params=list(BACKENDS))
def populated(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    prepared: PreparedData,
) -> Iterator[tuple[str, Engine, dict[str, list[tuple[int, str]]]]]:
    """A database populated at 0004 and then upgraded to head; the hashes before it."""
    url = BACKENDS[request.param] or f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'a.db'}"
    engine = reachable_engine(request.param, url)
    drop_everything(engine)
    migrate.upgrade(engine, BEFORE)
    load_prepared(engine, prepared, None)
    _append_at_0004(engine, "score_log", [score_record(i) for i in range(5)])
    _append_at_0004(engine, "decisions", [DECISION, DECISION | {"override": False}])
    before = {name: _hashes(engine, name) for name in ADDED}
    assert all(before.values())
    migrate.upgrade(engine)
    # the user through today's models, which know columns added after 0004 (users.language)
    with Session(engine) as session, session.begin():
        add_user(session, "advisor", "integration password", "advisor")
        record_event(session, "create", "advisor", actor="cli", detail="role advisor")
    yield request.param, engine, before
    engine.dispose()
    drop_everything(engine)


def test_old_records_keep_their_hashes_and_read_back_with_the_new_columns_null(
    populated: tuple[str, Engine, dict[str, list[tuple[int, str]]]],
) -> None:
    _, engine, before = populated
    reports = {r.table: r for r in audit_chain.verify(engine)}
    assert set(reports) == set(AUDIT_TABLES) and all(r.ok for r in reports.values()), reports
    assert reports["score_log"].records == 5 and reports["decisions"].records == 2
    assert reports["scores"].records == 0 and reports["auth_events"].records == 1
    assert {name: _hashes(engine, name) for name in ADDED} == before
    with Session(engine) as session:
        decisions = session.execute(select(m.Decision).order_by(m.Decision.id)).scalars().all()
        logged = session.execute(select(m.ScoreLog)).scalars().all()
        assert [d.reason for d in decisions] == [DECISION["reason"]] * 2
        assert all(d.application_id is None and d.score_id is None for d in decisions)
        assert len(logged) == 5 and all(r.score_id is None for r in logged)
        assert logged[0].reasons == score_record(0)["reasons"]
        assert session.execute(select(func.count()).select_from(m.Client)).scalar_one() == 80


def _application(**extra: Any) -> dict[str, Any]:
    return {
        "sk_id_curr": m.NEW_CLIENT_BASE + 1,
        "source": "intake",
        "new_client": True,
        "declared": {"income_yearly": 30_000},
        "application_row": {"AMT_INCOME_TOTAL": 30_000.0},
        "entered_by": "advisor",
        "status": "scored",
    } | extra


def test_scores_are_chained_and_refuse_update_and_delete(
    populated: tuple[str, Engine, dict[str, list[tuple[int, str]]]],
) -> None:
    name, engine, _ = populated
    with engine.begin() as conn:
        app_id = conn.execute(insert(m.Application), _application()).inserted_primary_key[0]
        audit_chain.append(conn, "scores", [SCORE | {"application_id": app_id}] * 2)
    statements = ["UPDATE {t} SET decision = 'grant'", "DELETE FROM {t}"]
    if name == "postgresql":
        statements.append("TRUNCATE {t}")
    for sql in statements:
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql.format(t=f"{P}scores")))
    (report,) = audit_chain.verify(engine, ["scores"])
    assert report.ok and report.records == 2
    with engine.connect() as conn:
        stored = conn.execute(select(m.Score.policy, m.Score.reasons)).first()
    assert stored is not None and (stored[0], stored[1]) == (SCORE["policy"], SCORE["reasons"])


def test_one_key_per_user_enters_an_application_once(
    populated: tuple[str, Engine, dict[str, list[tuple[int, str]]]],
) -> None:
    _, engine, _ = populated
    with engine.begin() as conn:
        conn.execute(insert(m.Application), [_application(), _application()])  # NULL keys
        conn.execute(insert(m.Application), _application(idempotency_key="k-1"))
        conn.execute(insert(m.Application), _application(idempotency_key="k-1", entered_by="b"))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(m.Application), _application(idempotency_key="k-1"))
    with engine.connect() as conn:
        keyed = m.Application.idempotency_key == "k-1"
        count = select(func.count()).select_from(m.Application).where(keyed)
        assert conn.execute(count).scalar_one() == 2


def test_downgrade_to_0004_and_upgrade_again(
    populated: tuple[str, Engine, dict[str, list[tuple[int, str]]]],
) -> None:
    _, engine, before = populated
    migrate.downgrade(engine, BEFORE)
    names = set(inspect(engine).get_table_names())
    assert f"{P}applications" not in names and f"{P}scores" not in names
    for table, columns in ADDED.items():
        present = {c["name"] for c in inspect(engine).get_columns(f"{P}{table}")}
        assert present.isdisjoint(columns)
    assert {name: _hashes(engine, name) for name in ADDED} == before
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text(f"DELETE FROM {P}decisions"))  # still protected after the copy
    migrate.upgrade(engine)
    reports = {r.table: r for r in audit_chain.verify(engine)}
    assert all(r.ok for r in reports.values()), reports
    assert reports["scores"].records == 0 and reports["decisions"].records == 2
    with engine.begin() as conn:
        app_id = conn.execute(insert(m.Application), _application()).inserted_primary_key[0]
        audit_chain.append(conn, "scores", [SCORE | {"application_id": app_id}])
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text(f"DELETE FROM {P}scores"))
    assert all(r.ok for r in audit_chain.verify(engine))


def test_loaded_clients_get_one_application_and_score_each_once(
    populated: tuple[str, Engine, dict[str, list[tuple[int, str]]]], prepared: PreparedData
) -> None:
    _, engine, _ = populated
    features = build_feature_table(prepared)
    load_prepared(engine, prepared, features)
    scorer = tiny_champion.tiny_champion(features)
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(m.Score)).scalar_one()
    first = load_applications(engine, scorer, policy=Policy.load(), chunk=30)
    again = load_applications(engine, scorer, policy=Policy.load(), chunk=30)
    assert (first.clients, first.created, first.scored) == (80, 80, 80)
    assert (again.created, again.scored) == (0, 0)
    with engine.connect() as conn:
        rows = conn.execute(
            select(m.Application.sk_id_curr, m.Application.application_row).where(
                m.Application.source == "load"
            )
        ).all()
        kaggle = dict(conn.execute(select(m.Client.sk_id_curr, m.Client.application_json)).all())
        scores = conn.execute(select(func.count()).select_from(m.Score)).scalar_one()
    assert sorted(r[0] for r in rows) == sorted(kaggle)
    assert all(r[1] == json.loads(kaggle[r[0]]) for r in rows)
    assert scores == before + 80
    assert all(r.ok for r in audit_chain.verify(engine))


def test_0006_adds_the_refusal_category_and_old_decisions_still_verify(
    populated: tuple[str, Engine, dict[str, list[tuple[int, str]]]],
) -> None:
    _, engine, before = populated
    migrate.downgrade(engine, "0005_applications")
    present = {c["name"] for c in inspect(engine).get_columns(f"{P}decisions")}
    assert "reason_category" not in present and "score_id" in present
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text(f"DELETE FROM {P}decisions"))  # still protected after the copy
    migrate.upgrade(engine)
    assert _hashes(engine, "decisions")[: len(before["decisions"])] == before["decisions"]
    with engine.begin() as conn:
        audit_chain.append(conn, "decisions", [DECISION | {"reason_category": "documents_missing"}])
    reports = {r.table: r for r in audit_chain.verify(engine)}
    assert all(r.ok for r in reports.values()), reports
    with Session(engine) as session:
        categories = (
            session.execute(select(m.Decision.reason_category).order_by(m.Decision.id))
            .scalars()
            .all()
        )
    assert categories[-1] == "documents_missing" and set(categories[:-1]) == {None}
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text(f"UPDATE {P}decisions SET reason_category = 'other'"))
