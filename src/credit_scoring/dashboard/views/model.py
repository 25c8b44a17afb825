"""Model (analysts): the committee's review pack and the methodology note, performance,
comparison, calibration, importance, fairness, model card — all in the reader's language:
numbers, shares and groups ("moins de 30 ans") through :mod:`~credit_scoring.dashboard.i18n`."""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd
import streamlit as st

from credit_scoring.dashboard import charts, fetch, state
from credit_scoring.dashboard.api_client import ApiError
from credit_scoring.dashboard.i18n import catalog, fmt_num, fmt_pct, metric_label, t
from credit_scoring.dashboard.views.common import cached, error_message, plot

# Columns and figures that are shares (shown as percentages) and counts (no decimals).
SHARES = {
    "default_rate",
    "approval_rate",
    "false_negative_rate",
    "false_positive_rate",
    "share",
    "predicted_pd",
    "observed_default_rate",
    "pd_from",
    "pd_to",
    "cum_defaults_share",
    "cum_repaid_share",
    "min_probability",
    "max_probability",
    "selection_rate",
    "saving_vs_accept_all",
    "importance_covered",
}
COUNTS = {
    "clients",
    "defaults",
    "n_train",
    "decile",
    "points",
    "n_features",
    "rows_used",
    "rows_available",
}
_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def label(value: str, lang: str) -> str:
    """A code of the report (a group, an attribute, a metric, a bin) in words in ``lang``.

    >>> label("over 60", "fr"), label("CODE_GENDER", "en"), label("knn", "fr")
    ('60 ans et plus', 'Sex', 'Plus proches voisins')
    """
    words = catalog(lang)
    for prefix in ("analyst.group.", "analyst.attribute.", "analyst.bin.", "metric."):
        if f"{prefix}{value}" in words:
            return words[f"{prefix}{value}"]
    return candidate_label(value, lang)


def candidate_label(name: str, lang: str) -> str:
    """A candidate model of the comparison in words (its run name otherwise).

    >>> candidate_label("lightgbm_class_weight", "en")
    'LightGBM (boosted trees), weighted classes'
    >>> candidate_label("lightgbm_none_5seeds", "fr")
    'LightGBM (arbres boostés), sans correction du déséquilibre, moyenne de 5 graines'
    >>> candidate_label("something_else", "fr")
    'something_else'
    """
    words = catalog(lang)
    seeds = re.fullmatch(r"(.+)_(\d+)seeds", name)
    if seeds:
        inner = candidate_label(seeds.group(1), lang)
        return words["model.candidate.seeds"].format(name=inner, n=seeds.group(2))
    if f"model.candidate.{name}" in words:
        return words[f"model.candidate.{name}"]
    family, _, strategy = name.partition("_")
    if f"model.candidate.{family}" in words and f"model.strategy.{strategy}" in words:
        return f"{words[f'model.candidate.{family}']}, {words[f'model.strategy.{strategy}']}"
    return name


def bin_label(text: str, lang: str) -> str:
    """A scorecard bin (``[0.2, 0.4)``) with the language's decimals: ``[0,2 ; 0,4)``.

    >>> bin_label("[0.2, 0.4)", "fr"), bin_label("(-inf, 1.5)", "en"), bin_label("Missing", "fr")
    ('[0,2 ; 0,4)', '(-inf, 1.5)', 'non renseigné')
    """
    if "analyst.bin." + text in catalog(lang):
        return label(text, lang)

    def number(match: re.Match[str]) -> str:
        raw = match.group(0)
        digits = len(raw.split(".")[1]) if "." in raw and "e" not in raw else 0
        return fmt_num(float(raw), lang, digits) if "e" not in raw else raw

    shown = _DECIMAL.sub(number, text)
    return shown.replace(", ", " ; ") if lang == "fr" else shown


def cell(column: str, value: Any, lang: str) -> str:
    """One value of a report table, formatted for a person reading ``lang``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return t("common.yes") if value else t("common.no")
    if isinstance(value, str):
        return bin_label(value, lang) if column == "bin" else label(value, lang)
    if isinstance(value, int | float):
        if column in SHARES:
            return fmt_pct(float(value), lang, 1)
        if column in COUNTS or (isinstance(value, int) and not column.endswith("p_value")):
            return fmt_num(float(value), lang, 0)
        return fmt_num(float(value), lang, 4 if column.endswith(("p_value", "auc")) else 3)
    return str(value)


def report_table(rows: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    """Rows of the report as a table a person reads: headers in words, values formatted.

    A row's ``description`` replaces its ``characteristic`` or ``feature`` code.
    """
    frame = pd.DataFrame(rows)
    if "description" in frame.columns:
        frame = frame.drop(columns=[c for c in ("characteristic", "feature") if c in frame])
        frame = frame[["description", *[c for c in frame.columns if c != "description"]]]
    shown = pd.DataFrame(
        {
            metric_label(str(column)): [cell(str(column), v, lang) for v in frame[column]]
            for column in frame.columns
        }
    )
    return shown


def scalar_metrics(metrics: dict[str, Any], lang: str = "fr") -> pd.DataFrame:
    """The metrics that are single numbers, as a two-column table, formatted for ``lang``."""
    rows = [
        (metric_label(k), cell(k, float(v), lang))
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


def _fairness(fairness: dict[str, Any], lang: str) -> None:
    st.subheader(t("model.fairness"))
    if not fairness:
        st.write(t("model.nothing"))
        return
    for name, value in fairness.items():
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            rows = [{"group": group, **figures} for group, figures in value.items()]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            rows = value
        else:
            st.write(
                f"**{label(name, lang)}** : {value}"
                if lang == "fr"
                else f"**{label(name, lang)}**: {value}"
            )
            continue
        st.markdown(f"**{label(name, lang)}**")
        st.dataframe(report_table(rows, lang), hide_index=True, width="stretch")


def _table(rows: list[dict[str, Any]], lang: str) -> None:
    st.dataframe(report_table(rows, lang), hide_index=True, width="stretch")


def _grades(info: Any, lang: str) -> None:
    st.subheader(t("model.grades"))
    if info.grades:
        _table(info.grades, lang)
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
    chosen = st.selectbox(
        t("model.ks_candidate"),
        names,
        key="ks_candidate",
        format_func=lambda name: candidate_label(name, lang),
    )
    _table(info.ks_tables[chosen], lang)


def _protected(info: Any, lang: str) -> None:
    protected = info.protected or {}
    if not protected:
        return
    st.subheader(t("model.protected"))
    delta = protected["auc_with"] - protected["auc_without"]
    st.write(
        t(
            "model.protected_summary",
            without=fmt_num(protected["auc_without"], lang, 4),
            with_=fmt_num(protected["auc_with"], lang, 4),
            cost=("+" if delta >= 0 else "−") + fmt_num(abs(delta), lang, 4),
        )
    )
    if protected.get("gaps"):
        _table(protected["gaps"], lang)


def _methodology(lang: str) -> None:
    """The methodology note (HTML) in the page's language, to download."""
    try:
        html = state.api().methodology(state.token() or "", lang=lang)
    except ApiError as exc:
        st.caption(t("model.methodology_unavailable") + f" ({error_message(exc)})")
        return
    st.download_button(
        t("model.methodology_download"),
        data=html,
        file_name=f"methodology_{lang}.html",
        mime="text/html",
        key="model_methodology",
    )


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
    info = cached(fetch.model, lang)
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
    _methodology(lang)
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
        st.dataframe(scalar_metrics(info.metrics, lang), hide_index=True, width="stretch")
        if info.costs:
            st.markdown(f"**{t('model.costs')}**")
            st.dataframe(scalar_metrics(info.costs, lang), hide_index=True, width="stretch")
        if info.comparison:
            st.subheader(t("model.comparison"))
            _table(info.comparison, lang)
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
                pd.DataFrame(
                    {
                        t("model.predicted"): [fmt_pct(v, lang) for v in points[0]],
                        t("model.observed"): [fmt_pct(v, lang) for v in points[1]],
                    }
                ),
                key="calibration",
            )
    with tabs[1]:
        items = importance_items(info.metrics)
        if items:
            labels, values = zip(*items, strict=True)
            plot(
                charts.bars(labels, values, title=t("model.importance"), horizontal=True),
                pd.DataFrame(
                    {
                        t("common.item"): labels,
                        t("common.value"): [fmt_num(v, lang, 3) for v in values],
                    }
                ),
                key="importance",
            )
        else:
            st.write(t("model.nothing"))
    with tabs[2]:
        _fairness(info.fairness, lang)
        _protected(info, lang)
    with tabs[3]:
        _grades(info, lang)
    with tabs[4]:
        st.subheader(t("model.scorecard"))
        if info.scorecard_points:
            _table(info.scorecard_points, lang)
        else:
            st.write(t("model.nothing"))
    with tabs[5]:
        st.markdown(info.model_card_markdown or t("model.nothing"))
