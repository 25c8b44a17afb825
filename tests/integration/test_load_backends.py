"""``db load`` by batches on SQLite, MariaDB and PostgreSQL (marked integration): a load
stopped by Ctrl-C after a batch, then by a failure inside the next one, keeps whole
batches only (two are written at once on a server), continues when run again with the
batches not loaded and ends with the rows an uninterrupted load writes; loading again
writes nothing; the foreign-key checks the batches lift come back.

Needs the servers of ``backends.py`` (``CREDIT_SCORING_TEST_MARIADB`` and
``CREDIT_SCORING_TEST_POSTGRESQL`` point at other databases); every table is dropped
before and after each backend's test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from backends import BACKENDS, drop_everything, reachable_engine
from sqlalchemy import Engine, select, text

from credit_scoring.data.loading import prepare
from credit_scoring.data.synth import generate
from credit_scoring.db import load, migrate
from credit_scoring.db import models as m
from credit_scoring.db.load import load_prepared
from credit_scoring.db.staging import Staging
from credit_scoring.features.batch import build_feature_table

pytestmark = pytest.mark.integration

CLIENTS, BATCH = 200, 60  # 4 batches


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("synth")
    generate(folder / "data", clients=CLIENTS, seed=8, fmt="csv")
    prepared = prepare(folder / "data", folder / "cache")
    return prepared, build_feature_table(prepared)


@pytest.fixture(params=list(BACKENDS))
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    url = BACKENDS[request.param] or f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'db.sqlite'}"
    engine = reachable_engine(request.param, url)
    drop_everything(engine)
    migrate.upgrade(engine)
    yield engine
    drop_everything(engine)
    engine.dispose()


def _snapshot(engine: Engine) -> dict[str, pd.DataFrame]:
    tables: dict[str, tuple[Any, ...]] = {
        "clients": (m.Client, m.Client.sk_id_curr),
        "loans": (m.Loan, m.Loan.source, m.Loan.loan_id),
        "transactions": (
            m.Transaction,
            m.Transaction.sk_id_curr,
            m.Transaction.source,
            m.Transaction.months_balance,
        ),
        "feature_vectors": (m.FeatureVector, m.FeatureVector.sk_id_curr),
    }
    with engine.connect() as conn:
        return {
            name: pd.read_sql(select(table).order_by(*order), conn)
            for name, (table, *order) in tables.items()
        }


def _stop_after(batches: int):  # type: ignore[no-untyped-def]
    def on_progress(step: str, done: int, total: int) -> None:
        if step == "batches" and done == batches:
            raise KeyboardInterrupt

    return on_progress


def test_a_stopped_load_resumes_to_the_rows_of_a_whole_load(
    engine: Engine, synthetic: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepared, features = synthetic
    ids = sorted(int(i) for i in features["SK_ID_CURR"])
    batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]

    def whole_batches(stored: pd.DataFrame) -> list[int]:
        """The batches stored (each whole: a batch is one transaction)."""
        clients = set(stored["sk_id_curr"])
        assert all(set(b) <= clients or not set(b) & clients for b in batches)
        return [k for k, b in enumerate(batches) if set(b) <= clients]

    with pytest.raises(KeyboardInterrupt):
        load_prepared(engine, prepared, features, batch_size=BATCH, on_progress=_stop_after(1))
    # the first batch, and on a server those its writers had started (two at a time)
    first = whole_batches(_snapshot(engine)["clients"])
    assert 0 in first and len(first) <= 1 + load.WRITERS

    # the server goes away while the next batch's history is written: that batch is lost
    reads = {"rows": Staging.history_rows, "csv": Staging.history_csv}
    lost = min(k for k in range(len(batches)) if k not in first)
    second = batches[lost][0]

    def failing(kind: str):  # type: ignore[no-untyped-def]
        def read(self: Staging, name: str, lo: int, hi: int, *args: Any) -> Any:
            if lo == second and name == "transactions":
                raise ConnectionError("server closed the connection")
            return reads[kind](self, name, lo, hi, *args)

        return read

    monkeypatch.setattr(Staging, "history_rows", failing("rows"))
    monkeypatch.setattr(Staging, "history_csv", failing("csv"))
    with pytest.raises(ConnectionError):
        load_prepared(engine, prepared, features, batch_size=BATCH)
    stopped = _snapshot(engine)
    done = whole_batches(stopped["clients"])
    assert lost not in done and set(first) <= set(done)
    assert set(stopped["feature_vectors"]["sk_id_curr"]) == set(stopped["clients"]["sk_id_curr"])
    monkeypatch.setattr(Staging, "history_rows", reads["rows"])
    monkeypatch.setattr(Staging, "history_csv", reads["csv"])

    written: list[int] = []
    write = load._write_batch

    def spy(conn: Any, staged: Staging, batch: Any, *args: Any, **kwargs: Any) -> int:
        written.append(batch.lo)
        return write(conn, staged, batch, *args, **kwargs)

    monkeypatch.setattr(load, "_write_batch", spy)
    resumed = load_prepared(engine, prepared, features, batch_size=BATCH)
    assert (resumed.batches, resumed.skipped) == (4, len(done)) and len(written) == 4 - len(done)
    assert sorted(written) == [b[0] for k, b in enumerate(batches) if k not in done]
    loaded = _snapshot(engine)
    assert {name: len(frame) for name, frame in loaded.items()} == {
        name: resumed.rows[name] for name in loaded
    }

    again = load_prepared(engine, prepared, features, batch_size=BATCH)
    assert again.skipped == again.batches and len(written) == 4 - len(done)
    whole = load_prepared(engine, prepared, features, batch_size=BATCH, rewrite=True)
    assert whole.skipped == 0
    for name, frame in _snapshot(engine).items():
        pd.testing.assert_frame_equal(frame, loaded[name], obj=name)

    with engine.connect() as conn:  # a pooled connection has its checks back
        if engine.dialect.name == "postgresql":
            role = conn.execute(text("SHOW session_replication_role")).scalar_one()
            assert role == "origin"
        elif engine.dialect.name in ("mysql", "mariadb"):
            assert conn.execute(text("SELECT @@SESSION.foreign_key_checks")).scalar_one() == 1


def _application(i: int, by: str) -> dict[str, Any]:
    """An applications row as the load writes it (entered_at and status left to defaults)."""
    return {
        "sk_id_curr": 100_000 + i,
        "source": "load",
        "new_client": i % 2 == 0,
        "contract_type": "Cash loans" if i % 3 else None,
        "amount_credit": 1 / 3 + i,
        "amount_goods_price": None,
        "term_months": None if i % 4 else 36,
        "monthly_annuity": 12_345.678,
        # JSON null (not SQL NULL: the column refuses it) on one row
        "declared": None if i == 5 else {"applicant": {"name": "Élodie", "income": i * 1.5}},
        "application_row": {"SK_ID_CURR": 100_000 + i, "TARGET": None, "AMT": 0.1 + i},
        "entered_by": by,
        "idempotency_key": f"load:{i}:{by}",
    }


def test_many_rows_are_stored_as_insert_stores_them(engine: Engine) -> None:
    """``bulk.insert_dicts`` (COPY on PostgreSQL from COPY_FROM rows) and ``insert()`` give
    the same rows, JSON, defaults and order of ids included; a chain appended by COPY
    verifies."""
    from backends import score_record
    from sqlalchemy import insert

    from credit_scoring.db import audit_chain, bulk
    from credit_scoring.db.bulk import COPY_FROM

    table = m.Application.__table__
    n = COPY_FROM + 20
    with engine.begin() as conn:
        bulk.insert_dicts(conn, table, [_application(i, "copy") for i in range(n)])  # type: ignore[arg-type]
        conn.execute(insert(table), [_application(i, "insert") for i in range(n)])
        audit_chain.append(conn, "score_log", [score_record(i) for i in range(n)])
    with engine.connect() as conn:
        stored = pd.read_sql(select(table).order_by(table.c.id), conn)
    by = dict(tuple(stored.groupby("entered_by")))
    copied, inserted = by["copy"], by["insert"]
    assert copied["id"].is_monotonic_increasing and copied["sk_id_curr"].is_monotonic_increasing
    assert copied["entered_at"].notna().all() and set(copied["status"]) == {"scored"}
    same = [
        c for c in stored.columns if c not in ("id", "entered_at", "entered_by", "idempotency_key")
    ]
    pd.testing.assert_frame_equal(
        copied[same].reset_index(drop=True), inserted[same].reset_index(drop=True)
    )
    (report,) = audit_chain.verify(engine, ["score_log"])
    assert report.ok and report.records == n
