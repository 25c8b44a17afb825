"""Score and reasons: the decision of the client's latest application, the model's score
(its probability against the threshold, labelled as the model's proposal) and its reasons."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from credit_scoring.dashboard import charts, fetch, state
from credit_scoring.dashboard.i18n import category, fmt_num, fmt_pct, fmt_points, t
from credit_scoring.dashboard.views.common import cached, plot, require_client, score_for
from credit_scoring.dashboard.views.outcome import show_client_decision
from credit_scoring.lending.application_schemas import ApplicationScoreOut
from credit_scoring.lending.schemas import ExplanationOut, ReasonOut, ScoreOut

AnyScore = ScoreOut | ApplicationScoreOut


def proposal_sentence(score: AnyScore) -> str:
    """The model's proposal in plain words, e.g. 'Proposition du modèle : accorder (risque
    12 %, sous le seuil de 30 %)'.

    Always the model's alone (an application's score says it in ``model_decision``, its
    ``decision`` having the policy rules applied): the decision is shown apart, by
    :mod:`credit_scoring.dashboard.views.outcome`.
    """
    lang = state.lang()
    model = getattr(score, "model_decision", score.decision)
    key = "score.proposal_grant" if model == "grant" else "score.proposal_refuse"
    return t(key, p=fmt_pct(score.probability, lang), s=fmt_pct(score.threshold, lang))


def grade_text(score: AnyScore) -> str | None:
    """'Grade C · 558 points' (in the reader's language), or None for an older model."""
    if score.grade is None and score.points is None:
        return None
    parts = []
    if score.grade:
        parts.append(t("score.grade", grade=score.grade))
    if score.points is not None:
        parts.append(t("score.points", points=fmt_num(score.points, state.lang(), 0)))
    return " · ".join(parts)


def show_score(score: AnyScore) -> None:
    """Gauge (with grade and points), the model's proposal (in a neutral box) and reasons.

    Also used by the what-if page and, for an application's stored score, by
    :mod:`credit_scoring.dashboard.views.application`. The decision is never shown here.
    """
    left, right = st.columns([2, 3])
    with left:
        fig = charts.gauge(
            score.probability,
            score.threshold,
            title=t("score.gauge"),
            threshold_label=t("score.threshold"),
            decimal="," if state.lang() == "fr" else ".",
            grade_text=grade_text(score),
        )
        items = [t("score.gauge"), t("score.threshold")]
        values = [fmt_pct(score.probability, state.lang()), fmt_pct(score.threshold, state.lang())]
        if score.grade:
            items.append(t("score.grade_label"))
            values.append(score.grade)
        if score.points is not None:
            items.append(t("score.points_label"))
            values.append(fmt_num(score.points, state.lang(), 0))
        plot(
            fig,
            pd.DataFrame({t("common.item"): items, t("common.value"): values}),
            key=f"gauge_{id(score)}",
            alt=t("score.gauge"),
        )
    with right:
        st.info(proposal_sentence(score))
        st.markdown(f"**{t('score.against')}**")
        _reason_list(score.reasons_against, ":red[▲]")
        st.markdown(f"**{t('score.for')}**")
        _reason_list(score.reasons_for, ":blue[▼]")
        if score.lang != state.lang() and (score.reasons_against or score.reasons_for):
            # a stored score keeps the reasons shown when it was made: say why they are in
            # the other language, and how to get them in this one
            st.caption(t("score.reasons_lang", lang=t(f"lang.{score.lang}")))
        st.caption(t("score.model", name=score.model_name, version=score.model_version))


def _reason_list(reasons: list[ReasonOut], mark: str) -> None:
    if not reasons:
        st.write(t("score.no_reason"))
    for reason in reasons:
        code = f"`{reason.code}` " if reason.code else ""
        st.markdown(f"{mark} {code}{reason.text}")


def explanation_steps(explanation: ExplanationOut) -> list[tuple[str, float]]:
    """Each feature's step of probability of default, labelled in words, in the API's order.

    The steps were computed by the API (:mod:`credit_scoring.explain.probability`): from the
    base probability, they add up to the client's probability.
    """
    return [(c.description or c.feature, c.step or 0.0) for c in explanation.contributions]


# Where a feature's information comes from, as the waterfall names the rest of the steps
FAMILIES = {
    "application": "application",
    "bureau": "bureau",
    "previous_application": "previous",
    "POS_CASH_balance": "repayments",
    "credit_card_balance": "repayments",
    "installments_payments": "repayments",
}


def explanation_families(explanation: ExplanationOut) -> dict[str, str]:
    """Each step's family bar (the application, the bureau, earlier applications, the
    repayments), by the label :func:`explanation_steps` gives it."""
    return {
        c.description or c.feature: t(f"score.others.{FAMILIES.get(c.source, 'application')}")
        for c in explanation.contributions
    }


def explanation_frame(explanation: ExplanationOut, lang: str) -> pd.DataFrame:
    """The waterfall's numbers as a table: information, the client's value, its step."""
    return pd.DataFrame(
        {
            t("score.feature"): [c.description or c.feature for c in explanation.contributions],
            t("common.value"): [
                c.value_text or category(c.value) for c in explanation.contributions
            ],
            t("explain.impact"): [fmt_points(c.step, lang) for c in explanation.contributions],
        }
    )


def show_explanation(explanation: ExplanationOut, lang: str) -> None:
    """The waterfall in points of probability of default, its caption and its table."""
    if explanation.base_probability is None or explanation.probability is None:
        st.info(t("explain.unavailable"))
        return
    base, final = explanation.base_probability, explanation.probability
    fig = charts.waterfall(
        explanation_steps(explanation),
        base=base,
        title=t("score.waterfall"),
        base_label=t("score.base"),
        total_label=t("score.total"),
        others_label=t("score.others"),
        axis_label=t("explain.axis"),
        fmt_step=lambda v: fmt_points(v, lang),
        fmt_level=lambda v: fmt_pct(v, lang),
        decimal="," if lang == "fr" else ".",
        family=explanation_families(explanation),
    )
    st.caption(t("score.waterfall_help", base=fmt_pct(base, lang), client=fmt_pct(final, lang)))
    plot(fig, explanation_frame(explanation, lang), key="waterfall")


def render() -> None:
    client_id = require_client()
    if client_id is None:
        return
    st.title(t("score.title", id=client_id))
    show_client_decision(client_id, key="score")
    score = score_for(client_id)
    if score is None:
        return
    st.subheader(t("score.model_title"))
    show_score(score)
    if st.toggle(t("score.show_explanation"), key="score_explain"):
        explanation = cached(fetch.explanation, client_id, state.lang())
        if explanation is None:
            return
        show_explanation(explanation, state.lang())
