"""Login: exchange a username and password for the API's token; the role picks the pages."""

from __future__ import annotations

import streamlit as st

from credit_scoring.dashboard import state
from credit_scoring.dashboard.api_client import ApiError
from credit_scoring.dashboard.i18n import t
from credit_scoring.dashboard.views.common import error_message


def _browser_address() -> str | None:
    """The browser's IP as Streamlit sees it (None when unknown, e.g. in page tests)."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else None


def render() -> None:
    st.title(t("login.title"))
    st.write(t("login.intro"))
    flash = state.pop_flash()
    if flash:
        st.warning(t(flash))
    with st.form("login", clear_on_submit=False):
        user = st.text_input(t("login.username"), key="login_user")
        password = st.text_input(t("login.password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("login.submit"), type="primary")
    if not submitted:
        return
    if not user or not password:
        st.error(t("login.missing"))
        return
    try:
        token = state.api().login(user.strip(), password, client_ip=_browser_address())
    except ApiError as exc:
        if exc.kind == "unauthorized":
            st.error(t("login.failed"))
        elif exc.kind == "throttled":
            st.error(t("login.throttled"))
        else:
            st.error(error_message(exc))
        return
    state.log_in(token, user.strip())
    st.rerun()
