"""Passwords (argon2), signed tokens with expiry (JWT HS256), and lock-out after failures."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from credit_scoring.config import Settings
from credit_scoring.db.models import User

ROLES = ("advisor", "analyst", "admin")
ALGORITHM = "HS256"
_hasher = PasswordHasher()
# Verified against when the user does not exist, so that timing does not reveal names.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AuthError(Exception):
    """Login refused; ``locked`` says whether the account is locked out."""

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as carried by the token."""

    username: str
    role: str


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def authenticate(session: Session, settings: Settings, username: str, password: str) -> User:
    """The user if the password is right; counts failures and locks the account after too many."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)
        raise AuthError("Incorrect username or password.")
    if user.locked_until is not None and user.locked_until > _now():
        raise AuthError(
            f"Account locked after {settings.max_failed_logins} failed logins; try again "
            f"after {user.locked_until:%H:%M} UTC or ask an administrator.",
            locked=True,
        )
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= settings.max_failed_logins:
            user.locked_until = _now() + timedelta(minutes=settings.lockout_minutes)
            user.failed_logins = 0
        session.commit()
        raise AuthError("Incorrect username or password.")
    if user.failed_logins or user.locked_until:
        user.failed_logins = 0
        user.locked_until = None
        session.commit()
    return user


def signing_key(secret: str) -> bytes:
    """A 32-byte HMAC key derived from the secret (any length of secret gives a full-size key)."""
    return hashlib.sha256(secret.encode()).digest()


def create_token(settings: Settings, principal: Principal) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": principal.username,
        "role": principal.role,
        "iat": now,
        "exp": now + timedelta(minutes=settings.token_expire_minutes),
    }
    return jwt.encode(claims, signing_key(settings.secret_key), algorithm=ALGORITHM)


def decode_token(settings: Settings, token: str) -> Principal:
    """The principal of a valid token; raises ``jwt.InvalidTokenError`` (expired, tampered...)."""
    claims = jwt.decode(
        token,
        signing_key(settings.secret_key),
        algorithms=[ALGORITHM],
        options={"require": ["exp", "sub", "role"]},
    )
    if claims["role"] not in ROLES:
        raise jwt.InvalidTokenError("unknown role")
    return Principal(username=str(claims["sub"]), role=str(claims["role"]))


def add_user(session: Session, username: str, password: str, role: str) -> User:
    """Create a user (or reset an existing one's password and role)."""
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
    if len(password) < 8:
        raise ValueError("The password must have at least 8 characters.")
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        user = User(
            username=username,
            password_hash=hash_password(password),
            role=role,
            active=True,
            failed_logins=0,
        )
        session.add(user)
    else:
        user.password_hash = hash_password(password)
        user.role = role
        user.active = True
        user.failed_logins = 0
        user.locked_until = None
    session.flush()
    return user
