"""Plotly figures of the dashboard, in a colour-blind-safe palette (Okabe & Ito, 2008).

Every function takes its translated labels as arguments, so the module knows
nothing of languages or of Streamlit and is tested as plain code.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import plotly.graph_objects as go

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
SERIES = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
AGAINST = OKABE_ITO["vermillion"]  # raises the risk
FOR = OKABE_ITO["blue"]  # lowers the risk
CLIENT = OKABE_ITO["black"]
_LAYOUT = {
    "template": "plotly_white",
    "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
    "font": {"size": 13},
    "colorway": list(SERIES),
}


def gauge(
    probability: float,
    threshold: float,
    *,
    title: str,
    threshold_label: str,
    decimal: str = ".",
    grade_text: str | None = None,
) -> go.Figure:
    """The default probability on a 0-100 % dial, the decision threshold as a black mark.

    ``decimal`` is the decimal mark of the reader's language ("," in French); ``grade_text``
    (e.g. "Grade C · 558 points") is written under the dial, beside the threshold.
    """
    granted = probability < threshold
    fig = go.Figure(
        go.Indicator(
            mode="gauge+number",
            value=round(100 * probability, 1),
            number={"suffix": " %", "font": {"size": 40}},
            gauge={
                "axis": {"range": [0, 100], "ticksuffix": "%"},
                "bar": {"color": FOR if granted else AGAINST, "thickness": 0.35},
                "steps": [
                    {"range": [0, 100 * threshold], "color": "#D6EAF8"},
                    {"range": [100 * threshold, 100], "color": "#FBE3D6"},
                ],
                "threshold": {
                    "line": {"color": CLIENT, "width": 5},
                    "thickness": 0.9,
                    "value": 100 * threshold,
                },
            },
            title={"text": title},
        )
    )
    mark = f"{100 * threshold:.1f}".replace(".", decimal)
    fig.add_annotation(
        x=0.5,
        y=-0.08,
        showarrow=False,
        xref="paper",
        yref="paper",
        text=f"{threshold_label} : {mark} %" if decimal == "," else f"{threshold_label}: {mark}%",
    )
    if grade_text:
        fig.add_annotation(
            x=0.5,
            y=0.12,
            showarrow=False,
            xref="paper",
            yref="paper",
            font={"size": 18},
            text=grade_text,
        )
    fig.update_layout(
        separators=f"{decimal}\u202f" if decimal == "," else ".,",
        **{**_LAYOUT, "margin": {"l": 40, "r": 45, "t": 60, "b": 30}},
        height=280,
    )
    return fig


def waterfall(
    items: Sequence[tuple[str, float]],
    *,
    base: float,
    title: str,
    base_label: str,
    total_label: str,
    others_label: str,
    top: int = 12,
) -> go.Figure:
    """Contributions (log-odds) from the average client to this client, largest first.

    Beyond ``top`` items the rest are summed in one bar so the chart stays readable.
    """
    ordered = sorted(items, key=lambda kv: abs(kv[1]), reverse=True)
    shown, rest = list(ordered[:top]), ordered[top:]
    if rest:
        shown.append((others_label, sum(v for _, v in rest)))
    labels = [base_label, *[k for k, _ in shown], total_label]
    values = [base, *[v for _, v in shown], 0.0]
    measure = ["absolute", *["relative"] * len(shown), "total"]
    fig = go.Figure(
        go.Waterfall(
            orientation="h",
            y=labels,
            x=values,
            measure=measure,
            text=[
                f"{v:+.2f}" if m == "relative" else "" for v, m in zip(values, measure, strict=True)
            ],
            increasing={"marker": {"color": AGAINST}},
            decreasing={"marker": {"color": FOR}},
            totals={"marker": {"color": OKABE_ITO["purple"]}},
            connector={"line": {"color": "#999999", "width": 1}},
        )
    )
    fig.update_layout(
        **_LAYOUT,
        title=title,
        height=max(320, 28 * len(labels) + 80),
        yaxis={"autorange": "reversed", "automargin": True},
    )
    return fig


def distribution(
    series: Sequence[tuple[str, Sequence[float], Sequence[int]]],
    *,
    client_value: float | None,
    title: str,
    x_label: str,
    y_label: str,
    client_label: str,
) -> go.Figure:
    """Histograms (share of clients per bin) of one feature, the client's value as a line.

    ``series`` holds ``(name, bin_edges, counts)`` per population (all, a group...).
    """
    fig = go.Figure()
    for i, (name, edges, counts) in enumerate(series):
        total = sum(counts) or 1
        centres = [(a + b) / 2 for a, b in itertools.pairwise(edges)]
        widths = [b - a for a, b in itertools.pairwise(edges)]
        fig.add_bar(
            x=centres,
            y=[c / total for c in counts],
            width=widths,
            name=name,
            marker_color=SERIES[i % len(SERIES)],
            opacity=0.65,
        )
    if client_value is not None:
        fig.add_vline(
            x=client_value,
            line_width=3,
            line_dash="dash",
            line_color=CLIENT,
            annotation_text=client_label,
            annotation_position="top",
        )
    fig.update_layout(
        **_LAYOUT,
        title=title,
        barmode="overlay",
        height=340,
        xaxis_title=x_label,
        yaxis_title=y_label,
        yaxis_tickformat=".0%",
        legend={"orientation": "h", "y": -0.25},
    )
    return fig


def bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    x_label: str = "",
    y_label: str = "",
    percent: bool = False,
    text: Sequence[str] | None = None,
    colors: Sequence[str] | None = None,
    horizontal: bool = False,
) -> go.Figure:
    """A simple bar chart (default rate per segment, importance, counts...)."""
    kwargs = (
        {"y": list(labels), "x": list(values), "orientation": "h"}
        if horizontal
        else {"x": list(labels), "y": list(values)}
    )
    fig = go.Figure(
        go.Bar(
            **kwargs,
            text=list(text) if text else None,
            textposition="auto",
            marker_color=list(colors) if colors else SERIES[0],
        )
    )
    fig.update_layout(
        **_LAYOUT,
        title=title,
        height=max(320, 26 * len(labels) + 100) if horizontal else 340,
        xaxis_title=x_label,
        yaxis_title=y_label,
    )
    axis = "xaxis" if horizontal else "yaxis"
    if percent:
        fig.update_layout(**{f"{axis}_tickformat": ".0%"})
    if horizontal:
        fig.update_layout(yaxis={"autorange": "reversed", "automargin": True})
    return fig


def lines(
    x: Sequence[float],
    series: dict[str, Sequence[float | None]],
    *,
    title: str,
    x_label: str,
    y_label: str,
) -> go.Figure:
    """One line per named series over a common x axis (months of history...)."""
    fig = go.Figure()
    for i, (name, ys) in enumerate(series.items()):
        fig.add_scatter(
            x=list(x),
            y=list(ys),
            mode="lines+markers",
            name=name,
            line={"color": SERIES[i % len(SERIES)]},
        )
    fig.update_layout(
        **_LAYOUT,
        title=title,
        height=320,
        xaxis_title=x_label,
        yaxis_title=y_label,
        legend={"orientation": "h", "y": -0.3},
    )
    return fig


def calibration(
    predicted: Sequence[float],
    observed: Sequence[float],
    *,
    title: str,
    x_label: str,
    y_label: str,
    ideal_label: str,
    model_label: str,
) -> go.Figure:
    """Observed default rate against predicted probability, with the diagonal of perfection."""
    fig = go.Figure()
    top = max([*predicted, *observed, 0.05])
    fig.add_scatter(
        x=[0, top],
        y=[0, top],
        mode="lines",
        name=ideal_label,
        line={"color": "#999999", "dash": "dot"},
    )
    fig.add_scatter(
        x=list(predicted),
        y=list(observed),
        mode="lines+markers",
        name=model_label,
        line={"color": SERIES[0]},
    )
    fig.update_layout(
        **_LAYOUT,
        title=title,
        height=340,
        xaxis_title=x_label,
        yaxis_title=y_label,
        xaxis_tickformat=".0%",
        yaxis_tickformat=".0%",
    )
    return fig
