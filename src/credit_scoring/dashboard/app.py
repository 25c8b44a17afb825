"""Dashboard entry point: ``streamlit run app.py`` (or ``credit-scoring dashboard``).

Shows the login page until the user holds a valid token, then the pages their
role allows, grouped by section, with the language switch and logout in the sidebar.
"""

from __future__ import annotations

import streamlit as st

from credit_scoring.dashboard import state
from credit_scoring.dashboard.i18n import t
from credit_scoring.dashboard.navigation import login_navigation, role_navigation


def _sidebar() -> None:
    with st.sidebar:
        st.radio(
            t("app.language"),
            state.LANGS,
            key=state.LANG,
            horizontal=True,
            format_func=lambda code: {"fr": "Français", "en": "English"}[code],
        )
        if state.token():
            st.caption(t("app.signed_in", user=state.username(), role=t(f"role.{state.role()}")))
            if state.selected_client() is not None:
                st.caption(t("common.client_header", id=state.selected_client()))
            if st.button(t("app.logout"), key="logout"):
                state.end_session()
                st.rerun()


st.set_page_config(page_title="Prêt à dépenser", layout="wide")
# Less empty space above the title: the pages must read at 1280x720.
st.html("<style>.stMainBlockContainer {padding-top: 2.5rem; padding-bottom: 2rem}</style>")
st.session_state.setdefault(state.LANG, "fr")
if state.token() and not state.is_logged_in():
    state.log_out("login.expired")
_sidebar()
if state.is_logged_in():
    role_navigation(state.role()).run()
else:
    login_navigation().run()
