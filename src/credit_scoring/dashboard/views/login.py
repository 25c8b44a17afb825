"""Login: exchange a username and password for the API's token; the role picks the pages."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import streamlit as st

from credit_scoring.dashboard import state
from credit_scoring.dashboard.api_client import ApiError
from credit_scoring.dashboard.i18n import fmt_datetime, fmt_num, t
from credit_scoring.dashboard.views.common import error_message


def _browser_address() -> str | None:
    """The browser's IP as Streamlit sees it (None when unknown, e.g. in page tests)."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else None


def throttled_message(retry_after: int | None, now: datetime | None = None) -> str:
    """When the person may try again, in their language (the API's ``retry_after``);
    ``now`` in UTC (tests).

    Examples
    --------
    >>> throttled_message(90, datetime(2026, 12, 7, 14, 3, 30))  # doctest: +SKIP
    '... réessayer à partir de 07/12/2026 14:06 (UTC), dans 2 min environ. ...'
    """
    if retry_after is None:
        return t("login.throttled")
    # rounded up to the minute shown: trying at the time said always works
    at = (now or datetime.now(UTC)) + timedelta(seconds=retry_after + 59)
    minutes = max(1, math.ceil(retry_after / 60))
    return t(
        "login.throttled_until",
        time=fmt_datetime(at.replace(second=0, microsecond=0, tzinfo=None), state.lang()),
        minutes=fmt_num(minutes, state.lang(), 0),
    )


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
            st.error(throttled_message(exc.retry_after))
        else:
            st.error(error_message(exc))
        return
    state.log_in(token, user.strip())
    st.rerun()
