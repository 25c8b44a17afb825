"""The dashboard's session: language kept across pages and logins, restored after a reload.

``SessionStore`` and the cookie are tested alone; ``state.boot`` (what a reload runs) in
a fresh AppTest session given a cookie and an address; the language radio through the
whole app, its widget state dropped as Streamlit drops it on a page switch.
"""

from __future__ import annotations

import time

import pytest
from dashboard_fake import FakeApi
from dashboard_session import APP, TIMEOUT, dashboard, log_in, texts
from streamlit.testing.v1 import AppTest

from credit_scoring.dashboard import state
from credit_scoring.dashboard.sessions import (
    COOKIE,
    SessionStore,
    Signed,
    cookie_script,
    is_session_id,
    new_session_id,
)
from credit_scoring.dashboard.views.applications import QUEUE_COLUMNS, queue_columns


def signed(user: str = "alice", role: str = "advisor", **changes: object) -> Signed:
    fields: dict = {"expires_at": time.time() + 3600} | changes
    return Signed(f"tok-{user}", role, user, **fields)


# --- the store and the cookie -------------------------------------------------------------


def test_store_keeps_a_session_as_long_as_its_token() -> None:
    store = SessionStore()
    sid = store.create(signed(expires_at=200.0), now=100.0)
    assert is_session_id(sid) and len(store) == 1
    assert store.get(sid, now=199.0) == signed(expires_at=200.0)
    store.update(sid, client_id=100003, lang="en")
    kept = store.get(sid, now=199.0)
    assert kept is not None and (kept.client_id, kept.lang) == (100003, "en")
    assert store.get(sid, now=200.0) is None  # died with its token
    assert len(store) == 0
    assert store.get("not-an-id") is None and store.get(None) is None


def test_store_forgets_on_logout_and_stays_bounded() -> None:
    store = SessionStore(max_sessions=3)
    ids = [store.create(signed(expires_at=1000.0 + i), now=0.0) for i in range(5)]
    assert len(store) == 3
    # the ones closest to their expiry made room for the newest
    assert [store.get(sid, now=1.0) is not None for sid in ids] == [False, False, True, True, True]
    store.forget(ids[-1])
    assert store.get(ids[-1], now=1.0) is None
    store.update(ids[-1], lang="en")  # gone: nothing comes back
    assert store.get(ids[-1], now=1.0) is None


def test_session_ids_are_random_and_the_cookie_holds_nothing_else() -> None:
    first, second = new_session_id(), new_session_id()
    assert first != second and is_session_id(first) and is_session_id(second)
    assert not is_session_id("tok-alice") and not is_session_id("x';alert(1);'" + "a" * 30)
    script = cookie_script(first, 3600)
    assert f"{COOKIE}={first};path=/;max-age=3600;SameSite=Strict" in script
    assert "https:" in script  # Secure when served over HTTPS
    # a value that is not an id is never written (nothing to break out of the script)
    assert "alert" not in cookie_script("x';alert(1);'", 3600)
    assert f"{COOKIE}=;path=/;max-age=0" in cookie_script(None, 3600)


# --- a reload: state.boot in a new session -------------------------------------------------


def _reload(fake: FakeApi, cookies: dict[str, str], query: dict[str, str]) -> AppTest:
    """A new browser session's first run with this cookie and address (what F5 does)."""

    def script(cookies: dict[str, str], query: dict[str, str]) -> None:
        import streamlit as st

        from credit_scoring.dashboard import state

        state.boot(cookies=cookies, query=query)
        state.boot(cookies={}, query={})  # once per session: a second call changes nothing
        st.write(f"lang={state.lang()} user={state.username()} client={state.selected_client()}")
        st.write(f"flash={st.session_state.get(state.FLASH)} query={state.address_query()}")

    at = AppTest.from_function(script, args=(cookies, query), default_timeout=TIMEOUT)
    at.session_state[state.API] = fake.api_client()
    return at.run()


def test_a_reload_restores_the_session_its_client_and_language(fake: FakeApi) -> None:
    sid = state.sessions().create(signed(client_id=100003, lang="en"))
    at = _reload(fake, {COOKIE: sid}, {})
    assert not at.exception
    assert "lang=en user=alice client=100003" in texts(at)
    assert "query={'lang': 'en', 'client': '100003'}" in texts(at)
    assert at.session_state[state.TOKEN] == "tok-alice"
    assert at.session_state[state.ROLE] == "advisor"  # as the API says now
    # the address wins over what the session had: a copied link opens what it shows
    at = _reload(fake, {COOKIE: sid}, {"lang": "fr", "client": "100002"})
    assert "lang=fr user=alice client=100002" in texts(at)


def test_a_reload_takes_the_users_language_when_the_session_had_none(fake: FakeApi) -> None:
    fake.languages["alice"] = "en"
    sid = state.sessions().create(signed())
    assert "lang=en user=alice client=None" in texts(_reload(fake, {COOKIE: sid}, {}))


def test_an_expired_or_unknown_session_says_so(fake: FakeApi) -> None:
    expired = state.sessions().create(signed(expires_at=time.time() - 1))
    for cookie in (expired, new_session_id()):
        at = _reload(fake, {COOKIE: cookie}, {"lang": "en"})
        assert "lang=en user=None client=None" in texts(at)
        assert "flash=login.expired" in texts(at)
        assert state.TOKEN not in at.session_state
    # no cookie, or one that is not ours: a plain login page
    for cookies in ({}, {COOKIE: "whatever"}):
        assert "flash=None" in texts(_reload(fake, cookies, {}))


def test_a_revoked_session_says_it_was_ended(fake: FakeApi) -> None:
    sid = state.sessions().create(signed())
    fake.expired.add("tok-alice")  # logged out elsewhere, or disabled by an administrator
    at = _reload(fake, {COOKIE: sid}, {})
    assert "flash=login.ended" in texts(at) and "user=None" in texts(at)
    assert state.sessions().get(sid) is None  # the id opens nothing any more


def test_login_and_logout_keep_the_store_in_step(fake: FakeApi) -> None:
    at = dashboard(fake)
    at.run()
    log_in(at, "alice", "secret-a")
    sid = at.session_state[state.SID]
    kept = state.sessions().get(sid)
    assert kept is not None and kept.token == "tok-alice" and kept.username == "alice"
    assert kept.expires_at == pytest.approx(time.time() + 3595, abs=30)
    at.button(key="logout").click().run()
    assert state.sessions().get(sid) is None
    assert state.SID not in at.session_state


# --- the language ----------------------------------------------------------------------------


def test_the_language_survives_the_radio_losing_its_state(fake: FakeApi) -> None:
    at = dashboard(fake)
    at.run()
    at.radio(key=state.LANG_WIDGET).set_value("en").run()
    log_in(at, "alice", "secret-a")
    assert at.title[0].value == "Client search"
    assert fake.languages["alice"] == "en"  # chosen before logging in: saved as hers
    # a page switch may drop the radio's own state: the session's language remains, and
    # the radio shows it again (a session whose radio never ran, in English)
    again = dashboard(fake)
    for key in (state.TOKEN, state.ROLE, state.USER, state.LANG):
        again.session_state[key] = at.session_state[key]
    again.run()
    assert again.title[0].value == "Client search"
    assert again.radio(key=state.LANG_WIDGET).value == "en"
    # switching in the sidebar once logged in is saved for her next login, too
    at.radio(key=state.LANG_WIDGET).set_value("fr").run()
    assert at.title[0].value == "Recherche de clients" and fake.languages["alice"] == "fr"
    assert state.sessions().get(at.session_state[state.SID]).lang == "fr"  # type: ignore[union-attr]


def test_the_next_login_starts_in_the_users_language(fake: FakeApi) -> None:
    fake.languages["alice"] = "en"
    at = dashboard(fake)
    at.run()
    log_in(at, "alice", "secret-a")
    assert at.title[0].value == "Client search"
    assert "PUT /me/language" not in fake.calls  # nothing chosen here: nothing to save
    # English asked in the address wins over her French
    fake.languages["alice"] = "fr"
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[state.API] = fake.api_client()
    at.query_params["lang"] = "en"
    at.run()
    log_in(at, "alice", "secret-a")
    assert at.title[0].value == "Client search" and fake.languages["alice"] == "en"


def test_the_lockout_says_when_to_try_again(fake: FakeApi) -> None:
    fake.login_wait = 90
    at = dashboard(fake)
    at.session_state[state.LANG] = "en"
    at.run()
    log_in(at, "alice", "secret-a")
    [error] = [e.value for e in at.error]
    assert "you can try again from" in error and "(UTC), in about 2 min" in error

    def message(lang: str, wait: int | None) -> str:
        def script(lang: str, wait: int | None) -> None:
            from datetime import datetime

            import streamlit as st

            from credit_scoring.dashboard import state
            from credit_scoring.dashboard.views.login import throttled_message

            st.session_state[state.LANG] = lang
            st.write(throttled_message(wait, datetime(2026, 12, 7, 14, 3, 30)))

        return texts(AppTest.from_function(script, args=(lang, wait)).run())

    assert "à partir de 07/12/2026 14:05 (UTC), dans 2 min environ" in message("fr", 90)
    assert "from 07/12/2026 14:04 (UTC), in about 1 min" in message("en", 20)
    assert "wait a few minutes" in message("en", None)  # an API that did not say


# --- navigation and the applications queue -----------------------------------------------------


def test_queue_columns_follow_the_filter() -> None:
    assert queue_columns("scored")[-3:] == ("probability", "grade", "proposal")
    assert "entered_at" in queue_columns("scored") and "final" not in queue_columns("scored")
    assert queue_columns("decided")[-3:] == ("final", "decided_by", "decided_at")
    assert "proposal" not in queue_columns("decided")
    assert queue_columns("some new filter") == QUEUE_COLUMNS[None]
