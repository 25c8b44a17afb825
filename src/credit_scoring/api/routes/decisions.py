"""Final decisions: recorded by advisors (append-only, hash-chained), listed by analysts and admins.

A decision is written in the request's transaction (``audit_chain.append``): the 201
answer is sent only once the record is committed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from credit_scoring.api.deps import AdvisorUser, AnalystUser, ScoresDep, SessionDep
from credit_scoring.db import audit_chain
from credit_scoring.db import models as m
from credit_scoring.lending import clients
from credit_scoring.lending.schemas import DecisionIn, DecisionOut, DecisionPage, ErrorOut

router = APIRouter(
    tags=["decisions"], responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}}
)


@router.post(
    "/decisions",
    status_code=status.HTTP_201_CREATED,
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def record_decision(
    body: DecisionIn, user: AdvisorUser, scores: ScoresDep, session: SessionDep
) -> DecisionOut:
    """Record the advisor's decision beside the model's current one; an override needs a reason."""
    score = scores.client(session, body.sk_id_curr, "en").out
    override = body.decision != score.decision
    if override and not body.reason:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"The model says '{score.decision}': overriding it with "
            f"'{body.decision}' needs a reason.",
        )
    decision_id = audit_chain.append(
        session.connection(),
        "decisions",
        [
            {
                "sk_id_curr": body.sk_id_curr,
                "username": user.username,
                "decision": body.decision,
                "model_decision": score.decision,
                "probability": score.probability,
                "threshold": score.threshold,
                "model_version": score.model_version,
                "override": override,
                "reason": body.reason,
            }
        ],
    )
    session.commit()
    row = session.get(m.Decision, decision_id)
    assert row is not None
    return clients.decision_out(row)


@router.get("/decisions")
def list_decisions(
    user: AnalystUser,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> DecisionPage:
    return clients.list_decisions(session, sk_id_curr=None, page=page, page_size=page_size)
