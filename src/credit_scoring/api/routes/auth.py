"""``POST /auth/token`` (OAuth2 password flow) and ``GET /me``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from credit_scoring.api.deps import CurrentUser, SessionDep, SettingsDep
from credit_scoring.api.schemas import ErrorOut, TokenOut, UserOut
from credit_scoring.api.security import AuthError, Principal, authenticate, create_token

router = APIRouter(tags=["auth"])


@router.post("/auth/token", responses={401: {"model": ErrorOut}, 423: {"model": ErrorOut}})
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> TokenOut:
    try:
        user = authenticate(session, settings, form.username, form.password)
    except AuthError as exc:
        code = status.HTTP_423_LOCKED if exc.locked else status.HTTP_401_UNAUTHORIZED
        raise HTTPException(code, str(exc), headers={"WWW-Authenticate": "Bearer"}) from None
    token = create_token(settings, Principal(user.username, user.role))
    return TokenOut(
        access_token=token, expires_in=settings.token_expire_minutes * 60, role=user.role
    )  # type: ignore[arg-type]


@router.get("/me", responses={401: {"model": ErrorOut}})
async def me(user: CurrentUser) -> UserOut:
    return UserOut(username=user.username, role=user.role)  # type: ignore[arg-type]
