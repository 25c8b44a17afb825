"""What the screens share: one API call with its failure shown in the applicant's words."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from credit_scoring.applicant_space import state
from credit_scoring.applicant_space.client import ApplicantApiError
from credit_scoring.applicant_space.state import t

T = TypeVar("T")


def error_text(exc: ApplicantApiError) -> str:
    """The API's own message (already in the applicant's language), else ours for the kind."""
    if exc.message:
        return exc.message
    if exc.code in ("unreachable", "timeout"):
        return t("error.unreachable")
    if exc.status == 404:
        return t("error.not_found")
    return t("error.other")


def read(fn: Callable[..., T], *args: object) -> T | None:
    """One read of the applicant's own data; an expired session goes back to sign-in."""
    try:
        return fn(state.token() or "", *args, lang=state.lang())
    except ApplicantApiError as exc:
        if exc.status == 401:
            state.sign_out("signin.expired")
            st.rerun()
        st.error(error_text(exc))
        return None
