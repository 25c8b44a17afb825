"""The drift report: ``POST /drift/runs`` starts one in the background, ``GET /drift/runs/current``
follows it, ``GET /drift/latest`` (summary JSON) and ``GET /drift/latest.html`` (the full
evidently report) read the newest.

Reports are also written by ``credit-scoring drift`` under ``<home>/reports/drift/``. The
work is :class:`~credit_scoring.lending.services.drift.DriftReports`'s; a route only hands
it the user, the champion and the language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict

from credit_scoring.api.deps import AnalystUser, ServicesDep, SettingsDep, request_lang
from credit_scoring.api.routes.applications import QueryLang
from credit_scoring.lending.schemas import ErrorOut
from credit_scoring.lending.services.drift import DriftProgress, DriftReports

router = APIRouter(
    tags=["monitoring"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)


def drift_reports(request: Request, settings: SettingsDep) -> DriftReports:
    """The process's one drift service (made at the first use: it holds the running report)."""
    reports: DriftReports | None = getattr(request.app.state, "drift_reports", None)
    if reports is None:
        reports = DriftReports(settings, request.app.state.audit.write)
        request.app.state.drift_reports = reports
    return reports


DriftDep = Annotated[DriftReports, Depends(drift_reports)]


class DriftRunOut(BaseModel):
    """A drift report being made, or the last one made: progress, who, how it ended."""

    state: str  # running | done | failed
    started_by: str
    started_at: datetime
    finished_at: datetime | None
    steps_done: int
    steps_total: int
    step: str | None  # reference | current | model | features | compare | write
    elapsed_seconds: float
    report: str | None
    error_code: str | None
    error: str | None


class DriftColumnOut(BaseModel):
    column: str
    kind: str  # raw | feature | score
    method: str
    score: float
    threshold: float
    drifted: bool
    importance: float | None = None
    label: str | None = None  # the column in words, in the request's language


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


def _run_out(progress: DriftProgress) -> DriftRunOut:
    return DriftRunOut.model_validate(progress, from_attributes=True)


@router.post(
    "/drift/runs",
    status_code=status.HTTP_202_ACCEPTED,
    responses={409: {"model": ErrorOut}},
)
def start_drift(
    request: Request,
    user: AnalystUser,
    reports: DriftDep,
    services: ServicesDep,
    lang: QueryLang = None,
) -> DriftRunOut:
    """Start a drift report of the data folder against the champion (one at a time)."""
    champion = services.scores.scorer if services.scores is not None else None
    reports.start(
        username=user.username,
        role=user.role,
        champion=champion,
        model_error=services.model_error,
    )
    return _run_out(reports.progress(request_lang(request, lang)))


@router.get("/drift/runs/current")
def drift_run(
    request: Request, user: AnalystUser, reports: DriftDep, lang: QueryLang = None
) -> DriftRunOut:
    """The running report's progress (steps done of the total, time elapsed), else the last."""
    return _run_out(reports.progress(request_lang(request, lang)))


@router.get("/drift/latest")
def drift_latest(
    request: Request,
    user: AnalystUser,
    reports: DriftDep,
    services: ServicesDep,
    lang: QueryLang = None,
) -> DriftSummaryOut:
    _, summary = reports.latest(request_lang(request, lang), services.features.metas)
    return DriftSummaryOut.model_validate({"model": None, **summary})


@router.get(
    "/drift/latest.html",
    response_class=FileResponse,
    responses={200: {"content": {"text/html": {}}, "description": "evidently HTML report"}},
)
def drift_latest_html(
    request: Request, user: AnalystUser, reports: DriftDep, services: ServicesDep
) -> FileResponse:
    html_path, _ = reports.latest(request_lang(request), services.features.metas)
    return FileResponse(html_path, media_type="text/html")
