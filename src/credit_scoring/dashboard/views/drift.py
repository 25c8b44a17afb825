"""Drift (analysts): the latest drift report's summary and the full HTML report."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from credit_scoring.dashboard import state
from credit_scoring.dashboard.api_client import ApiError
from credit_scoring.dashboard.i18n import metric_label, t
from credit_scoring.dashboard.views.common import call, error_message


def summary_frame(summary: dict[str, Any]) -> pd.DataFrame:
    """The report's top-level figures (numbers, text, flags) as a table."""
    shown_above = {"verdict", "message", "html"}
    rows = [
        (metric_label(k), v)
        for k, v in summary.items()
        if isinstance(v, str | int | float | bool) and k not in shown_above
    ]
    return pd.DataFrame(
        {t("common.item"): [k for k, _ in rows], t("common.value"): [str(v) for _, v in rows]}
    )


def drifted_columns(summary: dict[str, Any]) -> pd.DataFrame | None:
    """Per-column results when the summary lists them (``columns``/``features``)."""
    rows = summary.get("columns") or summary.get("features")
    if isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows):
        return pd.DataFrame(rows).rename(columns=metric_label)
    if isinstance(rows, dict) and rows:
        return (
            pd.DataFrame(rows).T.reset_index(names=t("common.item"))
            if all(isinstance(v, dict) for v in rows.values())
            else None
        )
    return None


def render() -> None:
    st.title(t("drift.title"))
    api, token = state.api(), state.token() or ""
    try:
        summary = api.drift_latest(token)
    except ApiError as exc:
        if exc.kind == "not_found":
            st.info(t("drift.none"))
            return
        call(_raise, exc)
        return
    verdict = summary.get("verdict")
    if verdict in ("ok", "watch", "action"):
        show = {"ok": st.success, "watch": st.warning, "action": st.error}[verdict]
        show(f"{t('drift.verdict.' + verdict)} — {summary.get('message', '')}")
    st.dataframe(summary_frame(summary), hide_index=True, width="stretch")
    columns = drifted_columns(summary)
    if columns is not None:
        st.subheader(t("drift.columns"))
        st.dataframe(columns, hide_index=True, width="stretch")
    if st.toggle(t("drift.show_html"), key="drift_html"):
        try:
            html = api.drift_latest_html(token)
        except ApiError as exc:
            st.error(error_message(exc))
            return
        st.download_button(t("drift.download"), html, file_name="drift.html", mime="text/html")
        components.html(html, height=700, scrolling=True)


def _raise(exc: ApiError) -> None:
    raise exc
