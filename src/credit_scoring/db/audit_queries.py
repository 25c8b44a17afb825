"""Reading the audit tables: filtered pages and full exports, oldest first or newest first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from credit_scoring.db import models as m

# Route names of the audit listings -> their table; other areas add theirs (auth events).
AUDIT_MODELS: dict[str, type[m.Base]] = {
    "decisions": m.Decision,
    "scores": m.ScoreLog,
    "data-access": m.DataAccessEvent,
    "auth-events": m.AuthEvent,
}


def _filtered(model: type[m.Base], filters: dict[str, Any]) -> Select:
    table = model.__table__  # type: ignore[attr-defined]
    stmt = select(model)
    for name in ("username", "sk_id_curr", "route", "decision", "event"):
        value = filters.get(name)
        if value is not None and name in table.c:
            stmt = stmt.where(table.c[name] == value)
    date_from: datetime | None = filters.get("date_from")
    date_to: datetime | None = filters.get("date_to")
    if date_from is not None:
        stmt = stmt.where(table.c.created_at >= date_from.replace(tzinfo=None))
    if date_to is not None:
        stmt = stmt.where(table.c.created_at < date_to.replace(tzinfo=None))
    return stmt


def audit_page(
    session: Session, kind: str, filters: dict[str, Any], *, page: int, page_size: int
) -> tuple[list[Any], int]:
    """One page of records, newest first, and the number of records that match."""
    model = AUDIT_MODELS[kind]
    stmt = _filtered(model, filters)
    total = session.execute(
        select(func.count()).select_from(stmt.order_by(None).subquery())
    ).scalar_one()
    rows = (
        session.execute(
            stmt.order_by(model.id.desc())  # type: ignore[attr-defined]
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        .scalars()
        .all()
    )
    return list(rows), int(total)


def audit_export(
    session: Session, kind: str, filters: dict[str, Any], *, batch: int = 2_000
) -> Iterator[Any]:
    """Every matching record in chain order (oldest first), read in batches by id."""
    model = AUDIT_MODELS[kind]
    ident = model.id  # type: ignore[attr-defined]
    after = 0
    while True:
        rows = (
            session.execute(
                _filtered(model, filters).where(ident > after).order_by(ident).limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        after = rows[-1].id
