"""My data: what the lender holds, item by item, with its source and "this is wrong"."""

from __future__ import annotations

import streamlit as st

from credit_scoring.applicant_space import state
from credit_scoring.applicant_space.client import ApplicantApiError
from credit_scoring.applicant_space.i18n import day, value_text
from credit_scoring.applicant_space.models import DataItem
from credit_scoring.applicant_space.state import t
from credit_scoring.applicant_space.views.common import error_text, read

SECTIONS = ("form", "bureau", "previous")
OPEN = "asw_rectify_open"  # the item whose "this is wrong" form is open
SENT = "asw_rectify_sent"  # the confirmation of the last request, shown once
COMMENT_MAX = 2000


def _rectify_form(item: DataItem, key: str) -> None:
    with st.form(f"asw_rectify_form_{key}"):
        comment = st.text_area(
            t("data.comment", label=item.label),
            key=f"asw_rectify_comment_{key}",
            max_chars=COMMENT_MAX,
            placeholder=t("data.comment_hint"),
        )
        cols = st.columns(2)
        send = cols[0].form_submit_button(t("data.send"), type="primary")
        cancel = cols[1].form_submit_button(t("data.cancel"))
    if cancel:
        st.session_state.pop(OPEN, None)
        st.rerun()
    if not send:
        return
    if not comment.strip():
        st.error(t("data.need_comment"))
        return
    try:
        done = state.api().rectify(
            state.token() or "",
            state.application_id(),
            item.item,
            comment.strip(),
            lang=state.lang(),
        )
    except ApplicantApiError as exc:
        st.error(error_text(exc))  # the comment stays in the box, to send again
        return
    st.session_state[SENT] = t(
        "data.sent", label=item.label, when=day(done.created_at, state.lang())
    )
    st.session_state.pop(OPEN, None)
    st.session_state.pop(f"asw_rectify_comment_{key}", None)
    st.rerun()


def _item(item: DataItem, section: str, index: int) -> None:
    key = f"{section}_{index}"
    with st.container(border=True):
        st.markdown(f"**{item.label}**  \n{value_text(item.value, state.lang())}")
        st.caption(t("data.source", source=item.source))
        if st.session_state.get(OPEN) == key:
            _rectify_form(item, key)
        elif st.button(t("data.wrong"), key=f"asw_wrong_{key}"):
            st.session_state[OPEN] = key
            st.rerun()


def render() -> None:
    st.subheader(t("data.title"))
    st.write(t("data.intro"))
    sent = st.session_state.pop(SENT, None)
    if sent:
        st.success(sent)
    data = read(state.api().data, state.application_id())
    if data is None:
        return
    for section in SECTIONS:
        items: list[DataItem] = getattr(data, section)
        st.markdown(f"#### {t(f'data.{section}')}")
        if not items:
            st.caption(t(f"data.{section}_none"))
        for index, item in enumerate(items):
            _item(item, section, index)
