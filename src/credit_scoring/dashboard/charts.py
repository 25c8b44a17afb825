"""Plotly figures of the dashboard, in a colour-blind-safe palette (Okabe & Ito, 2008).

Every function takes its translated labels as arguments, so the module knows
nothing of languages or of Streamlit and is tested as plain code.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

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
NEUTRAL = "#8C8C8C"  # the base rate and the client's probability: levels, not changes
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


def waterfall_rows(
    steps: Sequence[tuple[str, float]],
    *,
    top: int,
    others_label: str,
    family: Mapping[str, str] | None = None,
) -> list[tuple[str, float]]:
    """The bars of the waterfall: the ``top`` steps raising the risk, largest first, then the
    ``top`` lowering it, largest first, then the rest summed by family (when any).

    ``family`` names the bar each step of the rest is summed into (where its information
    comes from: the application, the bureau, ...); a step it does not name goes to
    ``others_label``. The families come largest in absolute value first. A model of hundreds
    of features spreads much of a client's risk over small steps: one "other factors" bar
    would then outweigh every bar named, and tell nothing of where it comes from. A step of
    exactly zero counts with the rest. The bars' sum is the steps' sum.

    Examples
    --------
    >>> waterfall_rows([("a", 0.02), ("b", -0.01), ("c", 0.005), ("d", -0.03)],
    ...                top=1, others_label="other")
    [('a', 0.02), ('d', -0.03), ('other', -0.005)]
    >>> waterfall_rows([("a", 0.02), ("b", 0.01), ("c", 0.005), ("d", -0.03)],
    ...                top=1, others_label="other", family={"b": "bureau", "c": "form"})
    [('a', 0.02), ('d', -0.03), ('bureau', 0.01), ('form', 0.005)]
    """
    raising = sorted((kv for kv in steps if kv[1] > 0), key=lambda kv: -kv[1])
    lowering = sorted((kv for kv in steps if kv[1] < 0), key=lambda kv: kv[1])
    shown = [*raising[:top], *lowering[:top]]
    rest = [*raising[top:], *lowering[top:], *(kv for kv in steps if kv[1] == 0)]
    buckets: dict[str, float] = {}
    for name, value in rest:
        label = (family or {}).get(name, others_label)
        buckets[label] = buckets.get(label, 0.0) + value
    return shown + sorted(buckets.items(), key=lambda kv: (-abs(kv[1]), kv[0]))


def waterfall(
    steps: Sequence[tuple[str, float]],
    *,
    base: float,
    title: str,
    base_label: str,
    total_label: str,
    others_label: str,
    axis_label: str,
    fmt_step: Callable[[float], str],
    fmt_level: Callable[[float], str],
    decimal: str = ".",
    top: int = 6,
    family: Mapping[str, str] | None = None,
) -> go.Figure:
    """The probability of default from the base rate to the client's, step by step.

    ``steps`` are changes of probability (0.023 = +2.3 points) that add up to the client's
    probability minus ``base``; the axis is in percent. The ``top`` steps raising the risk
    (vermillion) and the ``top`` lowering it (blue) are drawn, the rest summed by ``family``
    (:func:`waterfall_rows`), each bar in the colour of its sign; the base and the client's
    probability are grey.
    ``fmt_step`` labels a step ("+2,3 pts"), ``fmt_level`` a probability ("12,4 %").
    """
    shown = waterfall_rows(steps, top=top, others_label=others_label, family=family)
    total = base + sum(v for _, v in steps)
    labels = [base_label, *[k for k, _ in shown], total_label]
    values = [100 * base, *[100 * v for _, v in shown], 0.0]
    measure = ["absolute", *["relative"] * len(shown), "total"]
    text = [fmt_level(base), *[fmt_step(v) for _, v in shown], fmt_level(total)]
    fig = go.Figure(
        go.Waterfall(
            orientation="h",
            y=labels,
            x=values,
            measure=measure,
            text=text,
            textposition="outside",
            cliponaxis=False,
            hoverinfo="y+text",
            increasing={"marker": {"color": AGAINST}},
            decreasing={"marker": {"color": FOR}},
            totals={"marker": {"color": NEUTRAL}},
            connector={"line": {"color": "#999999", "width": 1}},
        )
    )
    fig.update_layout(
        **_LAYOUT,
        title=title,
        separators=f"{decimal}\u202f" if decimal == "," else ".,",
        height=max(320, 30 * len(labels) + 110),
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={
            "title": axis_label,
            "ticksuffix": "\u00a0%" if decimal == "," else "%",
            "rangemode": "tozero",
        },
        showlegend=False,
    )
    # room on the right for the labels written outside the bars
    fig.update_layout(margin={**_LAYOUT["margin"], "r": 70})  # type: ignore[dict-item]
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
