"""Dashboard entry point: ``streamlit run app.py`` (or ``credit-scoring dashboard``).

Shows the login page until the user holds a valid token, then the pages their
role allows, grouped by section, with the language switch and logout in the sidebar.
A reload or a typed address keeps the session, the page, the open client and the
language (:func:`credit_scoring.dashboard.state.boot`).
"""

from __future__ import annotations

import time

import streamlit as st

from credit_scoring.dashboard import state
from credit_scoring.dashboard.i18n import t
from credit_scoring.dashboard.navigation import login_navigation, role_navigation
from credit_scoring.dashboard.sessions import COOKIE, cookie_script

# The cookie outlives its session by this much, so that a reload after the expiry says
# "your session has expired" instead of showing the login page without a word.
COOKIE_GRACE_SECONDS = 12 * 3600
LANG_NAMES = {"fr": "Français", "en": "English"}
COOKIE_FRAME = "session cookie"  # the title of the frame that writes it (hidden)


def _cookie() -> None:
    """Write the session id into the cookie (or delete it once signed out)."""
    sid = state.session_id()
    if sid is None and COOKIE not in st.context.cookies and not st.session_state.get("_cookie"):
        return  # never had one: nothing to delete
    st.session_state["_cookie"] = sid
    expires = float(st.session_state.get(state.EXPIRES) or 0)
    max_age = int(expires - time.time()) + COOKIE_GRACE_SECONDS if sid else 0
    st.iframe(cookie_script(sid, max_age), height=1, alt=COOKIE_FRAME)


def _sidebar() -> None:
    with st.sidebar:
        # the radio shows the session's language; its own state may be dropped by a page
        # switch, the language may not (see the state module)
        st.session_state[state.LANG_WIDGET] = state.lang()
        st.radio(
            t("app.language"),
            state.LANGS,
            key=state.LANG_WIDGET,
            horizontal=True,
            format_func=LANG_NAMES.__getitem__,
            on_change=state.lang_widget_changed,
        )
        if state.token():
            st.caption(t("app.signed_in", user=state.username(), role=t(f"role.{state.role()}")))
            if state.selected_client() is not None:
                st.caption(t("common.client_header", id=state.selected_client()))
            if st.button(t("app.logout"), key="logout"):
                state.end_session()
                st.rerun()
        _cookie()


st.set_page_config(page_title="Prêt à dépenser", layout="wide")
# Less empty space above the title: the pages must read at 1280x720; the cookie's
# frame takes no room in the sidebar.
st.html(
    "<style>.stMainBlockContainer {padding-top: 2.5rem; padding-bottom: 2rem}"
    f" .stElementContainer:has(iframe[title='{COOKIE_FRAME}']) {{display: none}}"
    "</style>"
)
state.boot()
if state.token() and not state.is_logged_in():
    state.log_out("login.expired")
_sidebar()
state.sync_address()
page = role_navigation(state.role()) if state.is_logged_in() else login_navigation()
page.run()
state.sync_address()
