"""Comparison: the client's position against all clients, a chosen group and similar clients."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from credit_scoring.core import formatting
from credit_scoring.dashboard import charts, fetch, state
from credit_scoring.dashboard.i18n import category, fmt_money, fmt_num, fmt_pct, t
from credit_scoring.dashboard.views.common import cached, plot, require_client
from credit_scoring.dashboard.views.outcome import show_client_decision
from credit_scoring.dashboard.views.search import filter_widgets
from credit_scoring.lending.schemas import FeatureDistribution, PopulationStats, SimilarOut


def share_below(edges: Sequence[float], counts: Sequence[int], value: float | None) -> float | None:
    """Share of clients whose value is below ``value``, interpolating inside its bin."""
    total = sum(counts)
    if value is None or not total or len(edges) != len(counts) + 1:
        return None
    below = 0.0
    for low, high, count in zip(edges[:-1], edges[1:], counts, strict=True):
        if value >= high:
            below += count
        elif value > low:
            below += count * (value - low) / (high - low)
    return min(1.0, below / total)


def position_frame(stats: PopulationStats, lang: str) -> pd.DataFrame:
    """One row per feature: the client's value, the median, and the share of clients below."""
    rows = []
    for f in stats.features:
        below = share_below(f.bin_edges, f.counts, f.client_value)
        rows.append(
            {
                t("compare.feature"): f.description or f.name,
                t("compare.client_value"): formatting.quantity(f.client_value, f.unit, lang),
                t("compare.median"): formatting.quantity(f.quantiles.get("p50"), f.unit, lang),
                t("compare.share_below"): fmt_pct(below, lang, 0),
            }
        )
    return pd.DataFrame(rows)


def _feature_picker(stats: PopulationStats, key: str) -> FeatureDistribution | None:
    if not stats.features:
        st.info(t("compare.no_feature"))
        return None
    names: list[str] = [f.name for f in stats.features]
    labels = {f.name: f.description or f.name for f in stats.features}
    name = st.selectbox(t("compare.pick_feature"), names, key=key, format_func=labels.__getitem__)
    return next(f for f in stats.features if f.name == name)


def _digits(low: float, high: float) -> int:
    """Decimals enough to tell a bin's two edges apart (0 for wide bins, at most 4)."""
    width = abs(high - low)
    for digits in range(5):
        if width >= 10 ** (1 - digits) or digits == 4:
            return digits
    return 4


def _distribution(
    feature: FeatureDistribution, others: dict[str, FeatureDistribution], key: str, lang: str
) -> None:
    series = [(label, f.bin_edges, f.counts) for label, f in others.items()]
    fig = charts.distribution(
        series,
        client_value=feature.client_value,
        title=feature.description or feature.name,
        x_label=t(f"unit.{feature.unit}") if feature.unit else "",
        y_label=t("compare.share_clients"),
        client_label=t("compare.client"),
    )
    numbers = pd.DataFrame(
        {
            t("compare.bin"): [
                f"{fmt_num(a, lang, _digits(a, b))} – {fmt_num(b, lang, _digits(a, b))}"
                for a, b in zip(feature.bin_edges[:-1], feature.bin_edges[1:], strict=True)
            ],
            **{
                label: f.counts
                for label, f in others.items()
                if len(f.counts) == len(feature.counts)
            },
        }
    )
    plot(fig, numbers, key=key)


def _all_clients(client_id: int, lang: str) -> PopulationStats | None:
    stats = cached(fetch.population, {}, client_id, lang)
    if stats is None:
        return None
    st.write(t("compare.population", n=stats.n_clients, rate=fmt_pct(stats.default_rate, lang)))
    st.dataframe(position_frame(stats, lang), hide_index=True, width="stretch")
    feature = _feature_picker(stats, "compare_feature_all")
    if feature is not None:
        _distribution(feature, {t("compare.all"): feature}, key="dist_all", lang=lang)
    return stats


def _group(client_id: int, everyone: PopulationStats, lang: str) -> None:
    st.write(t("compare.group_intro"))
    filters = filter_widgets("compare")
    stats = cached(fetch.population, filters, client_id, lang)
    if stats is None:
        return
    st.write(
        t(
            "compare.group_size",
            n=stats.n_clients,
            rate=fmt_pct(stats.default_rate, lang),
            all=fmt_pct(everyone.default_rate, lang),
        )
    )
    if not stats.n_clients:
        return
    st.dataframe(position_frame(stats, lang), hide_index=True, width="stretch")
    feature = _feature_picker(stats, "compare_feature_group")
    if feature is None:
        return
    others = {
        t("compare.all"): next((f for f in everyone.features if f.name == feature.name), feature),
        t("compare.group"): feature,
    }
    _distribution(feature, others, key="dist_group", lang=lang)


def _similar(client_id: int, everyone: PopulationStats, lang: str) -> None:
    k = st.slider(t("compare.k"), min_value=5, max_value=50, value=10, step=5, key="compare_k")
    similar = cached(fetch.similar, client_id, k)
    if similar is None:
        return
    st.write(
        t(
            "compare.similar_rate",
            rate=fmt_pct(similar.default_rate, lang),
            all=fmt_pct(everyone.default_rate, lang),
            k=len(similar.items),
        )
    )
    if not similar.items:
        st.info(t("similar.none"))
        return
    counts = pd.Series([outcome_text(s.target) for s in similar.items]).value_counts()
    plot(
        charts.bars(
            counts.index.tolist(),
            counts.tolist(),
            title=t("compare.similar_chart"),
            y_label=t("common.count"),
            text=[fmt_num(v, lang, 0) for v in counts.tolist()],
        ),
        key="similar_chart",
    )
    st.dataframe(similar_frame(similar, lang), hide_index=True, width="stretch")


def age_band_text(start: int | None) -> str:
    """'30–39 ans' / '30–39 years', or "not provided"."""
    if start is None:
        return category(None)
    return t("similar.age_band", low=start, high=start + 9)


def similar_frame(similar: SimilarOut, lang: str) -> pd.DataFrame:
    """The similar clients described by what they are, nearest first (no ids, no distances)."""
    return pd.DataFrame(
        {
            t("similar.col.age"): [age_band_text(c.age_band) for c in similar.items],
            t("similar.col.income"): [fmt_money(c.income_monthly, lang) for c in similar.items],
            t("similar.col.contract"): [category(c.contract_type) for c in similar.items],
            t("similar.col.amount"): [fmt_money(c.amount_credit, lang) for c in similar.items],
            t("compare.outcome"): [outcome_text(c.target) for c in similar.items],
        }
    )


def outcome_text(target: int | None) -> str:
    """How a similar client turned out: repaid, defaulted, or unknown."""
    if target is None:
        return t("compare.outcome.unknown")
    return t("compare.outcome.default") if target else t("compare.outcome.repaid")


def render() -> None:
    client_id = require_client()
    if client_id is None:
        return
    st.title(t("compare.title", id=client_id))
    show_client_decision(client_id, key="compare")
    lang = state.lang()
    tab_all, tab_group, tab_similar = st.tabs(
        [t("compare.tab.all"), t("compare.tab.group"), t("compare.tab.similar")]
    )
    with tab_all:
        everyone = _all_clients(client_id, lang)
    if everyone is None:
        return
    with tab_group:
        _group(client_id, everyone, lang)
    with tab_similar:
        _similar(client_id, everyone, lang)
