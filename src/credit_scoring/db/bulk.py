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
from collections.abc import Iterable, Iterator, Sequence
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
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeEngine

from credit_scoring.db import models as m

COPY_READ = 1 << 20  # bytes sent to COPY at a time


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
