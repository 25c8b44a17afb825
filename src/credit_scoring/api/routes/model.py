"""``GET /model`` (the champion's report), ``GET /model/review-pack`` (the committee's PDF),
``GET /model/methodology`` (the methodology note, French or English) and ``GET /metrics``
(Prometheus)."""

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
from credit_scoring.core.grades import scale_description
from credit_scoring.lending.errors import NotFound
from credit_scoring.lending.schemas import ErrorOut, ModelOut
from credit_scoring.training.methodology import methodology_path
from credit_scoring.training.model_card import card_in, described_importance, described_points
from credit_scoring.training.review_pack import pack_path

router = APIRouter(tags=["model"], responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}})


@router.get("/model", responses={503: {"model": ErrorOut}})
def model_report(
    request: Request,
    user: CurrentUser,
    scores: ScoresDep,
    services: ServicesDep,
    settings: SettingsDep,
    lang: QueryLang = None,
) -> ModelOut:
    """The champion's report: the model card in the request's language, importance and the
    scorecard's characteristics described in it."""
    language = request_lang(request, lang)
    cached = services.responses.get(("model", scores.version, language))
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
            "global_importance": described_importance(
                report.get("top_features") or {}, services.features.metas, language
            ),
            "calibration": report.get("calibration"),
        },
        costs=dict(report.get("costs") or {}),
        comparison=list(report.get("comparison") or []),
        model_card_markdown=card_in(report, language),
        fairness=dict(report.get("fairness") or {}),
        grades=list(report.get("grades") or []),
        ks_tables=dict(report.get("ks_tables") or {}),
        protected=dict(report.get("protected") or {}),
        scorecard_points=described_points(
            report.get("scorecard_points") or [], services.features.metas, language
        ),
        points_scale=(
            {**report["points_scale"], "description": scale_description(language)}
            if report.get("points_scale")
            else {}
        ),
    )
    services.responses.put(("model", scores.version, language), out)
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
    "/model/methodology",
    response_class=Response,
    responses={
        200: {"content": {"text/html": {}}, "description": "the methodology note (HTML)"},
        404: {"model": ErrorOut},
    },
)
def methodology_note(
    request: Request, user: AnalystUser, settings: SettingsDep, lang: QueryLang = None
) -> Response:
    """The methodology note of the current model, in French or English (``lang``)."""
    path = methodology_path(settings.reports_dir, request_lang(request, lang))
    if path is None:
        raise NotFound(
            "no_methodology",
            "Aucune note méthodologique n'existe encore : elle est écrite par l'entraînement "
            "(« credit-scoring train »).",
            "No methodology note exists yet: it is written by training ('credit-scoring train').",
        )
    return Response(path.read_text(encoding="utf-8"), media_type="text/html")


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus metrics"}},
)
def metrics(request: Request, user: AnalystUser) -> Response:
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
