"""Portfolio analysis (analysts): default rates by segment and distributions, with filters."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from credit_scoring.core import formatting
from credit_scoring.dashboard import charts, fetch, state
from credit_scoring.dashboard.i18n import fmt_num, fmt_pct, t
from credit_scoring.dashboard.views.common import cached, plot
from credit_scoring.dashboard.views.search import FILTERS, filter_widgets, option_label
from credit_scoring.lending.schemas import PopulationStats


def segment_frame(segments: dict[str, PopulationStats | None], lang: str) -> pd.DataFrame:
    """One row per segment value: clients, default rate (None when the call failed)."""
    return pd.DataFrame(
        {
            t("portfolio.segment"): list(segments),
            t("portfolio.clients"): [s.n_clients if s else None for s in segments.values()],
            t("portfolio.default_rate"): [
                fmt_pct(s.default_rate if s else None, lang) for s in segments.values()
            ],
        }
    )


def render() -> None:
    st.title(t("portfolio.title"))
    lang = state.lang()
    filters = filter_widgets("portfolio")
    overall = cached(fetch.population, filters, None, lang)
    if overall is None:
        return
    cols = st.columns(2)
    cols[0].metric(t("portfolio.clients"), fmt_num(overall.n_clients, lang, 0))
    cols[1].metric(t("portfolio.default_rate"), fmt_pct(overall.default_rate, lang))
    dims: list[str] = [d for d in FILTERS if d not in filters]
    dim_labels = {d: t(f"filter.{d}") for d in dims}
    dim = (
        st.selectbox(
            t("portfolio.by"), dims, key="portfolio_dim", format_func=dim_labels.__getitem__
        )
        if dims
        else None
    )
    if dim is not None:
        segments = {
            option_label(dim, value): cached(fetch.population, {**filters, dim: value}, None, lang)
            for value in FILTERS[dim]
        }
        rates = [s.default_rate or 0.0 if s else 0.0 for s in segments.values()]
        sizes = [s.n_clients if s else 0 for s in segments.values()]
        plot(
            charts.bars(
                list(segments),
                rates,
                percent=True,
                title=t("portfolio.chart", by=t(f"filter.{dim}")),
                y_label=t("portfolio.default_rate"),
                text=[
                    t("portfolio.bar_text", rate=fmt_pct(r, lang), n=fmt_num(n, lang, 0))
                    for r, n in zip(rates, sizes, strict=True)
                ],
            ),
            segment_frame(segments, lang),
            key="portfolio_segments",
        )
    if overall.features:
        labels: dict[str, str] = {f.name: f.description or f.name for f in overall.features}
        name = (
            st.selectbox(
                t("compare.pick_feature"),
                list(labels),
                key="portfolio_feature",
                format_func=labels.__getitem__,
            )
            or overall.features[0].name
        )
        feature = next(f for f in overall.features if f.name == name)
        fig = charts.distribution(
            [(t("portfolio.selection"), feature.bin_edges, feature.counts)],
            client_value=None,
            title=labels[name],
            x_label=t(f"unit.{feature.unit}") if feature.unit else "",
            y_label=t("compare.share_clients"),
            client_label=t("compare.client"),
        )
        plot(
            fig,
            pd.DataFrame(
                {
                    t("portfolio.quantile"): list(feature.quantiles),
                    t("common.value"): [
                        formatting.quantity(v, feature.unit, lang)
                        for v in feature.quantiles.values()
                    ],
                }
            ),
            key="portfolio_dist",
        )
