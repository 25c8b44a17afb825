"""Bulk inserts for ``db load``: PostgreSQL's COPY, plain ``executemany`` elsewhere.

A batch of ``db load`` writes about a million monthly rows. Through SQLAlchemy's
``insert()`` every row is a dict whose values are processed one by one; PostgreSQL's
``executemany`` costs ~20 s a million rows. So rows go in as they come:

- on PostgreSQL (psycopg), ``COPY ... FROM STDIN`` inside the caller's transaction,
  fed either tuples in the binary format (:func:`write_rows`: a vector's bytes go as they
  are, 2.6 times faster than as hex text) or a CSV file written by DuckDB
  (:func:`write_csv`, the faster for the million narrow rows of a batch's history);
- elsewhere (SQLite, MariaDB), one ``executemany`` of tuples on the driver's cursor,
  which the drivers run as prepared or multi-row statements.

The values must already have the column's type (an ``int`` for an integer column: COPY
parses text and refuses ``1.0``); ``None`` is NULL.

:func:`parents_written` lifts the foreign-key checks of rows whose parents the caller
has just written in the same transaction: on PostgreSQL a checked row costs ~9 µs (the
check locks the parent row), four times the COPY itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    Float,
    Integer,
    LargeBinary,
    String,
    Table,
    insert,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeEngine

from credit_scoring.db import models as m

COPY_READ = 1 << 20  # bytes sent to COPY at a time
COPY_FROM = 100  # rows from which insert_dicts copies (below, one executemany is as quick)


def _table(table: type[m.Base]) -> Table:
    return table.__table__  # type: ignore[return-value]


def uses_copy(conn: Connection) -> bool:
    """True on PostgreSQL through psycopg (COPY FROM STDIN inside the transaction)."""
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def _names(conn: Connection, table: type[m.Base], columns: Sequence[str]) -> tuple[str, str]:
    quote = conn.dialect.identifier_preparer
    name = quote.format_table(_table(table))
    return name, ", ".join(quote.quote(c) for c in columns)


def _binary_type(kind: TypeEngine[Any]) -> str:
    """The PostgreSQL type a binary COPY sends a column's values as (it must be exact)."""
    if isinstance(kind, BigInteger):
        return "int8"
    if isinstance(kind, Boolean):
        return "bool"
    if isinstance(kind, Integer):
        return "int4"
    if isinstance(kind, Float):
        return "float8"
    if isinstance(kind, LargeBinary):
        return "bytea"
    if isinstance(kind, String):  # Text too; varchar reads the same bytes
        return "text"
    raise TypeError(f"no binary COPY type for {kind!r}")


def write_rows(
    conn: Connection, table: type[m.Base], columns: Sequence[str], rows: Iterable[tuple]
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) in the caller's transaction; the count."""
    name, cols = _names(conn, table, columns)
    if uses_copy(conn):
        done = 0
        raw = conn.connection.driver_connection
        with (
            raw.cursor() as cur,  # type: ignore[union-attr]
            cur.copy(f"COPY {name} ({cols}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types([_binary_type(_table(table).c[c].type) for c in columns])
            for row in rows:
                copy.write_row(row)
                done += 1
        return done
    batch = rows if isinstance(rows, list) else list(rows)
    if not batch:
        return 0
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {name} ({cols}) VALUES ({', '.join(mark for _ in columns)})"
    conn.exec_driver_sql(sql, batch)
    return len(batch)


def insert_dicts(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows given as dicts, as ``conn.execute(insert(table), rows)`` does, in the
    caller's transaction and in their order (an autoincrement id follows it).

    On PostgreSQL, from :data:`COPY_FROM` rows, by COPY: each value goes through its
    column's SQLAlchemy bind processing (JSON, booleans...) and a column missing from the
    rows gets its Python default (a time of writing), so the rows stored are the same.
    """
    if not rows:
        return
    if not uses_copy(conn) or len(rows) < COPY_FROM:
        conn.execute(insert(table), list(rows))
        return
    given = list(rows[0])
    defaults = {
        c.name: c.default for c in table.columns if c.name not in given and c.default is not None
    }
    columns = given + list(defaults)
    process = [
        table.c[c].type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for c in columns
    ]
    quote = conn.dialect.identifier_preparer
    cols = ", ".join(quote.quote(c) for c in columns)
    raw = conn.connection.driver_connection
    with (
        raw.cursor() as cur,  # type: ignore[union-attr]
        cur.copy(f"COPY {quote.format_table(table)} ({cols}) FROM STDIN") as copy,
    ):
        for row in rows:
            values = [row[c] for c in given]
            values += [d.arg(None) if d.is_callable else d.arg for d in defaults.values()]  # type: ignore[attr-defined]
            # a JSON column's None is processed too: ``insert()`` stores JSON null for it
            copy.write_row([v if f is None else f(v) for v, f in zip(values, process, strict=True)])


def write_csv(conn: Connection, table: type[m.Base], columns: Sequence[str], path: Path) -> None:
    """COPY a headerless CSV file (DuckDB's: NULL unquoted and empty, ``""`` an empty
    string) into ``table``, in the caller's transaction (PostgreSQL only)."""
    name, cols = _names(conn, table, columns)
    raw = conn.connection.driver_connection
    with (
        raw.cursor() as cur,  # type: ignore[union-attr]
        cur.copy(f"COPY {name} ({cols}) FROM STDIN (FORMAT csv)") as copy,
        path.open("rb") as source,
    ):
        while chunk := source.read(COPY_READ):
            copy.write(chunk)


@contextlib.contextmanager
def parents_written(conn: Connection) -> Iterator[bool]:
    """Skip foreign-key checks for the inserts inside, when the database lets this role.

    Only for rows whose parents the same transaction has written (``db load``'s staging
    keeps the loans, months and vectors of the batch's clients only). Yields whether the
    checks are off:

    - PostgreSQL: ``session_replication_role = replica`` for the transaction, which a
      superuser may set (or, from PostgreSQL 15, a role granted ``SET`` on it); refused,
      the checks stay and the load is only slower;
    - MariaDB: ``foreign_key_checks = 0`` for the session, set back on the way out;
    - SQLite: the checks stay (cheap there, and not switchable inside a transaction).
    """
    dialect = conn.dialect.name
    if dialect == "postgresql":
        savepoint = conn.begin_nested()
        try:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        except DBAPIError:
            savepoint.rollback()
            yield False
            return
        savepoint.commit()
        try:
            yield True
        finally:
            conn.execute(text("SET LOCAL session_replication_role = origin"))
    elif dialect in ("mysql", "mariadb"):
        conn.execute(text("SET SESSION foreign_key_checks = 0"))
        try:
            yield True
        finally:
            conn.execute(text("SET SESSION foreign_key_checks = 1"))
    else:
        yield False


def compress_fast(conn: Connection) -> bool:
    """PostgreSQL: compress the large values this transaction writes with lz4 rather than
    pglz (PostgreSQL 14+ built with lz4; a score's reasons are ~17 kB of JSON: their
    insert takes half the time). Any role may set it; the values read back the same.
    Elsewhere, or refused: nothing changes. True when set."""
    if conn.dialect.name != "postgresql":
        return False
    savepoint = conn.begin_nested()
    try:
        conn.execute(text("SET LOCAL default_toast_compression = 'lz4'"))
    except DBAPIError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True
