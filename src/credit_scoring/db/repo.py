"""Queries the API needs: client search and detail, population statistics, decisions.

They return the database's rows or plain records (dataclasses below); ``api/clients.py``
turns them into the API's response models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from credit_scoring.core.bands import AGE_BANDS, INCOME_BANDS
from credit_scoring.db import models as m
from credit_scoring.db.load import application_dict

# Main features described by /population/stats: (column, unit, description en, description fr).
POPULATION_FEATURES = (
    ("age_years", "years", "Age", "Âge"),
    ("income_total", "currency", "Monthly income", "Revenu mensuel"),  # AMT_INCOME_TOTAL
    ("amount_credit", "currency", "Credit amount", "Montant du crédit"),
    ("years_employed", "years", "Years employed", "Ancienneté dans l'emploi"),
    ("children", "count", "Number of children", "Nombre d'enfants"),
    ("probability", "share", "Probability of default", "Probabilité de défaut"),
)


@dataclass(frozen=True)
class ClientFilter:
    """Filters of client search and population statistics; ``None`` keeps every client.

    ``age_band`` and ``income_band`` are keys of ``core.bands``; ``score_band`` is low
    (p < threshold/2), medium (< threshold) or high (>= threshold)."""

    gender: str | None = None
    age_band: str | None = None
    income_band: str | None = None
    contract_type: str | None = None
    score_band: str | None = None


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


@dataclass(frozen=True)
class FeatureStats:
    """One feature's distribution over the filtered clients (quantiles p05 ... p95)."""

    name: str
    description: str
    unit: str
    count: int
    missing: int
    mean: float | None
    quantiles: dict[str, float | None]
    bin_edges: list[float]
    counts: list[int]
    client_value: float | None


@dataclass(frozen=True)
class Population:
    n_clients: int
    default_rate: float | None
    features: list[FeatureStats]


def _band(probability: float | None, threshold: float | None) -> str | None:
    if probability is None or threshold is None:
        return None
    if probability >= threshold:
        return "high"
    return "medium" if probability >= threshold / 2 else "low"


def _filtered(stmt: Select, filters: ClientFilter, model_version: str) -> Select:
    score = m.ClientScore
    stmt = stmt.outerjoin(
        score, and_(score.sk_id_curr == m.Client.sk_id_curr, score.model_version == model_version)
    )
    if filters.gender:
        stmt = stmt.where(m.Client.gender == filters.gender)
    if filters.contract_type:
        stmt = stmt.where(m.Client.contract_type == filters.contract_type)
    if filters.age_band:
        low, high = AGE_BANDS[filters.age_band]
        stmt = stmt.where(m.Client.age_years >= low, m.Client.age_years < high)
    if filters.income_band:
        low, high = INCOME_BANDS[filters.income_band]
        stmt = stmt.where(m.Client.income_total >= low)
        if high != float("inf"):
            stmt = stmt.where(m.Client.income_total < high)
    if filters.score_band == "high":
        stmt = stmt.where(score.probability >= score.threshold)
    elif filters.score_band == "medium":
        stmt = stmt.where(
            score.probability < score.threshold, score.probability >= score.threshold / 2
        )
    elif filters.score_band == "low":
        stmt = stmt.where(score.probability < score.threshold / 2)
    return stmt


def search_clients(
    session: Session,
    *,
    q: str | None,
    filters: ClientFilter,
    page: int,
    page_size: int,
    model_version: str,
) -> tuple[int, list[ClientRow]]:
    """The number of matching clients, and the page's clients in id order."""
    base = select(m.Client, m.ClientScore.probability, m.ClientScore.threshold)
    stmt = _filtered(base, filters, model_version)
    if q:
        # Id prefix as a numeric range: uses the primary key index on every backend.
        stmt = stmt.where(_prefix_clause(q))
    total = session.execute(
        select(func.count()).select_from(stmt.order_by(None).subquery())
    ).scalar_one()
    rows = session.execute(
        stmt.order_by(m.Client.sk_id_curr).offset((page - 1) * page_size).limit(page_size)
    ).all()
    items = [
        ClientRow(
            sk_id_curr=c.sk_id_curr,
            gender=c.gender,
            age_years=c.age_years,
            income_total=c.income_total,
            contract_type=c.contract_type,
            amount_credit=c.amount_credit,
            target=c.target,
            probability=p,
            score_band=_band(p, t),
        )
        for c, p, t in rows
    ]
    return total, items


def _prefix_clause(q: str) -> Any:
    from sqlalchemy import or_

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


def population_stats(
    session: Session,
    *,
    filters: ClientFilter,
    model_version: str,
    client_id: int | None,
    lang: str,
    bins: int = 20,
) -> Population:
    cols = [getattr(m.Client, name) for name, *_ in POPULATION_FEATURES[:-1]]
    stmt = _filtered(
        select(*cols, m.ClientScore.probability, m.Client.target, m.Client.sk_id_curr),
        filters,
        model_version,
    )
    rows = session.execute(stmt).all()
    data = np.array(
        [[np.nan if v is None else float(v) for v in r] for r in rows], dtype=np.float64
    ).reshape(len(rows), len(POPULATION_FEATURES) + 2)
    targets = data[:, -2][~np.isnan(data[:, -2])]
    client_row: np.ndarray | None = None
    if client_id is not None:
        one = session.execute(
            _filtered(
                select(*cols, m.ClientScore.probability), ClientFilter(), model_version
            ).where(m.Client.sk_id_curr == client_id)
        ).first()
        if one is not None:
            client_row = np.array([np.nan if v is None else float(v) for v in one])
    features = []
    for j, (name, unit, en, fr) in enumerate(POPULATION_FEATURES):
        column = data[:, j]
        present = column[~np.isnan(column)]
        quantiles: dict[str, float | None] = dict.fromkeys(("p05", "p25", "p50", "p75", "p95"))
        edges: list[float] = []
        counts: list[int] = []
        if len(present):
            for key, value in zip(
                quantiles, np.quantile(present, [0.05, 0.25, 0.5, 0.75, 0.95]), strict=True
            ):
                quantiles[key] = float(value)
            low, high = np.quantile(present, [0.01, 0.99])
            hist, edge = np.histogram(
                np.clip(present, low, high),
                bins=bins,
                range=(float(low), float(high) if high > low else float(low) + 1),
            )
            edges, counts = [float(e) for e in edge], [int(c) for c in hist]
        value = None if client_row is None or np.isnan(client_row[j]) else float(client_row[j])
        features.append(
            FeatureStats(
                name=name,
                description=fr if lang == "fr" else en,
                unit=unit,
                count=len(present),
                missing=int(len(column) - len(present)),
                mean=float(present.mean()) if len(present) else None,
                quantiles=quantiles,
                bin_edges=edges,
                counts=counts,
                client_value=value,
            )
        )
    return Population(
        n_clients=len(rows),
        default_rate=float(targets.mean()) if len(targets) else None,
        features=features,
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
