"""Final decisions: the log of every decision recorded, for analysts and admins.

A decision is made on an application, against the score the advisor was shown
(``POST /applications/{id}/decision`` with its ``score_id``): the legacy
``POST /decisions``, which named only a client and recorded no score, answers 410 Gone
with the route to use instead.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from credit_scoring.api.deps import AdvisorUser, AnalystUser, SessionDep
from credit_scoring.lending import clients
from credit_scoring.lending.errors import Gone
from credit_scoring.lending.schemas import DecisionPage, ErrorOut

router = APIRouter(
    tags=["decisions"], responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}}
)


def decision_route_gone() -> Gone:
    """The 410 of the legacy route, naming the one to use (read by integrators, not advisors)."""
    return Gone(
        "decision_route_gone",
        "Une décision s'enregistre désormais sur une demande de crédit, contre le score "
        "affiché : POST /applications/{id}/decision avec son score_id (les demandes d'un "
        "client : GET /clients/{id}/applications).",
        "A decision is now recorded on a loan application, against the score shown: "
        "POST /applications/{id}/decision with its score_id (a client's applications: "
        "GET /clients/{id}/applications).",
    )


@router.post(
    "/decisions",
    status_code=status.HTTP_410_GONE,
    responses={410: {"model": ErrorOut, "description": "use POST /applications/{id}/decision"}},
    deprecated=True,
)
def record_decision(user: AdvisorUser) -> None:
    """Gone: a decision names the application and the score shown (``score_id``)."""
    raise decision_route_gone()


@router.get("/decisions")
def list_decisions(
    user: AnalystUser,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> DecisionPage:
    return clients.list_decisions(session, sk_id_curr=None, page=page, page_size=page_size)
