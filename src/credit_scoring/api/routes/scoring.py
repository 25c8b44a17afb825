"""Scores with reasons, explanations, similar clients, what-if and new applications.

Every score served is appended to the score log (user, time, inputs digest, model
version, threshold, score, reasons, feature vector) and every read of a client's score or
explanation to the data-access log, both durable (synced to the audit spool, see
``api.audit``) before the response is returned.
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from credit_scoring.api.access import ClientId, ClientReader, access_row
from credit_scoring.api.deps import (
    CurrentUser,
    ExplainerDep,
    ScoresDep,
    SessionDep,
    SimilarDep,
    WhatIfDep,
)
from credit_scoring.lending.audit import Record, digest
from credit_scoring.lending.schemas import (
    ErrorOut,
    ExplanationOut,
    Lang,
    PredictIn,
    ScoreOut,
    SimilarOut,
    WhatIfIn,
    WhatIfOut,
)
from credit_scoring.lending.security import Principal
from credit_scoring.lending.services.scores import reasons_of

router = APIRouter(
    tags=["scoring"],
    responses={
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        503: {"model": ErrorOut, "description": "model not ready or database unreachable"},
    },
)


def score_records(
    user: Principal,
    route: str,
    out: ScoreOut,
    inputs: str,
    reasons: list[dict[str, Any]] | None = None,
    *,
    features_sha: str | None = None,
    client_read: bool = False,
) -> list[Record]:
    """The score log record of a score served (and the data-access record of a client's)."""
    row = {
        "username": user.username,
        "route": route,
        "sk_id_curr": out.sk_id_curr,
        "inputs_digest": inputs,
        "model_version": out.model_version,
        "threshold": out.threshold,
        "probability": out.probability,
        "decision": out.decision,
        "reasons": reasons if reasons is not None else reasons_of(out),
        "features_sha": features_sha,
    }
    records: list[Record] = [("score_log", row)]
    if client_read:
        records.append(("data_access_events", access_row(user, route, out.sk_id_curr)))
    return records


def log_score(request: Request, records: list[Record]) -> None:
    """Durable before it returns (blocking: for routes that run in the thread pool)."""
    request.app.state.audit.write(records)
    _count(request, records)


async def alog_score(request: Request, records: list[Record]) -> None:
    await request.app.state.audit.awrite(records)
    _count(request, records)


def _count(request: Request, records: list[Record]) -> None:
    row = records[0][1]
    request.app.state.metrics.scores.labels(row["route"], row["decision"]).inc()


@router.get("/clients/{sk_id_curr}/score", response_model=ScoreOut)
async def client_score(
    request: Request, sk_id_curr: ClientId, user: CurrentUser, scores: ScoresDep, lang: Lang = "fr"
) -> Response:
    scored = scores.cached(sk_id_curr, lang)
    if scored is None:  # first time for this client and model: database and model, off the loop
        scored = await run_in_threadpool(scores.client, None, sk_id_curr, lang)
    records = score_records(
        user,
        "client_score",
        scored.out,
        scored.digest,
        scored.reasons,
        features_sha=scored.features_sha,
        client_read=True,
    )
    await alog_score(request, records)
    return Response(scored.body, media_type="application/json")


@router.get("/clients/{sk_id_curr}/explanation")
def client_explanation(
    sk_id_curr: ClientId,
    user: ClientReader,
    explainer: ExplainerDep,
    session: SessionDep,
    lang: Lang = "fr",
) -> ExplanationOut:
    return explainer.explanation(session, sk_id_curr, lang)


@router.get("/clients/{sk_id_curr}/similar")
def similar_clients(
    sk_id_curr: ClientId,
    user: ClientReader,
    similar: SimilarDep,
    session: SessionDep,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> SimilarOut:
    return similar.similar(session, sk_id_curr, k)


@router.post("/clients/{sk_id_curr}/what_if")
def what_if(
    request: Request,
    sk_id_curr: ClientId,
    body: WhatIfIn,
    user: CurrentUser,
    scenarios: WhatIfDep,
    session: SessionDep,
) -> WhatIfOut:
    out = scenarios.what_if(session, sk_id_curr, body)
    log_score(
        request,
        score_records(
            user,
            "what_if",
            out.scenario,
            digest({"sk_id_curr": sk_id_curr, "changes": out.changes}),
            client_read=True,
        ),
    )
    return out


@router.post("/predict_default", responses={422: {"description": "invalid application"}})
def predict_default(
    request: Request, body: PredictIn, user: CurrentUser, scores: ScoresDep
) -> ScoreOut:
    """Score one application given in Kaggle's columns and encodings (negative day counts,
    ``DAYS_EMPLOYED`` 365243), with optional history rows; nothing is stored but the score
    log record. For systems that already send Kaggle rows: an advisor's application goes
    to ``POST /applications``, in the bank's terms."""
    application: dict[str, Any] = body.application.model_dump()  # type: ignore[attr-defined]
    given_id = application.get("SK_ID_CURR")
    if given_id is None:
        application["SK_ID_CURR"] = 0  # the feature builder needs a key
    tables = {"application": pd.DataFrame([application])}
    for name, rows in (body.history or {}).items():
        if rows:
            frame = pd.DataFrame(rows)
            if "SK_ID_CURR" not in frame:
                frame["SK_ID_CURR"] = application["SK_ID_CURR"]
            tables[name] = frame
    try:
        out = scores.predict(tables, given_id, body.lang)
    except ValueError as exc:  # the feature builder's checks on the tables: the input's fault
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    log_score(request, score_records(user, "predict_default", out, digest(body.model_dump())))
    return out
