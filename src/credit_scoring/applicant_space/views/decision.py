"""My decision: the decision, its reasons in the letter's words, the grade, the letter."""

from __future__ import annotations

import streamlit as st

from credit_scoring.applicant_space import state
from credit_scoring.applicant_space.client import ApplicantApiError
from credit_scoring.applicant_space.i18n import day, money, months
from credit_scoring.applicant_space.models import ApplicationView, Review
from credit_scoring.applicant_space.state import t
from credit_scoring.applicant_space.views.common import error_text, read


def headline(app: ApplicationView) -> str:
    """The decision in one sentence: decided (and when), or where the application stands."""
    lang = state.lang()
    if app.status == "withdrawn":
        return t("decision.withdrawn")
    if app.status == "review":
        return t("decision.in_review")
    if app.decision in ("grant", "refuse") and app.status == "decided":
        when = day(app.decided_at, lang) if app.decided_at else ""
        return t(f"decision.{app.decision}", when=when)
    return t("decision.pending")


def review_text(review: Review) -> str:
    """Where the review stands, with its due date."""
    lang = state.lang()
    if review.status == "closed":
        return t("review.closed", asked=day(review.requested_at, lang))
    return t("review.open", asked=day(review.requested_at, lang), due=day(review.due_on, lang))


def _letter(app: ApplicationView) -> None:
    if not app.letter_available:
        st.caption(t("decision.no_letter"))
        return
    try:
        pdf = state.api().letter(state.token() or "", app.application_id, lang=state.lang())
    except ApplicantApiError as exc:
        st.caption(error_text(exc))
        return
    st.download_button(
        t("decision.letter"),
        data=pdf,
        file_name=f"letter-{app.application_id}-{state.lang()}.pdf",
        mime="application/pdf",
        key=f"asw_letter_{app.application_id}",
        width="stretch",
    )
    st.caption(t("decision.letter_code"))


def render() -> None:
    app = read(state.api().application, state.application_id())
    if app is None:
        return
    lang = state.lang()
    st.subheader(t("decision.title", id=app.application_id))
    text = headline(app)
    if app.decision == "grant" and app.status == "decided":
        st.success(text)
    elif app.decision == "refuse" and app.status == "decided":
        st.error(text)
    else:
        st.info(text)
    st.write(
        t(
            "decision.loan",
            amount=money(app.amount, lang),
            term=months(app.term_months, lang),
            payment=money(app.monthly_payment, lang),
        )
    )
    if app.grade:
        st.markdown(f"**{t('decision.grade', grade=app.grade)}**")
        if app.grade_sentence:
            st.write(app.grade_sentence)
    if app.reasons:
        st.markdown(f"**{t('decision.reasons')}**")
        st.markdown("\n".join(f"- {reason.text}" for reason in app.reasons))
    if app.review is not None:
        st.info(review_text(app.review))
    _letter(app)
