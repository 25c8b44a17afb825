"""``POST /auth/token`` (OAuth2 password flow), ``POST /auth/logout``, ``GET /me`` and
``PUT /me/language``.

Every failed login gets the same 401, whatever the reason; an address that failed too
often for a username (or for any username) waits: 429 with ``Retry-After`` and the same
number of seconds as ``retry_after`` in the body (so a client can say *until when*),
before any password is checked, for unknown names exactly as for known ones.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm

from credit_scoring.api.deps import CurrentUser, SessionDep, SettingsDep, request_lang
from credit_scoring.api.throttle import client_address
from credit_scoring.lending import users
from credit_scoring.lending.schemas import (
    LANGS,
    ErrorOut,
    LanguageIn,
    ThrottledOut,
    TokenOut,
    UserOut,
)
from credit_scoring.lending.security import (
    FAILED,
    check_password,
    create_token,
    record_event,
    record_failure,
    record_success,
    revoke_tokens,
)

log = logging.getLogger(__name__)
router = APIRouter(tags=["auth"])


@router.post(
    "/auth/token",
    response_model=TokenOut,
    responses={
        401: {"model": ErrorOut},
        429: {"model": ThrottledOut, "description": "too many failures: wait retry_after seconds"},
        503: {"model": ErrorOut, "description": "too many logins at once, or database down"},
    },
)
def login(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> TokenOut | JSONResponse:
    state = request.app.state
    address = client_address(request, settings.proxy_networks)
    username = form.username[:256]
    wait = state.login_throttle.check(username, address).retry_after
    if wait is not None:
        log.info("login throttled for %s s from %s", wait, address)
        minutes = max(1, -(-wait // 60))
        message = (
            f"Trop d'échecs de connexion : réessayez dans {minutes} min."
            if request_lang(request, None) == "fr"
            else f"Too many failed logins: try again in {minutes} min."
        )
        body = ThrottledOut(
            code="throttled",
            message=message,
            detail=f"Too many failed logins: wait {wait} seconds before trying again.",
            retry_after=wait,
        )
        return JSONResponse(
            body.model_dump(),
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(wait)},
        )
    if not state.hashing_slots.acquire():
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "Too many logins at this moment: try again in a second.",
            headers={"Retry-After": "1"},
        )
    try:
        user = check_password(session, username, form.password)
    finally:
        state.hashing_slots.release()
    if user is None:
        locked = state.login_throttle.record_failure(username, address)
        record_failure(session, username, address, locked=locked)
        session.commit()
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, FAILED, headers={"WWW-Authenticate": "Bearer"}
        )
    record_success(session, user, address)
    session.commit()
    token = create_token(settings, user)
    return TokenOut(
        access_token=token,
        expires_in=settings.token_expire_minutes * 60,
        role=user.role,  # type: ignore[arg-type]
        language=user.language if user.language in LANGS else None,  # type: ignore[arg-type]
    )


@router.post(
    "/auth/logout", status_code=status.HTTP_204_NO_CONTENT, responses={401: {"model": ErrorOut}}
)
def logout(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """End every session of the caller: all tokens issued to them so far are refused."""
    revoke_tokens(session, user.username)
    record_event(
        session,
        "logout",
        user.username,
        address=client_address(request, request.app.state.settings.proxy_networks),
    )
    session.commit()
    request.app.state.user_states.forget(user.username)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", responses={401: {"model": ErrorOut}})
def me(user: CurrentUser, session: SessionDep) -> UserOut:
    """The caller as stored now: role and the dashboard language they last chose."""
    return UserOut(
        username=user.username,
        role=user.role,  # type: ignore[arg-type]
        language=users.language_of(session, user.username),  # type: ignore[arg-type]
    )


@router.put("/me/language", responses={401: {"model": ErrorOut}})
def set_my_language(body: LanguageIn, user: CurrentUser, session: SessionDep) -> UserOut:
    """Remember the dashboard language the caller chose: their next login starts in it."""
    users.set_language(session, user.username, body.language)
    return UserOut(
        username=user.username,
        role=user.role,  # type: ignore[arg-type]
        language=body.language,
    )
