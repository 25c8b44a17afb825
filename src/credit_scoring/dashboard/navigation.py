"""The dashboard's pages: key -> page body, icon and section; which the user's role may open.

Pages are given to ``st.navigation`` as callables (the ``render`` function of a
module of :mod:`credit_scoring.dashboard.views`) rather than files: a ``pages/``
folder beside ``app.py`` would switch Streamlit to its older multipage mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from credit_scoring.dashboard import state
from credit_scoring.dashboard.i18n import t
from credit_scoring.dashboard.views import (
    client_file,
    comparison,
    decision,
    drift,
    login,
    model,
    portfolio,
    score,
    search,
    what_if,
)


@dataclass(frozen=True)
class PageSpec:
    render: Callable[[], None]
    icon: str
    section: str  # "client" or "analysis"


PAGES: dict[str, PageSpec] = {
    "search": PageSpec(search.render, ":material/search:", "client"),
    "client": PageSpec(client_file.render, ":material/badge:", "client"),
    "score": PageSpec(score.render, ":material/speed:", "client"),
    "compare": PageSpec(comparison.render, ":material/bar_chart:", "client"),
    "whatif": PageSpec(what_if.render, ":material/tune:", "client"),
    "decision": PageSpec(decision.render, ":material/gavel:", "client"),
    "portfolio": PageSpec(portfolio.render, ":material/pie_chart:", "analysis"),
    "model": PageSpec(model.render, ":material/model_training:", "analysis"),
    "drift": PageSpec(drift.render, ":material/waves:", "analysis"),
}


def login_navigation() -> st.navigation:  # type: ignore[valid-type]
    page = st.Page(login.render, title=t("nav.login"), icon=":material/lock:", url_path="login")
    return st.navigation([page], position="hidden")


def role_navigation(role: str | None) -> st.navigation:  # type: ignore[valid-type]
    """The pages ``role`` may open, grouped by section; remembered for ``state.go``."""
    pages = {key: st.Page(PAGES[key].render, title=t(f"nav.{key}"), icon=PAGES[key].icon,
                          url_path=key, default=key == "search")
             for key in state.pages_for(role)}
    state.register_pages(pages)
    sections: dict[str, list[st.Page]] = {}
    for key, page in pages.items():
        sections.setdefault(t(f"nav.section.{PAGES[key].section}"), []).append(page)
    return st.navigation(sections)
