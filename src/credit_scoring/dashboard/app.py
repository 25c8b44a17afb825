"""Dashboard entry point: ``streamlit run app.py`` (or ``credit-scoring dashboard``).

Shows the login page until the user holds a valid token, then the pages their
role allows, grouped by section, with the language switch and logout in the sidebar.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from credit_scoring.dashboard import state
from credit_scoring.dashboard.i18n import t

PAGES_DIR = Path(__file__).parent / "pages"
# page key -> (file, icon, section)
PAGES: dict[str, tuple[str, str, str]] = {
    "search": ("search.py", "🔎", "client"),
    "client": ("client_file.py", "🪪", "client"),
    "score": ("score.py", "🎯", "client"),
    "compare": ("comparison.py", "📊", "client"),
    "whatif": ("what_if.py", "🧮", "client"),
    "decision": ("decision.py", "✅", "client"),
    "portfolio": ("portfolio.py", "🗂️", "analysis"),
    "model": ("model.py", "🧠", "analysis"),
    "drift": ("drift.py", "🌊", "analysis"),
}


def _sidebar() -> None:
    with st.sidebar:
        st.radio(t("app.language"), state.LANGS, key=state.LANG, horizontal=True,
                 format_func=lambda code: {"fr": "Français", "en": "English"}[code])
        if state.token():
            st.caption(t("app.signed_in", user=state.username(), role=t(f"role.{state.role()}")))
            if state.selected_client() is not None:
                st.caption(t("common.client_header", id=state.selected_client()))
            if st.button(t("app.logout"), key="logout"):
                state.log_out("login.logged_out")
                st.rerun()


def main() -> None:
    st.set_page_config(page_title="Prêt à dépenser", page_icon="💶", layout="wide")
    st.session_state.setdefault(state.LANG, "fr")
    if state.token() and not state.is_logged_in():
        state.log_out("login.expired")
    _sidebar()
    if not state.is_logged_in():
        page = st.navigation([st.Page(PAGES_DIR / "login.py", title=t("nav.login"), icon="🔐",
                                      url_path="login")], position="hidden")
        page.run()
        return
    allowed = state.pages_for(state.role())
    pages = {key: st.Page(PAGES_DIR / PAGES[key][0], title=t(f"nav.{key}"), icon=PAGES[key][1],
                          url_path=key, default=key == "search")
             for key in allowed}
    state.register_pages(pages)
    sections: dict[str, list[st.Page]] = {}
    for key, page in pages.items():
        sections.setdefault(t(f"nav.section.{PAGES[key][2]}"), []).append(page)
    st.navigation(sections).run()


main()
