"""The applicant's own space: ``/applicant/...`` (role ``applicant``, its own token).

Every route under ``/applicant/applications/{application_id}`` answers 404
``application.not_found`` for an application that is not the signed-in applicant's (never
403), and every access, read or write, is an ``applicant_access_events`` record written
in the transaction of what it records. The advisors' side: ``POST
/applications/{id}/applicant-access`` issues a new code without a letter. The contract
is ``docs/applicant-space.md``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from credit_scoring.api.deps import (
    AdvisorUser,
    ApplicantRefusal,
    CurrentApplicant,
    SessionDep,
    request_lang,
)
from credit_scoring.api.routes.applications import _readable
from credit_scoring.api.throttle import client_address
from credit_scoring.core import formatting
from credit_scoring.db import models as m
from credit_scoring.lending import applicant_schemas as s
from credit_scoring.lending.applicant import access, changes, comparison, requests, views
from credit_scoring.lending.applicant.throttle import ApplicantThrottle
from credit_scoring.lending.applications import ApplicationService
from credit_scoring.lending.errors import NotFound
from credit_scoring.lending.letter import ApplicantSpace
from credit_scoring.lending.schemas import ErrorOut

ApplicationId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the application's id")]
QueryLang = Annotated[str | None, Query(pattern="^(fr|en)$", description="fr or en")]


def _lang(request: Request) -> str:
    return request_lang(request, request.query_params.get("lang"))


class ApplicantRoute(APIRoute):
    """Renders :class:`ApplicantRefusal` (401, 429, 503) in the API's one error format, in
    the request's language."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except ApplicantRefusal as exc:
                message = exc.fr if _lang(request) == "fr" else exc.en
                body = {"code": exc.code, "message": message, "field": None, "detail": message}
                return JSONResponse(
                    {**body, **exc.extra}, status_code=exc.status_code, headers=exc.headers
                )

        return handle


router = APIRouter(
    prefix="/applicant",
    tags=["applicant"],
    route_class=ApplicantRoute,
    responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)
# the advisors' side of the applicant space
staff_router = APIRouter(tags=["applications"], responses={401: {"model": ErrorOut}})

_throttle_lock = threading.Lock()


def _throttle(request: Request) -> ApplicantThrottle:
    """The app's applicant throttle (created on first use, with the app's settings)."""
    state = request.app.state
    with _throttle_lock:
        if getattr(state, "applicant_throttle", None) is None:
            state.applicant_throttle = ApplicantThrottle(state.settings)
    throttle: ApplicantThrottle = state.applicant_throttle
    return throttle


def _address(request: Request) -> str:
    return client_address(request, request.app.state.settings.proxy_networks)


def _service(request: Request) -> ApplicationService:
    service: ApplicationService | None = request.app.state.applications
    if service is None:
        raise ApplicantRefusal(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "service.unavailable",
            "Ce service est momentanément indisponible : réessayez dans quelques minutes.",
            "This service is unavailable for the moment: try again in a few minutes.",
        )
    return service


def _seen(
    request: Request,
    session: SessionDep,
    applicant: access.Applicant,
    route: str,
    target: int | None,
    *,
    event: str = "read",
) -> None:
    """Record the access and commit (with what the route wrote, if anything)."""
    access.record(
        session,
        event,
        application_id=applicant.application_id,
        session_id=applicant.session_id,
        route=route,
        target_id=target,
        address=_address(request),
    )
    session.commit()


def _mine(
    request: Request, session: SessionDep, applicant: access.Applicant, application_id: int
) -> m.Application:
    """The applicant's application, or 404 (the attempt recorded)."""
    try:
        return views.owned(session, applicant, application_id)
    except NotFound:
        access.record(
            session,
            "read",
            application_id=applicant.application_id,
            session_id=applicant.session_id,
            route=request.scope["route"].name,
            target_id=application_id,
            address=_address(request),
            detail="not this applicant's application: 404",
        )
        session.commit()
        raise


# ---- session ------------------------------------------------------------------------------

_FAILED_FR = (
    "Connexion impossible : vérifiez le numéro de demande, votre date de naissance et le code "
    "personnel de votre courrier. Après trop d'essais, le code ne fonctionne plus : "
    "demandez-en alors un nouveau à votre conseiller."
)
_FAILED_EN = (
    "Could not sign in: check the application number, your birth date and the personal code "
    "in your letter. After too many attempts the code stops working: then ask your advisor "
    "for a new one."
)


@router.post(
    "/session",
    responses={429: {"model": ErrorOut, "description": "too many failures from this address"}},
)
def sign_in(request: Request, body: s.SignInIn, session: SessionDep) -> s.SessionOut:
    """Sign in with the application number, the personal code and the birth date."""
    address = _address(request)
    throttle = _throttle(request)
    wait = throttle.wait(body.application_id, address)
    if wait is not None:
        access.record(session, "throttled", application_id=body.application_id, address=address)
        session.commit()
        lang = _lang(request)
        when = (
            formatting.duration(wait, "second", lang)
            if wait < 120
            else formatting.duration(math.ceil(wait / 60), "minute", lang)
            if wait < 7200
            else formatting.duration(math.ceil(wait / 3600), "hour", lang)
        )
        raise ApplicantRefusal(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "applicant.throttled",
            f"Trop d'essais depuis cette connexion : réessayez dans {when}.",
            f"Too many attempts from this connection: try again in {when}.",
            headers={"Retry-After": str(wait)},
            extra={"retry_after": wait},
        )
    result = access.sign_in(
        session,
        request.app.state.settings,
        application_id=body.application_id,
        code=body.code,
        birth_date=body.birth_date,
        address=address,
    )
    if isinstance(result, access.Refused):
        throttle.failed(body.application_id, address)
        raise ApplicantRefusal(
            status.HTTP_401_UNAUTHORIZED, "applicant.sign_in_failed", _FAILED_FR, _FAILED_EN
        )
    return s.SessionOut(
        access_token=result.access_token,
        expires_at=result.expires_at,
        application_id=result.application_id,
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, applicant: CurrentApplicant, session: SessionDep) -> Response:
    """End this session: its token is refused from now on."""
    access.logout(session, applicant, _address(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---- reads --------------------------------------------------------------------------------


@router.get("/applications")
def my_applications(
    request: Request, applicant: CurrentApplicant, session: SessionDep
) -> list[s.MyApplicationOut]:
    """The applicant's own applications, newest first."""
    out = views.my_applications(session, applicant)
    _seen(request, session, applicant, "my_applications", None)
    return out


@router.get("/applications/{application_id}")
def my_application(
    request: Request,
    application_id: ApplicationId,
    applicant: CurrentApplicant,
    session: SessionDep,
    lang: QueryLang = None,
) -> s.MyDecisionOut:
    """The decision, its reasons as the letter gives them, the grade in one sentence."""
    app = _mine(request, session, applicant, application_id)
    out = views.decision_view(session, app, _lang(request))
    _seen(request, session, applicant, "my_application", app.id)
    return out


@router.get("/applications/{application_id}/data")
def my_data(
    request: Request,
    application_id: ApplicationId,
    applicant: CurrentApplicant,
    session: SessionDep,
    lang: QueryLang = None,
) -> s.MyDataOut:
    """The applicant's data as the lender holds it, each item with where it came from."""
    app = _mine(request, session, applicant, application_id)
    out = views.my_data(session, app, _lang(request))
    _seen(request, session, applicant, "my_data", app.id)
    return out


@router.get("/applications/{application_id}/changes")
def my_changes(
    request: Request,
    application_id: ApplicationId,
    applicant: CurrentApplicant,
    session: SessionDep,
    lang: QueryLang = None,
) -> s.ChangesOut:
    """The nearest changes the model and the policy would grant (refusal or referral)."""
    app = _mine(request, session, applicant, application_id)
    out = changes.changes(_service(request), session, app, _lang(request))
    _seen(request, session, applicant, "my_changes", app.id)
    return out


@router.get("/applications/{application_id}/comparison")
def my_comparison(
    request: Request,
    application_id: ApplicationId,
    applicant: CurrentApplicant,
    session: SessionDep,
    lang: QueryLang = None,
) -> s.ComparisonOut:
    """Where the applicant's figures sit among applicants like them (no group under the
    minimum size)."""
    app = _mine(request, session, applicant, application_id)
    out = comparison.comparison(
        session,
        app,
        _lang(request),
        min_group=request.app.state.settings.applicant_min_group_size,
    )
    _seen(request, session, applicant, "my_comparison", app.id)
    return out


@router.get(
    "/applications/{application_id}/letter",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the letter (PDF)"}},
)
def my_letter(
    request: Request,
    application_id: ApplicationId,
    applicant: CurrentApplicant,
    session: SessionDep,
    lang: QueryLang = None,
) -> Response:
    """The current decision's letter, without a new code (it points to the first letter's)."""
    app = _mine(request, session, applicant, application_id)
    language = _lang(request)
    space = ApplicantSpace(url=request.app.state.settings.applicant_url, code=None)
    pdf = _service(request).letter(session, app.id, language, space=space)
    _seen(request, session, applicant, "my_letter", app.id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="letter-{app.id}-{language}.pdf"'},
    )


# ---- writes -------------------------------------------------------------------------------


@router.post("/applications/{application_id}/rectifications", status_code=status.HTTP_201_CREATED)
def my_rectification(
    request: Request,
    application_id: ApplicationId,
    body: s.RectificationIn,
    applicant: CurrentApplicant,
    session: SessionDep,
) -> s.RectificationOut:
    """ "This is wrong" on one item of the applicant's data, with their comment."""
    app = _mine(request, session, applicant, application_id)
    out = requests.rectify(session, app, body)
    _seen(request, session, applicant, "my_rectification", app.id, event="write")
    return out


@router.post(
    "/applications/{application_id}/review",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"model": ErrorOut}},
)
def my_review(
    request: Request,
    application_id: ApplicationId,
    body: s.ReviewIn,
    applicant: CurrentApplicant,
    session: SessionDep,
) -> s.ReviewOut:
    """Ask for a human review of the decision (due 30 days later); 409 if one is open."""
    app = _mine(request, session, applicant, application_id)
    out = requests.request_review(session, app, body)
    _seen(request, session, applicant, "my_review", app.id, event="write")
    return out


@router.post("/applications/{application_id}/withdraw", responses={409: {"model": ErrorOut}})
def my_withdrawal(
    request: Request,
    application_id: ApplicationId,
    applicant: CurrentApplicant,
    session: SessionDep,
    lang: QueryLang = None,
) -> s.MyDecisionOut:
    """Withdraw the application while it is not decided; answers the application."""
    app = _mine(request, session, applicant, application_id)
    requests.withdraw(session, app, applicant)
    _seen(request, session, applicant, "my_withdrawal", app.id, event="write")
    session.refresh(app)
    return views.decision_view(session, app, _lang(request))


# ---- the advisors' side -------------------------------------------------------------------


@staff_router.post(
    "/applications/{application_id}/applicant-access",
    status_code=status.HTTP_201_CREATED,
    responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)
def issue_access(
    request: Request,
    application_id: ApplicationId,
    user: AdvisorUser,
    session: SessionDep,
) -> s.AccessCodeOut:
    """A new personal code for the applicant (their others revoked), shown once, recorded."""
    _readable(session, user, application_id)
    code = access.issue_code(session, application_id, user.username)
    return s.AccessCodeOut(
        application_id=application_id, code=code, url=request.app.state.settings.applicant_url
    )
