"""How I compare: my figures beside the spread of applicants like me (sizes, never a row)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from credit_scoring.applicant_space import state
from credit_scoring.applicant_space.i18n import value_text
from credit_scoring.applicant_space.models import Figure
from credit_scoring.applicant_space.state import t
from credit_scoring.applicant_space.views.common import read
from credit_scoring.core import formatting

# Plotly's decimal and thousands separators, per language (its axis ticks are its own).
SEPARATORS = {"fr": ", ", "en": ".,"}


def chart(figure: Figure) -> go.Figure:
    """A box of the group (10th to 90th percentile, middle half, median) and my value."""
    you = t("compare.you")
    fig = go.Figure()
    fig.add_trace(
        go.Box(
            y=[figure.label],
            q1=[figure.p25],
            median=[figure.p50],
            q3=[figure.p75],
            lowerfence=[figure.p10],
            upperfence=[figure.p90],
            orientation="h",
            name=t("compare.group"),
            marker_color="#8aa2c8",
            hoverinfo="skip",
        )
    )
    if figure.value is not None:
        fig.add_trace(
            go.Scatter(
                x=[figure.value],
                y=[figure.label],
                mode="markers",
                name=you,
                marker={"color": "#c0392b", "size": 14, "symbol": "diamond"},
                hoverinfo="skip",
            )
        )
    fig.update_layout(
        height=150,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        showlegend=False,
        separators=SEPARATORS.get(state.lang(), ", "),
        yaxis={"showticklabels": False},
    )
    return fig


def sentence(figure: Figure) -> str:
    """My value and where it stands in the group, in words."""
    lang = state.lang()
    text = t(
        "compare.middle",
        low=value_text(figure.p25, lang),
        high=value_text(figure.p75, lang),
        median=value_text(figure.p50, lang),
    )
    if figure.value is None:
        return text
    mine = t("compare.yours", value=value_text(figure.value, lang))
    if figure.percentile is not None:
        # the API's percentile is in percent (0-100): the share of the group at or below
        share = figure.percentile / 100
        mine += " " + t("compare.percentile", share=formatting.percent(share, lang, 0))
    return f"{mine} {text}"


def render() -> None:
    st.subheader(t("compare.title"))
    found = read(state.api().comparison, state.application_id())
    if found is None:
        return
    size = formatting.number(found.group.size, state.lang())
    st.write(t("compare.group_line", label=found.group.label, n=size))
    if found.too_small or not found.figures:
        st.info(found.message or t("compare.too_small", n=size))
        return
    for index, figure in enumerate(found.figures):
        st.markdown(f"**{figure.label}**")
        st.plotly_chart(
            chart(figure),
            width="stretch",
            key=f"asw_compare_{index}",
            config={"displayModeBar": False, "locale": state.lang()},
        )
        st.caption(sentence(figure))
    st.caption(t("compare.privacy"))
