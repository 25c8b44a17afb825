"""The dashboard's pages: key -> page body and section; which the user's role may open.

Pages have no icons: Streamlit's icon font and emoji need fonts that a locked-down
browser may lack (they show as empty boxes). Pages are given to ``st.navigation``
as callables (the ``render`` function of a module of
:mod:`credit_scoring.dashboard.views`) rather than files: a ``pages/`` folder
beside ``app.py`` would switch Streamlit to its older multipage mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from credit_scoring.dashboard import state
from credit_scoring.dashboard.i18n import t
from credit_scoring.dashboard.views import (
    admin,
    applications,
    audit,
    client_file,
    comparison,
    decision,
    drift,
    login,
    model,
    new_application,
    performance,
    portfolio,
    score,
    search,
    what_if,
)


@dataclass(frozen=True)
class PageSpec:
    render: Callable[[], None]
    section: str  # "applications", "client", "analysis" or "admin"


PAGES: dict[str, PageSpec] = {
    "new_application": PageSpec(new_application.render, "applications"),
    "applications": PageSpec(applications.render, "applications"),
    "search": PageSpec(search.render, "client"),
    "client": PageSpec(client_file.render, "client"),
    "score": PageSpec(score.render, "client"),
    "compare": PageSpec(comparison.render, "client"),
    "whatif": PageSpec(what_if.render, "client"),
    "decision": PageSpec(decision.render, "client"),
    "portfolio": PageSpec(portfolio.render, "analysis"),
    "model": PageSpec(model.render, "analysis"),
    "performance": PageSpec(performance.render, "analysis"),
    "drift": PageSpec(drift.render, "analysis"),
    "users": PageSpec(admin.render, "admin"),
    "audit": PageSpec(audit.render, "admin"),
}


def login_navigation() -> StreamlitPage:
    """The login page, also under every page's address: signing in from ``/client``
    (a reload after the session expired, a bookmark) goes on to that page."""
    pages = [st.Page(login.render, title=t("nav.login"), url_path="login", default=True)]
    pages += [st.Page(login.render, title=t("nav.login"), url_path=key) for key in PAGES]
    return st.navigation(pages, position="hidden")


def role_navigation(role: str | None) -> StreamlitPage:
    """The pages ``role`` may open, grouped by section; remembered for ``state.go``."""
    pages = {
        key: st.Page(
            PAGES[key].render, title=t(f"nav.{key}"), url_path=key, default=key == "search"
        )
        for key in state.pages_for(role)
    }
    state.register_pages(pages)
    sections: dict[str, list[StreamlitPage]] = {}
    for key, page in pages.items():
        sections.setdefault(t(f"nav.section.{PAGES[key].section}"), []).append(page)
    # every page in view: no "View N more" hiding the last sections
    return st.navigation(sections, expanded=True)
