"""``GET /health``: no login; says whether the model, the database and the audit log are usable.

It says what is wrong in words an operator can act on, never the text of an exception
(which may hold URLs, paths or driver internals). Not ready when more audit records wait
for the database than ``audit_backlog_max``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from credit_scoring.api.schemas import HealthOut
from credit_scoring.db.session import database_problem

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "not ready"}},
)
async def health(request: Request) -> JSONResponse:
    service = request.app.state.service
    problem = await run_in_threadpool(database_problem, request.app.state.engine)
    scorer = service.scorer
    spool = request.app.state.audit
    backlog = spool.backlog
    audit_ok = backlog <= spool.backlog_max
    ready = problem is None and scorer is not None and audit_ok
    body = HealthOut(
        status="ok" if ready else "degraded",
        ready=ready,
        model_name=scorer.model_name if scorer else None,
        model_version=scorer.model_version if scorer else None,
        model_error=service.model_error,
        database=problem is None,
        database_error=problem,
        audit_backlog=backlog,
        audit_dead_letters=spool.dead_letters,
    )
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
