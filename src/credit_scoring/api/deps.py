"""Typed dependencies of the routes: settings, database session, caller, the services."""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from credit_scoring.config import Settings
from credit_scoring.db.models import User
from credit_scoring.lending.applicant import access as applicant_access
from credit_scoring.lending.security import Principal, decode_token
from credit_scoring.lending.services import Explainer, Services, SimilarClients, WhatIf
from credit_scoring.lending.services.scores import ScoreService

oauth2 = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)
_UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]


@dataclass(frozen=True)
class UserState:
    role: str
    active: bool
    token_version: int


class UserStates:
    """Each user's role, active flag and token version, re-read after ``ttl`` seconds at most.

    A change made through this process (logout, administration) forgets the entry at once;
    another worker sees it within ``ttl`` seconds.
    """

    def __init__(self, sessions: sessionmaker[Session], ttl: float) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, UserState | None]] = {}

    def _read(self, username: str) -> UserState | None:
        with self._sessions() as session:
            row = session.execute(
                select(User.role, User.active, User.token_version).where(User.username == username)
            ).first()
        return None if row is None else UserState(row[0], bool(row[1]), int(row[2] or 0))

    async def get(self, username: str) -> UserState | None:
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(username)
        if hit is not None and hit[0] > now:
            return hit[1]
        state = await run_in_threadpool(self._read, username)
        with self._lock:
            if len(self._entries) > 10_000:  # bounded: forget everything rather than grow
                self._entries.clear()
            self._entries[username] = (now + self._ttl, state)
        return state

    def forget(self, username: str) -> None:
        with self._lock:
            self._entries.pop(username, None)


async def get_principal(
    request: Request, token: Annotated[str | None, Depends(oauth2)]
) -> Principal:
    if not token:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Not authenticated: log in at /auth/token "
            "and send the token as 'Authorization: Bearer <token>'.",
            headers=_UNAUTHORIZED,
        )
    try:
        claims = decode_token(request.app.state.settings, token)
    except jwt.ExpiredSignatureError:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "Token expired: log in again.", headers=_UNAUTHORIZED
        ) from None
    except jwt.InvalidTokenError:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "Invalid token: log in again.", headers=_UNAUTHORIZED
        ) from None
    user = await request.app.state.user_states.get(claims.username)
    if user is None or not user.active or user.token_version != claims.version:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Session ended (logged out, account disabled or password reset): log in again.",
            headers=_UNAUTHORIZED,
        )
    return Principal(username=claims.username, role=user.role)


CurrentUser = Annotated[Principal, Depends(get_principal)]


def require(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only these roles through (403 otherwise)."""

    async def check(user: CurrentUser) -> Principal:
        if user.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"Role '{user.role}' may not do this; needs one of: {', '.join(roles)}.",
            )
        return user

    return check


AnalystUser = Annotated[Principal, Depends(require("analyst", "admin"))]
AdvisorUser = Annotated[Principal, Depends(require("advisor", "senior", "admin"))]
# May decide a referred application, or grant one a policy rule refuses.
AdminUser = Annotated[Principal, Depends(require("admin"))]


async def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def _needs_model(service: str) -> Callable[[Services], Awaitable[Any]]:
    """A dependency giving the named service of the champion, or 503 saying why the model
    is not loaded."""

    async def get(services: ServicesDep) -> Any:
        value = getattr(services, service)
        if value is None:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                f"Model not ready: {services.model_error or 'no champion loaded'}",
            )
        return value

    return get


ScoresDep = Annotated[ScoreService, Depends(_needs_model("scores"))]
ExplainerDep = Annotated[Explainer, Depends(_needs_model("explainer"))]
SimilarDep = Annotated[SimilarClients, Depends(_needs_model("similar"))]
WhatIfDep = Annotated[WhatIf, Depends(_needs_model("what_if"))]


def request_lang(request: Request, lang: str | None = None) -> str:
    """``lang`` if given, else the first of fr/en in ``Accept-Language``, else French."""
    if lang in ("fr", "en"):
        return lang
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in ("fr", "en"):
            return code
    return "fr"


# ---- the applicant's own space ------------------------------------------------------------


class ApplicantRefusal(Exception):
    """An applicant route's refusal in the API's one format (rendered by the applicant
    router's route class): ``{"code", "message", "field", "detail"}`` plus ``extra``."""

    def __init__(
        self,
        status_code: int,
        code: str,
        fr: str,
        en: str,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(en)
        self.status_code = status_code
        self.code = code
        self.fr = fr
        self.en = en
        self.headers = headers or {}
        self.extra = extra or {}


applicant_bearer = OAuth2PasswordBearer(
    tokenUrl="/applicant/session", auto_error=False, scheme_name="applicant"
)


def _signed_out(code: str, fr: str, en: str) -> ApplicantRefusal:
    return ApplicantRefusal(status.HTTP_401_UNAUTHORIZED, code, fr, en, headers=_UNAUTHORIZED)


def get_applicant(
    request: Request, token: Annotated[str | None, Depends(applicant_bearer)]
) -> applicant_access.Applicant:
    """The signed-in applicant of an applicant token (401 otherwise, staff tokens included:
    they have another key and no applicant audience)."""
    if not token:
        raise _signed_out(
            "applicant.not_signed_in",
            "Connectez-vous à votre espace avec le numéro de demande, votre code personnel et "
            "votre date de naissance.",
            "Sign in to your space with the application number, your personal code and your "
            "birth date.",
        )
    ended = _signed_out(
        "applicant.session_ended",
        "Votre session est terminée : connectez-vous à nouveau.",
        "Your session has ended: sign in again.",
    )
    try:
        session_id, application_id = applicant_access.decode(request.app.state.settings, token)
    except jwt.InvalidTokenError:
        raise ended from None
    with request.app.state.sessions() as session:
        applicant = applicant_access.current(session, session_id, application_id)
    if applicant is None:
        raise ended
    return applicant


CurrentApplicant = Annotated[applicant_access.Applicant, Depends(get_applicant)]
