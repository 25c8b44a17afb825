"""``GET /model`` (the champion's report), ``GET /model/review-pack`` (the committee's PDF)
and ``GET /metrics`` (Prometheus)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from credit_scoring.api.deps import (
    AnalystUser,
    CurrentUser,
    ScoresDep,
    ServicesDep,
    SettingsDep,
    request_lang,
)
from credit_scoring.api.routes.applications import QueryLang
from credit_scoring.lending.errors import NotFound
from credit_scoring.lending.schemas import ErrorOut, ModelOut
from credit_scoring.training.review_pack import pack_path

router = APIRouter(tags=["model"], responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}})


@router.get("/model", responses={503: {"model": ErrorOut}})
def model_report(
    request: Request,
    user: CurrentUser,
    scores: ScoresDep,
    services: ServicesDep,
    settings: SettingsDep,
) -> ModelOut:
    cached = services.responses.get(("model", scores.version))
    if cached is not None:
        return cached
    try:
        report: dict[str, Any] = request.app.state.load_report(settings)
    except Exception as exc:  # registry unreachable or report missing: say so, not 500
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"Model report unavailable: {type(exc).__name__}: {exc}",
        ) from None
    scorer = scores.scorer
    out = ModelOut(
        model_name=scorer.model_name,
        model_version=scorer.model_version,
        threshold=float(report.get("threshold", scorer.threshold)),
        # The Model page draws global importance and the reliability curve from these two.
        metrics={
            **(report.get("metrics") or {}),
            "global_importance": dict(report.get("top_features") or {}),
            "calibration": report.get("calibration"),
        },
        costs=dict(report.get("costs") or {}),
        comparison=list(report.get("comparison") or []),
        model_card_markdown=str(
            report.get("model_card") or report.get("model_card_markdown") or ""
        ),
        fairness=dict(report.get("fairness") or {}),
        grades=list(report.get("grades") or []),
        ks_tables=dict(report.get("ks_tables") or {}),
        protected=dict(report.get("protected") or {}),
        scorecard_points=list(report.get("scorecard_points") or []),
        points_scale=dict(report.get("points_scale") or {}),
    )
    services.responses.put(("model", scores.version), out)
    return out


@router.get(
    "/model/review-pack",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "the review pack (PDF)"},
        404: {"model": ErrorOut},
    },
)
def review_pack(
    request: Request, user: AnalystUser, settings: SettingsDep, lang: QueryLang = None
) -> Response:
    """The credit committee's review pack of the current model, as PDF slides.

    Written by every training run and redrawn after every back-test
    (:mod:`credit_scoring.training.review_pack`); ``lang`` (or ``Accept-Language``) picks
    the French or English file.
    """
    language = request_lang(request, lang)
    path = pack_path(settings.reports_dir, language)
    if not path.is_file():
        raise NotFound(
            "no_review_pack",
            "Aucun dossier de revue n'existe encore : il est écrit par l'entraînement "
            "(« credit-scoring train ») et mis à jour par chaque back-test.",
            "No review pack exists yet: it is written by training ('credit-scoring train') "
            "and updated by every back-test.",
        )
    return Response(
        path.read_bytes(),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{path.name}"'},
    )


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus metrics"}},
)
def metrics(request: Request, user: AnalystUser) -> Response:
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
