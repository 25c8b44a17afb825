"""Client search and detail, and the decisions recorded for one client (reads recorded)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from credit_scoring.api.access import ClientId, ClientReader
from credit_scoring.api.deps import CurrentUser, ServicesDep, SessionDep
from credit_scoring.lending import clients
from credit_scoring.lending.errors import client_not_found
from credit_scoring.lending.schemas import (
    ClientDetail,
    ClientFilters,
    ClientPage,
    DecisionOut,
    ErrorOut,
)

router = APIRouter(tags=["clients"], responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}})
__all__ = ["ClientId", "router"]


@router.get("/clients")
def search_clients(
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    filters: Annotated[ClientFilters, Query()],
    q: Annotated[str | None, Query(pattern=r"^\d{1,12}$", description="id prefix")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> ClientPage:
    return clients.search_clients(
        session,
        q=q,
        filters=filters,
        page=page,
        page_size=page_size,
        model_version=services.version,
    )


@router.get("/clients/{sk_id_curr}", responses={404: {"model": ErrorOut}})
def get_client(sk_id_curr: ClientId, user: ClientReader, session: SessionDep) -> ClientDetail:
    detail = clients.client_detail(session, sk_id_curr)
    if detail is None:
        raise client_not_found(sk_id_curr)
    return detail


@router.get("/clients/{sk_id_curr}/decisions")
def client_decisions(
    sk_id_curr: ClientId,
    user: ClientReader,
    session: SessionDep,
) -> list[DecisionOut]:
    """The client's decisions. Need-to-know: analysts and admins see every advisor's (as on
    ``GET /decisions``); an advisor sees only the decisions they recorded themselves."""
    by = None if user.role in ("analyst", "admin") else user.username
    return clients.list_decisions(
        session, sk_id_curr=sk_id_curr, username=by, page=1, page_size=1000
    ).items
