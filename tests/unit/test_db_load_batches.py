"""``db load`` by batches of clients (SQLite): loading twice changes nothing and writes
nothing, a load stopped after some batches (Ctrl-C, an error, a kill) continues with the
next one and ends with the database an uninterrupted load gives, a changed client rewrites its own batch only, each
batch is read on its own (never a whole table), and a client's stored application row does
not depend on which clients share its batch; the client scores and the applications that
follow read the stored vectors a chunk at a time, and only those they score."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, select
from tiny_champion import tiny_champion
from typer.testing import CliRunner

from credit_scoring.cli import app
from credit_scoring.config import get_settings
from credit_scoring.data.loading import PreparedData, prepare
from credit_scoring.data.synth import generate
from credit_scoring.db import bulk, load, migrate
from credit_scoring.db import models as m
from credit_scoring.db.client_scores import refresh_client_scores
from credit_scoring.db.load import client_rows, decode_vectors, load_prepared
from credit_scoring.db.session import get_engine
from credit_scoring.db.staging import Staging
from credit_scoring.features.batch import build_feature_table
from credit_scoring.lending import loaded
from credit_scoring.lending.loaded import load_applications
from credit_scoring.lending.policy import Policy

CLIENTS = 300
BATCH = 70  # 5 batches: 70, 70, 70, 70 and 20 clients
BATCHES = -(-CLIENTS // BATCH)


@dataclass
class Folder:
    root: Path
    data: Path
    prepared: PreparedData
    features: pd.DataFrame


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Folder:
    root = tmp_path_factory.mktemp("batches")
    generate(root / "data", clients=CLIENTS, seed=5, fmt="csv")
    prepared = prepare(root / "data", root / "cache")
    return Folder(root, root / "data", prepared, build_feature_table(prepared))


def _engine(path: Path) -> Engine:
    engine = get_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    return engine


def _snapshot(engine: Engine) -> dict[str, pd.DataFrame]:
    """Every row ``db load`` writes, in key order (times of writing left out)."""
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
        "feature_vector_versions": (
            m.FeatureVectorVersion,
            m.FeatureVectorVersion.sk_id_curr,
            m.FeatureVectorVersion.vector_sha,
        ),
        "feature_sets": (m.FeatureSet, m.FeatureSet.version),
    }
    with engine.connect() as conn:
        out = {
            name: pd.read_sql(select(table).order_by(*order), conn)
            for name, (table, *order) in tables.items()
        }
    out["feature_sets"] = out["feature_sets"].drop(columns="created_at")
    out["feature_vector_versions"] = out["feature_vector_versions"].drop(columns="replaced_at")
    return out


def _assert_same(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame]) -> None:
    assert left.keys() == right.keys()
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], obj=name)


def _written(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the first client of each batch written (not skipped)."""
    written: list[int] = []
    write = load._write_batch

    def spy(conn: Any, staged: Staging, batch: Any, *args: Any, **kwargs: Any) -> int:
        written.append(batch.lo)
        return write(conn, staged, batch, *args, **kwargs)

    monkeypatch.setattr(load, "_write_batch", spy)
    return written


def _first_ids(folder: Folder) -> list[int]:
    ids = sorted(int(i) for i in folder.features["SK_ID_CURR"])
    return ids[::BATCH]


def test_loading_twice_leaves_the_same_database_and_writes_nothing(
    folder: Folder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _engine(tmp_path / "twice.db")
    steps: list[tuple[str, int, int]] = []
    first = load_prepared(
        engine,
        folder.prepared,
        folder.features,
        batch_size=BATCH,
        on_progress=lambda *s: steps.append(s),
    )
    assert (first.batches, first.skipped, first.written) == (BATCHES, 0, BATCHES)
    assert first.rows["clients"] == first.rows["feature_vectors"] == CLIENTS
    assert [s for s in steps if s[0] == "batches"] == [
        ("batches", k, BATCHES) for k in range(BATCHES + 1)
    ]
    once = _snapshot(engine)
    assert len(once["clients"]) == CLIENTS and len(once["transactions"]) > CLIENTS
    assert first.rows["loans"] == len(once["loans"])
    assert first.rows["transactions"] == len(once["transactions"])

    written = _written(monkeypatch)
    again = load_prepared(engine, folder.prepared, folder.features, batch_size=BATCH)
    assert (again.skipped, again.written, written) == (BATCHES, 0, [])
    assert again.rows == first.rows
    _assert_same(_snapshot(engine), once)

    # another batch size finds the same rows loaded
    other = load_prepared(engine, folder.prepared, folder.features, batch_size=BATCH * 2)
    assert other.skipped == other.batches and written == []
    # --rewrite writes every batch again, to the same rows
    rewritten = load_prepared(
        engine, folder.prepared, folder.features, batch_size=BATCH, rewrite=True
    )
    assert (rewritten.skipped, len(written)) == (0, BATCHES)
    _assert_same(_snapshot(engine), once)


def _interrupt_after(batches: int) -> Callable[[str, int, int], None]:
    def on_progress(step: str, done: int, total: int) -> None:
        if step == "batches" and done == batches:
            raise KeyboardInterrupt  # Ctrl-C once this batch is committed

    return on_progress


def test_an_interrupted_load_continues_with_the_first_batch_not_loaded(
    folder: Folder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _engine(tmp_path / "whole.db")
    load_prepared(whole, folder.prepared, folder.features, batch_size=BATCH)
    expected = _snapshot(whole)

    engine = _engine(tmp_path / "stopped.db")
    with pytest.raises(KeyboardInterrupt):
        load_prepared(
            engine,
            folder.prepared,
            folder.features,
            batch_size=BATCH,
            on_progress=_interrupt_after(2),
        )
    stopped = _snapshot(engine)
    assert len(stopped["clients"]) == len(stopped["feature_vectors"]) == 2 * BATCH
    assert stopped["loans"]["sk_id_curr"].isin(stopped["clients"]["sk_id_curr"]).all()

    written = _written(monkeypatch)
    report = load_prepared(engine, folder.prepared, folder.features, batch_size=BATCH)
    assert (report.skipped, report.written) == (2, BATCHES - 2)
    assert written == _first_ids(folder)[2:]
    _assert_same(_snapshot(engine), expected)


def test_a_failure_inside_a_batch_loses_that_batch_only(
    folder: Folder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _engine(tmp_path / "whole.db")
    load_prepared(whole, folder.prepared, folder.features, batch_size=BATCH)

    engine = _engine(tmp_path / "failed.db")
    write, vectors = bulk.write_rows, []

    def failing(conn: Any, table: type[m.Base], columns: Any, rows: Any) -> int:
        if table is m.FeatureVector:
            vectors.append(1)
            if len(vectors) == 3:  # the connection is lost after the third batch's months
                raise ConnectionError("server closed the connection")
        return write(conn, table, columns, rows)

    monkeypatch.setattr(bulk, "write_rows", failing)
    with pytest.raises(ConnectionError):
        load_prepared(engine, folder.prepared, folder.features, batch_size=BATCH)
    stopped = _snapshot(engine)
    assert len(stopped["clients"]) == 2 * BATCH  # the third batch was rolled back whole
    assert stopped["transactions"]["sk_id_curr"].isin(stopped["clients"]["sk_id_curr"]).all()

    monkeypatch.setattr(bulk, "write_rows", write)
    report = load_prepared(engine, folder.prepared, folder.features, batch_size=BATCH)
    assert (report.skipped, report.written) == (2, BATCHES - 2)
    _assert_same(_snapshot(engine), _snapshot(whole))


def _rewrite_csv(path: Path, keep: Callable[[dict[str, str]], bool]) -> int:
    """Keep the rows of a CSV file for which ``keep`` is true; the number dropped."""
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames or [], list(reader)
    kept = [r for r in rows if keep(r)]
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(kept)
    return len(rows) - len(kept)


def test_a_changed_client_rewrites_its_own_batch_only(
    folder: Folder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _engine(tmp_path / "changed.db")
    load_prepared(engine, folder.prepared, folder.features, batch_size=BATCH)
    first = _first_ids(folder)

    # a bureau credit gone (and its months): only the batch of its client is written
    data = tmp_path / "data"
    shutil.copytree(folder.data, data)
    with (data / "bureau.csv").open(newline="") as f:
        credit = next(csv.DictReader(f))
    client = int(credit["SK_ID_CURR"])
    assert _rewrite_csv(data / "bureau.csv", lambda r: r["SK_ID_BUREAU"] != credit["SK_ID_BUREAU"])
    _rewrite_csv(data / "bureau_balance.csv", lambda r: r["SK_ID_BUREAU"] != credit["SK_ID_BUREAU"])
    written = _written(monkeypatch)
    report = load_prepared(
        engine, prepare(data, tmp_path / "cache"), folder.features, batch_size=BATCH
    )
    own = max(lo for lo in first if lo <= client)
    assert (report.skipped, report.written, written) == (BATCHES - 1, 1, [own])
    with engine.connect() as conn:
        gone = conn.execute(
            select(m.Loan).where(
                m.Loan.source == "bureau", m.Loan.loan_id == int(credit["SK_ID_BUREAU"])
            )
        ).first()
    assert gone is None

    # one client's features changed: its batch is written, its old vector kept
    changed = folder.features.copy()
    last = int(changed["SK_ID_CURR"].max())
    column = next(c for c in changed.columns[2:] if changed[c].dtype.kind == "f")
    changed.loc[changed["SK_ID_CURR"] == last, column] = 12345.0
    written.clear()
    report = load_prepared(engine, folder.prepared, changed, batch_size=BATCH)
    assert written == sorted({own, first[-1]})  # and the bureau credit's batch, back
    assert report.rows["feature_vector_versions"] == 1


def test_each_batch_is_read_on_its_own_never_a_whole_table(
    folder: Folder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: dict[str, list[tuple[int, int]]] = {}
    for method in ("applications", "vectors", "history_check", "history_rows"):
        original = getattr(Staging, method)

        def spy(self: Staging, *args: Any, _name: str = method, _f: Any = original) -> Any:
            reads.setdefault(_name, []).append(args[-2:])
            return _f(self, *args)

        monkeypatch.setattr(Staging, method, spy)

    def whole_table(*_args: Any, **_kwargs: Any) -> pd.DataFrame:
        raise AssertionError("db load read a whole table")

    monkeypatch.setattr(PreparedData, "read", whole_table)
    monkeypatch.setattr(pd, "read_parquet", whole_table)
    report = load_prepared(
        _engine(tmp_path / "reads.db"), folder.prepared, folder.features, batch_size=BATCH
    )
    ids = np.sort(folder.features["SK_ID_CURR"].to_numpy())
    ranges = [
        (int(ids[i]), int(ids[min(i + BATCH, len(ids)) - 1])) for i in range(0, len(ids), BATCH)
    ]
    assert reads["applications"] == reads["vectors"] == ranges
    assert reads["history_check"] == [r for r in ranges for _ in ("loans", "transactions")]
    # the history rows of a batch come in pieces of at most FETCH_ROWS, never the table
    assert sorted(set(reads["history_rows"])) == ranges
    assert report.batches == len(ranges) == BATCHES


def test_a_features_file_loads_like_the_frame(folder: Folder, tmp_path: Path) -> None:
    engine = _engine(tmp_path / "frame.db")
    load_prepared(engine, folder.prepared, folder.features, batch_size=BATCH)
    shuffled = tmp_path / "features.parquet"  # not in client order: the load sorts it
    folder.features.sample(frac=1.0, random_state=0).to_parquet(shuffled, row_group_size=64)
    from_file = _engine(tmp_path / "file.db")
    report = load_prepared(from_file, folder.prepared, shuffled, batch_size=BATCH)
    assert report.rows["feature_vectors"] == CLIENTS
    _assert_same(_snapshot(from_file), _snapshot(engine))


def test_a_client_application_row_does_not_depend_on_its_batch(
    folder: Folder, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(folder.data, data)
    # one missing number of children: the column is a float column for every client
    with (data / "application_train.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    rows[0]["CNT_CHILDREN"] = ""
    with (data / "application_train.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    prepared = prepare(data, tmp_path / "cache")
    stored = []
    for size in (BATCH, CLIENTS):
        engine = _engine(tmp_path / f"batch-{size}.db")
        load_prepared(engine, prepared, None, batch_size=size)
        with engine.connect() as conn:
            stored.append(
                dict(conn.execute(select(m.Client.sk_id_curr, m.Client.application_json)).all())
            )
    # the application rows as one whole-table read makes them (the load before batches)
    frames = []
    for table, is_train in (("application_train", True), ("application_test", False)):
        frame = prepared.read(table)
        frame["_is_train"] = is_train
        frames.append(frame)
    whole = client_rows(pd.concat(frames, ignore_index=True))
    expected = dict(zip(whole["sk_id_curr"], whole["application_json"], strict=True))
    assert stored[0] == stored[1] == expected
    children = {type(json.loads(text)["CNT_CHILDREN"]) for text in expected.values()}
    assert children <= {float, type(None)}


def test_scores_and_applications_read_a_chunk_of_vectors_at_a_time(
    folder: Folder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _engine(tmp_path / "scores.db")
    load_prepared(engine, folder.prepared, folder.features, batch_size=BATCH)
    scorer = tiny_champion(folder.features)
    seen: list[tuple[int, int]] = []
    done = refresh_client_scores(engine, scorer, chunk=BATCH, on_progress=lambda *p: seen.append(p))
    assert done == CLIENTS and seen[-1] == (CLIENTS, CLIENTS) and len(seen) == BATCHES
    with engine.connect() as conn:
        stored = dict(
            conn.execute(select(m.ClientScore.sk_id_curr, m.ClientScore.probability)).all()
        )
        vectors = conn.execute(select(m.FeatureVector.sk_id_curr, m.FeatureVector.vector)).all()
        info = conn.execute(select(m.FeatureSet.columns, m.FeatureSet.categories)).one()
    frame = decode_vectors([v for _, v in vectors], list(info[0]), dict(info[1]))
    expected = scorer.predict_proba(frame[list(scorer.feature_names)])
    np.testing.assert_allclose([stored[i] for i, _ in vectors], expected)

    # applications: a run with nothing to do reads no vector
    policy = Policy.load()
    assert load_applications(engine, scorer, policy=policy, chunk=BATCH).created == CLIENTS
    asked: list[list[int]] = []
    read = loaded._vectors

    def spy(conn: Any, info: Any, wanted: list[int]) -> dict[int, bytes]:
        asked.append(wanted)
        return read(conn, info, wanted)

    monkeypatch.setattr(loaded, "_vectors", spy)
    again = load_applications(engine, scorer, policy=policy, chunk=BATCH)
    assert (again.clients, again.scored) == (CLIENTS, 0)
    assert asked and not any(asked)


# `db load` in a process of its own that is killed (SIGKILL) while its second batch is
# written, before that batch commits.
KILLED = """
import os, sys, time
from pathlib import Path
from credit_scoring.db import load
write, written = load._write_batch, []
def slow(conn, staged, batch, *args, **kwargs):
    kept = write(conn, staged, batch, *args, **kwargs)
    written.append(batch.lo)
    if len(written) == 2:
        Path(os.environ["SECOND_BATCH_WRITTEN"]).touch()
        time.sleep(300)
    return kept
load._write_batch = slow
from credit_scoring.cli import app
app(sys.argv[1:])
"""


def test_a_killed_load_resumes_and_its_staged_files_are_removed(
    folder: Folder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, features = tmp_path / "home", tmp_path / "features.parquet"
    folder.features.to_parquet(features, index=False)
    args = ["db", "load", "--data", str(folder.data), "--features", str(features)]
    args += ["--no-score", "--batch-size", "100"]
    marker = tmp_path / "second-batch-written"
    env = {**os.environ, "CREDIT_SCORING_HOME": str(home), "SECOND_BATCH_WRITTEN": str(marker)}
    env.pop("CREDIT_SCORING_DATABASE_URL", None)
    child = subprocess.Popen([sys.executable, "-c", KILLED, *args], env=env)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the load did not reach its second batch"
    finally:
        child.kill()
        child.wait()
    left = list((home / "cache").glob(f"db-load-{child.pid}-*"))
    assert left, "the killed load left no staged files to clean"

    monkeypatch.setenv("CREDIT_SCORING_HOME", str(home))
    monkeypatch.delenv("CREDIT_SCORING_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        engine = get_engine(get_settings().resolved_database_url)
        assert len(_snapshot(engine)["clients"]) == 100  # the first batch only
        result = CliRunner().invoke(app, args)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "3 batches, 2 written, 1 already loaded" in " ".join(result.output.split())
    assert not any(path.exists() for path in left)
    whole = _engine(tmp_path / "whole.db")
    load_prepared(whole, folder.prepared, folder.features)
    _assert_same(_snapshot(engine), _snapshot(whole))


def test_batches_written_two_at_a_time_stop_at_the_first_failure() -> None:
    """On a server two batches are written at once (``load._run``): every result comes back,
    and a failing batch stops the load, the batches not started are not started."""
    started: list[int] = []

    def one(lo: int, hi: int) -> tuple[bool, int]:
        started.append(lo)
        if lo == 30:
            raise ConnectionError("server closed the connection")
        time.sleep(0.05)
        return lo % 20 == 0, hi - lo

    bounds = [(lo, lo + 9) for lo in range(0, 200, 10)]
    assert sorted(load._run(one, bounds[:3], 2)) == [(False, 9), (True, 9), (True, 9)]
    started.clear()
    with pytest.raises(ConnectionError):
        list(load._run(one, bounds, load.WRITERS))
    assert 30 in started and len(started) < len(bounds)
