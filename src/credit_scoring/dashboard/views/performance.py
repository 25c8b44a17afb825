"""Performance (analysts): the served scores against matured outcomes — the back-test.

What the validation team reads first: discrimination with its intervals, the AUC against
development, each grade's mean PD against its observed default rate with the Jeffreys test's
traffic light, the vintages, how the clients decided against the model turned out, and the
population's stability against training (PSI of the score, CSI of the top features). The
figures come from the API (``GET /backtest``); the button makes a new one (``POST``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from credit_scoring.dashboard import state
from credit_scoring.dashboard.api_client import ApiError
from credit_scoring.dashboard.i18n import fmt_datetime, fmt_num, fmt_pct, t
from credit_scoring.dashboard.views.common import error_message

LIGHTS = ("green", "yellow", "red")


def figures_frame(report: dict[str, Any], lang: str) -> pd.DataFrame:
    """AUC, Gini, KS, Brier and ECE with their 95% interval, in words."""
    rows = []
    for name in ("auc", "gini", "ks", "brier", "ece"):
        interval = report.get("intervals", {}).get(name, {})
        rows.append(
            {
                t("perf.col.figure"): t(f"perf.figure.{name}"),
                t("perf.col.value"): fmt_num(report.get(name), lang, 4),
                t("perf.col.interval"): (
                    f"{fmt_num(interval.get('low'), lang, 4)} – {fmt_num(interval.get('high'), lang, 4)}"
                    if interval.get("low") is not None
                    else "—"
                ),
            }
        )
    return pd.DataFrame(rows)


def grades_frame(report: dict[str, Any], lang: str) -> pd.DataFrame:
    """Per grade and for the portfolio: clients, defaults, PD, observed rate, light."""
    rows = [*report.get("grades", []), *([report["portfolio"]] if report.get("portfolio") else [])]
    return pd.DataFrame(
        [
            {
                t("perf.col.grade"): (
                    t("perf.portfolio") if row["grade"] == "portfolio" else row["grade"]
                ),
                t("perf.col.clients"): fmt_num(row["clients"], lang, 0),
                t("perf.col.defaults"): fmt_num(row["defaults"], lang, 0),
                t("perf.col.pd"): fmt_pct(row.get("pd"), lang, 2),
                t("perf.col.observed"): fmt_pct(row.get("observed"), lang, 2),
                t("perf.col.jeffreys"): fmt_num(row.get("jeffreys_p"), lang, 4),
                t("perf.col.light"): t(f"perf.light.{row['light']}"),
            }
            for row in rows
        ]
    )


def vintages_frame(report: dict[str, Any], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("perf.col.vintage"): row["vintage"],
                t("perf.col.clients"): fmt_num(row["clients"], lang, 0),
                t("perf.col.defaults"): fmt_num(row["defaults"], lang, 0),
                t("perf.col.pd"): fmt_pct(row.get("pd"), lang, 2),
                t("perf.col.observed"): fmt_pct(row.get("observed"), lang, 2),
                t("perf.col.gini"): fmt_num(row.get("gini"), lang, 3),
                t("perf.col.light"): t(f"perf.light.{row['light']}"),
            }
            for row in report.get("vintages", [])
        ]
    )


def overrides_frame(report: dict[str, Any], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("perf.col.kind"): t(f"perf.override.{row['kind']}"),
                t("perf.col.decisions"): fmt_num(row["decisions"], lang, 0),
                t("perf.col.outcomes"): fmt_num(row["outcomes"], lang, 0),
                t("perf.col.default_rate"): fmt_pct(row.get("default_rate"), lang, 1),
            }
            for row in report.get("overrides", [])
        ]
    )


PSI_LIGHTS = {"stable": "green", "watch": "yellow", "action": "red"}


def population_frame(report: dict[str, Any], lang: str) -> pd.DataFrame:
    """Score PSI then each feature's CSI, by month, with the verdict and its light."""
    section = report.get("population_stability") or {}
    rows = [{**row, "variable": None} for row in section.get("score", [])]
    rows += section.get("features", [])
    labels = section.get("labels") or {}

    def variable(name: str | None) -> str:
        if name is None:
            return t("perf.psi.score")
        return str((labels.get(name) or {}).get(lang) or name)

    return pd.DataFrame(
        [
            {
                t("perf.col.vintage"): row["month"],
                t("perf.col.variable"): variable(row["variable"]),
                t("perf.col.rows"): fmt_num(row["rows"], lang, 0),
                t("perf.col.psi"): fmt_num(row.get("psi"), lang, 3),
                t("perf.col.verdict"): (
                    t(f"perf.psi.verdict.{row['verdict']}") if row.get("verdict") else "—"
                ),
                t("perf.col.light"): (
                    t(f"perf.light.{PSI_LIGHTS[row['verdict']]}") if row.get("verdict") else "—"
                ),
            }
            for row in rows
        ]
    )


def _population(report: dict[str, Any], lang: str) -> None:
    section = report.get("population_stability")
    if section is None:  # a back-test stored before the section existed
        return
    st.subheader(t("perf.section.population"))
    if not section.get("available"):
        st.info(t("perf.population_none"))
        return
    st.caption(t("perf.population_help"))
    st.dataframe(population_frame(report, lang), hide_index=True, width="stretch")
    features = len(section.get("compared", [])) + len(section.get("not_stored", []))
    if features:
        st.caption(
            t("perf.population_features").format(
                compared=len(section.get("compared", [])), features=features
            )
        )


def challenger_frame(challenger: dict[str, Any], lang: str) -> pd.DataFrame:
    """Champion and challenger side by side: AUC, threshold, cost, grade lights."""
    rows = []
    for who in ("champion", "challenger"):
        lights = challenger["lights"][who]
        rows.append(
            {
                t("perf.col.model"): t(f"perf.model.{who}").format(
                    versions=", ".join(challenger["champion_versions"]),
                    version=challenger["challenger_version"],
                ),
                t("perf.col.auc"): fmt_num(challenger["auc"].get(who), lang, 4),
                t("perf.col.threshold"): fmt_num(challenger["threshold"].get(who), lang, 3),
                t("perf.col.cost"): fmt_num(challenger["cost"].get(who), lang, 4),
                t("perf.col.lights"): " / ".join(str(lights[light]) for light in LIGHTS),
            }
        )
    return pd.DataFrame(rows)


def _challenger_section(challenger: dict[str, Any], lang: str) -> None:
    st.subheader(t("perf.section.challenger"))
    st.caption(t("perf.challenger_help"))
    st.dataframe(challenger_frame(challenger, lang), hide_index=True, width="stretch")
    auc = challenger["auc"]
    st.caption(
        t("perf.challenger_test").format(
            clients=fmt_num(challenger["clients"], lang, 0),
            defaults=fmt_num(challenger["defaults"], lang, 0),
            diff=fmt_num(auc.get("difference"), lang, 4),
            z=fmt_num(auc.get("z"), lang, 2),
            p=fmt_num(auc.get("p_value"), lang, 4),
        )
    )
    if challenger["lost"]:
        st.warning(t("perf.challenger.lost"))
    elif challenger["won"]:
        st.success(t("perf.challenger.won"))
    else:
        st.info(t("perf.challenger.even"))


def _run(token: str) -> dict[str, Any] | None:
    with st.spinner(t("perf.running")):
        try:
            return state.api().run_backtest(token)
        except ApiError as exc:
            st.error(error_message(exc))
            return None


def _p_value(value: float | None, lang: str) -> str:
    """A p-value to four decimals; ``< 0,0001`` below that."""
    if value is not None and value < 1e-4:
        return "< " + fmt_num(1e-4, lang, 4)
    return fmt_num(value, lang, 4)


def alert_texts(report: dict[str, Any], lang: str) -> list[str]:
    """The back-test's alerts in ``lang``, worded from their figures (``alert_items``).

    A report stored before the alerts carried their figures gives its English sentences.
    """
    items = report.get("alert_items")
    if items is None:
        return [str(a) for a in report.get("alerts") or []]
    texts = []
    for item in items:
        code = item.get("code")
        if code == "auc_floor":
            texts.append(
                t(
                    "perf.alert.auc_floor",
                    auc=fmt_num(item.get("auc"), lang, 4),
                    floor=fmt_num(item.get("floor"), lang, 4),
                )
            )
        elif code == "grade_red":
            texts.append(
                t(
                    "perf.alert.grade_red",
                    grade=item.get("grade", ""),
                    defaults=fmt_num(item.get("defaults"), lang, 0),
                    clients=fmt_num(item.get("clients"), lang, 0),
                    observed=fmt_pct(item.get("observed"), lang),
                    pd=fmt_pct(item.get("pd"), lang),
                    p=_p_value(item.get("jeffreys_p"), lang),
                )
            )
        elif code == "portfolio_red":
            texts.append(t("perf.alert.portfolio_red"))
    return texts


def render() -> None:
    st.title(t("perf.title"))
    st.caption(t("perf.intro"))
    lang, token = state.lang(), state.token() or ""
    report: dict[str, Any] | None = None
    if st.button(t("perf.run"), key="perf_run"):
        report = _run(token)
    if report is None:
        try:
            report = state.api().backtest_latest(token)
        except ApiError as exc:
            if exc.kind == "not_found":
                st.info(t("perf.none"))
                return
            st.error(error_message(exc))
            return
    if not report.get("clients"):
        st.info(t("perf.no_outcomes"))
        return
    st.markdown(
        t("perf.summary").format(
            clients=fmt_num(report["clients"], lang, 0),
            defaults=fmt_num(report["defaults"], lang, 0),
            versions=", ".join(report.get("model_versions") or []) or "—",
            date=fmt_datetime(report.get("created_at"), lang),
        )
    )
    for alert in alert_texts(report, lang):
        st.error(alert)
    if report.get("ok"):
        st.success(t("perf.ok"))
    st.subheader(t("perf.section.figures"))
    st.dataframe(figures_frame(report, lang), hide_index=True, width="stretch")
    dev = report.get("development") or {}
    if dev.get("development_auc") is not None and dev.get("z") is not None:
        st.caption(
            t("perf.development").format(
                auc=fmt_num(dev.get("auc"), lang, 4),
                dev=fmt_num(dev["development_auc"], lang, 4),
                z=fmt_num(dev["z"], lang, 2),
                p=fmt_num(dev.get("p_value"), lang, 4),
            )
        )
    st.subheader(t("perf.section.grades"))
    st.caption(t("perf.grades_help"))
    st.dataframe(grades_frame(report, lang), hide_index=True, width="stretch")
    st.caption(t("perf.herfindahl").format(value=fmt_num(report.get("herfindahl"), lang, 3)))
    if report.get("vintages"):
        st.subheader(t("perf.section.vintages"))
        st.dataframe(vintages_frame(report, lang), hide_index=True, width="stretch")
        s = report.get("stability") or {}
        if s.get("slope") is not None:
            st.caption(
                t("perf.stability").format(
                    months=s["months"],
                    mean=fmt_num(s.get("mean_gini"), lang, 3),
                    slope=fmt_num(s.get("slope"), lang, 4),
                    spread=fmt_num(s.get("residual_std"), lang, 4),
                )
            )
    st.subheader(t("perf.section.overrides"))
    st.dataframe(overrides_frame(report, lang), hide_index=True, width="stretch")
    _population(report, lang)
    if report.get("challenger"):
        _challenger_section(report["challenger"], lang)
