"""Client search: by id, with filters; a results table; open a client."""

from __future__ import annotations

import typing

import pandas as pd
import streamlit as st

from credit_scoring.dashboard import fetch, state
from credit_scoring.dashboard.i18n import category, fmt_money, fmt_num, fmt_pct, t
from credit_scoring.dashboard.views.common import cached
from credit_scoring.lending.schemas import AgeBand, ClientPage, IncomeBand, ScoreBand

PAGE_SIZE = 50
FILTERS: dict[str, tuple[str, ...]] = {
    "gender": ("F", "M"),
    "age_band": typing.get_args(AgeBand),
    "income_band": typing.get_args(IncomeBand),
    "contract_type": ("Cash loans", "Revolving loans"),
    "score_band": typing.get_args(ScoreBand),
}


def option_label(name: str, value: str | None) -> str:
    """How one filter value reads in the session's language (``None`` = any)."""
    if value is None:
        return t("filter.any")
    if name in ("gender", "contract_type"):
        return category(value)
    if name == "score_band":
        return t(f"value.{name}.{value}")
    return value


def filter_widgets(prefix: str, columns: int = 5) -> dict[str, str]:
    """The five filters as select boxes; returns the chosen ones (API parameter names)."""
    chosen: dict[str, str] = {}
    cols = st.columns(columns)
    for i, (name, values) in enumerate(FILTERS.items()):
        with cols[i % columns]:
            # labels computed now: AppTest calls format_func outside the script's session
            labels: dict[str | None, str] = {v: option_label(name, v) for v in (None, *values)}
            value = st.selectbox(
                t(f"filter.{name}"),
                (None, *values),
                key=f"{prefix}_{name}",
                format_func=labels.__getitem__,
            )
        if value is not None:
            chosen[name] = value
    return chosen


def results_frame(page: ClientPage, lang: str) -> pd.DataFrame:
    """The results table as shown (translated headers and values)."""
    rows = [
        {
            t("search.col.id"): item.sk_id_curr,
            t("filter.gender"): category(item.gender),
            t("search.col.age"): fmt_num(item.age_years, lang, 0),
            t("search.col.income"): fmt_money(item.income_total, lang),
            t("filter.contract_type"): category(item.contract_type),
            t("search.col.credit"): fmt_money(item.amount_credit, lang),
            t("search.col.probability"): fmt_pct(item.probability, lang),
            t("filter.score_band"): option_label("score_band", item.score_band)
            if item.score_band
            else "—",
        }
        for item in page.items
    ]
    return pd.DataFrame(rows)


def render() -> None:
    st.title(t("search.title"))
    q = st.text_input(t("search.by_id"), key="search_q", placeholder="100002").strip()
    filters = filter_widgets("search")
    page_no = int(st.session_state.get("search_page", 1))
    page = cached(fetch.search, q or None, filters, page_no, PAGE_SIZE)
    if page is None:
        return
    st.write(t("search.found", n=page.total))
    if not page.items:
        return
    frame = results_frame(page, state.lang())
    event = st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key="search_table",
        on_select="rerun",
        selection_mode="single-row",
    )
    ids = [item.sk_id_curr for item in page.items]
    rows = getattr(getattr(event, "selection", None), "rows", []) or []
    current = state.selected_client()
    default = ids.index(current) if current is not None and current in ids else 0
    if rows:
        default = rows[0]
    cols = st.columns([3, 1])
    with cols[0]:
        chosen = st.selectbox(t("search.choose"), ids, index=default, key="search_choice")
    with cols[1]:
        st.write("")
        if st.button(t("search.open"), type="primary", key="search_open"):
            state.select_client(int(chosen))
            state.go("client")
    pages = max(1, -(-page.total // PAGE_SIZE))
    if pages > 1:
        st.number_input(t("search.page", n=pages), min_value=1, max_value=pages, key="search_page")
