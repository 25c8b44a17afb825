"""``GET /population/stats``: distributions of the main features, all clients or a group."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from credit_scoring.api.access import access_row
from credit_scoring.api.deps import CurrentUser, ServicesDep, SessionDep
from credit_scoring.lending import clients
from credit_scoring.lending.schemas import ClientFilters, ErrorOut, Lang, PopulationStats

router = APIRouter(tags=["population"], responses={401: {"model": ErrorOut}})


@router.get("/population/stats")
def population_stats(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    filters: Annotated[ClientFilters, Query()],
    client_id: Annotated[
        int | None, Query(ge=0, le=2**53, description="also return this client's values")
    ] = None,
    lang: Lang = "fr",
) -> PopulationStats:
    if client_id is not None:  # this client's values are shown: a read of their data
        request.app.state.audit.write(
            [("data_access_events", access_row(user, "population_stats", client_id))]
        )
    # Not cached: the population summary makes it one row's read, and a cached answer
    # would miss the clients added and the summaries rebuilt while the API runs.
    return clients.population_stats(
        session, filters=filters, model_version=services.version, client_id=client_id, lang=lang
    )
