"""``GET /health``: no login; says whether the model and the database are usable."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from credit_scoring.api.schemas import HealthOut
from credit_scoring.db.session import ping

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "not ready"}},
)
async def health(request: Request) -> JSONResponse:
    service = request.app.state.service
    database = await run_in_threadpool(ping, request.app.state.engine)
    scorer = service.scorer
    ready = database and scorer is not None
    body = HealthOut(
        status="ok" if ready else "degraded",
        ready=ready,
        model_name=scorer.model_name if scorer else None,
        model_version=scorer.model_version if scorer else None,
        model_error=service.model_error,
        database=database,
    )
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
