"""Data drift (analysts, admins): make the report, follow it, read the latest one.

The report is made by the API in the background (``POST /drift/runs``, one at a time);
while it runs the page shows its progress (steps done of the total, time elapsed) and
refreshes itself; once written, the latest report's summary, its columns and the full
evidently report (HTML) and summary (JSON) to download.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from credit_scoring.core import formatting
from credit_scoring.dashboard import state
from credit_scoring.dashboard.api_client import ApiError
from credit_scoring.dashboard.i18n import fmt_datetime, fmt_num, fmt_pct, t
from credit_scoring.dashboard.views.common import call, error_message

REFRESH_SECONDS = 2
KINDS = ("raw", "feature", "score")


def elapsed_text(seconds: float | None, lang: str) -> str:
    """A duration in minutes and seconds, in words (``1 minute 5 secondes``); ``—`` unknown."""
    if seconds is None:
        return "—"
    minutes, rest = divmod(round(seconds), 60)
    parts = [formatting.duration(minutes, "minute", lang)] if minutes else []
    if rest or not minutes:
        parts.append(formatting.duration(rest, "second", lang))
    return " ".join(parts)


def verdict_text(summary: dict[str, Any], lang: str) -> str:
    """What the verdict means, in the reader's language, from the summary's figures."""
    verdict = summary.get("verdict", "ok")
    share = summary.get("weighted_drift_share")
    if summary.get("weighted") and share is not None:
        return t(f"drift.message.weighted.{verdict}", share=fmt_pct(share, lang, 0))
    raw = (summary.get("by_kind") or {}).get("raw") or {}
    return t("drift.message.unweighted", share=fmt_pct(raw.get("share"), lang, 0))


def summary_frame(summary: dict[str, Any], lang: str) -> pd.DataFrame:
    """The report's figures, each in words and formatted for ``lang``."""
    rows: list[tuple[str, str]] = [
        (t("drift.fig.created"), fmt_datetime(summary.get("created_at"), lang)),
        (t("drift.fig.reference"), str(summary.get("reference", "—"))),
        (t("drift.fig.current"), str(summary.get("current", "—"))),
    ]
    counts = summary.get("rows") or {}
    for side in ("reference", "current", "sampled_to"):
        if side in counts:
            rows.append((t(f"drift.fig.rows.{side}"), fmt_num(counts[side], lang, 0)))
    for kind in KINDS:
        share = (summary.get("by_kind") or {}).get(kind)
        if share:
            rows.append(
                (
                    t(f"drift.fig.kind.{kind}"),
                    t(
                        "drift.fig.drifted_of",
                        n=fmt_num(share.get("drifted"), lang, 0),
                        total=fmt_num(share.get("columns"), lang, 0),
                        share=fmt_pct(share.get("share"), lang, 0),
                    ),
                )
            )
    if summary.get("weighted_drift_share") is not None:
        rows.append((t("drift.fig.weighted"), fmt_pct(summary["weighted_drift_share"], lang)))
    if summary.get("importance_covered") is not None:
        rows.append((t("drift.fig.covered"), fmt_pct(summary["importance_covered"], lang)))
    model = summary.get("model")
    if isinstance(model, dict) and model.get("name"):
        rows.append(
            (
                t("drift.fig.model"),
                t("drift.fig.model_value", **{k: model.get(k, "") for k in ("name", "version")}),
            )
        )
    return pd.DataFrame(
        {t("common.item"): [k for k, _ in rows], t("common.value"): [v for _, v in rows]}
    )


def columns_frame(summary: dict[str, Any], lang: str) -> pd.DataFrame | None:
    """Per-column results, the columns in words (the API's ``label``), figures formatted."""
    rows = summary.get("columns")
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        return None
    ordered = sorted(rows, key=lambda r: (not r.get("drifted"), -(r.get("importance") or 0.0)))
    return pd.DataFrame(
        {
            t("drift.col.column"): [str(r.get("label") or r.get("column", "")) for r in ordered],
            t("drift.col.kind"): [t(f"drift.kind.{r.get('kind', 'raw')}") for r in ordered],
            t("drift.col.method"): [str(r.get("method", "")) for r in ordered],
            t("drift.col.score"): [fmt_num(r.get("score"), lang, 3) for r in ordered],
            t("drift.col.threshold"): [fmt_num(r.get("threshold"), lang, 3) for r in ordered],
            t("drift.col.drifted"): [
                t("common.yes") if r.get("drifted") else t("common.no") for r in ordered
            ],
            t("drift.col.importance"): [
                fmt_pct(r["importance"], lang) if r.get("importance") is not None else "—"
                for r in ordered
            ],
        }
    )


def _current_run(token: str, lang: str) -> dict[str, Any] | None:
    try:
        return state.api().drift_run(token, lang=lang)
    except ApiError as exc:
        if exc.kind == "not_found":  # none started since the service started
            return None
        call(_raise, exc)
        return None


def _start(token: str, lang: str) -> None:
    try:
        state.api().drift_start(token, lang=lang)
    except ApiError as exc:
        # The API's sentence says what is missing and what to do (reference data, model, busy).
        st.error(
            exc.detail
            if exc.detail and exc.kind in ("not_found", "conflict")
            else error_message(exc)
        )
        return
    st.rerun()


def _progress(run: dict[str, Any], lang: str) -> None:
    done, total = int(run.get("steps_done") or 0), max(int(run.get("steps_total") or 1), 1)
    step = run.get("step")
    st.progress(
        done / total,
        text=t(
            "drift.progress",
            step=t(f"drift.step.{step}") if step else t("drift.step.starting"),
            done=fmt_num(done, lang, 0),
            total=fmt_num(total, lang, 0),
            elapsed=elapsed_text(run.get("elapsed_seconds"), lang),
        ),
    )
    st.caption(
        t(
            "drift.started_by",
            user=run.get("started_by", ""),
            when=fmt_datetime(run.get("started_at"), lang),
        )
    )


@st.fragment(run_every=REFRESH_SECONDS)
def _follow(token: str, lang: str) -> None:
    """The running report's progress, read again every few seconds until it ends."""
    run = _current_run(token, lang)
    if run is None or run.get("state") != "running":
        st.rerun()  # the whole page: the new report (or the failure) shows
        return
    _progress(run, lang)


def _runner(token: str, lang: str) -> bool:
    """The start button and the last run's state; True while a report is being made."""
    run = _current_run(token, lang)
    running = run is not None and run.get("state") == "running"
    if st.button(t("drift.start"), key="drift_start", type="primary", disabled=running):
        _start(token, lang)
    st.caption(t("drift.start_help"))
    if running:
        _follow(token, lang)
    elif run is not None and run.get("state") == "failed":
        st.error(run.get("error") or t("drift.failed"))
    elif run is not None and run.get("state") == "done":
        st.success(
            t(
                "drift.done",
                user=run.get("started_by", ""),
                elapsed=elapsed_text(run.get("elapsed_seconds"), lang),
            )
        )
    return running


def _report(token: str, lang: str) -> None:
    api = state.api()
    try:
        summary = api.drift_latest(token, lang=lang)
    except ApiError as exc:
        if exc.kind == "not_found":
            st.info(t("drift.none"))
            return
        call(_raise, exc)
        return
    st.subheader(t("drift.latest"))
    verdict = summary.get("verdict")
    if verdict in ("ok", "watch", "action"):
        show = {"ok": st.success, "watch": st.warning, "action": st.error}[verdict]
        show(f"{t('drift.verdict.' + verdict)} — {verdict_text(summary, lang)}")
    st.dataframe(summary_frame(summary, lang), hide_index=True, width="stretch")
    columns = columns_frame(summary, lang)
    if columns is not None:
        st.subheader(t("drift.columns"))
        st.dataframe(columns, hide_index=True, width="stretch")
    st.download_button(
        t("drift.download_json"),
        json.dumps(summary, ensure_ascii=False, indent=1),
        file_name=f"{str(summary.get('html') or 'drift.html').removesuffix('.html')}.json",
        mime="application/json",
        key="drift_json",
    )
    if st.toggle(t("drift.show_html"), key="drift_html"):
        try:
            html = api.drift_latest_html(token)
        except ApiError as exc:
            st.error(error_message(exc))
            return
        st.download_button(
            t("drift.download"),
            html,
            file_name=str(summary.get("html") or "drift.html"),
            mime="text/html",
            key="drift_html_download",
        )
        components.html(html, height=700, scrolling=True)


def render() -> None:
    st.title(t("drift.title"))
    st.caption(t("drift.intro"))
    token, lang = state.token() or "", state.lang()
    _runner(token, lang)
    _report(token, lang)


def _raise(exc: ApiError) -> None:
    raise exc
