"""Client search, the client file, population statistics and recorded decisions: the
database's records (``db/repo.py``, ``db/population.py``) as the API's response models
(``lending/schemas.py``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from credit_scoring.db import models as m
from credit_scoring.db import population as pop
from credit_scoring.db import repo
from credit_scoring.db.client_filters import ClientFilter
from credit_scoring.lending import schemas as s


def _filter(filters: s.ClientFilters) -> ClientFilter:
    return ClientFilter(**filters.model_dump())


def search_clients(
    session: Session,
    *,
    q: str | None,
    filters: s.ClientFilters,
    page: int,
    page_size: int,
    model_version: str,
) -> s.ClientPage:
    total, rows = repo.search_clients(
        session,
        q=q,
        filters=_filter(filters),
        page=page,
        page_size=page_size,
        model_version=model_version,
    )
    items = [s.ClientSummary.model_validate(r, from_attributes=True) for r in rows]
    return s.ClientPage(items=items, total=total, page=page, page_size=page_size)


def client_detail(session: Session, sk_id_curr: int) -> s.ClientDetail | None:
    file = repo.client_detail(session, sk_id_curr)
    if file is None:
        return None
    return s.ClientDetail(
        sk_id_curr=file.client.sk_id_curr,
        target=file.client.target,
        personal=s.PersonalInfo.model_validate(file.client, from_attributes=True),
        application=file.application,  # type: ignore[arg-type]
        loans=[s.LoanOut.model_validate(x, from_attributes=True) for x in file.loans],
        payments=s.PaymentSummary.model_validate(file.payments, from_attributes=True),
        history=[s.MonthOut.model_validate(t, from_attributes=True) for t in file.history],
    )


def population_stats(
    session: Session,
    *,
    filters: s.ClientFilters,
    model_version: str,
    client_id: int | None,
    lang: str,
) -> s.PopulationStats:
    population = pop.population_stats(
        session,
        filters=_filter(filters),
        model_version=model_version,
        client_id=client_id,
        lang=lang,
    )
    return s.PopulationStats(
        filters=filters,
        n_clients=population.n_clients,
        default_rate=population.default_rate,
        source=population.source,
        sample_size=population.sample_size,
        summary_built_at=population.built_at,
        features=[
            s.FeatureDistribution.model_validate(f, from_attributes=True)
            for f in population.features
        ],
    )


def age_band(age_years: float | None) -> int | None:
    """The first year of a ten-year age band: 34.7 -> 30 (a band, not the age, for privacy).

    Examples
    --------
    >>> age_band(34.7), age_band(40.0), age_band(None)
    (30, 40, None)
    """
    return None if age_years is None else int(age_years // 10 * 10)


def describe_similar(
    session: Session, neighbours: list[s.SimilarClientOut]
) -> list[s.SimilarClientOut]:
    """Similar clients described by what they are: age band, monthly income, contract, amount.

    A neighbour found in the model's index but not stored in the database keeps its outcome
    and distance only (the dashboard reads its description as "not provided").

    Parameters
    ----------
    session : Session
        The database session.
    neighbours : list of SimilarClientOut
        The neighbours, nearest first.

    Returns
    -------
    list of SimilarClientOut
        The same neighbours in the same order, with their description.
    """
    ids = [n.sk_id_curr for n in neighbours]
    rows = (
        session.execute(select(m.Client).where(m.Client.sk_id_curr.in_(ids))).scalars().all()
        if ids
        else []
    )
    found = {row.sk_id_curr: row for row in rows}
    out = []
    for n in neighbours:
        row = found.get(n.sk_id_curr)
        if row is None:
            out.append(n)
            continue
        out.append(
            n.model_copy(
                update={
                    "age_band": age_band(row.age_years),
                    "income_monthly": row.income_total,
                    "contract_type": row.contract_type,
                    "amount_credit": row.amount_credit,
                }
            )
        )
    return out


def decision_out(row: m.Decision) -> s.DecisionOut:
    return s.DecisionOut.model_validate(row, from_attributes=True)


def list_decisions(
    session: Session,
    *,
    sk_id_curr: int | None,
    page: int,
    page_size: int,
    username: str | None = None,
) -> s.DecisionPage:
    """Newest first; ``username`` keeps only the decisions that user recorded."""
    total, rows = repo.list_decisions(
        session, sk_id_curr=sk_id_curr, page=page, page_size=page_size, username=username
    )
    return s.DecisionPage(
        items=[decision_out(r) for r in rows], total=total, page=page, page_size=page_size
    )
