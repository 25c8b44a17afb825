"""A prepared Kaggle folder sorted by client, for ``db load`` to read one batch at a time.

At Kaggle size the history tables hold tens of millions of rows in no particular order:
reading one batch of clients from them would scan every file again for each batch. So
the load first writes, with DuckDB (its memory capped at :data:`MEMORY_LIMIT`, spilling
to the work folder beyond), small parquet files sorted by client, in row groups small
enough that one batch reads only its own:

- ``application_train`` and ``application_test``, as they are (their rows become the
  clients' ``application_json``, so they keep their columns and types);
- the loans: the current application, bureau credits and previous applications;
- the monthly history (POS, card, installments, bureau months), aggregated per client,
  source and month as ``transactions`` stores it;
- the feature vectors, encoded once while the feature table is streamed row group by row
  group (a feature table written by ``features build`` has small row groups).

Only clients of the application tables are kept. Reading a batch is then a range query
on ``sk_id_curr`` that the parquet row-group statistics answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from credit_scoring.data.loading import DataError, PreparedData

MEMORY_LIMIT = "1GB"  # DuckDB's share of the load's memory; it spills to disk beyond
FEATURE_ROWS = 2_500  # feature rows encoded at a time (~100 MB of frames and vectors)
FETCH_ROWS = 100_000  # history rows handed to the database driver at a time
APPLICATIONS = (("application_train", True), ("application_test", False))
LOAN_COLUMNS = (
    "source",
    "loan_id",
    "sk_id_curr",
    "contract_type",
    "status",
    "amount_credit",
    "amount_annuity",
    "days_start",
    "days_end",
)
TRANSACTION_COLUMNS = (
    "sk_id_curr",
    "source",
    "months_balance",
    "loans",
    "balance",
    "payment",
    "max_days_past_due",
)
# The figures a batch of history is recognised by (see load._stored): its row count and
# sums of integer columns, which every database adds up exactly.
HISTORY_CHECKS = {
    "loans": ("count(*)", "sum(loan_id)"),
    "transactions": ("count(*)", "sum(months_balance)", "sum(loans)"),
}
# Encodes feature rows: (client ids, float32 bytes of each row, sha of each row).
Encoder = Callable[[pd.DataFrame], tuple[np.ndarray, list[bytes], list[str]]]


def _nan_null(expr: str) -> str:
    """A DOUBLE with NaN as NULL (the database stores no NaN)."""
    return f"CASE WHEN isnan({expr}) THEN NULL ELSE {expr} END"


def _path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class Staging:
    """The sorted per-client files of one load, in a work folder the caller owns.

    Use as a context manager (the DuckDB connection is closed at the end); call
    :meth:`stage_clients` first, then :meth:`stage_history` and :meth:`stage_vectors`.
    """

    def __init__(self, prepared: PreparedData, work: Path) -> None:
        self.prepared, self.work = prepared, work
        (work / "spill").mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect()
        self.con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        self.con.execute(f"SET temp_directory = {_path(work / 'spill')}")
        self.ids = np.empty(0, dtype=np.int64)
        self.files: dict[str, Path] = {}
        self._plan = pd.DataFrame()
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for cursor in self._cursors:
            cursor.close()
        self.con.close()

    def _db(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the staging database: batches are read from several
        threads (a DuckDB connection serves one at a time)."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            with self._lock:
                cursor = self._local.cursor = self.con.cursor()
                self._cursors.append(cursor)
        return cursor

    def _src(self, table: str) -> str:
        return f"read_parquet({_path(self.prepared.parquet[table])})"

    def _copy(self, name: str, sql: str, row_group: int) -> None:
        target = self.work / f"{name}.parquet"
        self.con.execute(
            f"COPY ({sql}) TO {_path(target)} (FORMAT parquet, ROW_GROUP_SIZE {row_group})"
        )
        self.files[name] = target

    # -- the clients ------------------------------------------------------------------------

    def stage_clients(self) -> None:
        """The sorted client ids and both application tables sorted by client.

        Raises
        ------
        DataError
            A client is in both application tables.
        """
        present = [(t, is_train) for t, is_train in APPLICATIONS if self.prepared.has(t)]
        union = " UNION ALL ".join(
            f"SELECT CAST(SK_ID_CURR AS BIGINT) AS id FROM {self._src(t)}" for t, _ in present
        )
        self.con.execute(f"CREATE OR REPLACE TABLE ids AS {union}")
        twice = self.con.execute("SELECT id FROM ids GROUP BY id HAVING count(*) > 1").fetchone()
        if twice is not None:
            raise DataError(
                self.prepared.originals[present[-1][0]],
                f"client {twice[0]} is in application_train and application_test.",
                column="SK_ID_CURR",
                hint="Each client has one current application: remove one of the two rows.",
            )
        self.ids = self.con.execute("SELECT id FROM ids ORDER BY id").fetchnumpy()["id"]
        for table, _ in present:
            self._copy(table, f"SELECT * FROM {self._src(table)} ORDER BY SK_ID_CURR", 8_192)
        self._plan = self._application_plan(present)

    def _application_plan(self, present: list[tuple[str, bool]]) -> pd.DataFrame:
        """No rows, the columns and pandas types of both application tables read whole and
        concatenated (the first design read them so): an integer column with a missing
        value anywhere is float, in every batch, so that a client's ``application_json``
        does not depend on which clients share its batch."""
        heads = []
        for table, is_train in present:
            path = self.files[table]
            schema = pq.read_schema(path)
            ints = [f.name for f in schema if pa.types.is_integer(f.type)]
            gaps = (
                self.con.execute(
                    "SELECT "
                    + ", ".join(f'count(*) - count("{c}")' for c in ints)
                    + f" FROM read_parquet({_path(path)})"
                ).fetchone()
                if ints
                else ()
            )
            first = next(pq.ParquetFile(path).iter_batches(batch_size=1), None)
            head = (first if first is not None else schema.empty_table()).to_pandas()
            floats = {c: "float64" for c, gap in zip(ints, gaps or (), strict=True) if gap}
            head = head.astype(floats).copy()  # one block: adding a column does not warn
            head["_is_train"] = is_train
            heads.append(head)
        plan = pd.concat(heads, ignore_index=True) if len(heads) > 1 else heads[0]
        if "TARGET" not in plan:
            plan["TARGET"] = np.nan
        return plan.iloc[:0]

    def applications(self, lo: int, hi: int) -> pd.DataFrame:
        """The application rows of the clients ``lo``..``hi``, with ``_is_train``, sorted."""
        frames = []
        for table, is_train in APPLICATIONS:
            if table in self.files:
                rows = pq.read_table(
                    self.files[table],
                    filters=[("SK_ID_CURR", ">=", lo), ("SK_ID_CURR", "<=", hi)],
                )
                if rows.num_rows:
                    frame = rows.to_pandas()
                    frame["_is_train"] = is_train
                    frames.append(frame)
        apps = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        apps = apps.reindex(columns=self._plan.columns).astype(self._plan.dtypes.to_dict())
        return apps.sort_values("SK_ID_CURR", ignore_index=True)

    # -- the history --------------------------------------------------------------------------

    def _clients(self, table: str) -> str:
        return f"SELECT * FROM {self._src(table)} WHERE SK_ID_CURR IN (SELECT id FROM ids)"

    def stage_history(self) -> None:
        """The loans and the monthly history of the clients, sorted by client."""
        has = self.prepared.has
        loans = [
            f"SELECT 'application', SK_ID_CURR, SK_ID_CURR, {self._app_column(t, 'NAME_CONTRACT_TYPE')}, "
            f"'Current application', {self._app_column(t, 'AMT_CREDIT')}, "
            f"{self._app_column(t, 'AMT_ANNUITY')}, 0.0, NULL FROM {self._src(t)}"
            for t, _ in APPLICATIONS
            if has(t)
        ]
        if has("bureau"):
            loans.append(
                "SELECT 'bureau', SK_ID_BUREAU, SK_ID_CURR, CREDIT_TYPE, CREDIT_ACTIVE, "
                "AMT_CREDIT_SUM, AMT_ANNUITY, DAYS_CREDIT, DAYS_CREDIT_ENDDATE "
                f"FROM ({self._clients('bureau')})"
            )
        if has("previous_application"):
            loans.append(
                "SELECT 'previous', SK_ID_PREV, SK_ID_CURR, NAME_CONTRACT_TYPE, "
                "NAME_CONTRACT_STATUS, AMT_CREDIT, AMT_ANNUITY, DAYS_DECISION, DAYS_TERMINATION "
                f"FROM ({self._clients('previous_application')})"
            )
        loan_types = ("VARCHAR", "BIGINT", "BIGINT", "VARCHAR", "VARCHAR") + ("DOUBLE",) * 4
        self._copy_typed("loans", loans, LOAN_COLUMNS, loan_types, "sk_id_curr, source, loan_id")

        months = []
        monthly = {
            "POS_CASH_balance": "'pos', MONTHS_BALANCE, count(DISTINCT SK_ID_PREV), "
            "sum(CNT_INSTALMENT_FUTURE), NULL, max(SK_DPD)",
            "credit_card_balance": "'card', MONTHS_BALANCE, count(DISTINCT SK_ID_PREV), "
            "sum(AMT_BALANCE), sum(AMT_PAYMENT_TOTAL_CURRENT), max(SK_DPD)",
            "installments_payments": "'installments', CAST(floor(DAYS_INSTALMENT / 30) AS "
            "INTEGER), count(DISTINCT SK_ID_PREV), sum(AMT_INSTALMENT), sum(AMT_PAYMENT), "
            "max(greatest(DAYS_ENTRY_PAYMENT - DAYS_INSTALMENT, 0))",
        }
        for table, columns in monthly.items():
            if has(table):
                months.append(
                    f"SELECT SK_ID_CURR, {columns} FROM ({self._clients(table)}) GROUP BY 1, 3"
                )
        if has("bureau_balance") and has("bureau"):
            # status 1..5 = months late; days past due approximated as months x 30
            months.append(
                "SELECT b.SK_ID_CURR, 'bureau', bb.MONTHS_BALANCE, count(DISTINCT "
                "bb.SK_ID_BUREAU), NULL, NULL, max(CASE WHEN bb.STATUS IN ('1','2','3','4','5') "
                "THEN CAST(bb.STATUS AS INTEGER) * 30 ELSE 0 END) "
                f"FROM {self._src('bureau_balance')} bb JOIN ({self._clients('bureau')}) b "
                "USING (SK_ID_BUREAU) GROUP BY 1, 3"
            )
        types = ("BIGINT", "VARCHAR", "INTEGER", "INTEGER") + ("DOUBLE",) * 3
        self._copy_typed(
            "transactions", months, TRANSACTION_COLUMNS, types, "sk_id_curr, source, months_balance"
        )

    def _app_column(self, table: str, name: str) -> str:
        return name if name in self.prepared.columns(table) else "NULL"

    def _copy_typed(
        self,
        name: str,
        parts: list[str],
        columns: tuple[str, ...],
        types: tuple[str, ...],
        order: str,
    ) -> None:
        """Stage the union of ``parts`` (positional columns) as ``columns`` of ``types``."""
        inner = [f"CAST(NULL AS {t}) AS {c}" for c, t in zip(columns, types, strict=True)]
        body = " UNION ALL ".join(parts) if parts else f"SELECT {', '.join(inner)} WHERE false"
        cast = [
            _nan_null(f"CAST(c{i} AS DOUBLE)") + f" AS {c}"
            if t == "DOUBLE"
            else f"CAST(c{i} AS {t}) AS {c}"
            for i, (c, t) in enumerate(zip(columns, types, strict=True))
        ]
        aliases = ", ".join(f"c{i}" for i in range(len(columns)))
        self._copy(
            name,
            f"SELECT {', '.join(cast)} FROM ({body}) AS u({aliases}) ORDER BY {order}",
            65_536,
        )

    def _range(self, name: str, columns: str, lo: int, hi: int) -> str:
        return (
            f"SELECT {columns} FROM read_parquet({_path(self.files[name])}) "
            f"WHERE sk_id_curr BETWEEN {int(lo)} AND {int(hi)}"
        )

    def history_check(self, name: str, lo: int, hi: int) -> tuple[int, ...]:
        """The figures of :data:`HISTORY_CHECKS` for the clients ``lo``..``hi``."""
        row = self._db().execute(self._range(name, ", ".join(HISTORY_CHECKS[name]), lo, hi))
        return tuple(int(v or 0) for v in row.fetchone() or ())

    def history_rows(self, name: str, lo: int, hi: int) -> Iterator[list[tuple]]:
        """The staged rows of the clients ``lo``..``hi``, :data:`FETCH_ROWS` at a time."""
        columns = LOAN_COLUMNS if name == "loans" else TRANSACTION_COLUMNS
        result = self._db().execute(self._range(name, ", ".join(columns), lo, hi))
        while rows := result.fetchmany(FETCH_ROWS):
            yield rows

    def history_csv(self, name: str, lo: int, hi: int, target: Path) -> Path:
        """The same rows as a headerless CSV file (for PostgreSQL's COPY)."""
        columns = LOAN_COLUMNS if name == "loans" else TRANSACTION_COLUMNS
        self._db().execute(
            f"COPY ({self._range(name, ', '.join(columns), lo, hi)}) TO {_path(target)} "
            "(FORMAT csv, HEADER false)"
        )
        return target

    # -- the feature vectors ------------------------------------------------------------------

    def stage_vectors(self, features: pd.DataFrame | Path, encode: Encoder) -> int:
        """Encode every client's feature row once; the number of vectors staged.

        A frame is read in slices, a parquet file row group by row group (its memory is
        one row group's), so the whole table is never copied.

        Raises
        ------
        DataError
            A client has two rows in the feature table.
        """
        raw = self.work / "vectors-as-read.parquet"
        schema = pa.schema(
            [("sk_id_curr", pa.int64()), ("vector", pa.binary()), ("vector_sha", pa.string())]
        )
        ordered, last = True, -1
        with pq.ParquetWriter(raw, schema) as writer:
            for frame in _feature_slices(features):
                ids, blobs, shas = encode(frame)
                keep = np.isin(ids, self.ids)
                if not keep.all():
                    ids = ids[keep]
                    blobs = [b for b, k in zip(blobs, keep, strict=True) if k]
                    shas = [s for s, k in zip(shas, keep, strict=True) if k]
                if len(ids):
                    ordered = ordered and bool(ids[0] > last) and bool(np.all(np.diff(ids) > 0))
                    last = int(ids[-1])
                    writer.write_table(
                        pa.table([pa.array(ids), pa.array(blobs), pa.array(shas)], schema=schema),
                        row_group_size=4_096,
                    )
        twice = self.con.execute(
            f"SELECT sk_id_curr FROM read_parquet({_path(raw)}) GROUP BY 1 HAVING count(*) > 1 "
            "LIMIT 1"
        ).fetchone()
        if twice is not None:
            raise DataError(
                features if isinstance(features, Path) else "the feature table",
                f"client {twice[0]} has more than one row.",
                column="SK_ID_CURR",
                hint="Build the feature table again with `credit-scoring features build`.",
            )
        if ordered:  # as `features build` writes it: no sort needed
            self.files["vectors"] = raw.rename(self.work / "vectors.parquet")
        else:
            self._copy("vectors", f"SELECT * FROM read_parquet({_path(raw)}) ORDER BY 1", 4_096)
            raw.unlink()
        return int(pq.ParquetFile(self.files["vectors"]).metadata.num_rows)

    def vectors(self, lo: int, hi: int) -> list[tuple[int, bytes, str]]:
        """(client, vector bytes, sha) of the clients ``lo``..``hi`` that have a feature row."""
        if "vectors" not in self.files:
            return []
        return (
            self._db()
            .execute(self._range("vectors", "sk_id_curr, vector, vector_sha", lo, hi))
            .fetchall()
        )


def _feature_slices(features: pd.DataFrame | Path) -> Iterator[pd.DataFrame]:
    """The feature table a slice at a time, in its own order."""
    if isinstance(features, pd.DataFrame):
        for start in range(0, len(features), FEATURE_ROWS):
            yield features.iloc[start : start + FEATURE_ROWS]
        return
    # row group by row group (``iter_batches`` keeps what it has read, ~1.6 kB a client)
    source = pq.ParquetFile(features)
    for group in range(source.num_row_groups):
        rows = source.read_row_group(group)
        for start in range(0, rows.num_rows, FEATURE_ROWS):
            yield rows.slice(start, FEATURE_ROWS).to_pandas()
        del rows
