"""The one decision about an application, as every page shows it.

The decision of an application is the one the lending layer computes: the model's
proposal, then the credit committee's rules (the stored score's ``decision``), then the
advisor's decision, which is final. Pages show that decision, say which application it
is (n°, date, status) and show the model's own proposal beside it, labelled as the
model's proposal: never the proposal alone as if it were the decision.

The client pages (Score and reasons, Comparison, What-if, Decision) show the decision of
the client's latest application (:func:`show_client_decision`); an application's page
shows its own (:func:`show_outcome`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

import streamlit as st

from credit_scoring.dashboard import state
from credit_scoring.dashboard.api_client import ApiError
from credit_scoring.dashboard.i18n import fmt_date, fmt_datetime, fmt_pct, t
from credit_scoring.dashboard.views.common import error_message
from credit_scoring.lending.application_schemas import (
    ApplicationOut,
    ApplicationSummaryOut,
    RuleOut,
)

# The box of each decision: green only for a credit granted.
BOX: dict[str, Callable[..., object]] = {
    "grant": st.success,
    "refuse": st.error,
    "refer": st.warning,
    "withdraw": st.info,
}


@dataclass(frozen=True)
class Outcome:
    """Where an application stands.

    ``final`` is True once an advisor decided (``decision`` is then theirs); otherwise
    ``decision`` is the stored score's (model and policy rules), waiting for an advisor.
    """

    decision: str
    final: bool
    by: str | None = None
    when: datetime | None = None
    override: bool = False
    reason: str | None = None
    proposal: str | None = None  # the score's decision (model and rules) the advisor saw
    rules: list[RuleOut] = field(default_factory=list)
    model_decision: str | None = None
    probability: float | None = None
    threshold: float | None = None


def outcome_of(app: ApplicationOut) -> Outcome | None:
    """The application's decision: the advisor's latest one, else its stored score's."""
    score = app.score
    if score is None and not app.decisions:
        return None
    model = Outcome(
        decision=score.decision if score else "refer",
        final=False,
        proposal=score.decision if score else None,
        rules=list(score.policy) if score else [],
        model_decision=score.model_decision if score else None,
        probability=score.probability if score else None,
        threshold=score.threshold if score else None,
    )
    if not app.decisions:
        return model
    last = app.decisions[-1]
    return replace(
        model,
        decision=last.decision,
        final=True,
        by=last.username,
        when=last.created_at,
        override=last.override,
        reason=last.reason,
        proposal=last.score_decision,
    )


def outcome_of_summary(item: ApplicationSummaryOut) -> Outcome | None:
    """The same from a list's line (no rule texts, no model proposal: the summary has none)."""
    if item.final_decision is not None:
        return Outcome(
            decision=item.final_decision,
            final=True,
            by=item.decided_by,
            when=item.decided_at,
            proposal=item.decision,
        )
    if item.decision is None:
        return None
    return Outcome(decision=item.decision, final=False, proposal=item.decision)


def final_label(item: ApplicationSummaryOut) -> str:
    """The queue's final-decision column: the advisor's decision, or '—' while none."""
    return t(f"value.decision.{item.final_decision}") if item.final_decision else "—"


def outcome_sentence(outcome: Outcome) -> str:
    """'Décision : Refusé — par alice le 2026-12-07 10:12.' or the pending proposal."""
    decision = t(f"value.decision.{outcome.decision}")
    if not outcome.final:
        return t("outcome.pending", decision=decision)
    when = fmt_datetime(outcome.when, state.lang()) if outcome.when else "—"
    return t("outcome.final", decision=decision, user=outcome.by or "—", when=when)


def override_sentence(outcome: Outcome) -> str | None:
    """Whether the advisor followed the proposal, and their reason when they did not."""
    if not outcome.final or outcome.proposal is None:
        return None
    proposal = t(f"value.decision.{outcome.proposal}")
    if outcome.override:
        return t("outcome.override", proposal=proposal, reason=outcome.reason or "—")
    if outcome.reason:
        return t("outcome.followed_reason", proposal=proposal, reason=outcome.reason)
    return t("outcome.followed", proposal=proposal)


def rule_lines(outcome: Outcome) -> list[str]:
    """The rules that fired, each with its code, its effect and its text."""
    return [
        t(
            "outcome.rule",
            code=r.code,
            outcome=t(f"application.rule.{r.outcome}"),
            text=r.text,
        )
        for r in outcome.rules
    ]


def model_sentence(outcome: Outcome) -> str | None:
    """The model's own proposal, labelled as such (None when the read gave none)."""
    if outcome.model_decision is None or outcome.probability is None:
        return None
    lang = state.lang()
    return t(
        "outcome.model",
        decision=t(f"value.decision.{outcome.model_decision}"),
        p=fmt_pct(outcome.probability, lang),
        s=fmt_pct(outcome.threshold, lang),
    )


def show_outcome(outcome: Outcome) -> None:
    """The decision in its box (green only for a grant), who and when, the rules, the model."""
    lines = [outcome_sentence(outcome)]
    lines += rule_lines(outcome)
    explained = override_sentence(outcome)
    if explained:
        lines.append(explained)
    BOX.get(outcome.decision, st.info)("\n\n".join(lines))
    model = model_sentence(outcome)
    if model:
        st.caption(model)


def application_line(item: ApplicationSummaryOut) -> str:
    """'Demande n° 3 du 2026-12-07 — Décidée', the application a client page speaks of."""
    return t(
        "outcome.application",
        id=item.application_id,
        date=fmt_date(item.entered_at, state.lang()),
        status=t(f"value.status.{item.status}"),
    )


def client_applications(client_id: int) -> list[ApplicationSummaryOut] | None:
    """The client's applications, newest first; None when the reader may not list them."""
    try:
        return state.api().client_applications(state.token() or "", client_id)
    except ApiError as exc:
        if exc.kind == "unauthorized":
            state.log_out("login.expired")
            st.rerun()
        if exc.kind != "forbidden":
            st.error(error_message(exc))
        return None


def latest_outcome(item: ApplicationSummaryOut) -> Outcome | None:
    """The latest application's decision with its rules: read from the application itself,
    or from the list's line when the reader may not open it (another advisor's entry)."""
    try:
        app = state.api().application(state.token() or "", item.application_id, lang=state.lang())
    except ApiError as exc:
        if exc.kind not in ("forbidden", "not_found"):
            st.error(error_message(exc))
        return outcome_of_summary(item)
    return outcome_of(app)


def open_button(application_id: int, key: str) -> None:
    """Open the application on the Applications page (for the roles that have it)."""
    if "applications" not in state.pages_for(state.role()):
        return
    if st.button(t("outcome.open", id=application_id), key=key):
        state.open_application(application_id)
        state.go("applications")


def show_client_decision(client_id: int, key: str) -> ApplicationSummaryOut | None:
    """The decision of the client's latest application, which one it is, and a way to open it.

    Returns the latest application's line (None when the client has none, or the reader
    may not list them); ``key`` makes the open button's key unique on the page.
    """
    items = client_applications(client_id)
    if items is None:
        return None
    st.subheader(t("outcome.title"))
    if not items:
        st.info(t("outcome.no_application"))
        return None
    latest = items[0]
    st.caption(application_line(latest))
    outcome = latest_outcome(latest)
    if outcome is None:
        st.info(t("application.no_score"))
    else:
        show_outcome(outcome)
    open_button(latest.application_id, key=f"{key}_open_application")
    return latest
