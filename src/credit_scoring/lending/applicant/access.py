"""Applicant access: personal codes, sign-in, sessions and the access audit.

A personal code is 16 characters of Crockford's base32 (80 bits from ``secrets``), shown
once in groups of four (``K7QF-9XMA-2TRC-H4PZ``) and stored only as a scrypt hash with
its own salt. Issuing a code revokes the application's other codes. Signing in needs the
application number, the code and the birth date; whatever was wrong, the refusal is the
same. Wrong attempts are throttled by address (:mod:`.throttle`) and counted per code in
the database: at ``applicant_max_failures`` the code is revoked and an advisor issues a
new one. A session is a row of ``applicant_sessions`` named by its token's id (``jti``),
ended by logout or expiry; its token has its own audience and signing key, so that no
staff dependency accepts it and the applicant's dependency accepts no staff token.

Every access is an ``applicant_access_events`` record (append-only, hash-chained),
written in the transaction of what it records.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import jwt
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from credit_scoring.config import Settings
from credit_scoring.db import audit_chain
from credit_scoring.db import models as m
from credit_scoring.db.load import application_dict
from credit_scoring.lending import form as bank_form
from credit_scoring.lending.security import ALGORITHM, signing_key

# Crockford's base32: no I, L, O, U (nothing to misread)
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 16 x 5 bits = 80 bits
GROUP = 4
AUDIENCE = "applicant-space"
TOKEN_TYPE = "applicant"
ROLE = "applicant"
# What applicant_access_events.event may hold.
EVENTS = (
    "issue",  # a staff user issued a code (actor)
    "sign_in",
    "failure",  # a wrong application number, code or birth date (detail says which)
    "throttled",  # an attempt refused before it was checked
    "revoke",  # the code was revoked after too many failures
    "read",  # an applicant route read
    "write",  # an applicant route wrote (review, rectification, withdrawal)
    "logout",
)
# scrypt's cost: 16 MiB and ~50 ms per check; the code's 80 bits do the rest
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_DUMMY = ""  # set on first use: a hash checked when the application has no valid code


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def generate_code() -> str:
    """A new personal code, grouped for reading.

    Examples
    --------
    >>> code = generate_code()
    >>> len(code), code.count("-"), set(code.replace("-", "")) <= set(ALPHABET)
    (19, 3, True)
    """
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


def normalize_code(typed: str) -> str:
    """The code as typed, without spaces and dashes, upper case, misreadings mapped back.

    Examples
    --------
    >>> normalize_code(" k7qf-9xma 2trc-h4pz ")
    'K7QF9XMA2TRCH4PZ'
    >>> normalize_code("oo-il")
    '0011'
    """
    text = "".join(ch for ch in typed.upper() if not ch.isspace() and ch != "-")
    return text.translate(str.maketrans("OIL", "011"))


def hash_code(code: str) -> str:
    """``scrypt$n$r$p$salt$hash`` of the normalised code (a new salt each time)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(normalize_code(code).encode(), salt=salt, dklen=32, **_SCRYPT)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${b64(salt).decode()}${b64(digest).decode()}"


def verify_code(stored: str, typed: str) -> bool:
    """Whether ``typed`` is the code of ``stored`` (constant-time comparison)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(
            normalize_code(typed).encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except ValueError:
        return False
    return hmac.compare_digest(got, expected)


def _dummy_hash() -> str:
    global _DUMMY
    if not _DUMMY:
        _DUMMY = hash_code(generate_code())
    return _DUMMY


def record(
    session: Session,
    event: str,
    *,
    application_id: int | None,
    session_id: str | None = None,
    actor: str | None = None,
    route: str | None = None,
    target_id: int | None = None,
    address: str | None = None,
    detail: str | None = None,
) -> None:
    """Append one applicant access event in the session's transaction (chained)."""
    assert event in EVENTS, event
    audit_chain.append(
        session.connection(),
        "applicant_access_events",
        [
            {
                "application_id": application_id,
                "session_id": session_id,
                "actor": actor[:64] if actor else None,
                "event": event,
                "route": route[:64] if route else None,
                "target_id": target_id,
                "client_address": address[:45] if address else None,
                "detail": detail[:255] if detail else None,
            }
        ],
    )


def _valid_code(session: Session, application_id: int) -> m.ApplicantAccessCode | None:
    return session.execute(
        select(m.ApplicantAccessCode)
        .where(
            m.ApplicantAccessCode.application_id == application_id,
            m.ApplicantAccessCode.revoked_at.is_(None),
        )
        .order_by(m.ApplicantAccessCode.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def issue_code(session: Session, application_id: int, actor: str) -> str:
    """A new personal code for the application; its other codes are revoked. Committed.

    Parameters
    ----------
    session : Session
    application_id : int
        An existing application (``LookupError`` otherwise).
    actor : str
        The staff user (or ``cli:<name>``) issuing it, recorded.

    Returns
    -------
    str
        The code, grouped (the only time it exists outside the applicant's letter).
    """
    if session.get(m.Application, application_id) is None:
        raise LookupError(f"application {application_id} does not exist")
    now = _utcnow()
    session.execute(
        update(m.ApplicantAccessCode)
        .where(
            m.ApplicantAccessCode.application_id == application_id,
            m.ApplicantAccessCode.revoked_at.is_(None),
        )
        .values(revoked_at=now, revoked_reason="reissued")
    )
    code = generate_code()
    session.add(
        m.ApplicantAccessCode(
            application_id=application_id,
            code_hash=hash_code(code),
            issued_by=actor[:64],
            issued_at=now,
            failures=0,
        )
    )
    record(session, "issue", application_id=application_id, actor=actor, target_id=application_id)
    session.commit()
    return code


def birth_date_of(session: Session, app: m.Application) -> date | None:
    """The applicant's birth date as the lender holds it (the form, else the stored row)."""
    applicant = (app.declared or {}).get("applicant") or {}
    if applicant.get("birth_date"):
        return date.fromisoformat(str(applicant["birth_date"]))
    row = dict(app.application_row or {})
    if not row:
        client = session.get(m.Client, app.sk_id_curr)
        if client is None:
            return None
        row = dict(application_dict(client))
    known, _ = bank_form.from_application_row(row, today=app.entered_at.date())
    return known.birth_date


@dataclass(frozen=True)
class SignedIn:
    """A new session: its token, when it expires, the application signed in with."""

    access_token: str
    expires_at: datetime
    application_id: int
    session_id: str


@dataclass(frozen=True)
class Refused:
    """A refused sign-in; ``revoked``: this failure revoked the code."""

    revoked: bool


def sign_in(
    session: Session,
    settings: Settings,
    *,
    application_id: int,
    code: str,
    birth_date: date,
    address: str,
) -> SignedIn | Refused:
    """Check the three facts; a session and its token, or a refusal (recorded, counted).

    Every path costs one scrypt, so that the answer's time does not say which fact was
    wrong. A failure on an application with a valid code counts against that code (one
    atomic UPDATE); the one that reaches ``applicant_max_failures`` revokes it.
    """
    app = session.get(m.Application, application_id)
    row = _valid_code(session, application_id) if app is not None else None
    code_ok = verify_code(row.code_hash if row else _dummy_hash(), code) and row is not None
    born_ok = app is not None and birth_date_of(session, app) == birth_date
    if app is None or row is None or not code_ok or not born_ok:
        detail = (
            "unknown application"
            if app is None
            else "no valid code"
            if row is None
            else "wrong code"
            if not code_ok
            else "wrong birth date"
        )
        revoked = False
        if row is not None:
            session.execute(
                update(m.ApplicantAccessCode)
                .where(m.ApplicantAccessCode.id == row.id)
                .values(failures=m.ApplicantAccessCode.failures + 1)
            )
            failures = session.execute(
                select(m.ApplicantAccessCode.failures).where(m.ApplicantAccessCode.id == row.id)
            ).scalar_one()
            if failures >= settings.applicant_max_failures:
                session.execute(
                    update(m.ApplicantAccessCode)
                    .where(
                        m.ApplicantAccessCode.id == row.id,
                        m.ApplicantAccessCode.revoked_at.is_(None),
                    )
                    .values(revoked_at=_utcnow(), revoked_reason="failures")
                )
                revoked = True
        record(session, "failure", application_id=application_id, address=address, detail=detail)
        if revoked:
            record(
                session,
                "revoke",
                application_id=application_id,
                address=address,
                detail=f"{settings.applicant_max_failures} failures: an advisor issues a new code",
            )
        session.commit()
        return Refused(revoked)
    now = datetime.now(UTC)
    expires = now + timedelta(minutes=settings.applicant_token_minutes)
    jti = uuid.uuid4().hex
    session.add(
        m.ApplicantSession(
            id=jti,
            application_id=app.id,
            code_id=row.id,
            created_at=now.replace(tzinfo=None),
            expires_at=expires.replace(tzinfo=None),
        )
    )
    record(
        session,
        "sign_in",
        application_id=app.id,
        session_id=jti,
        target_id=app.id,
        address=address,
    )
    session.commit()
    token = jwt.encode(
        {
            "sub": f"application:{app.id}",
            "typ": TOKEN_TYPE,
            "aud": AUDIENCE,
            "app": app.id,
            "jti": jti,
            "iat": now,
            "exp": expires,
        },
        applicant_key(settings.secret_key),
        algorithm=ALGORITHM,
    )
    return SignedIn(token, expires.replace(tzinfo=None), app.id, jti)


def applicant_key(secret: str) -> bytes:
    """The applicant tokens' HMAC key: derived apart from the staff tokens' key."""
    return hashlib.sha256(b"applicant-space:" + signing_key(secret)).digest()


@dataclass(frozen=True)
class Applicant:
    """A signed-in applicant: their session and the application they signed in with."""

    session_id: str
    application_id: int
    sk_id_curr: int


def decode(settings: Settings, token: str) -> tuple[str, int]:
    """``(session id, application id)`` of a valid applicant token; ``jwt.InvalidTokenError``
    otherwise (a staff token has no audience and another key: refused)."""
    claims = jwt.decode(
        token,
        applicant_key(settings.secret_key),
        algorithms=[ALGORITHM],
        audience=AUDIENCE,
        options={"require": ["exp", "aud", "jti", "app", "typ"]},
    )
    if claims["typ"] != TOKEN_TYPE or not isinstance(claims["app"], int):
        raise jwt.InvalidTokenError("not an applicant token")
    return str(claims["jti"]), int(claims["app"])


def current(session: Session, session_id: str, application_id: int) -> Applicant | None:
    """The applicant of a live session (not ended, not expired), or None."""
    row = session.get(m.ApplicantSession, session_id)
    if (
        row is None
        or row.application_id != application_id
        or row.ended_at is not None
        or row.expires_at <= _utcnow()
    ):
        return None
    app = session.get(m.Application, application_id)
    if app is None:
        return None
    return Applicant(session_id, application_id, app.sk_id_curr)


def logout(session: Session, applicant: Applicant, address: str) -> None:
    """End the session (its token is refused from now on), recorded."""
    session.execute(
        update(m.ApplicantSession)
        .where(m.ApplicantSession.id == applicant.session_id)
        .values(ended_at=_utcnow())
    )
    record(
        session,
        "logout",
        application_id=applicant.application_id,
        session_id=applicant.session_id,
        address=address,
    )
    session.commit()
