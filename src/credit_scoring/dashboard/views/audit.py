"""Audit log (admin): browse decisions, scores served, client data reads and authentication
events; export as CSV."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pandas as pd
import streamlit as st

from credit_scoring.dashboard import state
from credit_scoring.dashboard.i18n import fmt_datetime, fmt_num, fmt_pct, t
from credit_scoring.dashboard.views.common import call
from credit_scoring.lending.audit_schemas import (
    AuditFilters,
    AuditKind,
    AuthEventRecord,
    DataAccessRecord,
    DecisionRecord,
    ScoreRecord,
)

KINDS: tuple[AuditKind, ...] = ("decisions", "scores", "data-access", "auth-events")
PAGE_SIZE = 50


def _when(value: datetime, lang: str) -> str:
    """The bank's one date format, to the minute: 31/12/2026 14:05."""
    return fmt_datetime(value, lang)


def _code(prefix: str, value: str | None) -> str:
    """A recorded code (an event, a route) in words when the locales know it, else as is."""
    if not value:
        return ""
    words = t(f"{prefix}.{value}")
    return value if words == f"{prefix}.{value}" else words


def records_frame(kind: AuditKind, items: list[Any], lang: str) -> pd.DataFrame:
    """The records as a table with the page language's headers and values."""
    rows: list[dict[str, Any]] = []
    for r in items:
        row: dict[str, Any] = {
            t("audit.col.id"): r.id,
            t("audit.col.when"): _when(r.created_at, lang),
            t("audit.col.user"): r.username,
        }
        if isinstance(r, DecisionRecord):
            row |= {
                t("audit.col.client"): r.sk_id_curr,
                t("audit.col.decision"): t(f"value.decision.{r.decision}"),
                t("audit.col.model"): t(f"value.decision.{r.model_decision}"),
                t("audit.col.probability"): fmt_pct(r.probability, lang),
                t("audit.col.override"): t("common.yes") if r.override else t("common.no"),
                t("audit.col.reason"): r.reason or "",
                t("audit.col.version"): r.model_version,
            }
        elif isinstance(r, ScoreRecord):
            row |= {
                t("audit.col.client"): r.sk_id_curr if r.sk_id_curr is not None else "",
                t("audit.col.route"): _code("audit.route", r.route),
                t("audit.col.decision"): t(f"value.decision.{r.decision}"),
                t("audit.col.probability"): fmt_pct(r.probability, lang),
                t("audit.col.version"): r.model_version,
            }
        elif isinstance(r, DataAccessRecord):
            row |= {
                t("audit.col.role"): t(f"role.{r.role}"),
                t("audit.col.client"): r.sk_id_curr if r.sk_id_curr is not None else "",
                t("audit.col.route"): _code("audit.route", r.route),
            }
        elif isinstance(r, AuthEventRecord):
            row |= {
                t("audit.col.event"): _code("audit.event", r.event),
                t("audit.col.actor"): r.actor or "",
                t("audit.col.address"): r.client_address or "",
                t("audit.col.detail"): r.detail or "",
            }
        row[t("audit.col.hash")] = (r.row_hash or "")[:12]
        rows.append(row)
    return pd.DataFrame(rows)


def _day(value: date | None, *, end: bool) -> datetime | None:
    if value is None:
        return None
    moment = datetime.combine(value, time.min)
    return moment + pd.Timedelta(days=1) if end else moment


def _filters() -> AuditFilters | None:
    cols = st.columns(4)
    username = cols[0].text_input(t("audit.filter.username"), key="audit_user", max_chars=64)
    client = cols[1].text_input(t("audit.filter.client"), key="audit_client", max_chars=16)
    since = cols[2].date_input(t("audit.filter.date_from"), value=None, key="audit_from")
    until = cols[3].date_input(t("audit.filter.date_to"), value=None, key="audit_to")
    client = client.strip()
    if client and not client.isdigit():
        st.error(t("audit.filter.client_invalid"))
        return None
    return AuditFilters(
        username=username.strip() or None,
        sk_id_curr=int(client) if client else None,
        date_from=_day(since, end=False),  # type: ignore[arg-type]
        date_to=_day(until, end=True),  # type: ignore[arg-type]
    )


def render() -> None:
    st.title(t("audit.title"))
    if state.role() != "admin":
        st.warning(t("audit.admin_only"))
        return
    st.caption(t("audit.intro"))
    kind: AuditKind = st.radio(
        t("audit.kind"),
        KINDS,
        horizontal=True,
        key="audit_kind",
        format_func={k: t(f"audit.kind.{k}") for k in KINDS}.get,
    )
    filters = _filters()
    if filters is None:
        return
    page = int(st.number_input(t("audit.page"), min_value=1, value=1, step=1, key="audit_page"))
    api, token = state.api(), state.token() or ""
    result = call(api.audit_records, token, kind, filters=filters, page=page, page_size=PAGE_SIZE)
    if result is None:
        return
    st.write(t("audit.total", n=fmt_num(result.total, state.lang(), 0)))
    if not result.items:
        st.info(t("audit.none"))
        return
    st.dataframe(
        records_frame(kind, list(result.items), state.lang()), hide_index=True, width="stretch"
    )
    if st.button(t("audit.export"), key="audit_export"):
        data = call(api.audit_csv, token, kind, filters=filters)
        if data is not None:
            st.download_button(
                t("audit.download"),
                data=data,
                file_name=f"audit-{kind}.csv",
                mime="text/csv",
                key="audit_download",
            )
