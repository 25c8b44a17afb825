"""Logins a third party cannot turn into a lock-out, revocable tokens, user administration.

Each test runs its own app (own throttle counters) on the shared test bank. Client
addresses are set per ``TestClient`` (the ASGI ``client`` of the scope); a second
client on the same app, not started as a context manager, shares the first one's state.
"""

from __future__ import annotations

import logging
import re
import threading
from contextlib import AbstractContextManager
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from credit_scoring.api.throttle import client_address
from credit_scoring.config import Settings
from credit_scoring.db import models as m
from credit_scoring.db.session import session_factory, session_scope
from credit_scoring.lending.security import add_user, record_failure

from .conftest import PASSWORD, Bank, TestClient, auth_headers, login, make_settings, served
from .fake_scorer import FakeScorer


def running(
    bank: Bank, scorer: FakeScorer, address: str = "127.0.0.2", **extra: object
) -> AbstractContextManager[TestClient]:
    """The API on the shared bank with ``extra`` settings, called from ``address``."""
    return served(make_settings(bank.settings.home, **extra), scorer, client=(address, 40000))


def from_address(client: TestClient, address: str) -> TestClient:
    """Another caller of the same running app, from ``address``."""
    return TestClient(client.app, client=(address, 40001))


def new_user(bank: Bank, name: str, role: str = "advisor") -> None:
    with session_scope(bank.settings) as session:
        add_user(session, name, PASSWORD, role)


def events(bank: Bank, username: str) -> list[m.AuthEvent]:
    with session_factory(bank.settings)() as session:
        return list(
            session.execute(
                select(m.AuthEvent).where(m.AuthEvent.username == username).order_by(m.AuthEvent.id)
            ).scalars()
        )


def test_attacker_failures_do_not_lock_the_user_out(bank: Bank, scorer: FakeScorer) -> None:
    new_user(bank, "target")
    with running(bank, scorer, address="127.0.0.66") as attacker:
        answers = [login(attacker, "target", f"guess-{i}") for i in range(12)]
        codes = [a.status_code for a in answers]
        assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
        assert all(a.json() == answers[0].json() for a in answers[:5])  # one 401 for every failure
        assert login(attacker, "target").status_code == 429  # the attacker's right guess waits too
        user = from_address(attacker, "127.0.0.7")
        assert login(user, "target").status_code == 200  # the user, elsewhere, is not locked out
    kinds = [(e.event, e.client_address) for e in events(bank, "target")]
    assert kinds.count(("failure", "127.0.0.66")) == 5
    assert ("lock", "127.0.0.66") in kinds and kinds[-1] == ("success", "127.0.0.7")


def test_unknown_usernames_are_answered_exactly_like_known_ones(
    bank: Bank, scorer: FakeScorer
) -> None:
    new_user(bank, "known")
    with running(bank, scorer) as client:
        known = [login(client, "known", "wrong-pass") for _ in range(7)]
        unknown = [login(client, "nobody-at-all", "wrong-pass") for _ in range(7)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown]

    def shape(response) -> str:  # type: ignore[no-untyped-def]
        return re.sub(r"\d+", "N", response.json()["detail"])  # the wait in seconds may differ

    assert [shape(r) for r in known] == [shape(r) for r in unknown]
    assert events(bank, "nobody-at-all")[0].detail == "unknown username"


def test_one_address_trying_many_names_is_throttled(bank: Bank, scorer: FakeScorer) -> None:
    with running(bank, scorer, login_limits_per_address="3/minute") as client:
        codes = [login(client, f"name{i}", "wrong-pass").status_code for i in range(5)]
        assert codes == [401, 401, 401, 429, 429]
        assert login(from_address(client, "127.0.0.9"), "advisor").status_code == 200


def test_failure_counter_is_one_atomic_update(bank: Bank) -> None:
    new_user(bank, "raced")
    sessions = session_factory(bank.settings)

    def fail() -> None:
        with sessions() as session:
            record_failure(session, "raced", "127.0.0.3", locked=False)
            session.commit()

    threads = [threading.Thread(target=fail) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with sessions() as session:
        user = session.execute(select(m.User).where(m.User.username == "raced")).scalar_one()
    assert user.failed_logins == 8  # a read-then-write counter loses some of them


def test_password_hashing_is_capped(bank: Bank, scorer: FakeScorer) -> None:
    with running(bank, scorer, max_concurrent_logins=1, login_queue_seconds=0) as client:
        slots = client.app.state.hashing_slots  # type: ignore[attr-defined]
        assert slots.acquire()  # a login hashing right now
        try:
            busy = login(client, "advisor")
            assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
        finally:
            slots.release()
        assert login(client, "advisor").status_code == 200


def test_forwarded_for_is_read_only_from_trusted_proxies(bank: Bank, scorer: FakeScorer) -> None:
    new_user(bank, "proxied")
    with running(bank, scorer, address="127.0.0.1", trusted_proxies="127.0.0.1") as proxy:
        forwarded = {"X-Forwarded-For": "203.0.113.9, 127.0.0.1"}
        proxy.post(
            "/auth/token", data={"username": "proxied", "password": "x" * 9}, headers=forwarded
        )
        direct = from_address(proxy, "127.0.0.44")  # not a proxy: its header is ignored
        direct.post(
            "/auth/token", data={"username": "proxied", "password": "x" * 9}, headers=forwarded
        )
    assert [e.client_address for e in events(bank, "proxied")] == ["203.0.113.9", "127.0.0.44"]


def _request(peer: str, forwarded: str | None):  # type: ignore[no-untyped-def]
    headers = SimpleNamespace(getlist=lambda _n: [forwarded] if forwarded else [])
    return SimpleNamespace(client=SimpleNamespace(host=peer), headers=headers)


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("10.0.0.5", None, "10.0.0.5"),
        ("10.0.0.5", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.5", "6.6.6.6, 198.51.100.1, 10.0.0.7", "198.51.100.1"),  # spoofed first hop
        ("10.0.0.5", "not-an-ip", "10.0.0.5"),
        ("192.0.2.1", "198.51.100.1", "192.0.2.1"),  # the peer is no proxy of ours
    ],
)
def test_client_address_walks_hops_from_the_nearest(peer, forwarded, expected) -> None:  # type: ignore[no-untyped-def]
    networks = Settings(trusted_proxies="10.0.0.0/24", _env_file=None).proxy_networks  # type: ignore[call-arg]
    assert client_address(_request(peer, forwarded), networks) == expected  # type: ignore[arg-type]


def test_logout_revokes_the_token(bank: Bank, scorer: FakeScorer) -> None:
    new_user(bank, "leaving")
    with running(bank, scorer) as client:
        headers = auth_headers(client, "leaving")
        other_session = auth_headers(client, "leaving")
        assert client.get("/me", headers=headers).status_code == 200
        assert client.post("/auth/logout", headers=headers).status_code == 204
        for h in (headers, other_session):  # every session of the user ends
            refused = client.get("/me", headers=h)
            assert refused.status_code == 401 and "log in again" in refused.json()["detail"]
        assert client.get("/me", headers=auth_headers(client, "leaving")).status_code == 200
    assert "logout" in [e.event for e in events(bank, "leaving")]


def test_disabled_user_is_refused_on_the_next_request_and_role_changes_apply(
    bank: Bank, scorer: FakeScorer
) -> None:
    new_user(bank, "moving")
    new_user(bank, "boss", "admin")
    with running(bank, scorer) as client:
        admin = auth_headers(client, "boss")
        user = auth_headers(client, "moving")
        assert client.get("/decisions", headers=user).status_code == 403
        patched = client.patch("/users/moving", headers=admin, json={"role": "analyst"})
        assert patched.status_code == 200 and patched.json()["user"]["role"] == "analyst"
        assert client.get("/decisions", headers=user).status_code == 200  # same token, new role
        assert client.get("/me", headers=user).json()["role"] == "analyst"
        client.patch("/users/moving", headers=admin, json={"active": False})
        assert client.get("/me", headers=user).status_code == 401
        assert login(client, "moving").json() == login(client, "nobody").json()
        client.patch("/users/moving", headers=admin, json={"active": True})
        assert client.get("/me", headers=user).status_code == 401  # old tokens stay dead
        assert login(client, "moving").status_code == 200
    assert [e.event for e in events(bank, "moving")].count("disable") == 1


def test_administration_of_users(
    bank: Bank, scorer: FakeScorer, caplog: pytest.LogCaptureFixture
) -> None:
    new_user(bank, "chief", "admin")
    with running(bank, scorer) as client, caplog.at_level(logging.DEBUG):
        admin = auth_headers(client, "chief")
        created = client.post(
            "/users", headers=admin, json={"username": "newbie", "role": "advisor"}
        )
        assert created.status_code == 201
        password = created.json()["password"]
        assert len(password) >= 16 and created.json()["user"]["active"] is True
        listed = client.get("/users", headers=admin)
        assert "newbie" in [u["username"] for u in listed.json()]
        assert "password" not in listed.text and "argon2" not in listed.text
        again = client.post("/users", headers=admin, json={"username": "newbie", "role": "admin"})
        assert again.status_code == 409
        bad = client.post("/users", headers=admin, json={"username": "a b;", "role": "advisor"})
        assert bad.status_code == 422
        assert client.patch("/users/ghost", headers=admin, json={"unlock": True}).status_code == 404

        old = auth_headers(client, "newbie", password)
        reset = client.patch("/users/newbie", headers=admin, json={"reset_password": True}).json()
        assert reset["password"] and reset["password"] != password
        assert client.get("/me", headers=old).status_code == 401  # the reset ends old sessions
        assert login(client, "newbie", password).status_code == 401
        auth_headers(client, "newbie", reset["password"])

        for i in range(6):
            login(client, "newbie", f"wrong-{i}")
        assert login(client, "newbie", reset["password"]).status_code == 429
        unlocked = client.patch("/users/newbie", headers=admin, json={"unlock": True}).json()
        assert unlocked["user"]["failed_logins"] == 0
        assert login(client, "newbie", reset["password"]).status_code == 200

        self_demote = client.patch("/users/chief", headers=admin, json={"role": "advisor"})
        others = [u for u in listed.json() if u["role"] == "admin" and u["username"] != "chief"]
        assert self_demote.status_code == (200 if others else 409)
    assert password not in caplog.text and reset["password"] not in caplog.text
    kinds = [e.event for e in events(bank, "newbie")]
    assert {"create", "reset", "unlock", "failure", "lock", "success"} <= set(kinds)
    assert all(e.actor == "chief" for e in events(bank, "newbie") if e.event == "create")


def test_the_last_administrator_cannot_be_removed(bank: Bank) -> None:
    from credit_scoring.lending import schemas as s
    from credit_scoring.lending import users

    with session_factory(bank.settings)() as session:
        admins = (
            session.execute(select(m.User).where(m.User.role == "admin", m.User.active.is_(True)))
            .scalars()
            .all()
        )
        for extra in admins[1:]:
            extra.active = False
        session.commit()
        try:
            with pytest.raises(users.UserConflictError, match="last active administrator"):
                users.change_user(session, admins[0].username, s.UserPatch(active=False), actor="t")
        finally:
            for extra in admins[1:]:
                session.merge(extra).active = True
            session.commit()


def test_a_throttled_login_says_how_long_to_wait(bank: Bank, scorer: FakeScorer) -> None:
    new_user(bank, "hasty")
    with running(bank, scorer, address="127.0.0.71") as client:
        for i in range(5):
            assert login(client, "hasty", f"wrong-{i}").status_code == 401
        waited = login(client, "hasty")  # the right password, too early
        assert waited.status_code == 429
        body = waited.json()
        # a minute-long window: the wait is what remains of it, in the header and the body
        assert 1 <= body["retry_after"] <= 60
        assert waited.headers["retry-after"] == str(body["retry_after"])
        assert str(body["retry_after"]) in body["detail"]


def test_the_language_a_user_chose_comes_back_at_the_next_login(
    bank: Bank, scorer: FakeScorer
) -> None:
    new_user(bank, "polyglot")
    with running(bank, scorer, address="127.0.0.72") as client:
        first = login(client, "polyglot")
        assert first.status_code == 200 and first.json()["language"] is None
        headers = {"Authorization": f"Bearer {first.json()['access_token']}"}
        assert client.get("/me", headers=headers).json()["language"] is None
        chosen = client.put("/me/language", json={"language": "en"}, headers=headers)
        assert chosen.status_code == 200 and chosen.json()["language"] == "en"
        assert client.get("/me", headers=headers).json() == {
            "username": "polyglot",
            "role": "advisor",
            "language": "en",
        }
        again = login(client, "polyglot")
        assert again.json()["language"] == "en"
        refused = client.put("/me/language", json={"language": "de"}, headers=headers)
        assert refused.status_code == 422
        assert client.put("/me/language", json={"language": "en"}).status_code == 401
