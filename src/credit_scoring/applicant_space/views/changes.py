"""What would change the outcome: the nearest changes the model and the policy would grant."""

from __future__ import annotations

import streamlit as st

from credit_scoring.applicant_space import state
from credit_scoring.applicant_space.i18n import money, months
from credit_scoring.applicant_space.models import Change
from credit_scoring.applicant_space.state import t
from credit_scoring.applicant_space.views.common import read


def card(change: Change) -> None:
    """One change: in words, then the loan it gives and its monthly payment."""
    lang = state.lang()
    with st.container(border=True):
        st.markdown(f"**{change.text}**")
        if change.monthly_payment is not None:
            st.write(t("changes.payment", payment=money(change.monthly_payment, lang)))
        details = []
        if change.amount is not None:
            details.append(t("changes.amount", amount=money(change.amount, lang)))
        if change.term_months is not None:
            details.append(t("changes.term", term=months(change.term_months, lang)))
        if change.down_payment:
            details.append(t("changes.down_payment", amount=money(change.down_payment, lang)))
        if details:
            st.caption(" · ".join(details))


def render() -> None:
    st.subheader(t("changes.title"))
    st.write(t("changes.intro"))
    found = read(state.api().changes, state.application_id())
    if found is None:
        return
    if not found.changes:
        st.info(found.sentence or t("changes.none"))
        return
    for change in found.changes:
        card(change)
    st.caption(t("changes.note"))
