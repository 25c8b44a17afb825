"""Model (analysts): the committee's review pack, performance, comparison, calibration,
importance, fairness, model card."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from credit_scoring.dashboard import charts, fetch, state
from credit_scoring.dashboard.api_client import ApiError
from credit_scoring.dashboard.i18n import fmt_pct, metric_label, t
from credit_scoring.dashboard.views.common import cached, error_message, plot


def scalar_metrics(metrics: dict[str, Any]) -> pd.DataFrame:
    """The metrics that are single numbers, as a two-column table."""
    rows = [
        (metric_label(k), round(float(v), 4))
        for k, v in metrics.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    return pd.DataFrame(rows, columns=[t("common.item"), t("common.value")])


def calibration_points(metrics: dict[str, Any]) -> tuple[list[float], list[float]] | None:
    """Predicted/observed pairs from ``metrics['calibration']`` (dict of lists or list of dicts)."""
    cal = metrics.get("calibration")
    if isinstance(cal, dict):
        pred = cal.get("predicted") or cal.get("mean_predicted") or cal.get("prob_pred")
        obs = cal.get("observed") or cal.get("fraction_positive") or cal.get("prob_true")
        if isinstance(pred, list) and isinstance(obs, list) and len(pred) == len(obs):
            return [float(x) for x in pred], [float(y) for y in obs]
    if isinstance(cal, list) and cal and all(isinstance(r, dict) for r in cal):
        keys = ("predicted", "observed")
        if all(k in cal[0] for k in keys):
            return [float(r["predicted"]) for r in cal], [float(r["observed"]) for r in cal]
    return None


def importance_items(metrics: dict[str, Any], top: int = 20) -> list[tuple[str, float]]:
    """Global importance as (label, value), largest first, from a dict or a list of rows."""
    raw = metrics.get("global_importance") or metrics.get("importance") or {}
    if isinstance(raw, dict):
        items = [(str(k), float(v)) for k, v in raw.items() if isinstance(v, int | float)]
    elif isinstance(raw, list):
        items = [
            (
                str(r.get("description") or r.get("feature") or r.get("group")),
                float(r.get("importance", r.get("value")) or 0.0),
            )
            for r in raw
            if isinstance(r, dict)
        ]
    else:
        items = []
    return sorted(items, key=lambda kv: abs(kv[1]), reverse=True)[:top]


def _fairness(fairness: dict[str, Any]) -> None:
    st.subheader(t("model.fairness"))
    if not fairness:
        st.write(t("model.nothing"))
        return
    for name, value in fairness.items():
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            st.markdown(f"**{name}**")
            st.dataframe(pd.DataFrame(value).T, width="stretch")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            st.markdown(f"**{metric_label(name)}**")
            frame = pd.DataFrame(value)
            st.dataframe(frame.rename(columns=metric_label), hide_index=True, width="stretch")
        else:
            st.write(f"**{name}**: {value}")


def _table(rows: list[dict[str, Any]]) -> None:
    st.dataframe(pd.DataFrame(rows).rename(columns=metric_label), hide_index=True, width="stretch")


def _grades(info: Any) -> None:
    st.subheader(t("model.grades"))
    if info.grades:
        _table(info.grades)
    else:
        st.write(t("model.nothing"))
    scale = (info.points_scale or {}).get("description")
    if scale:
        st.caption(t("model.points_scale", scale=scale))
    st.subheader(t("model.ks"))
    if not info.ks_tables:
        st.write(t("model.nothing"))
        return
    names = list(info.ks_tables)
    chosen = st.selectbox(t("model.ks_candidate"), names, key="ks_candidate")
    _table(info.ks_tables[chosen])


def _protected(info: Any) -> None:
    protected = info.protected or {}
    if not protected:
        return
    st.subheader(t("model.protected"))
    st.write(
        t(
            "model.protected_summary",
            without=f"{protected['auc_without']:.4f}",
            with_=f"{protected['auc_with']:.4f}",
            cost=f"{protected['auc_with'] - protected['auc_without']:+.4f}",
        )
    )
    if protected.get("gaps"):
        _table(protected["gaps"])


def _review_pack(lang: str) -> None:
    """The committee's review pack (PDF slides) in the page's language, to download."""
    api = state.api()
    try:
        pdf = api.review_pack(state.token() or "", lang=lang)
    except ApiError as exc:
        st.caption(t("model.review_pack_unavailable") + f" ({error_message(exc)})")
        return
    st.download_button(
        t("model.review_pack_download"),
        data=pdf,
        file_name=f"review_pack_{lang}.pdf",
        mime="application/pdf",
        key="model_review_pack",
    )


def render() -> None:
    st.title(t("model.title"))
    lang = state.lang()
    info = cached(fetch.model)
    if info is None:
        return
    st.write(
        t(
            "model.summary",
            name=info.model_name,
            version=info.model_version,
            s=fmt_pct(info.threshold, lang),
        )
    )
    _review_pack(lang)
    tabs = st.tabs(
        [
            t("model.tab.performance"),
            t("model.tab.importance"),
            t("model.tab.fairness"),
            t("model.tab.grades"),
            t("model.tab.scorecard"),
            t("model.tab.card"),
        ]
    )
    with tabs[0]:
        st.dataframe(scalar_metrics(info.metrics), hide_index=True, width="stretch")
        if info.costs:
            st.markdown(f"**{t('model.costs')}**")
            st.dataframe(scalar_metrics(info.costs), hide_index=True, width="stretch")
        if info.comparison:
            st.subheader(t("model.comparison"))
            st.dataframe(
                pd.DataFrame(info.comparison).rename(columns=metric_label),
                hide_index=True,
                width="stretch",
            )
        points = calibration_points(info.metrics)
        if points:
            fig = charts.calibration(
                *points,
                title=t("model.calibration"),
                x_label=t("model.predicted"),
                y_label=t("model.observed"),
                ideal_label=t("model.ideal"),
                model_label=info.model_name,
            )
            plot(
                fig,
                pd.DataFrame({t("model.predicted"): points[0], t("model.observed"): points[1]}),
                key="calibration",
            )
    with tabs[1]:
        items = importance_items(info.metrics)
        if items:
            labels, values = zip(*items, strict=True)
            plot(
                charts.bars(labels, values, title=t("model.importance"), horizontal=True),
                pd.DataFrame({t("common.item"): labels, t("common.value"): values}),
                key="importance",
            )
        else:
            st.write(t("model.nothing"))
    with tabs[2]:
        _fairness(info.fairness)
        _protected(info)
    with tabs[3]:
        _grades(info)
    with tabs[4]:
        st.subheader(t("model.scorecard"))
        if info.scorecard_points:
            _table(info.scorecard_points)
        else:
            st.write(t("model.nothing"))
    with tabs[5]:
        st.markdown(info.model_card_markdown or t("model.nothing"))
