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


def _item(item: DataItem, key: str) -> None:
    st.markdown(f"**{item.label}**  \n{value_text(item.value, state.lang())}")
    st.caption(t("data.source", source=item.source))
    if st.session_state.get(OPEN) == key:
        _rectify_form(item, key)
    elif st.button(t("data.wrong"), key=f"asw_wrong_{key}"):
        st.session_state[OPEN] = key
        st.rerun()


def groups(items: list[DataItem]) -> list[list[DataItem]]:
    """The items of one loan or one application together: they share their ``item``'s prefix
    (``bureau.<loan>.amount_credit``); an item without one is a group of its own.

    Examples
    --------
    >>> its = [DataItem(item=i, label=i) for i in ("b.1.x", "b.1.y", "b.2.x", "income")]
    >>> [[i.item for i in g] for g in groups(its)]
    [['b.1.x', 'b.1.y'], ['b.2.x'], ['income']]
    """
    found: list[list[DataItem]] = []
    last = None
    for item in items:
        prefix = item.item.rsplit(".", 1)[0] if item.item.count(".") >= 2 else None
        if found and prefix is not None and prefix == last:
            found[-1].append(item)
        else:
            found.append([item])
        last = prefix
    return found


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
        index = 0
        for group in groups(items) if section != "form" else [[i] for i in items]:
            with st.container(border=True):
                for item in group:
                    _item(item, f"{section}_{index}")
                    index += 1
