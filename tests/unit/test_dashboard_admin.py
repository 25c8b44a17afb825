"""The Administration page (admin only) and the logout that revokes the token, with AppTest."""

from __future__ import annotations

import pytest
from dashboard_fake import FakeApi
from dashboard_session import APP, TIMEOUT, dashboard, log_in, logged_in
from streamlit.testing.v1 import AppTest

from credit_scoring.dashboard import state
from credit_scoring.dashboard.views.admin import NEW_PASSWORD


def _admin_view() -> None:
    from credit_scoring.dashboard.views import admin

    admin.render()


def admin_page(fake: FakeApi, *, lang: str = "fr", user: str = "root") -> AppTest:
    return logged_in(fake, _admin_view, user=user, role="admin", lang=lang)


def test_only_admins_get_the_page() -> None:
    assert "users" in state.ROLE_PAGES["admin"]
    assert all("users" not in state.ROLE_PAGES[r] for r in ("advisor", "senior", "analyst"))


def test_lists_users_in_both_languages(fake: FakeApi) -> None:
    at = admin_page(fake)
    assert not at.exception
    assert at.title[0].value == "Administration"
    table = at.dataframe[0].value
    assert list(table["Identifiant"]) == ["alice", "sam", "ana", "root"]
    assert set(table["Créé le"]) == {"01/12/2026 09:00"}  # the bank's one date format
    assert "conseiller" in list(table["Rôle"]) or "advisor" not in list(table["Rôle"])
    en = admin_page(fake, lang="en")
    assert list(en.dataframe[0].value.columns)[:2] == ["Username", "Role"]


def test_create_shows_the_password_once(fake: FakeApi) -> None:
    at = admin_page(fake, lang="en")
    at.text_input(key="admin_new_user").input("bob")
    at.selectbox(key="admin_new_role").set_value("analyst")
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    assert "bob" in list(at.dataframe[0].value["Username"])
    assert [c.value for c in at.code] == ["pw-bob-1"]
    assert "User bob created." in [i.value for i in at.info]
    assert NEW_PASSWORD not in at.session_state
    at.run()  # shown once: gone on the next run
    assert [c.value for c in at.code] == []


def test_refuses_a_bad_username_before_calling_the_api(fake: FakeApi) -> None:
    at = admin_page(fake, lang="en")
    at.text_input(key="admin_new_user").input("a b;")
    at.button[0].click().run()
    assert "Username refused" in at.error[0].value
    assert "POST /users" not in fake.calls


def test_disable_change_role_unlock_and_reset(fake: FakeApi) -> None:
    at = admin_page(fake, lang="en")
    at.selectbox(key="admin_pick").select("alice")
    at.run()
    at.button(key="admin_toggle").click().run()
    assert fake.users["alice"].active is False
    assert "Enable" in [b.label for b in at.button]
    at.selectbox(key="admin_role_alice").set_value("analyst").run()
    at.button(key="admin_save_role").click().run()
    assert fake.users["alice"].role == "analyst"
    at.button(key="admin_unlock").click().run()
    at.button(key="admin_reset").click().run()
    assert [c.value for c in at.code] == ["pw-alice-reset"]
    assert fake.calls.count("PATCH /users/alice") == 4


def test_a_duplicate_user_shows_the_api_reason(fake: FakeApi) -> None:
    at = admin_page(fake, lang="en")
    at.text_input(key="admin_new_user").input("ana")
    at.button[0].click().run()
    assert "already exists" in at.error[0].value


def test_logout_revokes_the_token_on_the_api(fake: FakeApi) -> None:
    at = dashboard(fake)
    at.run()
    log_in(at, "root", "secret-r")
    assert "users" in at.session_state[state.PAGES]
    at.button(key="logout").click().run()
    assert fake.logged_out == ["tok-root"]
    assert "Vous êtes déconnecté." in [w.value for w in at.warning]


def test_throttled_login_says_to_wait(fake: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[state.API] = type(fake.api_client())(
        fake.url,
        transport=httpx.MockTransport(
            lambda _r: httpx.Response(429, json={"detail": "wait"}, headers={"Retry-After": "60"})
        ),
    )
    at.run()
    log_in(at, "root", "secret-r")
    # the header alone says how long: the message gives the time and the minutes
    assert "vous pourrez réessayer à partir de" in at.error[0].value
    assert "(UTC), dans 1 min environ" in at.error[0].value
