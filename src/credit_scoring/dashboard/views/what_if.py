"""What-if: change amount, term, annuity or income and see the new score; the largest amount."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from credit_scoring.dashboard import fetch, state
from credit_scoring.dashboard.i18n import fmt_money, fmt_pct, t
from credit_scoring.dashboard.views.client_file import term_months
from credit_scoring.dashboard.views.common import cached, require_client
from credit_scoring.dashboard.views.outcome import show_client_decision
from credit_scoring.dashboard.views.score import show_score
from credit_scoring.lending.form import pydantic_errors
from credit_scoring.lending.schemas import WhatIfIn

MAX_CALLS = 12
COLUMN_LABELS = {
    "AMT_CREDIT": "client.amount_credit",
    "AMT_ANNUITY": "client.amount_annuity",
    "AMT_INCOME_TOTAL": "client.income",
    "AMT_GOODS_PRICE": "client.goods_price",
}


@dataclass(frozen=True)
class AmountSearch:
    """Result of :func:`largest_granted_amount`."""

    amount: float | None  # None: even the smallest amount is refused
    calls: int
    at_upper_bound: bool  # True: granted at the highest amount tried, the answer may be higher


def largest_granted_amount(
    granted: Callable[[float], bool | None],
    *,
    low: float,
    high: float,
    max_calls: int = MAX_CALLS,
    step: float = 1_000.0,
) -> AmountSearch:
    """The largest amount in [low, high] for which ``granted(amount)`` is True, by bisection.

    Assumes the risk grows with the amount (true in practice at fixed term);
    uses at most ``max_calls`` calls to ``granted``; stops when the bracket is
    narrower than ``step``. ``granted`` returning None (API failure) stops the search.
    """
    calls = 0

    def ask(amount: float) -> bool | None:
        nonlocal calls
        calls += 1
        return granted(amount)

    top = ask(high)
    if top is None:
        return AmountSearch(None, calls, False)
    if top:
        return AmountSearch(high, calls, True)
    if calls >= max_calls:
        return AmountSearch(None, calls, False)
    bottom = ask(low)
    if not bottom:
        return AmountSearch(None, calls, False)
    good, bad = low, high
    while calls < max_calls and bad - good > step:
        middle = (good + bad) / 2
        answer = ask(middle)
        if answer is None:
            break
        good, bad = (middle, bad) if answer else (good, middle)
    return AmountSearch(good, calls, False)


# The what-if's widgets and the field of ``POST /clients/{id}/what_if`` each one fills.
WIDGET_FIELD = {
    "wi_credit": "amount_credit",
    "wi_term": "term_months",
    "wi_annuity": "amount_annuity",
    "wi_income": "income_total",
}


def check_scenario(values: dict[str, float | int], lang: str) -> dict[str, str]:
    """What the API would refuse in these values, by field, in ``lang``; empty when valid.

    The rules are the API's own (:class:`~credit_scoring.lending.schemas.WhatIfIn`), read
    from its schema, and the sentences the API's (:func:`~credit_scoring.lending.form.pydantic_errors`).

    Examples
    --------
    >>> check_scenario({"amount_credit": 0.0, "income_total": 30_000.0}, "en")
    {'amount_credit': 'Credit amount: must be greater than 0'}
    >>> check_scenario({"amount_credit": 5_000.0}, "fr")
    {}
    """
    try:
        WhatIfIn.model_validate(values)
    except ValidationError as exc:
        return {e.field: e.message for e in pydantic_errors(exc.errors(), lang)}
    return {}


def _scenario_inputs(app: dict, lang: str) -> tuple[dict[str, float | int], dict[str, str]]:
    """The changes asked, and what is wrong with the values typed (by API field)."""
    credit = float(app.get("AMT_CREDIT") or 0) or 100_000.0
    annuity = float(app.get("AMT_ANNUITY") or 0) or credit / 20
    income = float(app.get("AMT_INCOME_TOTAL") or 0) or 100_000.0
    term = term_months(credit, annuity) or 36
    cols = st.columns(4)
    mode = st.radio(
        t("whatif.mode"),
        ("term", "annuity"),
        horizontal=True,
        key="wi_mode",
        format_func={m: t(f"whatif.mode.{m}") for m in ("term", "annuity")}.get,
    )
    # No min_value nor max_value on the widgets: they would refuse a value silently (a red
    # field and the last result still shown); the API's rules name what is wrong instead.
    changes: dict[str, float | int] = {}
    new_credit = cols[0].number_input(
        t("client.amount_credit"), value=credit, step=10_000.0, key="wi_credit"
    )
    typed: dict[str, float | int] = {"amount_credit": float(new_credit)}
    if mode == "term":
        new_term = cols[1].number_input(
            t("whatif.term"), value=min(600, term), step=6, key="wi_term"
        )
        typed["term_months"] = int(new_term)
        if int(new_term) != term:
            changes["term_months"] = int(new_term)
    else:
        new_annuity = cols[1].number_input(
            t("client.amount_annuity"), value=annuity, step=1_000.0, key="wi_annuity"
        )
        typed["amount_annuity"] = float(new_annuity)
        if new_annuity != annuity:
            changes["amount_annuity"] = float(new_annuity)
    new_income = cols[2].number_input(
        t("client.income"), value=income, step=10_000.0, key="wi_income"
    )
    typed["income_total"] = float(new_income)
    if new_credit != credit:
        changes["amount_credit"] = float(new_credit)
        if mode == "term" and "term_months" not in changes:
            changes["term_months"] = term  # keep the term: the annuity follows the amount
    if new_income != income:
        changes["income_total"] = float(new_income)
    cols[3].metric(t("whatif.current_term"), t("common.months", n=term))
    problems = check_scenario(typed, lang)
    columns = {"amount_credit": 0, "term_months": 1, "amount_annuity": 1, "income_total": 2}
    for field, message in problems.items():
        cols[columns.get(field, 3)].error(message)  # beside its field
    return changes, problems


def _labels(problems: dict[str, str]) -> str:
    """The fields to correct, named as their widgets are."""
    names = {
        "amount_credit": t("client.amount_credit"),
        "term_months": t("whatif.term"),
        "amount_annuity": t("client.amount_annuity"),
        "income_total": t("client.income"),
    }
    return ", ".join(
        f"« {names.get(f, f)} »" if state.lang() == "fr" else f"'{names.get(f, f)}'"
        for f in problems
    )


def render() -> None:
    client_id = require_client()
    if client_id is None:
        return
    st.title(t("whatif.title", id=client_id))
    show_client_decision(client_id, key="whatif")
    st.write(t("whatif.intro"))
    lang = state.lang()
    detail = cached(fetch.client, client_id)
    if detail is None:
        return
    changes, problems = _scenario_inputs(detail.application, lang)
    if problems:  # nothing is computed, and no earlier result is shown, while a value is refused
        st.warning(t("forms.fix_first", fields=_labels(problems)))
    clicked = st.button(t("whatif.run"), type="primary", key="wi_run", disabled=bool(problems))
    if clicked and not problems:
        st.session_state["wi_last"] = (client_id, changes)
    saved_run = st.session_state.get("wi_last")
    last = None
    if isinstance(saved_run, tuple) and saved_run[0] == client_id and not problems:
        last = saved_run[1]
        if last != changes:  # the result of other values than those on screen: not shown
            st.info(t("forms.stale"))
            last = None
    if last is not None:
        result = cached(fetch.what_if, client_id, {**last, "lang": lang})
        if result is not None:
            st.subheader(t("whatif.result"))
            st.write(
                t(
                    "whatif.compare",
                    before=fmt_pct(result.baseline.probability, lang),
                    after=fmt_pct(result.scenario.probability, lang),
                )
            )
            if result.changes:
                st.dataframe(
                    pd.DataFrame(
                        {
                            t("common.item"): [t(COLUMN_LABELS.get(c, c)) for c in result.changes],
                            t("common.value"): [
                                fmt_money(v, lang) for v in result.changes.values()
                            ],
                        }
                    ),
                    hide_index=True,
                )
            show_score(result.scenario)
    st.divider()
    st.subheader(t("whatif.max_title"))
    credit = float(detail.application.get("AMT_CREDIT") or 100_000.0)
    term = term_months(credit, float(detail.application.get("AMT_ANNUITY") or 0)) or 36
    st.caption(t("whatif.max_help", term=term, calls=MAX_CALLS))
    if st.button(t("whatif.max_run"), key="wi_max"):

        def granted(amount: float) -> bool | None:
            out = cached(
                fetch.what_if,
                client_id,
                {"amount_credit": round(amount, 2), "term_months": term, "lang": lang},
            )
            return None if out is None else out.scenario.decision == "grant"

        with st.spinner(t("whatif.searching")):
            found = largest_granted_amount(
                granted, low=max(1_000.0, credit * 0.05), high=credit * 3
            )
        st.session_state["wi_max_result"] = (client_id, found)
    saved = st.session_state.get("wi_max_result")
    if saved and saved[0] == client_id:
        found = saved[1]
        if found.amount is None:
            st.warning(t("whatif.max_none", calls=found.calls))
        else:
            key = "whatif.max_upper" if found.at_upper_bound else "whatif.max_found"
            st.success(t(key, amount=fmt_money(found.amount, lang), term=term, calls=found.calls))
