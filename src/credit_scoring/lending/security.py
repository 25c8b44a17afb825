"""Passwords (argon2), signed revocable tokens (JWT HS256), login checks and auth events.

A token carries the user's ``token_version``; logout, disabling the account and a
password reset bump the version in the database, so every older token is refused on the
next request (see ``api.deps``). The role and the active flag are read from the database
on each request (cached a few seconds), never trusted from the token.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from credit_scoring.config import Settings
from credit_scoring.core.roles import ROLES
from credit_scoring.db import audit_chain
from credit_scoring.db.models import User

ALGORITHM = "HS256"
# What auth_events.event may hold.
AUTH_EVENTS = (
    "success",  # a login
    "failure",  # a wrong password, an unknown or disabled user (detail says which)
    "lock",  # the failure that made one address wait for one user
    "unlock",  # an administrator cleared the failures
    "logout",
    "create",
    "disable",
    "enable",
    "role",
    "reset",  # password reset
)
FAILED = "Incorrect username or password."
_hasher = PasswordHasher()
# Verified against when the user does not exist, so that timing does not reveal names.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AuthError(Exception):
    """Login refused; the message is the same whatever the reason."""


@dataclass(frozen=True)
class Principal:
    """The authenticated caller (role as stored now, not as it was at login)."""

    username: str
    role: str


@dataclass(frozen=True)
class TokenClaims:
    username: str
    role: str
    version: int
    jti: str


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A random password of 16 URL-safe characters (96 bits)."""
    return secrets.token_urlsafe(12)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def record_event(
    session: Session,
    event: str,
    username: str,
    *,
    address: str | None = None,
    actor: str | None = None,
    detail: str | None = None,
) -> None:
    """Append an authentication event in the session's transaction (committed with the
    caller's change), extending the table's hash chain."""
    assert event in AUTH_EVENTS, event
    audit_chain.append(
        session.connection(),
        "auth_events",
        [
            {
                "event": event,
                "username": username[:64],
                "actor": actor[:64] if actor else None,
                "client_address": (address or None) and address[:45],
                "detail": detail[:255] if detail else None,
            }
        ],
    )


def check_password(session: Session, username: str, password: str) -> User | None:
    """The active user whose password this is, or None; unknown names cost the same hash."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)
        return None
    return user if verify_password(user.password_hash, password) else None


def record_failure(session: Session, username: str, address: str, *, locked: bool) -> None:
    """Count the failure in one atomic UPDATE (no read-then-write race) and log it."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        detail = "unknown username"
    elif not user.active:
        detail = "account disabled"
    else:
        detail = "wrong password"
        session.execute(
            update(User)
            .where(User.id == user.id)
            .values(failed_logins=User.failed_logins + 1, last_failed_at=_now())
        )
    record_event(session, "failure", username, address=address, detail=detail)
    if locked:
        record_event(
            session,
            "lock",
            username,
            address=address,
            detail="too many failures: this address must wait before trying this user again",
        )


def record_success(session: Session, user: User, address: str) -> None:
    session.execute(
        update(User).where(User.id == user.id).values(failed_logins=0, last_login_at=_now())
    )
    record_event(session, "success", user.username, address=address)


def signing_key(secret: str) -> bytes:
    """A 32-byte HMAC key derived from the secret."""
    return hashlib.sha256(secret.encode()).digest()


def create_token(settings: Settings, user: User) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": user.username,
        "role": user.role,
        "ver": user.token_version or 0,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + timedelta(minutes=settings.token_expire_minutes),
    }
    return jwt.encode(claims, signing_key(settings.secret_key), algorithm=ALGORITHM)


def decode_token(settings: Settings, token: str) -> TokenClaims:
    """The claims of a valid token; raises ``jwt.InvalidTokenError`` (expired, tampered...)."""
    claims = jwt.decode(
        token,
        signing_key(settings.secret_key),
        algorithms=[ALGORITHM],
        options={"require": ["exp", "sub", "role", "ver", "jti"]},
    )
    if claims["role"] not in ROLES or not isinstance(claims["ver"], int):
        raise jwt.InvalidTokenError("unknown role or version")
    return TokenClaims(
        username=str(claims["sub"]),
        role=str(claims["role"]),
        version=int(claims["ver"]),
        jti=str(claims["jti"]),
    )


def revoke_tokens(session: Session, username: str) -> None:
    """Refuse every token issued so far to this user (atomic version bump)."""
    session.execute(
        update(User).where(User.username == username).values(token_version=User.token_version + 1)
    )


def check_new_user(username: str, role: str, password: str) -> None:
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
    if len(password) < 8:
        raise ValueError("The password must have at least 8 characters.")
    if not 1 <= len(username) <= 64:
        raise ValueError("The username must have 1 to 64 characters.")


def add_user(session: Session, username: str, password: str, role: str) -> User:
    """Create a user (or reset an existing one's password and role; older tokens die)."""
    check_new_user(username, role, password)
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        user = User(
            username=username,
            password_hash=hash_password(password),
            role=role,
            active=True,
            failed_logins=0,
            token_version=0,
        )
        session.add(user)
    else:
        user.password_hash = hash_password(password)
        user.role = role
        user.active = True
        user.failed_logins = 0
        user.locked_until = None
        user.token_version = (user.token_version or 0) + 1
    session.flush()
    return user
