"""Find, convert and validate a folder of tables in Kaggle layout.

A folder holds one file per table, named like Kaggle's (``bureau.csv``,
``bureau.csv.gz`` or ``bureau.parquet``). Only an application table is
required. CSV files are converted once to typed parquet files cached under the
home folder (keyed by path, size and modification time), so later steps never
parse CSV again. Checks run with DuckDB over the parquet files, so they scale
to Kaggle size without loading whole tables in memory.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from credit_scoring.data.schemas import SCHEMAS, TableSchema

SUFFIXES = (".parquet", ".csv.gz", ".csv")
_ARROW_TYPES: dict[str, pa.DataType] = {
    "int": pa.int64(),
    "float": pa.float64(),
    "str": pa.string(),
}
_TYPE_WORDS = {"int": "a whole number", "float": "a number", "str": "text"}
CACHE_VERSION = "1"  # bump when the conversion changes, to invalidate old caches


class DataError(Exception):
    """A problem with input data that a person can fix: says which file, which column, what to do."""

    def __init__(
        self, file: str | Path, problem: str, *, column: str | None = None, hint: str = ""
    ):
        self.file = str(file)
        self.column = column
        self.problem = problem
        self.hint = hint
        where = f"{self.file}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {problem}" + (f" {hint}" if hint else ""))


@dataclass
class Finding:
    """One result of a check; errors stop the pipeline, warnings are reported."""

    severity: str  # "error" | "warning"
    table: str
    file: str
    message: str
    column: str | None = None


@dataclass
class TableSummary:
    name: str
    file: str
    rows: int
    columns: int
    clients: int | None
    missing_share: float
    target_rate: float | None = None


@dataclass
class PreparedData:
    """Typed parquet files for the tables found in a folder, plus what the checks found."""

    source_dir: Path
    parquet: dict[str, Path]
    originals: dict[str, Path]
    findings: list[Finding] = field(default_factory=list)
    summaries: list[TableSummary] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def has(self, table: str) -> bool:
        return table in self.parquet

    def columns(self, table: str) -> list[str]:
        """The column names of one table, from its parquet schema (nothing read)."""
        return list(pq.read_schema(self.parquet[table]).names)

    def read(self, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Read one table as pandas (history tables can be large: pass ``columns``)."""
        return pd.read_parquet(self.parquet[table], columns=columns)

    def raise_for_errors(self) -> None:
        if self.errors:
            first = self.errors[0]
            more = f" (and {len(self.errors) - 1} more problems)" if len(self.errors) > 1 else ""
            raise DataError(first.file, first.message + more, column=first.column)


def locate_tables(data_dir: Path) -> dict[str, Path]:
    """Map table name to its file in ``data_dir``; parquet wins over CSV when both exist."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError(
            data_dir, "is not a folder.", hint="Give the folder that holds the Kaggle tables."
        )
    found: dict[str, Path] = {}
    for name in SCHEMAS:
        for suffix in SUFFIXES:
            path = data_dir / f"{name}{suffix}"
            if path.is_file():
                found[name] = path
                break
    if "application_train" not in found and "application_test" not in found:
        raise DataError(
            data_dir,
            "holds neither application_train nor application_test (.csv, .csv.gz or .parquet).",
            hint="Point to a folder in Kaggle layout, or create one with `credit-scoring data synth`.",
        )
    return found


def _fingerprint(path: Path) -> str:
    stat = path.stat()
    raw = f"{CACHE_VERSION}|{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _csv_header(path: Path) -> list[str]:
    try:
        reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 16))
        return list(reader.schema.names)
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        raise DataError(
            path,
            f"cannot be read as CSV ({_short(exc)}).",
            hint="Check that the file is complete and not corrupted; download or copy it again.",
        ) from exc


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:300]


_CONVERSION = re.compile(
    r"column #(\d+): (?:Row #(\d+): )?CSV conversion error to (\w+): invalid value '([^']*)'"
)


def _check_columns(schema: TableSchema, names: list[str], path: Path) -> None:
    missing = sorted(schema.required - set(names))
    if missing:
        raise DataError(
            path,
            f"missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}.",
            column=missing[0],
            hint=f"The {schema.name} table needs at least: {', '.join(sorted(schema.required))}.",
        )


def _convert_csv(path: Path, schema: TableSchema, target: Path) -> None:
    names = _csv_header(path)
    _check_columns(schema, names, path)
    types = {c: _ARROW_TYPES[schema.columns[c]] for c in names if c in schema.columns}
    convert = pacsv.ConvertOptions(column_types=types, strings_can_be_null=True)
    tmp = target.with_suffix(".partial")
    writer: pq.ParquetWriter | None = None
    try:
        reader = pacsv.open_csv(
            path, read_options=pacsv.ReadOptions(block_size=32 << 20), convert_options=convert
        )
        writer = pq.ParquetWriter(tmp, reader.schema, compression="zstd")
        for batch in reader:
            writer.write_batch(batch)
    except pa.ArrowInvalid as exc:
        match = _CONVERSION.search(str(exc))
        if match:
            column = names[int(match.group(1))]
            expected = _TYPE_WORDS.get(schema.columns.get(column, ""), match.group(3))
            row = f" near row {match.group(2)}" if match.group(2) else ""
            raise DataError(
                path,
                f"value '{match.group(4)}'{row} is not {expected}.",
                column=column,
                hint="Correct or blank the value and run again.",
            ) from exc
        raise DataError(
            path,
            f"cannot be read ({_short(exc)}).",
            hint="Check that the file is complete CSV with one header line.",
        ) from exc
    except (OSError, EOFError) as exc:
        raise DataError(
            path,
            f"is unreadable or truncated ({_short(exc)}).",
            hint="Copy or download the file again; a compressed file may have been cut short.",
        ) from exc
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(target)


def _convert_parquet(path: Path, schema: TableSchema, target: Path) -> None:
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(
            path,
            f"is unreadable or truncated ({_short(exc)}).",
            hint="Write the parquet file again.",
        ) from exc
    _check_columns(schema, table.schema.names, path)
    arrays = []
    for name in table.schema.names:
        column = table[name]
        logical = schema.columns.get(name)
        if logical is None:
            arrays.append(column)
            continue
        wanted = _ARROW_TYPES[logical]
        numeric = (
            pa.types.is_integer(column.type)
            or pa.types.is_floating(column.type)
            or pa.types.is_null(column.type)
        )
        if logical != "str" and not numeric:
            raise DataError(
                path,
                f"has type {column.type}, expected {_TYPE_WORDS[logical]}.",
                column=name,
                hint="Store the column as a number.",
            )
        if logical == "int" and pa.types.is_floating(column.type):
            wanted = pa.float64()  # an int column with missing values is often float in parquet
        try:
            arrays.append(column.cast(wanted))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise DataError(
                path, f"cannot be read as {_TYPE_WORDS[logical]} ({_short(exc)}).", column=name
            ) from exc
    tmp = target.with_suffix(".partial")
    pq.write_table(pa.table(arrays, names=table.schema.names), tmp, compression="zstd")
    tmp.replace(target)


def convert_table(path: Path, schema: TableSchema, cache_dir: Path) -> Path:
    """Typed parquet copy of one table, converted once and cached by file fingerprint."""
    target_dir = cache_dir / "parquet" / _fingerprint(path)
    target = target_dir / f"{schema.name}.parquet"
    if target.is_file():
        return target
    target_dir.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".parquet"):
        _convert_parquet(path, schema, target)
    else:
        _convert_csv(path, schema, target)
    return target


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _check_table(
    con: duckdb.DuckDBPyConnection, schema: TableSchema, pq_path: Path, original: Path
) -> list[Finding]:
    findings: list[Finding] = []
    src = f"read_parquet('{_sql_path(pq_path)}')"
    for col in schema.key:
        nulls = con.execute(f'SELECT count(*) FROM {src} WHERE "{col}" IS NULL').fetchone()
        if nulls and nulls[0]:
            findings.append(
                Finding(
                    "error",
                    schema.name,
                    str(original),
                    f"{nulls[0]} rows have no {col} (a key column).",
                    col,
                )
            )
    if schema.key:
        keys = ", ".join(f'"{k}"' for k in schema.key)
        row = con.execute(
            f"SELECT count(*), min(example) FROM (SELECT {keys}, count(*) AS n, "
            f"concat_ws('/', {keys}) AS example FROM {src} GROUP BY {keys} HAVING n > 1)"
        ).fetchone()
        if row and row[0]:
            findings.append(
                Finding(
                    "error",
                    schema.name,
                    str(original),
                    f"{row[0]} duplicate keys ({' + '.join(schema.key)}), for example {row[1]}. "
                    "Each key must appear once: remove the repeated rows.",
                    schema.key[0],
                )
            )
    return findings


def _check_orphans(
    con: duckdb.DuckDBPyConnection, prepared: PreparedData, *, drop_orphans: bool
) -> None:
    apps = [t for t in ("application_train", "application_test") if prepared.has(t)]
    app_sql = " UNION ALL ".join(
        f"SELECT SK_ID_CURR FROM read_parquet('{_sql_path(prepared.parquet[t])}')" for t in apps
    )
    for name, path in prepared.parquet.items():
        for column, parent, parent_col in SCHEMAS[name].parents:
            if parent == "application":
                parent_sql = app_sql
            elif prepared.has(parent):
                parent_sql = f"SELECT {parent_col} FROM read_parquet('{_sql_path(prepared.parquet[parent])}')"
            else:
                continue
            row = con.execute(
                f"SELECT count(*), min({column}) FROM read_parquet('{_sql_path(path)}') "
                f"WHERE {column} NOT IN ({parent_sql})"
            ).fetchone()
            if not row or not row[0]:
                continue
            message = (
                f"{row[0]} rows refer to a {column} absent from {parent} (for example {row[1]})."
            )
            if drop_orphans:
                _drop_rows(con, path, column, parent_sql)
                prepared.findings.append(
                    Finding(
                        "warning",
                        name,
                        str(prepared.originals[name]),
                        message + " They were dropped (--drop-orphans).",
                        column,
                    )
                )
            else:
                prepared.findings.append(
                    Finding(
                        "error",
                        name,
                        str(prepared.originals[name]),
                        message
                        + " Give the matching parent table, or pass --drop-orphans to ignore them.",
                        column,
                    )
                )


def _drop_rows(con: duckdb.DuckDBPyConnection, path: Path, column: str, parent_sql: str) -> None:
    tmp = path.with_suffix(".filtered")
    con.execute(
        f"COPY (SELECT * FROM read_parquet('{_sql_path(path)}') WHERE {column} IN ({parent_sql})) "
        f"TO '{_sql_path(tmp)}' (FORMAT parquet, COMPRESSION zstd)"
    )
    tmp.replace(path)


def _summarise(
    con: duckdb.DuckDBPyConnection, name: str, pq_path: Path, original: Path
) -> TableSummary:
    schema = pq.read_schema(pq_path)
    cols = schema.names
    src = f"read_parquet('{_sql_path(pq_path)}')"
    null_sum = " + ".join(f'count(*) - count("{c}")' for c in cols)
    clients = 'count(DISTINCT "SK_ID_CURR")' if "SK_ID_CURR" in cols else "NULL"
    target = 'avg("TARGET")' if "TARGET" in cols else "NULL"
    row = con.execute(f"SELECT count(*), {clients}, ({null_sum}), {target} FROM {src}").fetchone()
    assert row is not None
    rows = int(row[0])
    missing = float(row[2]) / (rows * len(cols)) if rows else 0.0
    return TableSummary(
        name=name,
        file=str(original),
        rows=rows,
        columns=len(cols),
        clients=None if row[1] is None else int(row[1]),
        missing_share=missing,
        target_rate=None if row[3] is None else float(row[3]),
    )


def prepare(
    data_dir: Path,
    cache_dir: Path,
    *,
    drop_orphans: bool = False,
    on_table: Callable[[str], None] | None = None,
) -> PreparedData:
    """Convert every table found in ``data_dir`` to cached parquet and check it.

    Raises :class:`DataError` at once for a file that cannot be read at all
    (truncated, wrong type, missing required column); key and orphan problems
    are collected in ``findings`` so that one run reports all of them.
    """
    originals = locate_tables(Path(data_dir))
    prepared = PreparedData(source_dir=Path(data_dir), parquet={}, originals=originals)
    for name, path in originals.items():
        if on_table:
            on_table(name)
        prepared.parquet[name] = convert_table(path, SCHEMAS[name], Path(cache_dir))
    con = duckdb.connect()
    try:
        if drop_orphans:
            # Work on private copies: the shared cache must keep the file as read.
            for name, path in list(prepared.parquet.items()):
                if SCHEMAS[name].parents:
                    copy = path.with_name(f"{name}.no-orphans.parquet")
                    if not copy.exists():
                        copy.write_bytes(path.read_bytes())
                    prepared.parquet[name] = copy
        for name, path in prepared.parquet.items():
            prepared.findings.extend(_check_table(con, SCHEMAS[name], path, originals[name]))
        _check_orphans(con, prepared, drop_orphans=drop_orphans)
        for name, path in prepared.parquet.items():
            prepared.summaries.append(_summarise(con, name, path, originals[name]))
    finally:
        con.close()
    return prepared
