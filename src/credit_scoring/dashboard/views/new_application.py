"""New application: the bank's form, scored by the API, then decided on the same page.

The form speaks the bank's language (dates, yes/no, the choices of
:data:`credit_scoring.lending.form.CHOICES` in French or English); the API
translates it to the model's columns. A known client's data can fill the form
(``GET /clients/{id}/applicant``); the form is then sent with ``client_id`` so that
their history comes from the database. Every problem of a refused form is shown
beside its field, all at once: the form's own rules are checked here first with the
bank form's model and messages, the lender's rules by the API (its 422).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import streamlit as st
from pydantic import ValidationError

from credit_scoring.dashboard import state
from credit_scoring.dashboard.api_client import ApiError, speak
from credit_scoring.dashboard.i18n import t
from credit_scoring.dashboard.views import application
from credit_scoring.dashboard.views.application import APPLICANT_FIELDS, LOAN_FIELDS
from credit_scoring.dashboard.views.common import error_message
from credit_scoring.lending.form import (
    CHOICES,
    ApplicationForm,
    check_applicant_dates,
    pydantic_errors,
)

PREFIX = "na_"  # one of state.FORM_PREFIXES: logging out forgets these widgets
# The date pickers' own limits, far outside any real date: a date the form refuses (a birth
# in the future) reaches the form's checks and is named with its cause, instead of being
# silently dropped by the widget (which would leave the field empty, "required").
OLDEST = date(1800, 1, 1)
LATEST = date(2199, 12, 31)
# What an empty form holds (the advisor must choose every required field).
DEFAULTS: dict[str, Any] = {
    **{f: None for f in APPLICANT_FIELDS},
    "children": 0,
    "not_employed": False,
    "owns_car": False,
    "owns_property": False,
    "region_rating": 2,
    **{f: None for f in LOAN_FIELDS},
    "contract_type": "cash",
}
DATES = ("birth_date", "employed_since", "id_document_issued_on", "address_since")
# Yes, no, or not asked (None): the model reads a missing answer differently from a no.
ANSWERS = ("mobile_phone", "work_phone", "home_phone", "email")


def widget_key(field: str) -> str:
    return f"{PREFIX}{field}"


def _reset(values: dict[str, Any] | None = None) -> None:
    """Put ``values`` (or the empty form) in the form's widgets."""
    for field, default in DEFAULTS.items():
        value = (values or {}).get(field, default)
        if field in DATES and isinstance(value, str):
            value = date.fromisoformat(value[:10])
        st.session_state[widget_key(field)] = value
    st.session_state[state.FORM_ERRORS] = []


def _load_client() -> None:
    """Button callback: fill the form with a known client's declared data."""
    client_id = st.session_state.get(f"{PREFIX}lookup")
    st.session_state.pop(f"{PREFIX}lookup_error", None)
    if not client_id:
        return
    speak(state.lang())  # a callback runs before the page: the API's messages in its language
    try:
        body = state.api().client_applicant(state.token() or "", int(client_id))
    except ApiError as exc:
        st.session_state[f"{PREFIX}lookup_error"] = error_message(exc)
        return
    loan: dict[str, Any] = body["loan"] if isinstance(body.get("loan"), dict) else {}
    _reset({**body["applicant"], **{k: v for k, v in loan.items() if v is not None}})
    st.session_state[state.APPLICANT_CLIENT] = int(client_id)


def fill_from_client(client_id: int) -> None:
    """Start a new application for a known client, the form filled with their data.

    Called by the Decision page when the client has no open application; a problem (the
    client cannot be read) is shown on the form, beside the client picker.
    """
    st.session_state.pop(state.NEW_APPLICATION, None)
    state.end_submission()
    st.session_state[f"{PREFIX}lookup"] = int(client_id)
    _load_client()


def _detach() -> None:
    """Button callback: back to a new applicant, with an empty form."""
    st.session_state.pop(state.APPLICANT_CLIENT, None)
    _reset()


def _start_again() -> None:
    """Button callback: leave the scored application for a new, empty form."""
    st.session_state.pop(state.NEW_APPLICATION, None)
    st.session_state.pop(state.APPLICANT_CLIENT, None)
    state.end_submission()
    _reset()


def keep_typed() -> None:
    """Keep every value typed when a widget is drawn again under another identity.

    A date picker's format follows the language, and Streamlit then treats it as a new
    widget, empty. Writing each value back to its key before the widgets are drawn makes
    the new widget start from it; the choices keep their codes (the labels come from
    ``format_func``), so a language switch changes the words and keeps the selection.
    """
    for key in [widget_key(f) for f in DEFAULTS] + [f"{PREFIX}lookup"]:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def form_values() -> dict[str, Any]:
    """The widgets' values by form field."""
    return {f: st.session_state.get(widget_key(f)) for f in DEFAULTS}


def form_body(values: dict[str, Any], client_id: int | None) -> dict[str, Any]:
    """The body of ``POST /applications`` from the widgets' values.

    "Not employed" wins over an employment date left in the form; a field left empty
    is left out of the body (the form's model then says "required", or takes the
    default of an optional field).
    """
    applicant: dict[str, Any] = {f: values.get(f) for f in APPLICANT_FIELDS}
    if applicant["not_employed"]:
        applicant["employed_since"] = None
    for field in DATES:
        value = applicant[field]
        if isinstance(value, date):
            applicant[field] = value.isoformat()
    loan = {f: values.get(f) for f in LOAN_FIELDS}
    # a field left empty is absent: "required" when the form needs it, its default otherwise
    applicant = {k: v for k, v in applicant.items() if v is not None}
    loan = {k: v for k, v in loan.items() if v is not None}
    if client_id is not None:
        return {"applicant": None, "client_id": int(client_id), "loan": loan}
    return {"applicant": applicant, "client_id": None, "loan": loan}


def _errors() -> dict[str, list[str]]:
    """The messages of the last refused submission, by field path."""
    found: dict[str, list[str]] = {}
    for error in st.session_state.get(state.FORM_ERRORS) or []:
        found.setdefault(str(error.get("field", "")), []).append(str(error.get("message", "")))
    return found


def _beside(errors: dict[str, list[str]], path: str) -> None:
    for message in errors.get(path, []):
        st.error(message)


def _select(field: str, errors: dict[str, list[str]], path: str, *, disabled: bool) -> None:
    labels = {code: names[state.lang()] for code, names in CHOICES[field].items()}
    st.selectbox(
        t(f"form.{field}"),
        list(labels),
        key=widget_key(field),
        format_func=labels.__getitem__,
        placeholder=t("form.choose"),
        disabled=disabled,
    )
    _beside(errors, path)


def _money(field: str, errors: dict[str, list[str]], path: str, *, disabled: bool = False) -> None:
    # no min_value nor max_value: the widget would drop a negative or huge amount silently;
    # the form's schema names what is wrong instead
    st.number_input(
        t(f"form.{field}"),
        step=1000.0,
        format="%.2f",
        key=widget_key(field),
        disabled=disabled,
        help=t(f"form.{field}_help") if field in ("goods_price", "monthly_annuity") else None,
    )
    _beside(errors, path)


def _applicant_block(errors: dict[str, list[str]], known: bool) -> None:
    def path(field: str) -> str:
        return f"applicant.{field}"

    st.subheader(t("form.applicant"))
    left, middle, right = st.columns(3)
    with left:
        _date("birth_date", errors, path("birth_date"), disabled=known)
        _select("sex", errors, path("sex"), disabled=known)
        st.caption(t("form.sex_help"))
        _select("family_status", errors, path("family_status"), disabled=known)
        st.number_input(
            t("form.children"),
            step=1,
            key=widget_key("children"),
            disabled=known,
        )
        _beside(errors, path("children"))
        _select("education", errors, path("education"), disabled=known)
    with middle:
        _select("income_type", errors, path("income_type"), disabled=known)
        _money("income_yearly", errors, path("income_yearly"), disabled=known)
        _date("employed_since", errors, path("employed_since"), disabled=known)
        st.checkbox(t("form.not_employed"), key=widget_key("not_employed"), disabled=known)
        st.caption(t("form.not_employed_help"))
        _beside(errors, path("not_employed"))
        _select("occupation", errors, path("occupation"), disabled=known)
        _select("employer_type", errors, path("employer_type"), disabled=known)
    with right:
        _select("housing", errors, path("housing"), disabled=known)
        st.checkbox(t("form.owns_car"), key=widget_key("owns_car"), disabled=known)
        _beside(errors, path("owns_car"))
        st.checkbox(t("form.owns_property"), key=widget_key("owns_property"), disabled=known)
        _beside(errors, path("owns_property"))
        st.radio(
            t("form.region_rating"),
            (1, 2, 3),
            horizontal=True,
            key=widget_key("region_rating"),
            help=t("form.region_rating_help"),
            disabled=known,
        )
        _beside(errors, path("region_rating"))
        st.markdown(f"**{t('form.bureau')}**")
        st.caption(t("form.bureau_help"))
        for i in (1, 2, 3):
            field = f"ext_source_{i}"
            st.number_input(
                t(f"form.{field}"),
                step=0.01,
                format="%.3f",
                key=widget_key(field),
                disabled=known,
            )
            _beside(errors, path(field))


def _date(field: str, errors: dict[str, list[str]], path: str, *, disabled: bool) -> None:
    st.date_input(
        t(f"form.{field}"),
        min_value=OLDEST,
        max_value=LATEST,
        key=widget_key(field),
        format="DD/MM/YYYY" if state.lang() == "fr" else "YYYY-MM-DD",
        disabled=disabled,
    )
    _beside(errors, path)


def _documents_block(errors: dict[str, list[str]], known: bool) -> None:
    """Identity document, address and contact details: optional, left empty when not asked."""
    st.markdown(f"**{t('form.documents')}**")
    st.caption(t("form.documents_help"))
    # dates on a row of their own: a full date does not fit a sixth of the page at 1280 px
    for col, field in zip(st.columns(3)[:2], DATES[2:], strict=True):
        with col:
            _date(field, errors, f"applicant.{field}", disabled=known)
    answers = {True: t("common.yes"), False: t("common.no")}
    for col, field in zip(st.columns(len(ANSWERS)), ANSWERS, strict=True):
        with col:
            st.selectbox(
                t(f"form.{field}"),
                (True, False),
                key=widget_key(field),
                format_func=answers.__getitem__,
                placeholder=t("form.not_asked"),
                disabled=known,
            )
            _beside(errors, f"applicant.{field}")


def _loan_block(errors: dict[str, list[str]]) -> None:
    st.subheader(t("form.loan"))
    st.caption(t("form.loan_help"))
    cols = st.columns(5)
    with cols[0]:
        _select("contract_type", errors, "loan.contract_type", disabled=False)
    with cols[1]:
        _money("amount", errors, "loan.amount")
    with cols[2]:
        _money("goods_price", errors, "loan.goods_price")
    with cols[3]:
        st.number_input(t("form.term_months"), step=1, key=widget_key("term_months"))
        _beside(errors, "loan.term_months")
    with cols[4]:
        _money("monthly_annuity", errors, "loan.monthly_annuity")


def _client_picker(known: int | None) -> None:
    if known is not None:
        st.info(t("form.known_client", id=known))
        st.button(t("form.detach"), key=f"{PREFIX}detach", on_click=_detach)
        return
    with st.expander(t("form.prefill"), expanded=state.selected_client() is not None):
        st.session_state.setdefault(f"{PREFIX}lookup", state.selected_client())
        cols = st.columns([2, 1])
        with cols[0]:
            st.number_input(
                t("form.client_id"),
                min_value=1,
                step=1,
                key=f"{PREFIX}lookup",
                help=t("form.client_id_help"),
            )
        with cols[1]:
            st.write("")
            st.button(t("form.fill"), key=f"{PREFIX}fill", on_click=_load_client)
        problem = st.session_state.get(f"{PREFIX}lookup_error")
        if problem:
            st.error(problem)


def _submit(known: int | None) -> None:
    """Check the form, send it, and keep either the result or every field's message."""
    values = form_values()
    body = form_body(values, known)
    try:
        form = ApplicationForm.model_validate(body)
    except ValidationError as exc:
        found = pydantic_errors(exc.errors(), state.lang())
        if known is None:  # a new applicant's dates are checked even on an incomplete form
            said = {e.field for e in found}
            found += [
                e
                for e in check_applicant_dates(values, today=date.today(), lang=state.lang())
                if e.field not in said
            ]
        st.session_state[state.FORM_ERRORS] = [
            {"field": e.field, "code": e.code, "message": e.message} for e in found
        ]
        st.rerun()
    sent = json.dumps(form.model_dump(mode="json"), sort_keys=True)
    try:
        created = state.api().create_application(
            state.token() or "",
            form,
            idempotency_key=state.submission_key(sent),
            lang=state.lang(),
        )
    except ApiError as exc:
        if exc.kind == "unauthorized":
            state.log_out("login.expired")
            st.rerun()
        if exc.kind == "invalid" and exc.errors:
            state.end_submission()
            st.session_state[state.FORM_ERRORS] = [e.model_dump() for e in exc.errors]
            st.rerun()
        # a timeout or an outage: the same submission keeps its key, a retry enters it once
        st.error(error_message(exc))
        if exc.kind in ("timeout", "unreachable", "unavailable", "server"):
            st.caption(t("form.retry"))
        return
    state.end_submission()
    st.session_state[state.FORM_ERRORS] = []
    st.session_state[state.NEW_APPLICATION] = {
        "id": created.application_id,
        "notes": list(created.notes),
        "new_client": created.new_client,
    }
    st.rerun()


def _result(created: dict[str, Any]) -> None:
    st.info(t("form.scored", id=created["id"]))  # green is kept for a credit granted
    for note in created.get("notes", []):
        st.caption(note)
    st.button(t("form.another"), key=f"{PREFIX}another", on_click=_start_again)
    application.show(int(created["id"]))


def render() -> None:
    st.title(t("form.title"))
    created = st.session_state.get(state.NEW_APPLICATION)
    if isinstance(created, dict):
        _result(created)
        return
    if not state.can_decide():
        st.info(t("form.read_only"))
        return
    for field, default in DEFAULTS.items():
        st.session_state.setdefault(widget_key(field), default)
    keep_typed()
    known = st.session_state.get(state.APPLICANT_CLIENT)
    _client_picker(known)
    errors = _errors()
    if errors:
        total = sum(len(v) for v in errors.values())
        st.error(t("form.errors", n=total))
        placed = {f"applicant.{f}" for f in APPLICANT_FIELDS} | {f"loan.{f}" for f in LOAN_FIELDS}
        for path, messages in errors.items():
            if path not in placed:  # the body itself, or a field the form does not show
                for message in messages:
                    st.error(message)
    # No st.form: a form holds what is typed in the browser until it is sent, and a language
    # switch (a run of its own) would lose it; each widget's value is kept as it is typed.
    _applicant_block(errors, known is not None)
    _documents_block(errors, known is not None)
    _loan_block(errors)
    if st.button(t("form.submit"), type="primary", key=f"{PREFIX}submit"):
        _submit(known)
