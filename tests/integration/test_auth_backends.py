"""Authentication on SQLite, MariaDB and PostgreSQL: migration, atomic counter, revocation.

The API runs without a model (none is needed to log in or administer users).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator

import pytest
from backends import BACKENDS
from sqlalchemy import Engine, MetaData, select, text
from sqlalchemy.orm import Session, sessionmaker

from credit_scoring.api.app import create_app
from credit_scoring.config import Settings
from credit_scoring.db import migrate
from credit_scoring.db import models as m
from credit_scoring.db.session import get_engine
from credit_scoring.lending.security import add_user, record_failure

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.integration
SECRET = "integration-secret-long-enough-for-hs256-0123456789"
PASSWORD = "integration password"


def _drop_everything(engine: Engine) -> None:
    meta = MetaData()
    meta.reflect(engine)
    meta.drop_all(engine)


def _no_model(_settings: Settings):  # type: ignore[no-untyped-def]
    raise RuntimeError("no model in these tests")


@pytest.fixture(scope="module", params=list(BACKENDS))
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Engine]]:
    url = BACKENDS[request.param] or f"sqlite:///{tmp_path_factory.mktemp('auth') / 'db.sqlite'}"
    engine = get_engine(url)
    _drop_everything(engine)
    # A database of before this change, with a user in it, upgraded in place.
    migrate.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (username, password_hash, role, active, failed_logins, "
                "created_at) VALUES ('old', 'x', 'advisor', true, 3, '2026-01-01 00:00:00')"
            )
        )
    migrate.upgrade(engine)
    with Session(engine) as session, session.begin():
        add_user(session, "advisor", PASSWORD, "advisor")
        add_user(session, "boss", PASSWORD, "admin")
    yield url, engine
    engine.dispose()
    _drop_everything(engine)


def test_migration_keeps_existing_users(backend) -> None:  # type: ignore[no-untyped-def]
    _url, engine = backend
    with Session(engine) as session:
        old = session.execute(select(m.User).where(m.User.username == "old")).scalar_one()
    assert old.token_version == 0 and old.failed_logins == 3


def test_failure_counter_is_atomic_under_concurrency(backend) -> None:  # type: ignore[no-untyped-def]
    _url, engine = backend
    sessions = sessionmaker(engine)
    start = threading.Barrier(6)

    def fail() -> None:
        start.wait()
        with sessions() as session:
            record_failure(session, "advisor", "127.0.0.3", locked=False)
            session.commit()

    threads = [threading.Thread(target=fail) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with sessions() as session:
        user = session.execute(select(m.User).where(m.User.username == "advisor")).scalar_one()
        failures = (
            session.execute(
                select(m.AuthEvent).where(
                    m.AuthEvent.username == "advisor", m.AuthEvent.event == "failure"
                )
            )
            .scalars()
            .all()
        )
    assert user.failed_logins == 6 and len(failures) == 6


def test_login_logout_disable_and_events(backend) -> None:  # type: ignore[no-untyped-def]
    url, engine = backend
    settings = Settings(environment="test", secret_key=SECRET, database_url=url)
    with TestClient(create_app(settings, load_scorer=_no_model), client=("127.0.0.8", 1)) as client:

        def token(name: str) -> dict[str, str]:
            answer = client.post("/auth/token", data={"username": name, "password": PASSWORD})
            assert answer.status_code == 200, answer.text
            return {"Authorization": f"Bearer {answer.json()['access_token']}"}

        user, admin = token("advisor"), token("boss")
        assert client.post("/auth/logout", headers=user).status_code == 204
        assert client.get("/me", headers=user).status_code == 401
        user = token("advisor")
        created = client.post("/users", headers=admin, json={"username": "temp", "role": "analyst"})
        assert created.status_code == 201
        patched = client.patch("/users/advisor", headers=admin, json={"active": False})
        assert patched.status_code == 200 and patched.json()["user"]["active"] is False
        assert client.get("/me", headers=user).status_code == 401
        assert (
            client.post(
                "/auth/token", data={"username": "advisor", "password": PASSWORD}
            ).status_code
            == 401
        )
    with Session(engine) as session:
        kinds = {(e.event, e.username) for e in session.execute(select(m.AuthEvent)).scalars()}
    assert {("success", "advisor"), ("logout", "advisor"), ("create", "temp")} <= kinds
    assert {("disable", "advisor"), ("failure", "advisor")} <= kinds
