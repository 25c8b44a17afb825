"""Applications: the queue of applications to decide, with filters; open one to decide it.

An advisor sees their own applications, seniors and admins everyone's (and may
filter by advisor); the queue opens on the applications waiting for the reader:
``scored`` ones for an advisor, ``referred`` ones (the seniors' queue) for a senior.
The opened application is shown by :func:`credit_scoring.dashboard.views.application.show`,
as on the New application page.
"""

from __future__ import annotations

import typing

import pandas as pd
import streamlit as st

from credit_scoring.dashboard import state
from credit_scoring.dashboard.i18n import fmt_date, fmt_money, fmt_pct, t
from credit_scoring.dashboard.views import application
from credit_scoring.dashboard.views.common import call
from credit_scoring.dashboard.views.outcome import final_label
from credit_scoring.lending.application_schemas import ApplicationPage, Status

PAGE_SIZE = 50
STATUSES: tuple[Status, ...] = typing.get_args(Status)


def default_status() -> Status:
    """What the reader has to decide: referred ones for a senior, scored ones otherwise."""
    return "referred" if state.is_senior() else "scored"


def queue_frame(page: ApplicationPage) -> pd.DataFrame:
    """The queue as shown (translated headers and values): the final decision once an
    advisor made it, beside the score's proposal (model and policy rules)."""
    lang = state.lang()
    return pd.DataFrame(
        [
            {
                t("apps.col.id"): item.application_id,
                t("apps.col.client"): item.sk_id_curr,
                t("apps.col.entered_at"): item.entered_at.strftime("%Y-%m-%d %H:%M"),
                t("apps.col.entered_by"): item.entered_by,
                t("apps.col.status"): t(f"value.status.{item.status}"),
                t("apps.col.final"): final_label(item),
                t("form.contract_type"): application.contract_label(item.contract_type),
                t("form.amount"): fmt_money(item.amount_credit, lang),
                t("apps.col.probability"): fmt_pct(item.probability, lang),
                t("apps.col.grade"): item.grade or "—",
                t("apps.col.decision"): t(f"value.decision.{item.decision}")
                if item.decision
                else "—",
            }
            for item in page.items
        ]
    )


def _filters() -> dict[str, typing.Any]:
    st.session_state.setdefault("apps_status", default_status())
    labels: dict[str | None, str] = {None: t("filter.any")} | {
        s: t(f"value.status.{s}") for s in STATUSES
    }
    date_format = "DD/MM/YYYY" if state.lang() == "fr" else "YYYY-MM-DD"
    cols = st.columns(4)
    with cols[0]:
        status = st.selectbox(
            t("apps.status"), (None, *STATUSES), key="apps_status", format_func=labels.__getitem__
        )
    with cols[1]:
        since = st.date_input(t("apps.since"), value=None, key="apps_since", format=date_format)
    with cols[2]:
        until = st.date_input(t("apps.until"), value=None, key="apps_until", format=date_format)
    entered_by = None
    if state.sees_everyone():
        with cols[3]:
            entered_by = st.text_input(t("apps.entered_by"), key="apps_advisor").strip() or None
    return {"status": status, "since": since, "until": until, "entered_by": entered_by}


def review_frame(page: ApplicationPage) -> pd.DataFrame:
    """The review queue as shown: the due date first (oldest due first, as the API sorts)."""
    lang = state.lang()
    return pd.DataFrame(
        [
            {
                t("applicant.col.due"): fmt_date(item.review_due, lang),
                t("apps.col.id"): item.application_id,
                t("apps.col.client"): item.sk_id_curr,
                t("apps.col.entered_by"): item.entered_by,
                t("apps.col.final"): final_label(item),
                t("form.contract_type"): application.contract_label(item.contract_type),
                t("form.amount"): fmt_money(item.amount_credit, lang),
            }
            for item in page.items
        ]
    )


def review_queue() -> bool:
    """The "review requested" filter: when on, the applications whose applicant asked for a
    human review, with their due date, instead of the queue (True when it was shown)."""
    if not st.toggle(t("applicant.review_filter"), key="apps_review"):
        return False
    page = call(state.api().review_queue, state.token() or "", page_size=PAGE_SIZE)
    if page is None:
        return True
    st.write(t("applicant.review_found", n=page.total))
    if page.items:
        st.dataframe(review_frame(page), hide_index=True, width="stretch", key="apps_review_table")
        ids = [item.application_id for item in page.items]
        cols = st.columns([3, 1])
        with cols[0]:
            chosen = st.selectbox(t("apps.choose"), ids, key="apps_review_choice")
        with cols[1]:
            st.write("")
            if st.button(t("apps.open"), type="primary", key="apps_review_open"):
                state.open_application(int(chosen))
    opened = state.opened_application()
    if opened is not None:
        st.divider()
        application.show(opened)
    return True


def render() -> None:
    st.title(t("apps.title"))
    st.caption(t("apps.help_senior") if state.is_senior() else t("apps.help_advisor"))
    if review_queue():
        return
    filters = _filters()
    page_no = int(st.session_state.get("apps_page", 1))
    # never cached: the queue changes with every decision
    page = call(
        state.api().applications,
        state.token() or "",
        page=page_no,
        page_size=PAGE_SIZE,
        **filters,
    )
    if page is None:
        return
    st.write(t("apps.found", n=page.total))
    if page.items:
        event = st.dataframe(
            queue_frame(page),
            hide_index=True,
            width="stretch",
            key="apps_table",
            on_select="rerun",
            selection_mode="single-row",
        )
        ids = [item.application_id for item in page.items]
        rows = getattr(getattr(event, "selection", None), "rows", []) or []
        current = state.opened_application()
        default = ids.index(current) if current in ids else 0
        if rows:
            default = rows[0]
        cols = st.columns([3, 1])
        with cols[0]:
            chosen = st.selectbox(t("apps.choose"), ids, index=default, key="apps_choice")
        with cols[1]:
            st.write("")
            if st.button(t("apps.open"), type="primary", key="apps_open"):
                state.open_application(int(chosen))
        pages = max(1, -(-page.total // PAGE_SIZE))
        if pages > 1:
            st.number_input(
                t("search.page", n=pages), min_value=1, max_value=pages, key="apps_page"
            )
    opened = state.opened_application()
    if opened is not None:
        st.divider()
        application.show(opened)
