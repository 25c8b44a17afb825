"""User administration as plain functions over a session: list, create, change, unlock.

Every change is written to ``auth_events`` in the same transaction. Passwords are
generated here and returned once to the caller; only their argon2 hash is stored.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from credit_scoring.db.models import User
from credit_scoring.lending import schemas as s
from credit_scoring.lending.errors import Conflict, NotFound
from credit_scoring.lending.security import (
    add_user,
    generate_password,
    hash_password,
    record_event,
    revoke_tokens,
)


class UserNotFoundError(NotFound):
    """No user has this username."""


class UserConflictError(Conflict):
    """The change is refused (the user exists, or no active administrator would remain)."""


def user_out(user: User) -> s.UserAdminOut:
    return s.UserAdminOut.model_validate(user, from_attributes=True)


def list_users(session: Session) -> list[s.UserAdminOut]:
    rows = session.execute(select(User).order_by(User.username)).scalars().all()
    return [user_out(u) for u in rows]


def create_user(session: Session, body: s.UserCreate, *, actor: str) -> s.UserChanged:
    exists = session.execute(select(User.id).where(User.username == body.username)).first()
    if exists:
        raise UserConflictError(
            "user_exists",
            f"L'utilisateur {body.username} existe déjà : changez son rôle ou réinitialisez son "
            "mot de passe sur la page Administration.",
            f"This user already exists ({body.username}): change their role or reset their "
            "password on the Administration page.",
            field="username",
        )
    password = generate_password()
    user = add_user(session, body.username, password, body.role)
    record_event(session, "create", user.username, actor=actor, detail=f"role {user.role}")
    session.commit()
    return s.UserChanged(user=user_out(user), password=password)


def _other_active_admins(session: Session, username: str) -> int:
    return session.execute(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.active.is_(True), User.username != username)
    ).scalar_one()


def change_user(
    session: Session, username: str, body: s.UserPatch, *, actor: str
) -> tuple[s.UserChanged, bool]:
    """Apply the patch; returns the result and whether the user's failures must be forgotten."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise UserNotFoundError(
            "user_not_found",
            f"L'utilisateur {username} n'existe pas : la liste des utilisateurs est sur la page "
            "Administration.",
            f"User {username} does not exist: the list of users is on the Administration page.",
            field="username",
        )
    demoted = body.role is not None and body.role != "admin" and user.role == "admin"
    disabled = body.active is False and user.active and user.role == "admin"
    if (demoted or disabled) and _other_active_admins(session, username) == 0:
        raise UserConflictError(
            "last_admin",
            f"{username} est le dernier administrateur actif : donnez d'abord le rôle "
            "administrateur à un autre utilisateur.",
            f"{username} is the last active administrator: give another user the admin role first.",
        )
    password = None
    revoke = False
    if body.active is not None and body.active != user.active:
        user.active = body.active
        record_event(session, "enable" if body.active else "disable", username, actor=actor)
        revoke = True  # re-enabling must not bring back the tokens of before
    if body.role is not None and body.role != user.role:
        record_event(session, "role", username, actor=actor, detail=f"{user.role} -> {body.role}")
        user.role = body.role
    if body.reset_password:
        password = generate_password()
        user.password_hash = hash_password(password)
        record_event(session, "reset", username, actor=actor)
        revoke = True
    if body.unlock:
        session.execute(
            update(User)
            .where(User.id == user.id)
            .values(failed_logins=0, locked_until=None, last_failed_at=None)
        )
        record_event(session, "unlock", username, actor=actor)
    session.flush()
    if revoke:
        revoke_tokens(session, username)
    session.commit()
    session.refresh(user)
    return s.UserChanged(user=user_out(user), password=password), body.unlock


def language_of(session: Session, username: str) -> str | None:
    """The dashboard language ``username`` last chose (``fr``, ``en``), None when never chosen.

    Examples
    --------
    >>> language_of(session, "conseil")  # doctest: +SKIP
    'en'
    """
    value = session.execute(select(User.language).where(User.username == username)).scalar()
    return value if value in s.LANGS else None


def set_language(session: Session, username: str, language: str) -> None:
    """Remember the dashboard language ``username`` chose, so their next login starts in it."""
    if language not in s.LANGS:
        raise ValueError(f"language must be one of {', '.join(s.LANGS)}, not {language!r}")
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise UserNotFoundError(
            "user_not_found",
            f"L'utilisateur {username} n'existe pas.",
            f"User {username} does not exist.",
            field="username",
        )
    user.language = language
    session.commit()
