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
from credit_scoring.dashboard.i18n import fmt_date, fmt_datetime, fmt_money, fmt_pct, t
from credit_scoring.dashboard.views import application
from credit_scoring.dashboard.views.common import call
from credit_scoring.dashboard.views.outcome import final_label
from credit_scoring.lending.application_schemas import (
    ApplicationPage,
    ApplicationSummaryOut,
    Status,
)

PAGE_SIZE = 50
STATUSES: tuple[Status, ...] = typing.get_args(Status)


def default_status() -> Status:
    """What the reader has to decide: referred ones for a senior, scored ones otherwise."""
    return "referred" if state.is_senior() else "scored"


# The columns of the queue, by the filter on the status: what the reader needs to act.
# "To decide" (scored, referred): the score's proposal, its grade, when it was entered;
# "decided": the final decision, who made it and when; no filter: a bit of both.
_TO_DECIDE = (
    "id",
    "client",
    "entered_at",
    "entered_by",
    "contract",
    "amount",
    "probability",
    "grade",
    "proposal",
)
QUEUE_COLUMNS: dict[str | None, tuple[str, ...]] = {
    "scored": _TO_DECIDE,
    "referred": _TO_DECIDE,
    "decided": ("id", "client", "contract", "amount", "final", "decided_by", "decided_at"),
    "withdrawn": ("id", "client", "entered_at", "entered_by", "contract", "amount"),
    None: ("id", "client", "entered_at", "entered_by", "status", "amount", "proposal", "final"),
}


def queue_title(status: str | None) -> str:
    """The page's title for the filter: 'Applications to decide', 'Decided applications'..."""
    return t(f"apps.queue.title.{status}" if status in QUEUE_COLUMNS else "apps.queue.title.None")


def queue_columns(status: str | None) -> tuple[str, ...]:
    """The columns shown for a filter on ``status`` (every filter not listed: no filter's)."""
    return QUEUE_COLUMNS.get(status, QUEUE_COLUMNS[None])


def _cell(item: ApplicationSummaryOut, column: str, lang: str) -> object:
    decision = item.decision
    return {
        "id": lambda: item.application_id,
        "client": lambda: item.sk_id_curr,
        "entered_at": lambda: fmt_datetime(item.entered_at, lang),
        "entered_by": lambda: item.entered_by,
        "status": lambda: t(f"value.status.{item.status}"),
        "contract": lambda: application.contract_label(item.contract_type),
        "amount": lambda: fmt_money(item.amount_credit, lang),
        "probability": lambda: fmt_pct(item.probability, lang),
        "grade": lambda: item.grade or "—",
        "proposal": lambda: t(f"value.decision.{decision}") if decision else "—",
        "final": lambda: final_label(item),
        "decided_by": lambda: item.decided_by or "—",
        "decided_at": lambda: fmt_datetime(item.decided_at, lang) if item.decided_at else "—",
    }[column]()


def queue_header(column: str) -> str:
    """A column's header in the reader's language."""
    return t(f"apps.queue.col.{column}")


def queue_frame(page: ApplicationPage, status: str | None = None) -> pd.DataFrame:
    """The queue as shown (translated headers and values), with the columns of the filter
    on ``status`` (:func:`queue_columns`): the final decision once an advisor made it,
    the score's proposal (model and policy rules) while it waits."""
    lang = state.lang()
    columns = queue_columns(status)
    return pd.DataFrame(
        [{queue_header(c): _cell(item, c, lang) for c in columns} for item in page.items],
        columns=[queue_header(c) for c in columns],
    )


def queue_column_config(status: str | None) -> dict[str, typing.Any]:
    """Widths so that no header is cut at 1280x720 (the headers are longer than the cells)."""
    return {
        queue_header(c): st.column_config.Column(
            width="small" if c in ("id", "client", "grade") else "medium"
        )
        for c in queue_columns(status)
    }


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
    title = st.empty()  # the title follows the filter, chosen below it
    st.caption(t("apps.help_senior") if state.is_senior() else t("apps.help_advisor"))
    if review_queue():
        title.title(t("applicant.review_filter"))
        return
    filters = _filters()
    title.title(queue_title(filters["status"]))
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
            queue_frame(page, filters["status"]),
            column_config=queue_column_config(filters["status"]),
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
