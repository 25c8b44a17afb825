"""Ask for a human review: what to look at again, and the names of the papers to bring."""

from __future__ import annotations

import streamlit as st

from credit_scoring.applicant_space import state
from credit_scoring.applicant_space.client import ApplicantApiError
from credit_scoring.applicant_space.i18n import day
from credit_scoring.applicant_space.state import t
from credit_scoring.applicant_space.views.common import error_text, read
from credit_scoring.applicant_space.views.decision import review_text

COMMENT, FILES = "asw_review_comment", "asw_review_files"
SENT = "asw_review_sent"  # the confirmation, shown once above the open review
COMMENT_MAX, FILES_MAX = 2000, 10


def attachment_names(text: str) -> list[str]:
    """The names typed, one a line, blanks dropped.

    Examples
    --------
    >>> attachment_names("payslip-june.pdf\\n\\n  tax notice 2026 ")
    ['payslip-june.pdf', 'tax notice 2026']
    """
    return [line.strip() for line in text.splitlines() if line.strip()]


def render() -> None:
    st.subheader(t("review.title"))
    sent = st.session_state.pop(SENT, None)
    if sent:
        st.success(sent)
    else:
        st.write(t("review.intro"))
    app = read(state.api().application, state.application_id())
    if app is None:
        return
    if app.review is not None and app.review.status != "closed":
        st.info(review_text(app.review))
        if app.review.comment:
            st.caption(t("review.your_comment", comment=app.review.comment))
        if app.review.attachments:
            st.caption(t("review.your_files", files=", ".join(app.review.attachments)))
        return
    if app.review is not None:
        st.caption(review_text(app.review))
    with st.form("asw_review_form"):
        comment = st.text_area(t("review.comment"), key=COMMENT, max_chars=COMMENT_MAX)
        files = st.text_area(t("review.files"), key=FILES, help=t("review.files_help"))
        sent = st.form_submit_button(t("review.submit"), type="primary")
    if not sent:
        return
    names = attachment_names(files)
    if not comment.strip():
        st.error(t("review.need_comment"))
        return
    if len(names) > FILES_MAX:
        st.error(t("review.too_many", n=FILES_MAX))
        return
    try:
        review = state.api().request_review(
            state.token() or "", app.application_id, comment.strip(), names, lang=state.lang()
        )
    except ApplicantApiError as exc:
        st.error(error_text(exc))  # what was typed stays in the form
        return
    st.session_state[SENT] = t("review.sent", due=day(review.due_on, state.lang()))
    for key in (COMMENT, FILES):
        st.session_state.pop(key, None)
    st.rerun()
