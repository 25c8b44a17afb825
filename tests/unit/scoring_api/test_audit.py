"""Durable audit on SQLite: spool, replay, dead letters, backlog, triggers, chains, routes, CLI."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from typer.testing import CliRunner

from credit_scoring.cli import app as cli
from credit_scoring.config import get_settings
from credit_scoring.db import audit_chain, migrate
from credit_scoring.db import models as m
from credit_scoring.db.append_only import AUDIT_TABLES, protect, unprotect
from credit_scoring.db.session import get_engine
from credit_scoring.lending.audit import DEAD_LETTER, AuditSpool, AuditWriteError, encode

from .conftest import Bank, TestClient, auth_headers, bank_copy, served
from .fake_scorer import FakeScorer


def score_row(i: int, **extra: object) -> dict:
    row = {
        "username": "advisor",
        "route": "client_score",
        "sk_id_curr": 100_000 + i,
        "inputs_digest": f"{i:064d}",
        "model_version": "7",
        "threshold": 0.3,
        "probability": i / 1000 + 1 / 3,
        "decision": "grant",
        "reasons": [{"text": "élevé", "contribution": 0.1 * i}],
    }
    return row | extra


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = get_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    migrate.upgrade(engine)
    return engine


def _count(engine: Engine, table: type[m.Base] = m.ScoreLog) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_a_record_is_on_disk_before_log_returns_then_in_the_database(
    engine: Engine, tmp_path: Path
) -> None:
    spool = AuditSpool(engine, tmp_path / "spool", interval=3600)  # no background round
    try:
        spool.log(**score_row(1))
        segment = next((tmp_path / "spool").glob("*.spool"))
        line = json.loads(segment.read_bytes().splitlines()[0])
        assert line["t"] == "score_log" and line["r"]["sk_id_curr"] == 100_001
        assert spool.backlog == 1
        assert spool.flush() is True and spool.backlog == 0
        assert _count(engine) == 1
    finally:
        spool.close()
    assert not list((tmp_path / "spool").glob("*.spool")), "a shipped segment is removed"
    (report,) = audit_chain.verify(engine, ["score_log"])
    assert report.ok and report.records == 1


def test_concurrent_writers_share_syncs_and_every_record_arrives_once(
    engine: Engine, tmp_path: Path
) -> None:
    spool = AuditSpool(engine, tmp_path / "spool", interval=0.05)
    try:

        def worker(k: int) -> None:
            for i in range(50):
                spool.write([("score_log", score_row(k * 100 + i))])

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert spool.flush() is True
    finally:
        spool.close()
    assert _count(engine) == 400
    with engine.connect() as conn:
        ids = conn.execute(select(m.ScoreLog.sk_id_curr)).scalars().all()
    assert len(set(ids)) == 400
    assert all(r.ok for r in audit_chain.verify(engine))


def test_threads_and_the_event_loop_sync_side_by_side_and_every_record_arrives_once(
    engine: Engine, tmp_path: Path
) -> None:
    """Threads sync their own records (write), the event loop hands its to the writer
    thread (awrite): both at once, nothing lost, nothing twice."""
    spool = AuditSpool(engine, tmp_path / "spool", interval=0.05)
    try:

        def worker(k: int) -> None:
            for i in range(40):
                spool.write([("score_log", score_row(k * 100 + i))])

        async def loop_writers() -> None:
            await asyncio.gather(
                *(spool.awrite([("score_log", score_row(900 + i))]) for i in range(60))
            )

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
        for thread in threads:
            thread.start()
        asyncio.run(loop_writers())
        for thread in threads:
            thread.join()
        assert spool.flush() is True
    finally:
        spool.close()
    with engine.connect() as conn:
        ids = conn.execute(select(m.ScoreLog.sk_id_curr)).scalars().all()
    assert len(ids) == 220 and len(set(ids)) == 220
    assert all(r.ok for r in audit_chain.verify(engine))


def test_a_sync_that_fails_tells_every_waiter_and_the_spool_recovers(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure before the write (a new segment cannot be created: disk full) refuses the
    records of that sync, thread and event loop alike, instead of leaving them waiting."""
    spool = AuditSpool(engine, tmp_path / "spool", interval=3600)
    try:

        def disk_full() -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(spool, "_maybe_rotate", disk_full)
        with pytest.raises(AuditWriteError, match="No space left"):
            spool.write([("score_log", score_row(1))])
        with pytest.raises(AuditWriteError, match="No space left"):
            asyncio.run(spool.awrite([("score_log", score_row(2))]))
        assert spool.backlog == 0  # nothing half-written is counted as stored
        monkeypatch.undo()
        spool.write([("score_log", score_row(3))])
        assert spool.flush() is True
    finally:
        spool.close()
    with engine.connect() as conn:
        assert conn.execute(select(m.ScoreLog.sk_id_curr)).scalars().all() == [100_003]


def test_a_dead_process_segment_is_replayed_in_order_and_once(
    engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "spool"
    folder.mkdir()
    # What a process killed with -9 leaves: synced lines, maybe a torn last one (never acknowledged).
    lines = [encode("score_log", score_row(i)) for i in range(5)]
    (folder / "host-1-1000.spool").write_bytes(b"".join(lines) + lines[0][:20])
    # The database already has the first two (the process died after shipping them).
    with engine.begin() as conn:
        audit_chain.append(conn, "score_log", [json.loads(x)["r"] for x in lines[:2]])
        conn.execute(
            m.AuditSpoolProgress.__table__.insert().values(
                segment="host-1-1000.spool",
                shipped_bytes=len(lines[0]) + len(lines[1]),
                shipped_records=2,
            )
        )
    spool = AuditSpool(engine, folder, interval=3600)
    try:
        assert spool.flush() is True
    finally:
        spool.close()
    with engine.connect() as conn:
        ids = conn.execute(select(m.ScoreLog.sk_id_curr).order_by(m.ScoreLog.id)).scalars().all()
    assert ids == [100_000 + i for i in range(5)]
    assert not (folder / "host-1-1000.spool").exists()
    assert all(r.ok for r in audit_chain.verify(engine))


def test_a_refused_record_goes_to_the_dead_letter_file_and_never_blocks_the_others(
    engine: Engine, tmp_path: Path
) -> None:
    spool = AuditSpool(engine, tmp_path / "spool", interval=3600)
    try:
        spool.log(**score_row(1))
        spool.log(**score_row(2, decision=None))  # NOT NULL: the database refuses it
        spool.log(**score_row(3))
        assert spool.flush() is True
        assert spool.dead_letters == 1 and spool.backlog == 0
    finally:
        spool.close()
    assert _count(engine) == 2
    (entry,) = [json.loads(x) for x in (tmp_path / "spool" / DEAD_LETTER).read_text().splitlines()]
    assert entry["record"]["r"]["sk_id_curr"] == 100_002
    assert "IntegrityError" in entry["error"] and "decision" in entry["error"]


def test_database_down_records_wait_on_disk_and_health_turns_not_ready_past_the_bound(
    bank: Bank, scorer: FakeScorer, tmp_path: Path, known_ids
) -> None:
    folder = tmp_path / "server"
    settings = bank_copy(bank, folder, audit_backlog_max=2, audit_spool_dir=tmp_path / "spool")
    with served(settings, scorer) as client:
        app = client.app
        headers = auth_headers(client, "advisor")
        for cid in known_ids[:3]:  # cached while the database is there
            assert client.get(f"/clients/{cid}/score", headers=headers).status_code == 200
        assert app.state.audit.flush() is True
        before = _count(get_engine(settings.resolved_database_url))

        folder.rename(tmp_path / "away")
        get_engine(settings.resolved_database_url).dispose()
        for cid in known_ids[:3]:
            assert client.get(f"/clients/{cid}/score", headers=headers).status_code == 200
        assert app.state.audit.flush() is False
        health = client.get("/health")
        assert health.status_code == 503
        # each cached score wrote a score record and a data-access record
        assert health.json()["audit_backlog"] == 6 and health.json()["ready"] is False

        (tmp_path / "away").rename(folder)
        get_engine(settings.resolved_database_url).dispose()
        assert app.state.audit.flush() is True
        assert client.get("/health").json()["audit_backlog"] == 0
        assert client.get("/health").json()["ready"] is True
    assert _count(get_engine(settings.resolved_database_url)) == before + 3


def test_audit_tables_refuse_update_and_delete(engine: Engine) -> None:
    with engine.begin() as conn:
        audit_chain.append(conn, "score_log", [score_row(1)])
        audit_chain.append(
            conn,
            "data_access_events",
            [{"username": "a", "role": "advisor", "route": "get_client", "sk_id_curr": 1}],
        )
        audit_chain.append(
            conn,
            "decisions",
            [
                {
                    "sk_id_curr": 1,
                    "username": "a",
                    "decision": "grant",
                    "model_decision": "grant",
                    "probability": 0.1,
                    "threshold": 0.3,
                    "model_version": "7",
                    "override": False,
                }
            ],
        )
        audit_chain.append(conn, "auth_events", [{"event": "success", "username": "a"}])
        audit_chain.append(
            conn,
            "scores",
            [
                {
                    "application_id": 1,
                    "username": "a",
                    "model_name": "m",
                    "model_version": "7",
                    "inputs_digest": "0" * 64,
                    "probability": 0.1,
                    "threshold": 0.3,
                    "model_decision": "grant",
                    "decision": "grant",
                    "policy": [],
                    "reasons": [],
                    "lang": "fr",
                }
            ],
        )
        audit_chain.append(
            conn,
            "outcomes",
            [
                {
                    "application_id": 1,
                    "sk_id_curr": 100002,
                    "defaulted": False,
                    "observed_on": date(2026, 6, 30),
                    "source": "api",
                    "username": "a",
                }
            ],
        )
        audit_chain.append(
            conn,
            "shadow_scores",
            [
                {
                    "application_id": 1,
                    "score_id": 1,
                    "model_name": "m",
                    "model_version": "8",
                    "probability": 0.2,
                    "threshold": 0.3,
                    "model_decision": "grant",
                    "grade": "B",
                }
            ],
        )
        audit_chain.append(
            conn,
            "applicant_access_events",
            [{"application_id": 1, "event": "sign_in", "client_address": "127.0.0.1"}],
        )
    # no user column: a model's scores, an applicant's accesses
    own = {"shadow_scores": "model_version", "applicant_access_events": "event"}
    for table in AUDIT_TABLES:
        column = own.get(table, "username")
        for sql in (f"UPDATE {table} SET {column} = 'x'", f"DELETE FROM {table}"):
            with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
                conn.execute(text(sql))
        assert _count(engine, m.Base.metadata.tables[table]) == 1  # type: ignore[arg-type]


def _tamper(engine: Engine, sql: str) -> None:
    """What an attacker with the owner's rights could do: drop the triggers, edit, restore."""
    with engine.begin() as conn:
        unprotect(conn, "score_log")
        conn.execute(text(sql))
        protect(conn, "score_log")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("UPDATE score_log SET probability = 0.01 WHERE sk_id_curr = 100002", "was changed"),
        ("DELETE FROM score_log WHERE sk_id_curr = 100002", "does not follow"),
        ("DELETE FROM score_log WHERE sk_id_curr = 100004", "records were removed"),
        (
            "INSERT INTO score_log (created_at, username, route, inputs_digest, model_version, "
            "threshold, probability, decision, reasons) SELECT created_at, username, route, "
            "inputs_digest, model_version, threshold, probability, decision, reasons "
            "FROM score_log WHERE sk_id_curr = 100001",
            None,  # beyond the head: seen once a chained record follows it
        ),
    ],
)
def test_audit_verify_finds_the_first_break(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sql: str, message: str | None
) -> None:
    monkeypatch.setenv("CREDIT_SCORING_DATABASE_URL", str(engine.url))
    get_settings.cache_clear()
    try:
        with engine.begin() as conn:
            audit_chain.append(conn, "score_log", [score_row(i) for i in range(1, 5)])
        intact = CliRunner().invoke(cli, ["audit", "verify"])
        assert intact.exit_code == 0, intact.output
        assert "score_log: 4 records, chain intact" in intact.output
        _tamper(engine, sql)
        if message is None:
            with engine.begin() as conn:
                audit_chain.append(conn, "score_log", [score_row(9)])
            message = "inserted around the chain"
        broken = CliRunner().invoke(cli, ["audit", "verify"])
        assert broken.exit_code == 1
        assert "score_log" in broken.output and "BROKEN" in broken.output
        assert message in " ".join(broken.output.split())
    finally:
        get_settings.cache_clear()


def test_decisions_and_client_reads_are_recorded_and_chained(
    client: TestClient, tokens, bank: Bank, known_ids
) -> None:
    cid = known_ids[7]
    client.get(f"/clients/{cid}/score", headers=tokens["advisor"])
    loan = {"contract_type": "cash", "amount": 3_000.0, "term_months": 36}
    created = client.post(
        "/applications",
        json={"client_id": cid, "loan": loan},
        headers={**tokens["advisor"], "Idempotency-Key": f"audit-{cid}"},
    ).json()
    decided = client.post(
        f"/applications/{created['application_id']}/decision",
        headers=tokens["advisor"],
        json={"score_id": created["score_id"], "decision": created["decision"]},
    )
    assert decided.status_code == 201, decided.text
    for path in (
        f"/clients/{cid}",
        f"/clients/{cid}/explanation",
        f"/clients/{cid}/decisions",
        f"/population/stats?client_id={cid}",
    ):
        assert client.get(path, headers=tokens["analyst"]).status_code == 200
    assert client.app.state.audit.flush() is True  # type: ignore[attr-defined]
    with bank.engine.connect() as conn:
        reads = conn.execute(
            select(m.DataAccessEvent.username, m.DataAccessEvent.route).where(
                m.DataAccessEvent.sk_id_curr == cid
            )
        ).all()
        logged = conn.execute(
            select(m.ScoreLog.features_sha).where(m.ScoreLog.sk_id_curr == cid)
        ).scalars()
        vector = conn.execute(
            select(m.FeatureVector.vector_sha).where(m.FeatureVector.sk_id_curr == cid)
        ).scalar_one()
    assert {("advisor", "client_score"), ("analyst", "get_client")} <= set(reads)
    assert {("analyst", "client_explanation"), ("analyst", "client_decisions")} <= set(reads)
    assert ("analyst", "population_stats") in set(reads)
    assert vector in set(logged)  # the score points to the stored vector it used
    assert all(r.ok for r in audit_chain.verify(bank.engine)), audit_chain.verify(bank.engine)


def test_audit_routes_filter_page_and_export_csv_for_admins_only(
    client: TestClient, tokens, known_ids
) -> None:
    cid = known_ids[8]
    client.get(f"/clients/{cid}/score", headers=tokens["analyst"])
    client.app.state.audit.flush()  # type: ignore[attr-defined]
    page = client.get(
        "/audit/scores", params={"sk_id_curr": cid, "username": "analyst"}, headers=tokens["admin"]
    )
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["total"] >= 1 and {i["sk_id_curr"] for i in body["items"]} == {cid}
    assert all(len(i["row_hash"]) == 64 for i in body["items"])
    access = client.get(
        "/audit/data-access", params={"sk_id_curr": cid}, headers=tokens["admin"]
    ).json()
    assert access["items"][0]["route"] == "client_score"
    csv_ = client.get(
        "/audit/scores",
        params={"sk_id_curr": cid, "username": "analyst", "format": "csv"},
        headers=tokens["admin"],
    )
    assert csv_.headers["content-type"].startswith("text/csv")
    header, *rows = csv_.text.splitlines()
    assert header.split(",")[:3] == ["id", "created_at", "username"] and len(rows) == body["total"]
    logins = client.get(
        "/audit/auth-events",
        params={"username": "analyst", "event": "success"},
        headers=tokens["admin"],
    ).json()
    assert logins["total"] >= 1 and all(len(i["row_hash"]) == 64 for i in logins["items"])
    for path in (
        "/audit/scores",
        "/audit/decisions",
        "/audit/data-access",
        "/audit/auth-events",
        "/audit/verify",
    ):
        assert client.get(path, headers=tokens["advisor"]).status_code == 403
    verify = client.get("/audit/verify", headers=tokens["admin"]).json()
    assert {v["table"] for v in verify} == set(AUDIT_TABLES) and all(v["intact"] for v in verify)


def test_db_load_keeps_every_replaced_feature_vector(bank: Bank, tmp_path: Path) -> None:
    from credit_scoring.data.loading import prepare
    from credit_scoring.db.load import load_prepared, vector_sha

    engine = get_engine(f"sqlite:///{tmp_path / 'load.db'}")
    migrate.upgrade(engine)
    prepared = prepare(bank.data_dir, tmp_path / "cache")
    features = bank.features
    report = load_prepared(engine, prepared, features)
    assert report.rows["feature_vector_versions"] == 0
    cid = int(features["SK_ID_CURR"].iloc[3])
    with engine.connect() as conn:
        old = conn.execute(
            select(m.FeatureVector.vector, m.FeatureVector.vector_sha).where(
                m.FeatureVector.sk_id_curr == cid
            )
        ).one()
    assert old.vector_sha == vector_sha(report.feature_set or "", old.vector)

    assert load_prepared(engine, prepared, features).rows["feature_vector_versions"] == 0
    changed = features.copy()
    column = next(c for c in changed.columns[2:] if changed[c].dtype.kind == "f")
    changed.loc[changed["SK_ID_CURR"] == cid, column] = 12345.0
    assert load_prepared(engine, prepared, changed).rows["feature_vector_versions"] == 1
    with engine.connect() as conn:
        kept = conn.execute(select(m.FeatureVectorVersion)).one()
        current = conn.execute(
            select(m.FeatureVector.vector_sha).where(m.FeatureVector.sk_id_curr == cid)
        ).scalar_one()
    assert (kept.sk_id_curr, kept.vector_sha, kept.vector) == (cid, old.vector_sha, old.vector)
    assert current != old.vector_sha

    # new feature definitions: every vector of the old set is kept, none twice
    fewer = changed.drop(columns=[column])
    report = load_prepared(engine, prepared, fewer)
    assert report.rows["feature_vector_versions"] == len(features)
    assert _count(engine, m.FeatureVectorVersion) == len(features) + 1


def test_records_wait_rather_than_dead_letter_when_the_schema_is_missing(tmp_path: Path) -> None:
    engine = get_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # answers, but not migrated
    spool = AuditSpool(engine, tmp_path / "spool", interval=3600)
    try:
        spool.log(**score_row(1))
        assert spool.flush() is False and spool.dead_letters == 0 and spool.backlog == 1
        migrate.upgrade(engine)
        assert spool.flush() is True
    finally:
        spool.close()
    assert _count(engine) == 1
