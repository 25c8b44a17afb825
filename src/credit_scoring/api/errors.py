"""Every error the API answers, in one shape: ``{"code", "message", "field", "detail"}``.

- ``code``: stable and machine-readable (``"not_found"``, ``"not_latest_score"``,
  ``"invalid"``...);
- ``message``: one sentence for a person, in the request's language (``lang`` in the
  query, else ``Accept-Language``, else French): what is wrong and what to do. It never
  holds a regular expression, an HTTP verb or a route;
- ``field``: the input at fault (``"score_id"``, ``"q"``, ``"loan.amount"``), or null;
- ``detail``: for programs. For a request FastAPI could not validate, the list of every
  problem (``loc``, ``msg``, ``type``: Pydantic's own, in English); for
  the other errors, the text the API gave before this format (English).

Handled here: the lending domain's refusals (:class:`~credit_scoring.lending.errors.LendingError`),
FastAPI's validation of the path, the query, the headers and the body of *any* route
(:class:`~fastapi.exceptions.RequestValidationError`), every HTTP exception (a route's,
a dependency's, Starlette's 404 of an unknown route and 405 of a method a route does not
take), a database that does not answer and an audit record that cannot be stored.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException
from starlette.types import Scope

from credit_scoring.api.deps import request_lang
from credit_scoring.lending.audit import AuditWriteError
from credit_scoring.lending.errors import LendingError
from credit_scoring.lending.form import pydantic_errors
from credit_scoring.lending.services.features import NotFoundError

log = logging.getLogger(__name__)

# What each kind of domain refusal answers (``lending/errors.py``).
ERROR_STATUS = {
    "not_found": status.HTTP_404_NOT_FOUND,
    "conflict": status.HTTP_409_CONFLICT,
    "forbidden": status.HTTP_403_FORBIDDEN,
    "invalid": status.HTTP_422_UNPROCESSABLE_CONTENT,
    "gone": status.HTTP_410_GONE,
}

# What the web layer's own refusals say (a token refused, a role, an address or an action
# that does not exist, a limit): code and sentence by HTTP status. FastAPI's and
# Starlette's exceptions carry text for programs, kept in ``detail``.
_BY_STATUS: dict[int, tuple[str, str, str]] = {
    400: (
        "bad_request",
        "La demande n'a pas pu être lue : vérifiez les valeurs saisies et réessayez.",
        "The request could not be read: check the values entered and try again.",
    ),
    401: (
        "unauthorized",
        "Identifiant ou mot de passe refusé, ou session terminée : reconnectez-vous.",
        "Username or password refused, or session ended: log in again.",
    ),
    403: (
        "forbidden",
        "Votre rôle ne permet pas cette action : demandez-la à un collègue habilité ou à "
        "l'administrateur.",
        "Your role does not allow this: ask a colleague who may, or the administrator.",
    ),
    404: (
        "not_found",
        "Ce que vous demandez n'existe pas (ou plus) : vérifiez le numéro ou le lien suivi.",
        "What you asked for does not exist (or no longer does): check the number or the link.",
    ),
    405: (
        "not_allowed",
        "Cette action n'est pas possible ici : ce que vous demandez existe, mais ne se "
        "modifie pas de cette façon.",
        "This action is not possible here: what you asked for exists, but is not changed this way.",
    ),
    409: (
        "conflict",
        "La demande contredit l'état actuel : rechargez la page, puis réessayez.",
        "The request contradicts the current state: reload the page, then try again.",
    ),
    410: (
        "gone",
        "Cette façon de faire a été retirée : utilisez la page prévue à cet effet.",
        "This way of doing it was removed: use the page meant for it.",
    ),
    413: (
        "too_large",
        "La demande est trop volumineuse : envoyez moins de données à la fois.",
        "The request is too large: send less data at a time.",
    ),
    422: (
        "invalid",
        "Une valeur saisie est refusée : corrigez-la, puis réessayez.",
        "A value entered is refused: correct it, then try again.",
    ),
    423: (
        "locked",
        "Ce compte est verrouillé après trop d'échecs de connexion : patientez ou demandez à "
        "l'administrateur de le déverrouiller.",
        "This account is locked after too many failed logins: wait, or ask the administrator "
        "to unlock it.",
    ),
    429: (
        "throttled",
        "Trop de tentatives : patientez quelques minutes, puis réessayez.",
        "Too many attempts: wait a few minutes, then try again.",
    ),
    503: (
        "unavailable",
        "Le service n'est pas prêt (modèle de score ou base de données) : réessayez dans un "
        "moment ; si cela dure, prévenez l'administrateur.",
        "The service is not ready (scoring model or database): try again in a moment; if it "
        "lasts, tell the administrator.",
    ),
}
_SERVER = (
    "server_error",
    "Une erreur inattendue a interrompu la demande : réessayez ; si elle revient, prévenez "
    "l'administrateur.",
    "An unexpected error stopped the request: try again; if it comes back, tell the administrator.",
)


def status_error(status_code: int) -> LendingError:
    """The refusal a person reads for an HTTP status the web layer answers by itself.

    Examples
    --------
    >>> status_error(405).code
    'not_allowed'
    >>> status_error(404).message("fr").startswith("Ce que vous demandez n'existe pas")
    True
    >>> status_error(599).code
    'server_error'
    """
    fallback = _SERVER if status_code >= 500 else _BY_STATUS[400]
    code, fr, en = _BY_STATUS.get(status_code, fallback)
    return LendingError(code, fr, en)


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang")
    return request_lang(request, lang if lang in ("fr", "en") else None)


def scope_lang(scope: Scope) -> str:
    """The request's language from its ASGI scope (for a middleware that answers alone)."""
    return _lang(Request(scope))


def error_response(
    status_code: int,
    *,
    code: str,
    message: str,
    field: str | None = None,
    detail: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """An error in the API's one shape (``detail`` defaults to the message)."""
    return JSONResponse(
        status_code=status_code,
        content={
            "code": code,
            "message": message,
            "field": field,
            "detail": message if detail is None else detail,
        },
        headers=headers,
    )


async def refused(request: Request, exc: Exception) -> JSONResponse:
    """A refusal of the lending domain: its status by kind, its sentence in the language."""
    assert isinstance(exc, LendingError)
    return error_response(
        ERROR_STATUS[exc.kind], code=exc.code, message=exc.message(_lang(request)), field=exc.field
    )


async def invalid_input(request: Request, exc: Exception) -> JSONResponse:
    """A path, query, header or body FastAPI could not validate, on any route.

    ``message`` lists every wrong field's sentence; ``field`` is the first one's path;
    ``detail`` keeps the problems for programs, without the values sent (they may be
    passwords, and NaN or Infinity would not even serialise).
    """
    assert isinstance(exc, RequestValidationError)
    lang = _lang(request)
    raw = list(exc.errors())
    said = pydantic_errors(raw, lang)  # one sentence per field and kind of problem
    problems = [
        {
            "loc": list(e.get("loc", ())),
            "msg": str(e.get("msg", "")),
            "type": e.get("type"),
        }
        for e in raw
    ]
    return error_response(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        code="invalid",
        message=("\u00a0; " if lang == "fr" else "; ").join(e.message for e in said),
        field=said[0].field if said else None,
        detail=problems,
    )


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """An HTTP exception (a route's, a dependency's, an unknown route, a method not taken)."""
    assert isinstance(exc, HTTPException)
    said = status_error(exc.status_code)
    return error_response(
        exc.status_code,
        code=said.code,
        message=said.message(_lang(request)),
        detail=exc.detail,
        headers=getattr(exc, "headers", None),
    )


async def feature_set_missing(request: Request, exc: Exception) -> JSONResponse:
    """A stored feature set or client vector the route needs does not exist."""
    said = status_error(status.HTTP_404_NOT_FOUND)
    return error_response(
        status.HTTP_404_NOT_FOUND,
        code=said.code,
        message=said.message(_lang(request)),
        detail=str(exc),
    )


async def database_down(request: Request, exc: Exception) -> JSONResponse:
    log.error("database error: %s", type(exc).__name__)
    request.app.state.engine.dispose()  # fresh connections next time: recovers when it returns
    said = LendingError(
        "database_unavailable",
        "La base de données ne répond pas : la demande n'a pas été enregistrée. Réessayez "
        "dans un moment ; si cela dure, prévenez l'administrateur.",
        "The database does not answer: the request was not completed. Try again in a "
        "moment; if it lasts, tell the administrator.",
    )
    return error_response(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        code=said.code,
        message=said.message(_lang(request)),
        detail="Database unreachable: the request was not completed. Retry in a moment; "
        "if it lasts, check that the database server is running and "
        "CREDIT_SCORING_DATABASE_URL.",
    )


async def audit_not_stored(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s", exc)
    said = LendingError(
        "audit_unavailable",
        "Le journal d'audit n'a pas pu enregistrer cette demande, son résultat n'est donc pas "
        "montré : réessayez ; si cela dure, prévenez l'administrateur.",
        "The audit log could not record this request, so its result is not shown: try "
        "again; if it lasts, tell the administrator.",
    )
    return error_response(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        code=said.code,
        message=said.message(_lang(request)),
        detail="The audit record of this request could not be stored, so its result "
        "is not returned. Check the disk space and permissions of the audit spool "
        "folder (CREDIT_SCORING_AUDIT_SPOOL_DIR), then retry.",
    )


def install(app: FastAPI) -> None:
    """Register every handler on ``app``: routes added later (any router) get them too."""
    app.add_exception_handler(OperationalError, database_down)
    app.add_exception_handler(DBAPIError, database_down)
    app.add_exception_handler(AuditWriteError, audit_not_stored)
    app.add_exception_handler(RequestValidationError, invalid_input)
    app.add_exception_handler(LendingError, refused)
    app.add_exception_handler(NotFoundError, feature_set_missing)
    app.add_exception_handler(HTTPException, http_error)
