"""Sign-in: the application number, the personal code of the letter and the birth date."""

from __future__ import annotations

from datetime import date

import streamlit as st

from credit_scoring.applicant_space import state
from credit_scoring.applicant_space.client import ApplicantApiError
from credit_scoring.applicant_space.i18n import wait
from credit_scoring.applicant_space.state import t
from credit_scoring.applicant_space.views.common import error_text

NUMBER, CODE, BIRTH = "asw_signin_number", "asw_signin_code", "asw_signin_birth"


def check(number: str, code: str, birth: date | None) -> list[str]:
    """What is missing or malformed in the form, as sentences (empty when it can be sent)."""
    problems = []
    if not number.strip().isdigit():
        problems.append(t("signin.need_number"))
    if len(code.replace("-", "").replace(" ", "")) < 8:
        problems.append(t("signin.need_code"))
    if birth is None:
        problems.append(t("signin.need_birth"))
    return problems


def _failed(exc: ApplicantApiError) -> None:
    """The refusal in the API's words, with the time to wait or whom to ask."""
    st.error(error_text(exc))
    # the API's message says when to try again; without one, the app says it from retry_after
    if exc.status == 429 and not exc.message and exc.retry_after is not None:
        st.info(t("signin.wait", wait=wait(exc.retry_after, state.lang())))
    if "revoked" in exc.code:
        st.info(t("signin.ask_advisor"))


def render() -> None:
    st.title(t("signin.title"))
    st.write(t("signin.intro"))
    flash = state.pop_flash()
    if flash:
        st.info(t(flash))
    with st.form("asw_signin_form"):
        number = st.text_input(t("signin.number"), key=NUMBER, help=t("signin.number_help"))
        code = st.text_input(t("signin.code"), key=CODE, help=t("signin.code_help"))
        birth = st.date_input(
            t("signin.birth"),
            value=None,
            min_value=date(1900, 1, 1),
            max_value=date.today(),
            key=BIRTH,
            format="DD/MM/YYYY",
        )
        sent = st.form_submit_button(t("signin.submit"), type="primary")
    if not sent:
        st.caption(t("signin.privacy"))
        return
    problems = check(number, code, birth)
    if problems:
        st.error("\n\n".join(problems))
        return
    assert birth is not None
    try:
        session = state.api().sign_in(int(number.strip()), code, birth, lang=state.lang())
    except ApplicantApiError as exc:
        _failed(exc)
        return
    state.sign_in(session)
    for key in (NUMBER, CODE, BIRTH):
        st.session_state.pop(key, None)
    st.rerun()
