"""Reads and writes of applications, their scores and their decisions (ORM rows, no API types).

The invariants live here, in statements every backend runs atomically:

- a score is appended through :func:`credit_scoring.db.audit_chain.append` (immutable,
  chained) in the transaction that stores its application;
- a decision moves the application's status with one conditional ``UPDATE`` that also
  checks the score shown is still the latest: of two advisors deciding at once, exactly one
  succeeds (:func:`claim_decision`), the other gets ``False`` and a 409.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import Session

from credit_scoring.db import audit_chain
from credit_scoring.db import models as m

# What each decision leaves the application in.
STATUS_AFTER = {
    "grant": "decided",
    "refuse": "decided",
    "refer": "referred",
    "withdraw": "withdrawn",
}


@dataclass(frozen=True)
class ApplicationFilter:
    status: str | None = None
    entered_by: str | None = None
    sk_id_curr: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    review_requested: bool = False  # only those with an open review, oldest due first


def by_idempotency_key(session: Session, username: str, key: str) -> m.Application | None:
    return session.execute(
        select(m.Application).where(
            m.Application.entered_by == username, m.Application.idempotency_key == key
        )
    ).scalar_one_or_none()


def latest_score(session: Session, application_id: int) -> m.Score | None:
    return session.execute(
        select(m.Score)
        .where(m.Score.application_id == application_id)
        .order_by(m.Score.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def count_scores(session: Session, application_id: int) -> int:
    return int(
        session.execute(
            select(func.count()).where(m.Score.application_id == application_id)
        ).scalar_one()
    )


def append_score(session: Session, row: dict[str, Any]) -> m.Score:
    """Store one score (chained, append-only) in the session's transaction; returns it."""
    score_id = audit_chain.append(session.connection(), "scores", [row])
    assert score_id is not None
    score = session.get(m.Score, score_id)
    assert score is not None
    return score


def has_history(session: Session, sk_id_curr: int) -> bool:
    """Whether the lender knows the client's credit history (bureau or previous loans)."""
    return bool(
        session.execute(
            select(exists().where(m.Loan.sk_id_curr == sk_id_curr, m.Loan.source != "application"))
        ).scalar()
    )


def decisions_of(session: Session, application_id: int) -> Sequence[m.Decision]:
    return (
        session.execute(
            select(m.Decision)
            .where(m.Decision.application_id == application_id)
            .order_by(m.Decision.id)
        )
        .scalars()
        .all()
    )


def latest_decisions(session: Session, application_ids: Sequence[int]) -> dict[int, m.Decision]:
    """The latest decision of each application that has one (one query for a page)."""
    if not application_ids:
        return {}
    last = (
        select(m.Decision.application_id, func.max(m.Decision.id).label("decision_id"))
        .where(m.Decision.application_id.in_(list(application_ids)))
        .group_by(m.Decision.application_id)
        .subquery()
    )
    rows = session.execute(select(m.Decision).join(last, m.Decision.id == last.c.decision_id))
    return {d.application_id: d for d in rows.scalars().all() if d.application_id is not None}


def claim_decision(
    session: Session, application: m.Application, score_id: int, decision: str, when: datetime
) -> bool:
    """Move the application to the status ``decision`` leaves it in, if nobody else has.

    True when the application still had the status read and ``score_id`` is its latest
    score; False otherwise (decided meanwhile, or scored again): nothing is changed.
    """
    newer = exists().where(and_(m.Score.application_id == application.id, m.Score.id > score_id))
    status = STATUS_AFTER[decision]
    values: dict[str, Any] = {"status": status}
    if status in ("decided", "withdrawn"):
        values["decided_at"] = when
    result = session.execute(
        update(m.Application)
        .where(
            m.Application.id == application.id,
            m.Application.status == application.status,
            ~newer,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def list_applications(
    session: Session, where: ApplicationFilter, *, page: int, page_size: int
) -> tuple[int, list[tuple[m.Application, m.Score | None]]]:
    """Newest first, each with its latest score (one query for the page's scores)."""
    stmt = select(m.Application)
    if where.status is not None:
        stmt = stmt.where(m.Application.status == where.status)
    if where.entered_by is not None:
        stmt = stmt.where(m.Application.entered_by == where.entered_by)
    if where.sk_id_curr is not None:
        stmt = stmt.where(m.Application.sk_id_curr == where.sk_id_curr)
    if where.since is not None:
        stmt = stmt.where(m.Application.entered_at >= where.since)
    if where.until is not None:
        stmt = stmt.where(m.Application.entered_at < where.until)
    order: list[Any] = [m.Application.entered_at.desc(), m.Application.id.desc()]
    if where.review_requested:
        stmt = stmt.join(m.ReviewRequest, m.ReviewRequest.application_id == m.Application.id).where(
            m.ReviewRequest.status == "open"
        )
        order = [m.ReviewRequest.due_on, m.ReviewRequest.id]
    total = int(session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())
    apps = (
        session.execute(stmt.order_by(*order).offset((page - 1) * page_size).limit(page_size))
        .scalars()
        .all()
    )
    if not apps:
        return total, []
    ids = [a.id for a in apps]
    last = (
        select(m.Score.application_id, func.max(m.Score.id).label("score_id"))
        .where(m.Score.application_id.in_(ids))
        .group_by(m.Score.application_id)
        .subquery()
    )
    scores = {
        s.application_id: s
        for s in session.execute(select(m.Score).join(last, m.Score.id == last.c.score_id))
        .scalars()
        .all()
    }
    return total, [(a, scores.get(a.id)) for a in apps]


# --- the applicant's requests, as the advisors see them ---------------------------------


def open_reviews(session: Session, application_ids: Sequence[int]) -> dict[int, m.ReviewRequest]:
    """The open review of each application that has one (one query for a page)."""
    if not application_ids:
        return {}
    rows = session.execute(
        select(m.ReviewRequest).where(
            m.ReviewRequest.application_id.in_(list(application_ids)),
            m.ReviewRequest.status == "open",
        )
    )
    return {r.application_id: r for r in rows.scalars().all()}


def latest_review(session: Session, application_id: int) -> m.ReviewRequest | None:
    return session.execute(
        select(m.ReviewRequest)
        .where(m.ReviewRequest.application_id == application_id)
        .order_by(m.ReviewRequest.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def close_review(
    session: Session, application_id: int, decision_id: int | None, when: datetime
) -> None:
    """Close the application's open review (the decision that answers it), if one is open."""
    session.execute(
        update(m.ReviewRequest)
        .where(m.ReviewRequest.application_id == application_id, m.ReviewRequest.status == "open")
        .values(status="closed", closed_at=when, decision_id=decision_id)
        .execution_options(synchronize_session=False)
    )


def rectifications_of(session: Session, application_id: int) -> Sequence[m.RectificationRequest]:
    return (
        session.execute(
            select(m.RectificationRequest)
            .where(m.RectificationRequest.application_id == application_id)
            .order_by(m.RectificationRequest.id)
        )
        .scalars()
        .all()
    )


# what the applicant did in their space (not the codes staff issued, not failed attempts)
APPLICANT_VIEW_EVENTS = ("sign_in", "read", "write")


def applicant_views(session: Session, application_id: int) -> tuple[int, datetime | None]:
    """How many times the applicant accessed this application in their space, and when last."""
    events = m.ApplicantAccessEvent
    count, last = session.execute(
        select(func.count(), func.max(events.created_at)).where(
            events.target_id == application_id, events.event.in_(APPLICANT_VIEW_EVENTS)
        )
    ).one()
    return int(count or 0), last
