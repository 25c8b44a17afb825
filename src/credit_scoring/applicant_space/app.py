"""Applicant space entry point: ``credit-scoring applicant-space`` (``streamlit run app.py``).

A phone-sized page (centred, no sidebar): the sign-in form until the applicant holds a
valid token, then their application's screens, chosen at the top. It calls the
``/applicant`` routes only, through :mod:`credit_scoring.applicant_space.client`.
"""

from __future__ import annotations

import streamlit as st

from credit_scoring.applicant_space import state
from credit_scoring.applicant_space.i18n import LANGS, day, money
from credit_scoring.applicant_space.state import t
from credit_scoring.applicant_space.views import (
    changes,
    compare,
    decision,
    my_data,
    review,
    signin,
    withdraw,
)
from credit_scoring.applicant_space.views.common import read

SCREENS = {
    "decision": decision.render,
    "data": my_data.render,
    "changes": changes.render,
    "compare": compare.render,
    "review": review.render,
    "withdraw": withdraw.render,
}
NAMES = {"fr": "Français", "en": "English"}


_LAST_LANG = "asw_lang_last"  # the language shown, kept when its button is deselected


def _top() -> None:
    """The language switch, and the sign-out once signed in."""
    cols = st.columns([3, 2] if state.token() else [1])
    with cols[0]:
        st.segmented_control(
            t("app.language"),
            LANGS,
            key=state.LANG,
            format_func=NAMES.__getitem__,
            label_visibility="collapsed",
        )
    if state.token():
        with cols[1]:
            if st.button(t("app.sign_out"), key="asw_sign_out", width="stretch"):
                state.sign_out("signin.signed_out")
                st.rerun()


def _applications() -> None:
    """The applicant's other applications, when there are some, to open one of them."""
    items = read(state.api().applications)
    if not items or len(items) < 2:
        return
    lang = state.lang()
    labels = {
        item.application_id: t(
            "app.application_choice",
            id=item.application_id,
            when=day(item.entered_at, lang),
            amount=money(item.amount, lang),
        )
        for item in items
    }
    ids = list(labels)
    current = state.application_id()
    chosen = st.selectbox(
        t("app.applications"),
        ids,
        index=ids.index(current) if current in ids else 0,
        format_func=labels.__getitem__,
        key="asw_application_choice",
    )
    if chosen != current:
        state.choose_application(int(chosen))


st.set_page_config(
    page_title="Prêt à dépenser", layout="centered", initial_sidebar_state="collapsed"
)
st.session_state.setdefault(state.LANG, "fr")
if st.session_state.get(state.LANG) not in LANGS:  # the chosen language clicked again: keep it
    st.session_state[state.LANG] = st.session_state.get(_LAST_LANG, "fr")
st.session_state[_LAST_LANG] = st.session_state[state.LANG]
if state.token() and not state.is_signed_in():
    state.sign_out("signin.expired")
_top()
if not state.is_signed_in():
    signin.render()
else:
    st.caption(t("app.brand"))
    _applications()
    if not st.session_state.get(state.SECTION):  # first run, or the open screen clicked again
        st.session_state[state.SECTION] = "decision"
    labels = {name: t(f"screen.{name}") for name in SCREENS}
    section = st.pills(
        t("app.screens"),
        tuple(SCREENS),
        key=state.SECTION,
        format_func=labels.__getitem__,
        label_visibility="collapsed",
    )
    SCREENS[section or "decision"]()
