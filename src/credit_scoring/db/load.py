"""Bulk load of a prepared Kaggle folder and its feature table into the operational database.

Streamed by batches of clients, one transaction each, so that memory is bounded by the
batch at any size: the folder is first staged sorted by client (:mod:`credit_scoring.db.
staging`, DuckDB), then each batch of :data:`BATCH` clients is read from the staged files,
checked against the database and, unless already there, written (:mod:`credit_scoring.db.
bulk`: COPY on PostgreSQL).

Idempotent and resumable: rows have natural keys (client id, loan id per source,
client+source+month) and a batch's clients are cleared before they are written, so loading
twice gives the same rows. A batch whose clients are stored with the same application rows,
the same feature vectors (``vector_sha``) and the same loans and monthly rows (counts and
sums of their integer keys) is recognised as loaded and skipped: a load stopped half-way
(Ctrl-C, a kill, a lost connection) continues, when run again, with the first batch it had
not committed. ``rewrite=True`` writes every batch again.

Feature vectors are versioned: a vector that a load replaces (changed data, or a new
feature set) is first copied to ``feature_vector_versions``, so that the vector behind
any past score (``score_log.features_sha``) can always be read back.
History is stored as loans (bureau credits, previous applications) plus a MONTHLY
summary per client and source (POS, card, installments, bureau) rather than every raw row.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import BigInteger, Connection, Engine, any_, delete, func, insert, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement

from credit_scoring.core.kaggle import DAYS_PER_YEAR
from credit_scoring.data.loading import PreparedData
from credit_scoring.db import bulk, population
from credit_scoring.db import models as m
from credit_scoring.db.staging import (
    LOAN_COLUMNS,
    TRANSACTION_COLUMNS,
    Encoder,
    Staging,
)
from credit_scoring.features.batch import feature_metadata
from credit_scoring.features.metadata import feature_set_version

CHUNK = 5_000  # ids per IN (...) list
BATCH = 10_000  # clients per batch: one transaction, the unit a rerun skips
WRITERS = 2  # batches written at once on PostgreSQL and MariaDB (each its own transaction)
KEYS = ("SK_ID_CURR", "TARGET")  # feature-table columns that are not features
Progress = Callable[[str, int, int], None]  # (step, done, total)


@dataclass
class LoadReport:
    """What :func:`load_prepared` did.

    Attributes
    ----------
    rows : dict of str to int
        Rows of the load per table (``clients``, ``loans``, ``transactions``,
        ``feature_vectors``), whether written now or found already loaded; and
        ``feature_vector_versions``, the stored vectors this run replaced and kept.
    feature_set : str or None
        The version of the feature set loaded.
    batches : int
        Batches of clients in the load.
    skipped : int
        Batches found already loaded with the same content, and not written again.
    seconds : float
        Wall time of the load.
    """

    rows: dict[str, int] = field(default_factory=dict)
    feature_set: str | None = None
    batches: int = 0
    skipped: int = 0
    seconds: float = 0.0

    @property
    def written(self) -> int:
        """Batches written by this run."""
        return self.batches - self.skipped


def _none(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def client_rows(apps: pd.DataFrame) -> pd.DataFrame:
    """Personal information columns of ``clients`` from Kaggle application rows."""

    def col(name: str) -> pd.Series:
        return apps[name] if name in apps else pd.Series(np.nan, index=apps.index)

    employed = col("DAYS_EMPLOYED")
    kaggle = apps.drop(columns=["_is_train"], errors="ignore")
    return pd.DataFrame(
        {
            "sk_id_curr": apps["SK_ID_CURR"].astype("int64"),
            "is_train": apps["_is_train"].astype(bool),
            "target": col("TARGET").astype("Float64"),
            "gender": col("CODE_GENDER"),
            "age_years": (-col("DAYS_BIRTH") / DAYS_PER_YEAR).round(2),
            "income_total": col("AMT_INCOME_TOTAL"),
            "contract_type": col("NAME_CONTRACT_TYPE"),
            "amount_credit": col("AMT_CREDIT"),
            "family_status": col("NAME_FAMILY_STATUS"),
            "children": col("CNT_CHILDREN").astype("Float64"),
            "education": col("NAME_EDUCATION_TYPE"),
            "income_type": col("NAME_INCOME_TYPE"),
            "occupation": col("OCCUPATION_TYPE"),
            "years_employed": (-employed.where(employed <= 0) / DAYS_PER_YEAR).round(2),
            "owns_car": col("FLAG_OWN_CAR").map({"Y": True, "N": False}),
            "owns_realty": col("FLAG_OWN_REALTY").map({"Y": True, "N": False}),
            "application_json": kaggle.to_json(orient="records", lines=True).splitlines(),
        }
    )


def client_row(application: dict[str, Any], *, is_train: bool = False) -> dict[str, Any]:
    """The ``clients`` row of ONE Kaggle application row (a new applicant): the same
    columns as :func:`client_rows`, without a one-row frame's cost."""

    def num(name: str) -> float | None:
        value = application.get(name)
        try:
            value = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        return None if np.isnan(value) else value

    def flag(name: str) -> bool | None:
        return {"Y": True, "N": False}.get(application.get(name))  # type: ignore[arg-type]

    birth, employed, children = num("DAYS_BIRTH"), num("DAYS_EMPLOYED"), num("CNT_CHILDREN")
    target = num("TARGET")
    return {
        "sk_id_curr": int(application["SK_ID_CURR"]),
        "is_train": is_train,
        "target": None if target is None else int(target),
        "gender": application.get("CODE_GENDER"),
        "age_years": None if birth is None else round(-birth / DAYS_PER_YEAR, 2),
        "income_total": num("AMT_INCOME_TOTAL"),
        "contract_type": application.get("NAME_CONTRACT_TYPE"),
        "amount_credit": num("AMT_CREDIT"),
        "family_status": application.get("NAME_FAMILY_STATUS"),
        "children": None if children is None else int(children),
        "education": application.get("NAME_EDUCATION_TYPE"),
        "income_type": application.get("NAME_INCOME_TYPE"),
        "occupation": application.get("OCCUPATION_TYPE"),
        "years_employed": (
            None if employed is None or employed > 0 else round(-employed / DAYS_PER_YEAR, 2)
        ),
        "owns_car": flag("FLAG_OWN_CAR"),
        "owns_realty": flag("FLAG_OWN_REALTY"),
        "application_json": json.dumps(
            {k: v for k, v in application.items() if k != "_is_train"}, default=str
        ),
    }


def vector_sha(feature_set: str, blob: bytes) -> str:
    """The id of one stored vector: sha256 of its feature set and its bytes."""
    return hashlib.sha256(feature_set.encode() + bytes(blob)).hexdigest()


def _vector_matrix(features: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Float32 rows of ``columns``: a categorical as its code, anything else as a number
    (NaN when missing or not a number). Float columns convert in one block."""
    values = np.empty((len(features), len(columns)), dtype=np.float32)
    floats = [j for j, name in enumerate(columns) if features[name].dtype.kind == "f"]
    if floats:
        block = features[[columns[j] for j in floats]].to_numpy(np.float32, na_value=np.nan)
        if len(floats) == len(columns):
            return block
        values[:, floats] = block
    done = set(floats)
    for j, name in enumerate(columns):
        if j in done:
            continue
        series = features[name]
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes = series.cat.codes.to_numpy().astype(np.float32)
            codes[codes < 0] = np.nan
            values[:, j] = codes
        else:
            values[:, j] = pd.to_numeric(series, errors="coerce").to_numpy(
                np.float32, na_value=np.nan
            )
    return values


def encode_vector(
    features: pd.DataFrame, columns: list[str], categories: dict[str, list[str]]
) -> bytes:
    """The first row of a feature frame as stored: float32 bytes in ``columns`` order,
    a categorical value as its code in ``categories`` (what :func:`decode_vector` reads).

    For one row (an application): the numeric columns in one block conversion, then the
    few categorical ones (the column-wise :func:`_vector_matrix` costs ~0.1 ms a column).
    """
    sub = features.iloc[:1].reindex(columns=columns)
    values = np.full(len(columns), np.nan, dtype=np.float64)
    numeric = [j for j, name in enumerate(columns) if name not in categories]
    block = sub.iloc[:, numeric]
    try:
        values[numeric] = block.to_numpy(dtype=np.float64, na_value=np.nan)[0]
    except (TypeError, ValueError):
        values[numeric] = block.apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)[0]
    for j, name in enumerate(columns):
        cats = categories.get(name)
        if cats is not None:
            value = sub[name].iloc[0]
            if value in cats:
                values[j] = cats.index(value)
    return values.astype(np.float32).tobytes()


def _keep_replaced_vectors(
    conn: Connection, ids: np.ndarray, incoming: dict[tuple[int, str], str]
) -> int:
    """Copy to ``feature_vector_versions`` the stored vectors of ``ids`` this load replaces.

    ``incoming`` maps (client, feature set) to the sha of the vector being loaded; a stored
    vector with the same sha is not replaced. Returns the number of versions kept.
    """
    fv, kept = m.FeatureVector, 0
    versions = m.FeatureVectorVersion
    for start in range(0, len(ids), CHUNK):
        chunk = [int(i) for i in ids[start : start + CHUNK]]
        stored = conn.execute(
            select(fv.sk_id_curr, fv.feature_set, fv.vector_sha).where(fv.sk_id_curr.in_(chunk))
        ).all()
        replaced = [r for r in stored if r[2] is None or incoming.get((r[0], r[1])) != r[2]]
        if not replaced:
            continue
        rows = conn.execute(
            select(fv.sk_id_curr, fv.feature_set, fv.vector).where(
                fv.sk_id_curr.in_(sorted({r[0] for r in replaced}))
            )
        ).all()
        wanted = {(r[0], r[1]) for r in replaced}
        candidates = {
            (r[0], r[1], vector_sha(r[1], r[2])): r[2] for r in rows if (r[0], r[1]) in wanted
        }
        known = set(
            conn.execute(
                select(versions.sk_id_curr, versions.feature_set, versions.vector_sha).where(
                    versions.sk_id_curr.in_(sorted({k[0] for k in candidates}))
                )
            ).all()
        )
        new = [
            {"sk_id_curr": k[0], "feature_set": k[1], "vector_sha": k[2], "vector": blob}
            for k, blob in candidates.items()
            if k not in known
        ]
        if new:
            conn.execute(insert(versions), new)
            kept += len(new)
    return kept


def _clear(conn: Connection, ids: np.ndarray) -> None:
    """Remove what is stored for these clients (children first), so that a reload rewrites them."""
    for table in (m.FeatureVector, m.Transaction, m.Loan, m.Client):
        for among in _among(conn, table.sk_id_curr, [int(i) for i in ids]):
            conn.execute(delete(table).where(among))


@dataclass(frozen=True)
class VectorSpec:
    """The feature set of a load: its version, columns in stored order, and categories."""

    version: str
    columns: list[str]
    categories: dict[str, list[str]]  # as stored: each categorical column's labels, in code order
    dtypes: dict[str, pd.CategoricalDtype]  # the same as pandas types, to code every slice alike

    @classmethod
    def of(cls, features: pd.DataFrame | Path) -> VectorSpec:
        """The spec of a feature frame or parquet file (a file's schema, and its categorical
        columns only, are read)."""
        if isinstance(features, pd.DataFrame):
            columns = [c for c in features.columns if c not in KEYS]
            dtypes = {
                c: features[c].dtype
                for c in columns
                if isinstance(features[c].dtype, pd.CategoricalDtype)
            }
        else:
            schema = pq.read_schema(features)
            index = (schema.pandas_metadata or {}).get("index_columns", [])  # a frame's index
            columns = [c for c in schema.names if c not in KEYS and c not in index]
            coded = [f.name for f in schema if pa.types.is_dictionary(f.type) and f.name in columns]
            frame = pq.read_table(features, columns=coded).to_pandas() if coded else pd.DataFrame()
            dtypes = {c: frame[c].dtype for c in coded}
        return cls(
            feature_set_version(columns, feature_metadata()),
            columns,
            {c: [str(v) for v in dtype.categories] for c, dtype in dtypes.items()},
            dtypes,
        )

    def encoder(self) -> Encoder:
        """Feature rows to (client ids, stored vector bytes, their :func:`vector_sha`)."""
        prefix = self.version.encode()

        def encode(frame: pd.DataFrame) -> tuple[np.ndarray, list[bytes], list[str]]:
            recoded = {c: frame[c].astype(t) for c, t in self.dtypes.items() if frame[c].dtype != t}
            if recoded:
                frame = frame.assign(**recoded)
            matrix = np.ascontiguousarray(_vector_matrix(frame, self.columns))
            blobs = [row.tobytes() for row in matrix]
            shas = [hashlib.sha256(prefix + blob).hexdigest() for blob in blobs]
            return frame["SK_ID_CURR"].to_numpy(np.int64), blobs, shas

        return encode


@dataclass
class _Batch:
    """One batch of clients as read from the staged files (what is written, what is checked)."""

    lo: int
    hi: int
    ids: list[int]
    columns: list[str]  # of ``clients``
    clients: list[tuple]
    vectors: list[tuple[int, bytes, str]]  # (client, vector, sha)
    history: dict[str, tuple[int, ...]]  # staging.HISTORY_CHECKS of loans and transactions

    @property
    def documents(self) -> dict[int, str]:
        at = self.columns.index("application_json")
        return {row[0]: row[at] for row in self.clients}


def _client_tuples(frame: pd.DataFrame) -> list[tuple]:
    """``clients`` rows as tuples of plain values (integers as int: COPY refuses ``1.0``)."""
    clean = frame.astype(object).where(frame.notna(), None)
    table = m.Client.__table__
    columns = []
    for name in clean.columns:
        values = clean[name].tolist()
        kind = table.c[name].type.python_type
        if kind in (int, bool):
            values = [None if v is None else kind(v) for v in values]
        columns.append(values)
    return list(zip(*columns, strict=True))


def _read_batch(staged: Staging, lo: int, hi: int) -> _Batch:
    clients = client_rows(staged.applications(lo, hi))
    return _Batch(
        lo,
        hi,
        [int(i) for i in clients["sk_id_curr"]],
        list(clients.columns),
        _client_tuples(clients),
        staged.vectors(lo, hi),
        {name: staged.history_check(name, lo, hi) for name in ("loans", "transactions")},
    )


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _among(conn: Connection, column: Any, ids: Sequence[int]) -> list[ColumnElement[bool]]:
    """Conditions that together select ``ids`` of ``column``: one array on PostgreSQL (an
    ``IN`` of 5,000 parameters costs psycopg ~40 ms to send), ``IN`` lists elsewhere."""
    if conn.dialect.name == "postgresql":
        return [column == any_(literal([int(i) for i in ids], ARRAY(BigInteger)))]
    return [column.in_(chunk) for chunk in _chunks(ids)]


def _stored(conn: Connection, batch: _Batch, version: str | None) -> str:
    """What the database holds of this batch: ``"none"`` of its clients (nor, by the
    foreign keys, any of their rows), ``"same"`` (the same clients with the same
    application rows, the same feature vectors and no other, the same loans and monthly
    rows: counts and sums of their integer keys) or ``"other"``. Cheap checks first."""
    c, fv = m.Client, m.FeatureVector
    stored = 0
    for among in _among(conn, c.sk_id_curr, batch.ids):
        stored += conn.execute(select(func.count()).select_from(c).where(among)).scalar_one()
    if stored != len(batch.ids):
        return "other" if stored else "none"
    vectors: dict[tuple[int, str], str | None] = {}
    for among in _among(conn, fv.sk_id_curr, batch.ids):
        rows = conn.execute(select(fv.sk_id_curr, fv.feature_set, fv.vector_sha).where(among)).all()
        vectors.update({(int(i), str(s)): sha for i, s, sha in rows})
    if vectors != {(i, str(version)): sha for i, _, sha in batch.vectors}:
        return "other"
    loan, month = m.Loan, m.Transaction
    checks = {
        "loans": (loan.sk_id_curr, (func.count(), func.sum(loan.loan_id))),
        "transactions": (
            month.sk_id_curr,
            (func.count(), func.sum(month.months_balance), func.sum(month.loans)),
        ),
    }
    for name, (client, figures) in checks.items():
        totals = [0] * len(figures)
        for among in _among(conn, client, batch.ids):
            row = conn.execute(select(*figures).where(among)).one()
            totals = [t + int(v or 0) for t, v in zip(totals, row, strict=True)]
        if tuple(totals) != batch.history[name]:
            return "other"
    documents = batch.documents
    for among in _among(conn, c.sk_id_curr, batch.ids):
        texts = conn.execute(select(c.sk_id_curr, c.application_json).where(among)).all()
        if any(documents.get(int(i)) != text for i, text in texts):
            return "other"
    return "same"


def _write_batch(
    conn: Connection,
    staged: Staging,
    batch: _Batch,
    spec: VectorSpec | None,
    work: Path,
    *,
    clear: bool = True,
) -> int:
    """Replace the batch's clients in the database; the number of vector versions kept.
    ``clear=False``: none of them is stored, nothing to keep or delete first."""
    kept = 0
    bulk.compress_fast(conn)
    if clear:
        ids = np.asarray(batch.ids, dtype=np.int64)
        incoming = {} if spec is None else {(i, spec.version): h for i, _, h in batch.vectors}
        kept = _keep_replaced_vectors(conn, ids, incoming)
        _clear(conn, ids)
    bulk.write_rows(conn, m.Client, batch.columns, batch.clients)
    with bulk.parents_written(conn):  # every row below is of a client just written
        for name, table, columns in (
            ("loans", m.Loan, LOAN_COLUMNS),
            ("transactions", m.Transaction, TRANSACTION_COLUMNS),
        ):
            if bulk.uses_copy(conn):
                target = work / f"{name}-{batch.lo}.csv"
                csv = staged.history_csv(name, batch.lo, batch.hi, target)
                bulk.write_csv(conn, table, columns, csv)
                csv.unlink()
            else:
                for rows in staged.history_rows(name, batch.lo, batch.hi):
                    bulk.write_rows(conn, table, columns, rows)
        if spec is not None:
            bulk.write_rows(
                conn,
                m.FeatureVector,
                ("sk_id_curr", "feature_set", "vector", "vector_sha"),
                [(i, spec.version, blob, sha) for i, blob, sha in batch.vectors],
            )
    return kept


def _add_feature_set(engine: Engine, spec: VectorSpec) -> None:
    with engine.begin() as conn:
        exists = conn.execute(
            select(m.FeatureSet.version).where(m.FeatureSet.version == spec.version)
        ).first()
        if exists is None:
            conn.execute(
                insert(m.FeatureSet),
                [{"version": spec.version, "columns": spec.columns, "categories": spec.categories}],
            )


def _remove_stale_staging(work_dir: Path) -> None:
    """Remove the staged files of loads that were killed (their process is gone): a kill
    leaves its temporary folder, up to a few GB at Kaggle size."""
    for folder in work_dir.glob("db-load-*-*"):
        pid = folder.name.split("-")[2]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:  # alive, another user's
            continue


def load_prepared(
    engine: Engine,
    prepared: PreparedData,
    features: pd.DataFrame | Path | None,
    *,
    batch_size: int = BATCH,
    rewrite: bool = False,
    work_dir: Path | None = None,
    on_progress: Progress | None = None,
) -> LoadReport:
    """Load clients, loans, monthly history and feature vectors, one batch of clients per
    transaction (see the module docstring).

    Parameters
    ----------
    engine : Engine
        The operational database, at the current revision.
    prepared : PreparedData
        The checked Kaggle folder.
    features : DataFrame, Path or None
        The feature table built from the same folder (a frame, or the parquet file that
        ``features build`` writes, read a row group at a time); None loads no vector (and
        removes the stored vectors of the clients loaded).
    batch_size : int
        Clients per batch.
    rewrite : bool
        Write every batch, even one already loaded with the same content.
    work_dir : Path, optional
        Where the staged files go: a temporary folder inside it, removed at the end (the
        folders of killed loads are removed at the start).
    on_progress : callable, optional
        Called with (step, done, total): ``"staging"`` per staged part, ``"batches"`` after
        each batch, ``"already loaded"`` (batches skipped so far) after a skipped one.

    Returns
    -------
    LoadReport
        Rows of the load per table, batches written and skipped, the time it took.

    Raises
    ------
    DataError
        The folder has errors, a client is in both application tables, or the feature
        table has a client twice (nothing is written).
    """
    started = time.perf_counter()
    prepared.raise_for_errors()
    step = on_progress or (lambda _step, _done, _total: None)
    report = LoadReport()
    if work_dir is not None:
        _remove_stale_staging(work_dir)
    with (
        tempfile.TemporaryDirectory(dir=work_dir, prefix=f"db-load-{os.getpid()}-") as tmp,
        Staging(prepared, Path(tmp)) as staged,
    ):
        work = Path(tmp)
        step("staging", 0, 3)
        staged.stage_clients()
        step("staging", 1, 3)
        spec = None if features is None else VectorSpec.of(features)
        if spec is not None:
            report.feature_set = spec.version
            vectors = staged.stage_vectors(features, spec.encoder())  # type: ignore[arg-type]
        step("staging", 2, 3)
        staged.stage_history()
        step("staging", 3, 3)
        ids = staged.ids
        report.rows["clients"] = len(ids)
        for name in ("loans", "transactions"):
            report.rows[name] = int(pq.ParquetFile(staged.files[name]).metadata.num_rows)
        if spec is not None:
            report.rows["feature_vectors"] = vectors
            _add_feature_set(engine, spec)
        report.rows["feature_vector_versions"] = 0
        bounds = [
            (int(ids[i]), int(ids[min(i + batch_size, len(ids)) - 1]))
            for i in range(0, len(ids), batch_size)
        ]
        report.batches = len(bounds)
        # the population summary describes the clients as they were: gone before the first
        # batch changes them (``db load`` builds it again at the end, `db summarize` too)
        with engine.begin() as conn:
            population.forget_summary(conn)
        step("batches", 0, len(bounds))

        def one(lo: int, hi: int) -> tuple[bool, int]:
            """(already loaded, vector versions kept) of the batch ``lo``..``hi``."""
            batch = _read_batch(staged, lo, hi)
            with engine.begin() as conn:
                stored = _stored(conn, batch, report.feature_set)
                if stored == "same" and not rewrite:
                    return True, 0
                return False, _write_batch(conn, staged, batch, spec, work, clear=stored != "none")

        for done, (loaded, kept) in enumerate(_run(one, bounds, _writers(engine)), start=1):
            report.rows["feature_vector_versions"] += kept
            if loaded:
                report.skipped += 1
                step("already loaded", report.skipped, len(bounds))
            step("batches", done, len(bounds))
    report.seconds = time.perf_counter() - started
    return report


def _writers(engine: Engine) -> int:
    """Batches written at once: the server's cores work on two COPYs; SQLite has one writer."""
    return 1 if engine.dialect.name == "sqlite" else WRITERS


def _run(
    one: Callable[[int, int], tuple[bool, int]], bounds: list[tuple[int, int]], writers: int
) -> Iterator[tuple[bool, int]]:
    """The results of ``one`` on every batch, as they complete, ``writers`` at a time.

    A failure (or Ctrl-C in the caller) cancels the batches not started; those running
    finish, each committed whole or rolled back."""
    if writers == 1:
        for lo, hi in bounds:
            yield one(lo, hi)
        return
    with ThreadPoolExecutor(writers, thread_name_prefix="db-load") as pool:
        futures = [pool.submit(one, lo, hi) for lo, hi in bounds]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


def decode_vector(
    blob: bytes, columns: list[str], categories: dict[str, list[str]]
) -> pd.DataFrame:
    """One stored vector back to a one-row feature frame (categoricals restored)."""
    values = np.frombuffer(blob, dtype=np.float32).astype(np.float64)
    if not categories:
        return pd.DataFrame(values[None, :], columns=columns)
    # one float block and the categorical columns, joined once (setting columns one by one
    # on a wide frame splits its block each time)
    position = {name: j for j, name in enumerate(columns)}
    numeric = [name for name in columns if name not in categories]
    floats = pd.DataFrame(values[[position[n] for n in numeric]][None, :], columns=numeric)
    cats = pd.DataFrame(
        {
            name: pd.Categorical.from_codes(
                [-1 if np.isnan(values[position[name]]) else int(values[position[name]])],
                categories=labels,
            )
            for name, labels in categories.items()
            if name in position
        }
    )
    return pd.concat([floats, cats], axis=1)[columns]


def decode_vectors(
    blobs: list[bytes], columns: list[str], categories: dict[str, list[str]]
) -> pd.DataFrame:
    """Many stored vectors back to a feature frame, one row each (categoricals restored)."""
    matrix = np.vstack([np.frombuffer(b, dtype=np.float32) for b in blobs])
    frame = pd.DataFrame(matrix.astype(np.float64), columns=columns)
    for name, cats in categories.items():
        codes = frame[name].fillna(-1).astype(int)
        frame[name] = pd.Categorical.from_codes(codes, categories=cats)
    return frame


def application_dict(client: m.Client) -> dict[str, object]:
    return {k: _none(v) for k, v in json.loads(client.application_json).items()}
