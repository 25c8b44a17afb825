"""Login: exchange a username and password for the API's token; the role picks the pages."""

from __future__ import annotations

import streamlit as st

from credit_scoring.dashboard import state
from credit_scoring.dashboard.api_client import ApiError
from credit_scoring.dashboard.i18n import t
from credit_scoring.dashboard.views.common import error_message


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
        token = state.api().login(user.strip(), password)
    except ApiError as exc:
        st.error(t("login.failed") if exc.kind == "unauthorized" else error_message(exc))
        return
    state.log_in(token, user.strip())
    st.rerun()
