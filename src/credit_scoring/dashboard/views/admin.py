"""Administration (role admin): the users, create one, disable, change role, unlock, reset.

A generated password is shown once, right after it was created or reset; the API keeps
only its hash, so the page cannot show it again.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from credit_scoring.dashboard import state
from credit_scoring.dashboard.api_client import ApiError
from credit_scoring.dashboard.i18n import fmt_datetime, fmt_num, t
from credit_scoring.dashboard.views.common import call, error_message
from credit_scoring.lending.schemas import ROLES_ORDER, UserAdminOut, UserCreate, UserPatch

NEW_PASSWORD = "admin_new_password"  # (username, password) shown once after create or reset


def _role_labels() -> dict[str, str]:
    # A dict taken at render time: AppTest (and reruns) call format_func outside the page.
    return {r: t(f"role.{r}") for r in ROLES_ORDER}


def users_frame(users: list[UserAdminOut], lang: str = "fr") -> pd.DataFrame:
    """The users as a table in ``lang``: roles in words, dates as 31/12/2026 14:05."""

    def when(value: datetime | None) -> str:
        return fmt_datetime(value, lang) if value else ""

    return pd.DataFrame(
        {
            t("admin.col.username"): [u.username for u in users],
            t("admin.col.role"): [t(f"role.{u.role}") for u in users],
            t("admin.col.active"): [t("common.yes") if u.active else t("common.no") for u in users],
            t("admin.col.failed"): [fmt_num(u.failed_logins, lang, 0) for u in users],
            t("admin.col.last_login"): [when(u.last_login_at) for u in users],
            t("admin.col.created"): [when(u.created_at) for u in users],
        }
    )


def _show_password() -> None:
    shown = st.session_state.pop(NEW_PASSWORD, None)
    if shown:
        st.success(t("admin.password_once", user=shown[0]))
        st.code(shown[1], language=None)


def _apply(action, message_key: str, username: str) -> None:  # type: ignore[no-untyped-def]
    try:
        changed = action()
    except ApiError as exc:
        st.error(error_message(exc))
        return
    if changed.password:
        st.session_state[NEW_PASSWORD] = (changed.user.username, changed.password)
    st.session_state["admin_flash"] = t(message_key, user=username)
    st.rerun()


def _create(token: str) -> None:
    with st.form("admin_create", clear_on_submit=True):
        st.subheader(t("admin.create"))
        username = st.text_input(t("admin.col.username"), key="admin_new_user", max_chars=64)
        labels = _role_labels()
        role = st.selectbox(
            t("admin.col.role"),
            list(ROLES_ORDER),
            key="admin_new_role",
            format_func=lambda r: labels[r],
        )
        submitted = st.form_submit_button(t("admin.create_submit"), type="primary")
    if not submitted:
        return
    try:
        body = UserCreate(username=username.strip(), role=role)  # type: ignore[arg-type]
    except ValueError:
        st.error(t("admin.bad_username"))
        return
    _apply(lambda: state.api().create_user(token, body), "admin.created", body.username)


def _change(token: str, users: list[UserAdminOut]) -> None:
    st.subheader(t("admin.change"))
    names = [u.username for u in users]
    name = st.selectbox(t("admin.col.username"), names, key="admin_pick")
    user = next(u for u in users if u.username == name)
    labels = _role_labels()
    role = st.selectbox(
        t("admin.col.role"),
        list(ROLES_ORDER),
        index=ROLES_ORDER.index(user.role),
        key=f"admin_role_{name}",
        format_func=lambda r: labels[r],
    )
    cols = st.columns(4)
    api = state.api()
    if cols[0].button(t("admin.save_role"), key="admin_save_role", disabled=role == user.role):
        patch = UserPatch(role=role)  # type: ignore[arg-type]
        _apply(lambda: api.change_user(token, name, patch), "admin.changed", name)
    label = t("admin.disable") if user.active else t("admin.enable")
    if cols[1].button(label, key="admin_toggle"):
        patch = UserPatch(active=not user.active)
        _apply(lambda: api.change_user(token, name, patch), "admin.changed", name)
    if cols[2].button(t("admin.unlock"), key="admin_unlock"):
        _apply(lambda: api.change_user(token, name, UserPatch(unlock=True)), "admin.changed", name)
    if cols[3].button(t("admin.reset"), key="admin_reset"):
        patch = UserPatch(reset_password=True)
        _apply(lambda: api.change_user(token, name, patch), "admin.changed", name)


def render() -> None:
    st.title(t("nav.users"))
    st.caption(t("admin.intro"))
    token = state.token() or ""
    flash = st.session_state.pop("admin_flash", None)
    if flash:
        st.info(flash)
    _show_password()
    users = call(state.api().users, token)
    if users is None:
        return
    st.dataframe(users_frame(users, state.lang()), hide_index=True, width="stretch")
    left, right = st.columns(2)
    with left:
        _create(token)
    with right:
        if users:
            _change(token, users)
