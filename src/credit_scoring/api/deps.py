"""Typed dependencies of the routes: settings, database session, caller, scoring service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from credit_scoring.api.scoring import ScoringService
from credit_scoring.api.security import Principal, decode_token
from credit_scoring.config import Settings

oauth2 = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)
_UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]


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
        return decode_token(request.app.state.settings, token)
    except jwt.ExpiredSignatureError:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "Token expired: log in again.", headers=_UNAUTHORIZED
        ) from None
    except jwt.InvalidTokenError:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "Invalid token: log in again.", headers=_UNAUTHORIZED
        ) from None


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


AnyUser = CurrentUser
AnalystUser = Annotated[Principal, Depends(require("analyst", "admin"))]
AdvisorUser = Annotated[Principal, Depends(require("advisor", "admin"))]


async def get_service(request: Request) -> ScoringService:
    return request.app.state.service


async def get_ready_service(request: Request) -> ScoringService:
    """The scoring service, or 503 saying why the model is not loaded."""
    service: ScoringService = request.app.state.service
    if service.scorer is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"Model not ready: {service.model_error or 'no champion loaded'}",
        )
    return service


ServiceDep = Annotated[ScoringService, Depends(get_service)]
ScorerDep = Annotated[ScoringService, Depends(get_ready_service)]
