"""Decision: record the advisor's final decision (an override needs a reason); the history."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from credit_scoring.dashboard import fetch, state
from credit_scoring.dashboard.api_client import ApiError
from credit_scoring.dashboard.i18n import fmt_pct, t
from credit_scoring.dashboard.views.common import call, error_message, require_client, score_for
from credit_scoring.lending.schemas import DecisionIn, DecisionOut


def needs_reason(decision: str, model_decision: str) -> bool:
    return decision != model_decision


def history_frame(items: list[DecisionOut], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("decision.col.when"): [d.created_at.strftime("%Y-%m-%d %H:%M") for d in items],
            t("decision.col.user"): [d.username for d in items],
            t("decision.col.decision"): [t(f"value.decision.{d.decision}") for d in items],
            t("decision.col.model"): [t(f"value.decision.{d.model_decision}") for d in items],
            t("decision.col.probability"): [fmt_pct(d.probability, lang) for d in items],
            t("decision.col.override"): [
                t("common.yes") if d.override else t("common.no") for d in items
            ],
            t("decision.col.reason"): [d.reason or "" for d in items],
            t("decision.col.version"): [d.model_version for d in items],
        }
    )


def _form(client_id: int, model_decision: str) -> None:
    # Not cleared on submit: a refused submission (override without a reason) keeps the choice.
    with st.form("decision_form", clear_on_submit=False):
        decision = st.radio(
            t("decision.choice"),
            ("grant", "refuse"),
            horizontal=True,
            index=0 if model_decision == "grant" else 1,
            key="decision_value",
            format_func={d: t(f"value.decision.{d}") for d in ("grant", "refuse")}.get,
        )
        reason = st.text_area(
            t("decision.reason"),
            key="decision_reason",
            height=90,
            help=t("decision.reason_help"),
            max_chars=2000,
        )
        submitted = st.form_submit_button(t("decision.submit"), type="primary")
    if not submitted:
        return
    if needs_reason(decision, model_decision) and not reason.strip():
        st.error(t("decision.reason_required"))
        return
    try:
        out = state.api().record_decision(
            state.token() or "",
            DecisionIn(sk_id_curr=client_id, decision=decision, reason=reason or None),
        )
    except ApiError as exc:
        if exc.kind == "unauthorized":
            state.log_out("login.expired")
            st.rerun()
        st.error(error_message(exc))
        return
    st.success(t("decision.saved", decision=t(f"value.decision.{out.decision}"), id=out.id))


def render() -> None:
    client_id = require_client()
    if client_id is None:
        return
    st.title(t("decision.title", id=client_id))
    lang = state.lang()
    score = score_for(client_id)
    if score is None:
        return
    st.info(
        t(
            "decision.model_says",
            decision=t(f"value.decision.{score.decision}"),
            p=fmt_pct(score.probability, lang),
            s=fmt_pct(score.threshold, lang),
        )
    )
    if state.can_decide():
        _form(client_id, score.decision)
    else:
        st.caption(t("decision.read_only"))
    st.subheader(t("decision.history"))
    items = call(fetch.decisions, state.api(), state.token() or "", client_id)
    if items is None:
        return
    if not items:
        st.write(t("decision.none"))
        return
    # a static table: short, printable, and its text is in the page (screen readers, tests)
    st.table(history_frame(items, lang).set_index(t("decision.col.when")))
