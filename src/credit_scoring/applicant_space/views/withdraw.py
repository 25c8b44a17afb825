"""Withdraw the application, after a confirmation."""

from __future__ import annotations

import streamlit as st

from credit_scoring.applicant_space import state
from credit_scoring.applicant_space.client import ApplicantApiError
from credit_scoring.applicant_space.state import t
from credit_scoring.applicant_space.views.common import error_text, read

CONFIRM = "asw_withdraw_confirm"


def render() -> None:
    st.subheader(t("withdraw.title"))
    app = read(state.api().application, state.application_id())
    if app is None:
        return
    if app.status == "withdrawn":
        st.info(t("decision.withdrawn"))
        return
    st.write(t("withdraw.intro"))
    sure = st.checkbox(t("withdraw.confirm", id=app.application_id), key=CONFIRM)
    if not st.button(t("withdraw.submit"), disabled=not sure, key="asw_withdraw"):
        return
    try:
        state.api().withdraw(state.token() or "", app.application_id, lang=state.lang())
    except ApplicantApiError as exc:
        st.error(error_text(exc))
        return
    st.session_state.pop(CONFIRM, None)
    st.success(t("withdraw.done", id=app.application_id))
