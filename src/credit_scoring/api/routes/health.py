"""``GET /health``: no login; says whether the model, the database and the audit log are usable.

It says what is wrong in words an operator can act on, never the text of an exception
(which may hold URLs, paths or driver internals). Not ready when more audit records wait
for the database than ``audit_backlog_max``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from credit_scoring.db.session import database_problem
from credit_scoring.lending.schemas import HealthOut

router = APIRouter(tags=["health"])


def _problems(request: Request) -> tuple[str | None, str | None]:
    """What is wrong with the database, then with the stored feature set (None: nothing)."""
    problem = database_problem(request.app.state.engine)
    if problem is not None:
        return problem, None
    try:
        with request.app.state.sessions() as session:
            return None, request.app.state.services.features.problem(session)
    except SQLAlchemyError:  # tables missing: the schema is older than the code
        return None, (
            "the stored feature sets could not be read: run `credit-scoring db upgrade`, "
            "then `credit-scoring db load --data DIR`."
        )


@router.get(
    "/health",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "not ready"}},
)
async def health(request: Request) -> JSONResponse:
    services = request.app.state.services
    problem, features_problem = await run_in_threadpool(_problems, request)
    scorer = services.scorer
    spool = request.app.state.audit
    shadow = getattr(request.app.state, "shadow", None)
    backlog = spool.backlog
    audit_ok = backlog <= spool.backlog_max
    ready = problem is None and scorer is not None and audit_ok and features_problem is None
    body = HealthOut(
        status="ok" if ready else "degraded",
        ready=ready,
        model_name=scorer.model_name if scorer else None,
        model_version=scorer.model_version if scorer else None,
        model_error=services.model_error,
        database=problem is None,
        database_error=problem,
        feature_set_error=features_problem,
        audit_backlog=backlog,
        audit_dead_letters=spool.dead_letters,
        challenger_version=shadow.model_version if shadow is not None else None,
        shadow_dropped=shadow.dropped if shadow is not None else 0,
    )
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
