"""Engines and sessions: one engine per URL per process, SQLite tuned for a web server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from credit_scoring.config import Settings, get_settings


class DatabaseUnavailableError(RuntimeError):
    """The database did not answer; the message says where and what to check."""


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """A pooled engine; pre-ping so that a server that came back is used again at once."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
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
    from credit_scoring.db.models import User

    try:
        with engine.connect() as conn:
            conn.execute(select(User.id).limit(1))
        return True
    except Exception:  # any driver error means "not reachable" for the health check
        return False


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
