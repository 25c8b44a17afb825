"""``GET /drift/latest`` (summary JSON) and ``GET /drift/latest.html`` (the full evidently report).

Reports are written by ``credit-scoring drift`` under ``<home>/reports/drift/``; the API
only reads the newest one (see :func:`credit_scoring.monitoring.drift.latest_report`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict

from credit_scoring.api.deps import AnalystUser, SettingsDep
from credit_scoring.lending.schemas import ErrorOut

router = APIRouter(
    tags=["monitoring"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)

NO_REPORT = (
    "No drift report yet: run `credit-scoring drift` (new clients vs training) or "
    "`credit-scoring drift --production` (what the API served) on the server."
)


class DriftColumnOut(BaseModel):
    column: str
    kind: str  # raw | feature | score
    method: str
    score: float
    threshold: float
    drifted: bool
    importance: float | None = None


class DriftSummaryOut(BaseModel):
    """What moved, and whether it matters for the model (importance-weighted drift share)."""

    model_config = ConfigDict(extra="allow", protected_namespaces=())

    created_at: str
    reference: str
    current: str
    verdict: str  # ok | watch | action
    message: str
    weighted: bool
    weighted_drift_share: float | None
    importance_covered: float | None
    by_kind: dict[str, dict[str, Any]]
    top_drifted: list[DriftColumnOut]
    columns: list[DriftColumnOut]
    rows: dict[str, int]
    model: dict[str, str] | None = None
    html: str


def _latest(settings: Any) -> tuple[Any, dict[str, Any]]:
    from credit_scoring.monitoring.drift import latest_report

    found = latest_report(settings)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_REPORT)
    return found


@router.get("/drift/latest")
def drift_latest(user: AnalystUser, settings: SettingsDep) -> DriftSummaryOut:
    _, summary = _latest(settings)
    return DriftSummaryOut.model_validate({"model": None, **summary})


@router.get(
    "/drift/latest.html",
    response_class=FileResponse,
    responses={200: {"content": {"text/html": {}}, "description": "evidently HTML report"}},
)
def drift_latest_html(user: AnalystUser, settings: SettingsDep) -> FileResponse:
    html_path, _ = _latest(settings)
    return FileResponse(html_path, media_type="text/html")
