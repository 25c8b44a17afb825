"""A hash chain per audit table: each record carries the hash of the one before it.

``append(conn, table, rows)`` is the only way records enter an audit table. In the
caller's transaction it locks the table's row in ``audit_chain_heads`` (so that concurrent
writers, threads or processes, queue up and the ids follow the chain), computes
``row_hash = sha256(prev_hash + canonical row)``, inserts, and moves the head.
``verify(engine)`` walks every chain and reports the record counts and the first break:
a changed value, a removed or inserted record, or records missing at the end.

The canonical row is the JSON of its non-null columns (id and the hashes left out), each
value normalised by the column's type, so that a column added later (null in old rows)
does not change old hashes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    DateTime,
    Engine,
    Float,
    Integer,
    Table,
    func,
    insert,
    select,
    update,
)

from credit_scoring.db import bulk
from credit_scoring.db import models as m
from credit_scoring.db.append_only import AUDIT_TABLES

GENESIS = "0" * 64
_SKIP = frozenset({"id", "prev_hash", "row_hash"})


class ChainError(RuntimeError):
    """The chain cannot be extended (no head row: the migrations were not run)."""


def audit_table(name: str) -> Table:
    """The SQLAlchemy table of an audit table, by its name without prefix."""
    table = m.Base.metadata.tables.get(f"{m.TABLE_PREFIX}{name}")
    if table is None:
        raise KeyError(f"unknown audit table {name!r}; known: {', '.join(AUDIT_TABLES)}")
    return table


def _normal(column: Any, value: Any) -> Any:
    kind = column.type
    if isinstance(kind, DateTime):
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.isoformat(timespec="microseconds")
    if isinstance(kind, Boolean):
        return bool(value)
    if isinstance(kind, Float):
        return float(value)
    if isinstance(kind, Integer):
        return int(value)
    if isinstance(kind, JSON):
        return value
    return str(value)


def canonical(table: Table, row: Mapping[str, Any]) -> str:
    """The text a record's hash covers: its non-null columns, normalised, as sorted JSON."""
    values = {
        c.name: _normal(c, row[c.name])
        for c in table.columns
        if c.name not in _SKIP and row.get(c.name) is not None
    }
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link(prev_hash: str, table: Table, row: Mapping[str, Any]) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical(table, row)}".encode()).hexdigest()


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def complete(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """Every column of the table except id (None where absent); the time set if missing."""
    out = {c.name: row.get(c.name) for c in table.columns if c.name not in _SKIP}
    if "created_at" in out:
        when = out["created_at"]
        if when is None:
            out["created_at"] = _utcnow()
        elif isinstance(when, str):
            out["created_at"] = datetime.fromisoformat(when)
    return out


def _heads() -> Table:
    return cast(Table, m.AuditChainHead.__table__)


def _lock_head(conn: Connection, name: str) -> tuple[int, str]:
    heads = _heads()
    where = heads.c.table_name == name
    if conn.dialect.name == "sqlite":  # no FOR UPDATE: a first write takes the database lock
        conn.execute(update(heads).where(where).values(records=heads.c.records))
    row = conn.execute(
        select(heads.c.records, heads.c.last_hash).where(where).with_for_update()
    ).first()
    if row is None:
        raise ChainError(
            f"audit table {name} has no chain head: run `credit-scoring db upgrade` first."
        )
    return int(row[0]), str(row[1])


def append(conn: Connection, name: str, rows: Iterable[Mapping[str, Any]]) -> int | None:
    """Insert ``rows`` into audit table ``name`` in the caller's transaction, chained.

    Returns the id of the last row inserted (None when ``rows`` is empty).
    """
    table = audit_table(name)
    full = [complete(table, r) for r in rows]
    if not full:
        return None
    records, prev = _lock_head(conn, name)
    for row in full:
        row["prev_hash"] = prev
        row["row_hash"] = prev = link(prev, table, row)
    if len(full) == 1:
        inserted = conn.execute(insert(table), full[0]).inserted_primary_key
        assert inserted is not None
        last_id = inserted[0]
    else:  # many rows (batch writers): COPY on PostgreSQL, in this order
        bulk.insert_dicts(conn, table, full)
        last_id = conn.execute(select(func.max(table.c.id))).scalar_one()
    heads = _heads()
    conn.execute(
        update(heads)
        .where(heads.c.table_name == name)
        .values(records=records + len(full), last_id=last_id, last_hash=prev)
    )
    return int(last_id)


def start_chain(conn: Connection, name: str, *, batch: int = 2_000) -> int:
    """Chain the rows already in ``name`` (before its triggers exist) and create its head.

    For migrations: run after adding ``prev_hash``/``row_hash`` and before ``protect``.
    Only the columns the table has at that revision are read (later ones are null anyway).
    """
    from sqlalchemy import inspect

    table = audit_table(name)
    present = {c["name"] for c in inspect(conn).get_columns(table.name)}
    columns = [c for c in table.columns if c.name in present]
    prev, count, last_id = GENESIS, 0, 0
    result = conn.execute(select(*columns).order_by(table.c.id))
    while chunk := result.fetchmany(batch):
        updates = []
        for row in chunk:
            values = row._mapping
            digest = link(prev, table, dict(values))
            updates.append({"_id": values["id"], "_prev": prev, "_hash": digest})
            prev, count, last_id = digest, count + 1, int(values["id"])
        _write_hashes(conn, table, updates)
    conn.execute(
        insert(_heads()),
        {"table_name": name, "records": count, "last_id": last_id, "last_hash": prev},
    )
    return count


def _write_hashes(conn: Connection, table: Table, updates: list[dict[str, Any]]) -> None:
    from sqlalchemy import bindparam

    conn.execute(
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values(prev_hash=bindparam("_prev"), row_hash=bindparam("_hash")),
        updates,
    )


@dataclass(frozen=True)
class ChainReport:
    table: str
    records: int
    head_records: int
    first_break: str | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _rows(conn: Connection, table: Table, last_id: int, batch: int) -> Iterator[Any]:
    after = 0
    while True:
        chunk = conn.execute(
            select(table)
            .where(table.c.id > after, table.c.id <= last_id)
            .order_by(table.c.id)
            .limit(batch)
        ).all()
        if not chunk:
            return
        yield from chunk
        after = int(chunk[-1]._mapping["id"])


def verify_table(conn: Connection, name: str, *, batch: int = 5_000) -> ChainReport:
    """Walk one chain up to its head; the first break says which record and what is wrong."""
    table = audit_table(name)
    heads = _heads()
    head = conn.execute(select(heads).where(heads.c.table_name == name)).first()
    if head is None:
        return ChainReport(name, 0, 0, "no chain head: run `credit-scoring db upgrade`")
    prev, count, first_break = GENESIS, 0, None
    for row in _rows(conn, table, int(head.last_id), batch):
        values = row._mapping
        count += 1
        if first_break is not None:
            continue
        if values["row_hash"] is None:
            first_break = f"record id {values['id']} has no hash: it was inserted around the chain"
        elif values["prev_hash"] != prev:
            first_break = (
                f"record id {values['id']} does not follow the record before it: "
                "a record was removed or inserted just before it"
            )
        elif values["row_hash"] != link(prev, table, values):
            first_break = f"record id {values['id']} was changed after it was written"
        prev = values["row_hash"] or prev
    if first_break is None and count != head.records:
        first_break = (
            f"the head counts {head.records} records up to id {head.last_id} but "
            f"{count} are there: records were removed"
        )
    elif first_break is None and count and prev != head.last_hash:
        first_break = f"the last record (id {head.last_id}) is not the one the head points to"
    return ChainReport(name, count, int(head.records), first_break)


def verify(engine: Engine, names: Iterable[str] = AUDIT_TABLES) -> list[ChainReport]:
    """Every audit chain, checked in one read transaction each."""
    reports = []
    for name in names:
        with engine.connect() as conn:
            reports.append(verify_table(conn, name))
    return reports
