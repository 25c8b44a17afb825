"""What every page shares: calling the API safely, the selected client's header, tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from credit_scoring.dashboard import fetch, state
from credit_scoring.dashboard.api_client import ApiError, speak
from credit_scoring.dashboard.i18n import t

T = TypeVar("T")


def error_message(exc: ApiError) -> str:
    """The translated sentence for an API failure, with the API's own message beneath it.

    The message is the API's sentence for a person, in the session's language; its
    ``detail`` (for programs and logs) is never shown.
    """
    text = t(f"error.{exc.kind}")
    return f"{text}\n\n{exc.message}" if exc.message else text


def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Run one API read; on failure show why (or go back to login when the session expired)."""
    speak(state.lang())  # the API's messages in the person's language
    try:
        return fn(*args, **kwargs)
    except ApiError as exc:
        if exc.kind == "unauthorized" and state.token():
            state.log_out("login.expired")
            st.rerun()
        st.error(error_message(exc))
        return None


def cached(fn: Callable[..., T], *args: Any) -> T | None:
    """A cached read from :mod:`fetch`, keyed by the API URL and the user's token."""
    api = state.api()
    return call(fn, api, api.base_url, state.token() or "", *args)


def require_client() -> int | None:
    """The selected client's id, or a hint to pick one first."""
    client_id = state.selected_client()
    if client_id is None:
        st.info(t("common.pick_client"))
    return client_id


def client_header(client_id: int) -> None:
    st.caption(t("common.client_header", id=client_id))


def plot(
    fig: go.Figure,
    numbers: pd.DataFrame | None = None,
    *,
    key: str | None = None,
    alt: str | None = None,
) -> None:
    """An interactive chart and, beneath it, its numbers as a table (the text equivalent)."""
    title = alt or fig.layout.title.text or ""
    st.plotly_chart(
        fig,
        width="stretch",
        key=key,
        alt=title or None,
        config={"displaylogo": False, "locale": state.lang()},
    )
    if numbers is not None and not numbers.empty:
        with st.expander(t("common.numbers") + (f" — {title}" if title else "")):
            st.dataframe(numbers, hide_index=True, width="stretch")


def score_for(client_id: int) -> Any:
    return cached(fetch.score, client_id, state.lang())
