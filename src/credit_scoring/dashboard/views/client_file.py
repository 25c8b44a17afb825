"""Client file: who the client is, the current application, and their balance sheet."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from credit_scoring.core import formatting
from credit_scoring.dashboard import charts, fetch, state
from credit_scoring.dashboard.api_client import ApiError
from credit_scoring.dashboard.i18n import category, fmt_days, fmt_money, fmt_num, t
from credit_scoring.dashboard.views.applications import queue_frame
from credit_scoring.dashboard.views.common import cached, error_message, plot, require_client
from credit_scoring.lending.application_schemas import ApplicationPage
from credit_scoring.lending.schemas import ClientDetail


def term_months(credit: float | None, annuity: float | None) -> int | None:
    """The term implied by the application, as the API computes it (annuity = credit / term)."""
    if not credit or not annuity:
        return None
    return max(1, round(credit / annuity))


@dataclass(frozen=True)
class BalanceSheet:
    """The client's history in a few figures."""

    bureau_active: int
    bureau_closed: int
    bureau_active_debt: float
    previous_status: dict[str, int]
    months_observed: int
    months_late: int
    max_days_past_due: float | None


def balance_sheet(detail: ClientDetail) -> BalanceSheet:
    bureau = [loan for loan in detail.loans if loan.source == "bureau"]
    active = [loan for loan in bureau if (loan.status or "").lower() == "active"]
    previous = Counter(loan.status or "?" for loan in detail.loans if loan.source == "previous")
    return BalanceSheet(
        bureau_active=len(active),
        bureau_closed=len(bureau) - len(active),
        bureau_active_debt=sum(loan.amount_credit or 0.0 for loan in active),
        previous_status=dict(previous.most_common()),
        months_observed=detail.payments.months_observed,
        months_late=detail.payments.months_late,
        max_days_past_due=detail.payments.max_days_past_due,
    )


def _yes_no(value: bool | None) -> str:
    return category(None) if value is None else t("common.yes") if value else t("common.no")


def _identity(detail: ClientDetail, lang: str) -> None:
    p = detail.personal
    st.subheader(t("client.identity"))
    cols = st.columns(4)
    cols[0].metric(t("client.age"), fmt_num(p.age_years, lang, 0))
    cols[1].metric(
        t("filter.gender"),
        category(p.gender),
    )
    cols[2].metric(t("client.children"), fmt_num(p.children, lang, 0))
    cols[3].metric(t("client.income"), fmt_money(p.income_total, lang))
    housing = detail.application.get("NAME_HOUSING_TYPE")
    facts = {
        t("client.family_status"): p.family_status,
        t("client.education"): p.education,
        t("client.income_type"): p.income_type,
        t("client.occupation"): p.occupation,
        t("client.years_employed"): t("client.not_employed")
        if p.years_employed is None
        else fmt_num(p.years_employed, lang),
        t("client.housing"): housing,
        t("client.owns_car"): _yes_no(p.owns_car),
        t("client.owns_realty"): _yes_no(p.owns_realty),
    }
    # already in words; the others are categories of the data
    worded = {t("client.years_employed"), t("client.owns_car"), t("client.owns_realty")}
    rows = [(k, v if k in worded else category(v)) for k, v in facts.items()]
    half = (len(rows) + 1) // 2
    for col, part in zip(st.columns(2), (rows[:half], rows[half:]), strict=True):
        col.table(
            pd.DataFrame(part, columns=[t("common.item"), t("common.value")]).set_index(
                t("common.item")
            )
        )


def _application(detail: ClientDetail, lang: str) -> None:
    app = detail.application
    credit, annuity = app.get("AMT_CREDIT"), app.get("AMT_ANNUITY")
    contract = app.get("NAME_CONTRACT_TYPE")
    kind = category(contract)
    # the contract type in the heading: too long for a metric at 1280 px
    st.subheader(f"{t('client.application')} — {kind}")
    cols = st.columns(4)
    cols[0].metric(t("client.amount_credit"), fmt_money(_num(credit), lang))
    cols[1].metric(t("client.amount_annuity"), fmt_money(_num(annuity), lang))
    term = term_months(_num(credit), _num(annuity))
    cols[2].metric(t("client.term"), formatting.duration(term, "month", lang))
    cols[3].metric(t("client.goods_price"), fmt_money(_num(app.get("AMT_GOODS_PRICE")), lang))


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _history(detail: ClientDetail, lang: str) -> None:
    sheet = balance_sheet(detail)
    st.subheader(t("client.balance_sheet"))
    cols = st.columns(4)
    cols[0].metric(t("client.bureau_active"), fmt_num(sheet.bureau_active, lang, 0))
    cols[1].metric(t("client.bureau_debt"), fmt_money(sheet.bureau_active_debt, lang))
    cols[2].metric(
        t("client.months_late"),
        t(
            "history.months_late",
            late=fmt_num(sheet.months_late, lang, 0),
            seen=fmt_num(sheet.months_observed, lang, 0),
        ),
    )
    cols[3].metric(t("client.max_dpd"), fmt_days(sheet.max_days_past_due, lang))
    left, right = st.columns(2)
    with left:
        if sheet.bureau_active + sheet.bureau_closed == 0:
            st.info(t("history.no_bureau"))
        else:
            labels = [t("client.bureau_active"), t("client.bureau_closed")]
            values = [sheet.bureau_active, sheet.bureau_closed]
            plot(
                charts.bars(
                    labels,
                    values,
                    title=t("client.chart.bureau"),
                    y_label=t("common.count"),
                    text=[fmt_num(v, lang, 0) for v in values],
                ),
                pd.DataFrame({t("common.item"): labels, t("common.count"): values}),
                key="ch_bureau",
            )
    with right:
        if not sheet.previous_status:
            st.info(t("history.no_previous"))
        else:
            statuses = list(sheet.previous_status)
            values = list(sheet.previous_status.values())
            colours = [
                charts.FOR
                if "approv" in s.lower()
                else charts.AGAINST
                if "refus" in s.lower()
                else charts.OKABE_ITO["orange"]
                for s in statuses
            ]
            labels = [category(s) for s in statuses]
            plot(
                charts.bars(
                    labels,
                    values,
                    title=t("client.chart.previous"),
                    y_label=t("common.count"),
                    text=[fmt_num(v, lang, 0) for v in values],
                    colors=colours,
                ),
                pd.DataFrame({t("common.item"): labels, t("common.count"): values}),
                key="ch_prev",
            )
    if not detail.history:
        st.info(t("history.no_payments"))
    else:
        frame = pd.DataFrame([m.model_dump() for m in detail.history])
        pivot = frame.pivot_table(
            index="months_balance", columns="source", values="max_days_past_due", aggfunc="max"
        ).sort_index()
        series = {
            t(f"value.source.{c}"): pivot[c].where(pivot[c].notna(), None).tolist()
            for c in pivot.columns
        }
        plot(
            charts.lines(
                pivot.index.tolist(),
                series,
                title=t("client.chart.late"),
                x_label=t("client.months_before"),
                y_label=t("client.dpd"),
            ),
            pivot.reset_index().rename(
                columns={
                    "months_balance": t("client.months_before"),
                    **{c: t(f"value.source.{c}") for c in pivot.columns},
                }
            ),
            key="ch_late",
        )
    if detail.loans:
        with st.expander(t("client.loans_table")):
            st.dataframe(loans_frame(detail, lang), hide_index=True, width="stretch")


def loans_frame(detail: ClientDetail, lang: str) -> pd.DataFrame:
    """Every credit of the client, in words: source, type, status, amounts, in ``lang``."""
    return pd.DataFrame(
        {
            t("history.col.source"): [t(f"value.source.{x.source}") for x in detail.loans],
            t("history.col.type"): [category(x.contract_type) for x in detail.loans],
            t("history.col.status"): [category(x.status) for x in detail.loans],
            t("client.amount_credit"): [fmt_money(x.amount_credit, lang) for x in detail.loans],
            t("client.amount_annuity"): [fmt_money(x.amount_annuity, lang) for x in detail.loans],
            t("history.col.started"): [
                t("history.days_ago", days=fmt_days(abs(x.days_start), lang))
                if x.days_start is not None
                else category(None)
                for x in detail.loans
            ],
        }
    )


def _applications(client_id: int) -> None:
    """The client's applications and their latest scores; open one on the Applications page."""
    st.subheader(t("client.applications"))
    try:
        items = state.api().client_applications(state.token() or "", client_id)
    except ApiError as exc:
        if exc.kind != "forbidden":  # a role that does not read applications sees none
            st.error(error_message(exc))
        return
    if not items:
        st.write(t("client.no_application"))
        return
    frame = queue_frame(
        ApplicationPage(items=items, total=len(items), page=1, page_size=len(items))
    )
    st.dataframe(frame, hide_index=True, width="stretch", key="client_apps")
    if "applications" not in state.pages_for(state.role()):
        return
    cols = st.columns([3, 1])
    ids = [item.application_id for item in items]
    with cols[0]:
        chosen = st.selectbox(t("apps.choose"), ids, key="client_app_choice")
    with cols[1]:
        st.write("")
        if st.button(t("apps.open"), key="client_app_open"):
            state.open_application(int(chosen))
            state.go("applications")


def render() -> None:
    client_id = require_client()
    if client_id is None:
        return
    st.title(t("client.title", id=client_id))
    detail = cached(fetch.client, client_id)
    if detail is None:
        return
    lang = state.lang()
    _identity(detail, lang)
    _application(detail, lang)
    _applications(client_id)
    _history(detail, lang)
