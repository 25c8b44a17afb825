"""Engines and sessions: one engine per URL per process, SQLite tuned for a web server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from credit_scoring.config import Settings, get_settings


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """A pooled engine; pre-ping so that a server that came back is used again at once."""
    if url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        path = make_url(url).database  # decoded: "%40" in the URL is "@" on disk
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    connect_args = {"connect_timeout": 3} if url.startswith(("mysql", "postgresql")) else {}
    return create_engine(url, pool_pre_ping=True, pool_recycle=1800, connect_args=connect_args)


def engine_for(settings: Settings | None = None) -> Engine:
    return get_engine((settings or get_settings()).resolved_database_url)


@lru_cache(maxsize=8)
def _factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


def session_factory(settings: Settings | None = None) -> sessionmaker[Session]:
    return _factory((settings or get_settings()).resolved_database_url)


@contextmanager
def session_scope(settings: Settings | None = None) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    with session_factory(settings)() as session, session.begin():
        yield session


def ping(engine: Engine) -> bool:
    """True when the database answers and holds the schema (an empty SQLite file does not)."""
    return database_problem(engine) is None


def database_problem(engine: Engine) -> str | None:
    """None when the database answers and holds the schema, else what to check (no internals)."""
    from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

    from credit_scoring.db.models import User

    try:
        with engine.connect() as conn:
            conn.execute(select(User.id).limit(1))
        return None
    except (ProgrammingError, OperationalError) as exc:
        text = str(getattr(exc, "orig", "")).lower()
        if "no such table" in text or "doesn't exist" in text or "does not exist" in text:
            return "the database has no schema yet: run `credit-scoring db upgrade`."
        return (
            "the database does not answer: check that its server runs and "
            "CREDIT_SCORING_DATABASE_URL (host, port, user, password)."
        )
    except DBAPIError:
        return "the database refused the check query: see the API log."
    except Exception:  # the health check itself must never fail
        return "the database could not be checked: see the API log."


def redact(url: str) -> str:
    """The URL without its password, for messages and logs (``***`` in its place)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can read: show only its scheme
        return url.split(":", 1)[0] + "://(unreadable URL, hidden)"


def _passwords(url: str | None) -> set[str]:
    """The password of a URL in every spelling it may take in a message."""
    from urllib.parse import quote, quote_plus

    from sqlalchemy.engine import make_url

    if not url:
        return set()
    try:
        password = make_url(url).password
    except Exception:  # unreadable: fall back to what sits between ':' and '@'
        password = url.partition("://")[2].rpartition("@")[0].partition(":")[2] or None
    if not password:
        return set()
    return {str(password), quote(str(password), safe=""), quote_plus(str(password))}


def scrub(text: str, settings: Settings | None = None) -> str:
    """``text`` with the database and MLflow passwords of ``settings`` replaced by ``***``."""
    settings = settings or get_settings()
    for url in (settings.resolved_database_url, settings.mlflow_tracking_uri):
        for secret in sorted(_passwords(url), key=len, reverse=True):
            text = text.replace(secret, "***")
    return text
