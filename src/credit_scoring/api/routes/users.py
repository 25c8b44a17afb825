"""User administration (role admin): ``GET/POST /users``, ``PATCH /users/{username}``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status

from credit_scoring.api.deps import AdminUser, SessionDep
from credit_scoring.lending import users
from credit_scoring.lending.schemas import (
    ErrorOut,
    UserAdminOut,
    UserChanged,
    UserCreate,
    UserPatch,
)

router = APIRouter(tags=["users"], responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}})
UsernamePath = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/users")
def list_users(admin: AdminUser, session: SessionDep) -> list[UserAdminOut]:
    return users.list_users(session)


@router.post("/users", status_code=status.HTTP_201_CREATED, responses={409: {"model": ErrorOut}})
def create_user(body: UserCreate, admin: AdminUser, session: SessionDep) -> UserChanged:
    """Create a user with a generated password, returned in this answer only."""
    return users.create_user(session, body, actor=admin.username)  # refusals: api/errors.py


@router.patch("/users/{username}", responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}})
def change_user(
    request: Request, username: UsernamePath, body: UserPatch, admin: AdminUser, session: SessionDep
) -> UserChanged:
    """Disable or enable, change the role, unlock, reset the password (returned once)."""
    changed, unlock = users.change_user(session, username, body, actor=admin.username)
    if unlock:
        request.app.state.login_throttle.unlock(username)
    request.app.state.user_states.forget(username)
    return changed
