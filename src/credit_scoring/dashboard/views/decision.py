"""Decision: the final decision on the client's open application, and the client's history.

A decision is made on an application, against the score shown (its ``score_id``): this
page shows the client's latest open application with the same block as the Applications
page (:func:`credit_scoring.dashboard.views.application.show`), so there is one decision
form and one set of rules. Who may override what is the API's to say: its refusal is
shown as it words it. A client with no open application has nothing to decide: the page
shows the decision of their latest application and offers to enter a new one.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from credit_scoring.dashboard import fetch, state
from credit_scoring.dashboard.i18n import fmt_date, fmt_datetime, fmt_pct, t
from credit_scoring.dashboard.views import application, new_application, outcome
from credit_scoring.dashboard.views.common import call, require_client
from credit_scoring.lending.application_schemas import ApplicationSummaryOut
from credit_scoring.lending.schemas import DecisionOut

OPEN = ("scored", "referred")  # the statuses an application can still be decided in


def open_application(items: list[ApplicationSummaryOut]) -> ApplicationSummaryOut | None:
    """The latest application still to decide (``items`` newest first), or None."""
    return next((item for item in items if item.status in OPEN), None)


def history_frame(items: list[DecisionOut], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("decision.col.when"): [fmt_datetime(d.created_at, lang) for d in items],
            t("decision.col.application"): [
                "—" if d.application_id is None else str(d.application_id) for d in items
            ],
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


def _nothing_open(client_id: int, items: list[ApplicationSummaryOut]) -> None:
    """No application to decide: the latest one's decision, and a new application."""
    if items:
        latest = items[0]
        st.caption(outcome.application_line(latest))
        shown = outcome.latest_outcome(latest)
        if shown is not None:
            outcome.show_outcome(shown)
    st.info(t("decision.no_open"))
    if not state.can_decide():
        st.caption(t("decision.read_only"))
        return
    if "new_application" in state.pages_for(state.role()) and st.button(
        t("decision.new_application"), key="decision_new_application", type="primary"
    ):
        new_application.fill_from_client(client_id)
        state.go("new_application")


def _history(client_id: int) -> None:
    st.subheader(t("decision.history"))
    items = call(fetch.decisions, state.api(), state.token() or "", client_id)
    if items is None:
        return
    if not items:
        st.write(t("decision.none"))
        return
    # a static table: short, printable, and its text is in the page (screen readers, tests)
    st.table(history_frame(items, state.lang()).set_index(t("decision.col.when")))


def render() -> None:
    client_id = require_client()
    if client_id is None:
        return
    st.title(t("decision.title", id=client_id))
    items = outcome.client_applications(client_id)
    if items is not None:
        pending = open_application(items)
        shown_key = f"decision_shown_{client_id}"
        if pending is None and application.SAVED in st.session_state:
            # just decided here: the application stays on screen with its final decision
            pending = next(
                (i for i in items if i.application_id == st.session_state.get(shown_key)), None
            )
        if pending is None:
            _nothing_open(client_id, items)
        else:
            st.session_state[shown_key] = pending.application_id
            st.caption(
                t(
                    "decision.application",
                    id=pending.application_id,
                    date=fmt_date(pending.entered_at, state.lang()),
                    score_id=pending.score_id if pending.score_id is not None else "—",
                    status=t(f"value.status.{pending.status}"),
                )
            )
            application.show(pending.application_id)
    _history(client_id)
