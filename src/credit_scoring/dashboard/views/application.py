"""One application as the advisor decides it: score, policy rules, reasons, decision, letter.

The New application page shows it right after the form is scored, the Applications
page when one is opened from the queue: both call :func:`show`, so the two pages
cannot drift apart. The application is read fresh on every run (never cached): a
decision must show as soon as it is recorded, and a decision is made on the score
the advisor sees, whose ``score_id`` travels with it (the API answers 409 when a
newer score or another decision came first).
"""

from __future__ import annotations

from typing import Any, cast

import pandas as pd
import streamlit as st

from credit_scoring.dashboard import fetch, state
from credit_scoring.dashboard.api_client import ApiError, speak
from credit_scoring.dashboard.i18n import fmt_date, fmt_datetime, fmt_money, fmt_num, t
from credit_scoring.dashboard.views.common import call, error_message
from credit_scoring.dashboard.views.outcome import outcome_of, show_outcome
from credit_scoring.dashboard.views.score import show_score
from credit_scoring.lending.application_schemas import (
    ApplicationDecisionIn,
    ApplicationDecisionOut,
    ApplicationOut,
    ApplicationScoreOut,
    FinalDecision,
)
from credit_scoring.lending.form import CHOICES, Applicant, Loan
from credit_scoring.lending.form.refusal import CATEGORIES, RefusalCategory

DECISIONS: tuple[FinalDecision, ...] = ("grant", "refuse", "refer", "withdraw")
SAVED = "application_saved"  # the decision just recorded, shown once after the rerun
# The bank form's own fields, in its order (a field added there is asked here too: the
# page test checks that every one has a widget and a label).
APPLICANT_FIELDS: tuple[str, ...] = tuple(Applicant.model_fields)
LOAN_FIELDS: tuple[str, ...] = tuple(Loan.model_fields)


def choice_label(field: str, code: str | None) -> str:
    """A code of the bank form (``married``) in the session's language; '—' when unset."""
    if code is None:
        return "—"
    labels = CHOICES.get(field, {}).get(code)
    return labels[state.lang()] if labels else code


def contract_label(value: str | None) -> str:
    """A stored contract type in words: the form's code (``cash``) or Kaggle's (``Cash loans``).

    Applications keep the model's column value (``NAME_CONTRACT_TYPE``), so both spellings
    reach the dashboard.
    """
    code = {"Cash loans": "cash", "Revolving loans": "revolving"}.get(value or "", value)
    return choice_label("contract_type", code)  # the form's own words for it


def needs_reason(decision: str, score_decision: str) -> bool:
    """An override of the score's decision, a referral and a withdrawal need a reason."""
    return decision != score_decision or decision in ("refer", "withdraw")


def needs_category(decision: str, score: ApplicationScoreOut) -> bool:
    """Refusing what the model grants (no rule refusing) needs the refusal's category.

    The API checks the same (``category_required``); asking here saves a round trip.
    """
    refused_by_rule = any(r.outcome == "refuse" for r in score.policy)
    return decision == "refuse" and score.model_decision == "grant" and not refused_by_rule


def category_label(code: str | None) -> str:
    """A refusal category in the session's language ('—' for none)."""
    if code is None:
        return t("application.category_none")
    return CATEGORIES[code].label(state.lang())


def _value_text(field: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return t("common.yes") if value else t("common.no")
    if field in CHOICES:
        return choice_label(field, str(value))
    if field in ("income_yearly", "amount", "goods_price", "monthly_annuity"):
        return fmt_money(float(value), state.lang())
    return str(value)


def declared_frame(declared: dict[str, Any]) -> pd.DataFrame:
    """The form as entered, field by field, in the bank's words (labels of the form)."""
    applicant = declared.get("applicant") or {}
    loan = declared.get("loan") or {}
    rows = [
        (t(f"form.{f}"), _value_text(f, applicant.get(f)))
        for f in APPLICANT_FIELDS
        if f in applicant
    ]
    rows += [(t(f"form.{f}"), _value_text(f, loan.get(f))) for f in LOAN_FIELDS if f in loan]
    if declared.get("client_id"):
        rows.insert(0, (t("form.client_id"), str(declared["client_id"])))
    return pd.DataFrame(rows, columns=[t("common.item"), t("common.value")])


def history_frame(items: list[ApplicationDecisionOut]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("decision.col.when"): [fmt_datetime(d.created_at, state.lang()) for d in items],
            t("decision.col.user"): [d.username for d in items],
            t("decision.col.decision"): [t(f"value.decision.{d.decision}") for d in items],
            t("application.col.score_said"): [
                t(f"value.decision.{d.score_decision}") for d in items
            ],
            t("decision.col.override"): [
                t("common.yes") if d.override else t("common.no") for d in items
            ],
            t("decision.col.reason"): [d.reason or "" for d in items],
        }
    )


def _facts(app: ApplicationOut) -> None:
    lang = state.lang()
    st.caption(
        t(
            "application.entered",
            id=app.application_id,
            client=app.sk_id_curr,
            user=app.entered_by,
            when=fmt_datetime(app.entered_at, state.lang()),
            status=t(f"value.status.{app.status}"),
        )
    )
    cols = st.columns(4)
    cols[0].metric(t("apps.col.status"), t(f"value.status.{app.status}"))
    cols[1].metric(t("form.amount"), fmt_money(app.amount_credit, lang))
    cols[2].metric(
        t("form.term_months"),
        "—" if app.term_months is None else t("common.months", n=app.term_months),
    )
    cols[3].metric(t("form.monthly_annuity"), fmt_money(app.monthly_annuity, lang))
    if app.new_client:
        st.caption(t("application.new_client"))


def _outcome(app: ApplicationOut) -> None:
    """Where the application stands: the final decision once decided (who, when, override
    and reason), the proposal (model and rules) while it waits; the model's beside it."""
    outcome = outcome_of(app)
    if outcome is not None:
        show_outcome(outcome)


def _policy(score: ApplicationScoreOut) -> None:
    st.markdown(f"**{t('application.policy')}**")
    if not score.policy:
        st.write(t("application.no_rule"))
    for rule in score.policy:
        outcome = t(f"application.rule.{rule.outcome}")
        st.markdown(f"`{rule.code}` {outcome} — {rule.text}")


def _decision_form(app: ApplicationOut, score: ApplicationScoreOut) -> None:
    """The final decision on the score shown (its ``score_id`` is sent, not shown)."""
    if app.status in ("decided", "withdrawn"):
        st.info(t("application.closed", status=t(f"value.status.{app.status}")))
        return
    if not state.can_decide():
        st.caption(t("decision.read_only"))
        return
    if app.status == "referred" and not state.is_senior():
        st.info(t("application.referred_wait"))
        return
    if any(r.outcome == "refuse" for r in score.policy) and not state.is_senior():
        st.caption(t("application.grant_needs_senior"))
    suffix = f"{app.application_id}"
    # The score the advisor saw is the one of the previous run (this run has just read the
    # application again): its id is remembered between runs and sent with the decision.
    shown_key = f"app_shown_score_{suffix}"
    shown = st.session_state.get(shown_key)
    st.session_state[shown_key] = score.score_id
    labels = {d: t(f"value.decision.{d}") for d in DECISIONS}
    errors_key = f"app_decision_errors_{suffix}"
    errors: dict[str, str] = st.session_state.get(errors_key) or {}
    with st.form(f"app_decision_form_{suffix}", clear_on_submit=False):
        decision = st.radio(
            t("decision.choice"),
            DECISIONS,
            horizontal=True,
            index=DECISIONS.index(score.decision),
            key=f"app_decision_value_{suffix}",
            format_func=labels.__getitem__,
        )
        _beside(errors, "decision")
        options: list[str | None] = [None, *CATEGORIES]
        category = st.selectbox(
            t("application.category"),
            options,
            key=f"app_decision_category_{suffix}",
            format_func=category_label,
            help=t("application.category_help"),
        )
        _beside(errors, "reason_category")
        reason = st.text_area(
            t("decision.reason"),
            key=f"app_decision_reason_{suffix}",
            height=90,
            help=t("application.reason_help"),
            max_chars=2000,
        )
        _beside(errors, "reason")
        _beside(errors, "")  # what no field of the form shows (the score, the application)
        submitted = st.form_submit_button(t("decision.submit"), type="primary")
    if not submitted:
        return
    problems = decision_problems(decision, category, reason, score)
    if problems:  # the rules the API applies, said before the call, beside their field
        st.session_state[errors_key] = problems
        st.rerun()
    st.session_state.pop(errors_key, None)
    body = ApplicationDecisionIn(
        score_id=int(shown if shown is not None else score.score_id),
        decision=decision,
        reason=reason.strip() or None,
        reason_category=cast("RefusalCategory | None", category),
    )
    speak(state.lang())
    try:
        out = state.api().decide_application(state.token() or "", app.application_id, body)
    except ApiError as exc:
        if exc.kind == "unauthorized":
            state.log_out("login.expired")
            st.rerun()
        if exc.kind == "invalid" and exc.field in DECISION_FIELDS:
            st.session_state[errors_key] = {exc.field: exc.message or error_message(exc)}
            st.rerun()
        _decision_failed(exc, suffix)
        return
    st.session_state[SAVED] = t(
        "application.saved", decision=t(f"value.decision.{out.decision}"), id=out.application_id
    )
    st.rerun()


# The decision form's fields, as the API names them in an error's ``field``.
DECISION_FIELDS = ("decision", "reason_category", "reason")


def decision_problems(
    decision: str, category: str | None, reason: str, score: ApplicationScoreOut
) -> dict[str, str]:
    """What the API would refuse in this decision, by field, in the session's language.

    Empty when the decision can be sent.
    """
    problems: dict[str, str] = {}
    if needs_reason(decision, score.decision) and not reason.strip():
        problems["reason"] = t("application.reason_required")
    if needs_category(decision, score) and category is None:
        problems["reason_category"] = t("application.category_required")
    if category is not None and decision != "refuse":
        problems["reason_category"] = t("application.category_refusal_only")
    return problems


def _beside(errors: dict[str, str], field: str) -> None:
    if errors.get(field):
        st.error(errors[field])


def _decision_failed(exc: ApiError, suffix: str) -> None:
    """The 409, 403 and 422 of a decision in words a person can act on (the API's own)."""
    said = f"\n\n{exc.message}" if exc.message else ""
    if exc.kind == "conflict":
        st.error(t("application.conflict") + said)
        if st.button(t("application.reload"), key=f"app_reload_{suffix}"):
            st.rerun()
    elif exc.kind == "forbidden":
        st.error(t("application.forbidden") + said)
    else:
        st.error(error_message(exc))


def _rescore(app: ApplicationOut) -> None:
    """Score an open application again with the model in service (a new stored score)."""
    if app.status in ("decided", "withdrawn") or not state.can_decide():
        return
    suffix = f"{app.application_id}"
    if not st.button(
        t("application.rescore"), key=f"app_rescore_{suffix}", help=t("application.rescore_help")
    ):
        return
    api = state.api()
    try:
        out = api.rescore_application(state.token() or "", app.application_id, lang=state.lang())
    except ApiError as exc:
        _decision_failed(exc, suffix)
        return
    st.session_state[SAVED] = t(
        "application.rescored",
        id=app.application_id,
        score_id=out.score_id,
        decision=t(f"value.decision.{out.decision}"),
    )
    st.rerun()


def _letter(app: ApplicationOut, score: ApplicationScoreOut) -> None:
    st.subheader(t("application.letter"))
    suffix = f"{app.application_id}"
    key = f"app_letter_lang_{suffix}"
    st.session_state.setdefault(key, state.lang())
    names = {"fr": t("application.letter_fr"), "en": t("application.letter_en")}
    lang = st.radio(
        t("application.letter_lang"), state.LANGS, horizontal=True, key=key, format_func=names.get
    )
    api = state.api()
    version = f"{score.score_id}-{len(app.decisions)}-{app.status}"
    try:
        pdf = fetch.letter(
            api, api.base_url, state.token() or "", app.application_id, lang, version
        )
    except ApiError as exc:
        st.caption(t("application.letter_unavailable") + f" ({error_message(exc)})")
        return
    st.download_button(
        t("application.letter_download"),
        data=pdf,
        file_name=f"application-{app.application_id}-{lang}.pdf",
        mime="application/pdf",
        key=f"app_letter_{suffix}",
    )


def applicant_section(app: ApplicationOut) -> None:
    """What the applicant did in their space: the review they asked for (with its due date),
    the items they say are wrong, their last visit, and a new personal code on demand."""
    lang = state.lang()
    review = app.review
    if review is not None and review.status == "open":
        st.warning(
            t(
                "applicant.review_open",
                asked=fmt_date(review.requested_at, lang),
                due=fmt_date(review.due_on, lang),
            )
        )
        if review.comment:
            st.markdown(f"**{t('applicant.review_comment')}** {review.comment}")
        if review.attachments:
            st.markdown(f"**{t('applicant.review_attachments')}** " + ", ".join(review.attachments))
        st.caption(t("applicant.review_how"))
    elif review is not None:
        st.caption(t("applicant.review_closed", asked=fmt_date(review.requested_at, lang)))
    with st.expander(
        t("applicant.section", n=len(app.rectifications)), expanded=bool(app.rectifications)
    ):
        if app.applicant_seen_at is not None:
            st.write(
                t(
                    "applicant.seen",
                    when=fmt_datetime(app.applicant_seen_at, lang),
                    n=fmt_num(app.applicant_views, lang, 0),
                )
            )
        else:
            st.write(t("applicant.never_seen"))
        if app.rectifications:
            st.markdown(f"**{t('applicant.rectifications')}**")
            st.table(
                pd.DataFrame(
                    [
                        {
                            t("applicant.col.item"): r.item,
                            t("applicant.col.comment"): r.comment,
                            t("applicant.col.when"): fmt_datetime(r.created_at, lang),
                        }
                        for r in app.rectifications
                    ]
                ).set_index(t("applicant.col.item"))
            )
        if state.can_decide() and st.button(
            t("applicant.new_code"), key=f"app_new_code_{app.application_id}"
        ):
            try:
                access = state.api().new_applicant_code(state.token() or "", app.application_id)
            except ApiError as exc:
                st.error(error_message(exc))
                return
            # shown this once: the API keeps only its hash
            st.code(access.code, language=None)
            st.caption(t("applicant.new_code_once", url=access.url, id=access.application_id))


def show(application_id: int) -> ApplicationOut | None:
    """The application's view: facts, score, policy, reasons, decision block, history, letter.

    Parameters
    ----------
    application_id : int
        The application to show (read now from ``GET /applications/{id}``).

    Returns
    -------
    ApplicationOut or None
        What was shown, None when the API could not be read (the error is shown).
    """
    app = call(state.api().application, state.token() or "", application_id, lang=state.lang())
    if app is None:
        return None
    # the contract type in the heading: too long for a metric at 1280 px
    kind = contract_label(app.contract_type)
    st.subheader(f"{t('application.title', id=app.application_id)} — {kind}")
    saved = st.session_state.pop(SAVED, None)
    if saved:  # a confirmation, in a neutral box: green is kept for a credit granted
        st.info(saved)
    _facts(app)
    _outcome(app)
    applicant_section(app)
    score = app.score
    if score is None:
        st.info(t("application.no_score"))
        return app
    show_score(score)
    _policy(score)
    st.subheader(t("application.decision"))
    _decision_form(app, score)
    _rescore(app)
    if app.decisions:
        st.markdown(f"**{t('decision.history')}**")
        st.table(history_frame(app.decisions).set_index(t("decision.col.when")))
    _letter(app, score)
    if app.declared:
        with st.expander(t("application.declared")):
            st.table(declared_frame(app.declared).set_index(t("common.item")))
    return app
