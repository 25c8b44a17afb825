"""Loan applications: intake, stored scores, decisions on the score shown, the letter; the policy.

``POST /applications`` takes the bank's form (:class:`~credit_scoring.lending.form.ApplicationForm`)
and answers 201 with the stored score (200 with the first result for a repeated
``Idempotency-Key``); a wrong form answers 422 with every wrong field named, in the
request's language (``lang`` or ``Accept-Language``). Every score served is also a score
log record (``score_id`` set) and every read of an application a data-access record.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from credit_scoring.api.access import ClientId, ClientReader, access_row
from credit_scoring.api.deps import (
    AdvisorUser,
    CurrentUser,
    ScoresDep,
    SessionDep,
    request_lang,
)
from credit_scoring.api.routes.scoring import log_score
from credit_scoring.db import applications as repo
from credit_scoring.db import models as m
from credit_scoring.lending import application_schemas as a
from credit_scoring.lending import form as bank_form
from credit_scoring.lending.applicant import generate_code, issue_code
from credit_scoring.lending.applications import ApplicationService, summaries
from credit_scoring.lending.errors import (
    application_not_found,
    client_not_found,
    not_your_application,
)
from credit_scoring.lending.letter import ApplicantSpace
from credit_scoring.lending.policy import Policy
from credit_scoring.lending.schemas import ErrorOut
from credit_scoring.lending.security import Principal

router = APIRouter(
    tags=["applications"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=128,
        pattern=r"^[A-Za-z0-9._:-]{8,128}$",
        description="the same key again returns the first result and creates nothing",
    ),
]
ApplicationId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the application's id")]
QueryLang = Annotated[str | None, Query(pattern="^(fr|en)$", description="fr or en")]


async def get_applications(request: Request, scores: ScoresDep) -> ApplicationService:
    """The application service of the champion served (503 without one, as ``ScoresDep``)."""
    service: ApplicationService = request.app.state.applications
    return service


Applications = Annotated[ApplicationService, Depends(get_applications)]


def form_errors_response(errors: list[bank_form.FieldError], lang: str) -> JSONResponse:
    detail = (
        f"{len(errors)} champ(s) à corriger."
        if lang == "fr"
        else f"{len(errors)} field(s) to correct."
    )
    body = a.FormErrorsOut(
        code="invalid",
        message=("\u00a0; " if lang == "fr" else "; ").join(e.message for e in errors),
        field=errors[0].field if errors else None,
        detail=detail,
        errors=[a.FieldErrorOut(field=e.field, code=e.code, message=e.message) for e in errors],
    )
    return JSONResponse(body.model_dump(), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def _score_records(user: Principal, route: str, out: a.ApplicationScoreOut) -> list:
    row = {
        "username": user.username,
        "route": route,
        "sk_id_curr": out.sk_id_curr,
        "inputs_digest": out.inputs_digest,
        "model_version": out.model_version,
        "threshold": out.threshold,
        "probability": out.probability,
        "decision": out.decision,
        "reasons": [r.model_dump() for r in out.reasons_against + out.reasons_for],
        "score_id": out.score_id,
    }
    return [("score_log", row), ("data_access_events", access_row(user, route, out.sk_id_curr))]


class FormRoute(APIRoute):
    """A route whose body is the bank's form: a body FastAPI cannot parse answers like a
    form the checks refuse (every wrong field named, in the request's language)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                lang = request_lang(request, request.query_params.get("lang"))
                return form_errors_response(
                    bank_form.pydantic_errors(list(exc.errors()), lang), lang
                )

        return handle


# POST /applications alone: the other application routes answer 422 as every route does.
intake_router = APIRouter(
    tags=["applications"],
    route_class=FormRoute,
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}},
)


@intake_router.post(
    "/applications",
    status_code=status.HTTP_201_CREATED,
    response_model=a.ApplicationCreatedOut,
    responses={
        200: {"model": a.ApplicationCreatedOut, "description": "the first result of this key"},
        409: {"model": ErrorOut, "description": "the key was used for another application"},
        422: {"model": a.FormErrorsOut, "description": "every wrong field, named"},
        503: {"model": ErrorOut},
    },
)
async def create_application(
    request: Request,
    form: bank_form.ApplicationForm,
    user: AdvisorUser,
    service: Applications,
    key: IdempotencyKey = None,
    lang: QueryLang = None,
) -> Response:
    """Enter an application in the bank's terms: stored, scored, checked against the policy."""
    language = request_lang(request, lang)

    def create() -> Response:
        # one trip to the thread pool: score, store, commit, then the score log synced
        with request.app.state.sessions() as session:
            try:
                created, replayed = service.create(session, form, user, language, key)
            except bank_form.FormErrors as exc:
                return form_errors_response(list(exc.errors), language)
        if not replayed:
            log_score(request, _score_records(user, "create_application", created))
        return Response(
            created.model_dump_json(),
            status_code=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED,
            media_type="application/json",
            headers={"Location": f"/applications/{created.application_id}"},
        )

    return await run_in_threadpool(create)


@router.get("/applications")
def list_applications(
    user: CurrentUser,
    session: SessionDep,
    status_: Annotated[
        a.Status | None,
        Query(alias="status", description="scored, referred, decided, withdrawn, review"),
    ] = None,
    review: Annotated[
        Literal["requested"] | None,
        Query(
            description="requested: the applications whose applicant asked for a review "
            "still open, oldest due first"
        ),
    ] = None,
    entered_by: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[date | None, Query(description="entered on or after this day")] = None,
    until: Annotated[date | None, Query(description="entered on or before this day")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> a.ApplicationPage:
    """Newest first. Advisors see the applications they entered; other roles everyone's."""
    if user.role == "advisor":
        entered_by = user.username
    where = repo.ApplicationFilter(
        status=status_,
        entered_by=entered_by,
        since=datetime.combine(since, time()) if since else None,
        until=datetime.combine(until + timedelta(days=1), time()) if until else None,
        review_requested=review == "requested",
    )
    total, rows = repo.list_applications(session, where, page=page, page_size=page_size)
    return a.ApplicationPage(
        items=summaries(session, rows),
        total=total,
        page=page,
        page_size=page_size,
    )


def _readable(session: SessionDep, user: Principal, application_id: int) -> m.Application:
    app = session.get(m.Application, application_id)
    if app is None:
        raise application_not_found(application_id)
    if user.role == "advisor" and app.entered_by != user.username and app.source == "intake":
        raise not_your_application()
    return app


@router.get("/applications/{application_id}", response_model=a.ApplicationOut)
async def get_application(
    request: Request,
    application_id: ApplicationId,
    user: CurrentUser,
    service: Applications,
    lang: QueryLang = None,
) -> Response:
    """The application, its latest STORED score (never recomputed) and its decisions; the
    reasons as shown when it was scored, the rules that fired in the request's language."""
    language = request_lang(request, lang)

    def read() -> a.ApplicationOut:
        # one trip to the thread pool: the read and its data-access record, synced to disk
        # before anything of the application leaves (a session dependency costs two trips)
        with request.app.state.sessions() as session:
            out = service.get(session, _readable(session, user, application_id), language)
        request.app.state.audit.write(
            [("data_access_events", access_row(user, "get_application", out.sk_id_curr))]
        )
        return out

    out = await run_in_threadpool(read)
    return Response(out.model_dump_json(), media_type="application/json")


@router.post(
    "/applications/{application_id}/score",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"model": ErrorOut}},
)
def rescore_application(
    request: Request,
    application_id: ApplicationId,
    user: AdvisorUser,
    session: SessionDep,
    service: Applications,
    lang: QueryLang = None,
) -> a.ApplicationScoreOut:
    """Score an open application again with the champion served now (a new stored score)."""
    _readable(session, user, application_id)
    out = service.rescore(session, application_id, user, request_lang(request, lang))
    log_score(request, _score_records(user, "rescore_application", out))
    return out


@router.post(
    "/applications/{application_id}/decision",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def decide_application(
    request: Request,
    application_id: ApplicationId,
    body: a.ApplicationDecisionIn,
    user: AdvisorUser,
    session: SessionDep,
    service: Applications,
) -> a.ApplicationDecisionOut:
    """Decide on the score shown (``score_id``): 409 unless it is the latest and still open."""
    _readable(session, user, application_id)
    return service.decide(session, application_id, body, user)


@router.get(
    "/applications/{application_id}/letter",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the letter (PDF)"}},
)
def application_letter(
    request: Request,
    application_id: ApplicationId,
    user: AdvisorUser,
    session: SessionDep,
    service: Applications,
    lang: QueryLang = None,
) -> Response:
    """The letter to the applicant: decision, reasons in plain words, what to do, their rights,
    and their own space's address with a new personal code (the previous ones revoked: a
    code is shown once, only its hash is kept)."""
    app = _readable(session, user, application_id)
    request.app.state.audit.write(
        [("data_access_events", access_row(user, "application_letter", app.sk_id_curr))]
    )
    language = request_lang(request, lang)
    code = generate_code()
    space = ApplicantSpace(url=request.app.state.settings.applicant_url, code=code)
    pdf = service.letter(session, application_id, language, space=space)
    issue_code(session, application_id, user.username, code=code)  # once the letter is drawn
    name = f"letter-{application_id}-{language}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/clients/{sk_id_curr}/applications")
def client_applications(
    sk_id_curr: ClientId, user: ClientReader, session: SessionDep
) -> list[a.ApplicationSummaryOut]:
    """The client's applications, newest first, each with its latest score and decision."""
    where = repo.ApplicationFilter(sk_id_curr=sk_id_curr)
    _, rows = repo.list_applications(session, where, page=1, page_size=500)
    return summaries(session, rows)


@router.get("/clients/{sk_id_curr}/applicant")
def client_applicant(
    sk_id_curr: ClientId, user: ClientReader, session: SessionDep
) -> dict[str, Any]:
    """A known client's declared data in the bank's terms (to prefill a new application)."""
    from credit_scoring.db.load import application_dict

    client = session.get(m.Client, sk_id_curr)
    if client is None:
        raise client_not_found(sk_id_curr)
    applicant, _ = bank_form.from_application_row(
        application_dict(client), today=datetime.now().date()
    )
    return {"client_id": sk_id_curr, "applicant": applicant.model_dump(mode="json")}


@router.get("/policy")
def policy(request: Request, user: CurrentUser) -> a.PolicyOut:
    """The credit committee's rules in force (version, conditions, texts): the copy loaded at
    start-up, the one intake and decisions apply."""
    rules: Policy = request.app.state.policy
    return a.PolicyOut(
        version=rules.version,
        rules=[
            a.PolicyRuleOut(
                code=r["code"],
                outcome=r["outcome"],
                when=r["when"],
                text_fr=r["text_fr"],
                text_en=r["text_en"],
            )
            for r in rules.rules
        ],
    )
