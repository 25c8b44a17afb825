"""Queries the API needs: client search and detail, decisions.

They return the database's rows or plain records (dataclasses below); ``lending/clients.py``
turns them into the API's response models. Population statistics are in
:mod:`credit_scoring.db.population`; the filters both share in
:mod:`credit_scoring.db.client_filters`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from credit_scoring.db import models as m
from credit_scoring.db import population
from credit_scoring.db.client_filters import ClientFilter, conditions
from credit_scoring.db.load import application_dict


@dataclass(frozen=True)
class ClientRow:
    """One client of a search, with the champion's last probability and its band."""

    sk_id_curr: int
    gender: str | None
    age_years: float | None
    income_total: float | None
    contract_type: str | None
    amount_credit: float | None
    target: int | None
    probability: float | None
    score_band: str | None


@dataclass(frozen=True)
class PaymentSummary:
    months_observed: int
    months_late: int
    max_days_past_due: float | None
    total_paid: float | None


@dataclass(frozen=True)
class ClientFile:
    """A client's row, stored application, loans and monthly history (ordered by source)."""

    client: m.Client
    application: dict[str, object]
    loans: Sequence[m.Loan]
    history: Sequence[m.Transaction]
    payments: PaymentSummary


def _band(probability: float | None, threshold: float | None) -> str | None:
    if probability is None or threshold is None:
        return None
    if probability >= threshold:
        return "high"
    return "medium" if probability >= threshold / 2 else "low"


def search_clients(
    session: Session,
    *,
    q: str | None,
    filters: ClientFilter,
    page: int,
    page_size: int,
    model_version: str,
) -> tuple[int, list[ClientRow]]:
    """The number of matching clients, and the page's clients in id order.

    The number comes from the population summary when there is one and no id prefix is
    typed (:func:`credit_scoring.db.population.count_clients`), else from a count in the
    database. The page is found in two steps: the ids in id order, on the clients'
    covering index (the score band an EXISTS on each client's score, so that nothing is
    sorted), then those clients' rows and scores.
    """
    where = conditions(filters, model_version)
    if q:
        # Id prefix as a numeric range: uses the primary key index on every backend.
        where.append(_prefix_clause(q))
    total = None if q else population.count_clients(session, filters, model_version)
    if total is None:
        total = session.execute(
            select(func.count()).select_from(m.Client).where(*where)
        ).scalar_one()
    ids = (
        session.execute(
            select(m.Client.sk_id_curr)
            .where(*where)
            .order_by(m.Client.sk_id_curr)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        .scalars()
        .all()
    )
    if not ids:
        return total, []
    c, score = m.Client, m.ClientScore
    rows = session.execute(
        select(
            c.sk_id_curr,
            c.gender,
            c.age_years,
            c.income_total,
            c.contract_type,
            c.amount_credit,
            c.target,
            score.probability,
            score.threshold,
        )
        .outerjoin(
            score, and_(score.sk_id_curr == c.sk_id_curr, score.model_version == model_version)
        )
        .where(c.sk_id_curr.in_(ids))
        .order_by(c.sk_id_curr)
    ).all()
    items = [
        ClientRow(
            sk_id_curr=r.sk_id_curr,
            gender=r.gender,
            age_years=r.age_years,
            income_total=r.income_total,
            contract_type=r.contract_type,
            amount_credit=r.amount_credit,
            target=r.target,
            probability=r.probability,
            score_band=_band(r.probability, r.threshold),
        )
        for r in rows
    ]
    return total, items


def _prefix_clause(q: str) -> Any:
    prefix = int(q)
    clauses = [m.Client.sk_id_curr == prefix]
    low, high = prefix, prefix + 1
    for _ in range(len(q), 12):
        low, high = low * 10, high * 10
        clauses.append(and_(m.Client.sk_id_curr >= low, m.Client.sk_id_curr < high))
    return or_(*clauses)


def client_detail(session: Session, sk_id_curr: int) -> ClientFile | None:
    client = session.get(m.Client, sk_id_curr)
    if client is None:
        return None
    loans = (
        session.execute(
            select(m.Loan)
            .where(m.Loan.sk_id_curr == sk_id_curr)
            .order_by(m.Loan.source, m.Loan.days_start)
        )
        .scalars()
        .all()
    )
    months = (
        session.execute(
            select(m.Transaction)
            .where(m.Transaction.sk_id_curr == sk_id_curr)
            .order_by(m.Transaction.source, m.Transaction.months_balance)
        )
        .scalars()
        .all()
    )
    dpd = [t.max_days_past_due for t in months if t.max_days_past_due is not None]
    paid = [t.payment for t in months if t.payment is not None]
    return ClientFile(
        client=client,
        application=application_dict(client),
        loans=loans,
        history=months,
        payments=PaymentSummary(
            months_observed=len({(t.source, t.months_balance) for t in months}),
            months_late=sum(1 for d in dpd if d > 0),
            max_days_past_due=max(dpd) if dpd else None,
            total_paid=float(sum(paid)) if paid else None,
        ),
    )


def list_decisions(
    session: Session,
    *,
    sk_id_curr: int | None,
    page: int,
    page_size: int,
    username: str | None = None,
) -> tuple[int, Sequence[m.Decision]]:
    """The number of matching decisions, and the page's, newest first; ``username`` keeps
    only the decisions that user recorded."""
    stmt = select(m.Decision)
    if sk_id_curr is not None:
        stmt = stmt.where(m.Decision.sk_id_curr == sk_id_curr)
    if username is not None:
        stmt = stmt.where(m.Decision.username == username)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = (
        session.execute(
            stmt.order_by(m.Decision.id.desc()).offset((page - 1) * page_size).limit(page_size)
        )
        .scalars()
        .all()
    )
    return total, rows
