"""Cached reads from the API, keyed by API URL and token so that no user sees another's data.

``st.cache_data`` hashes every argument whose name does not start with ``_``: the
token is such an argument, so two users never share an entry. Writes (decisions)
are never cached and clear the entries they make stale.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from credit_scoring.dashboard.api_client import ApiClient
from credit_scoring.lending.schemas import (
    ClientDetail,
    ClientFilters,
    ClientPage,
    DecisionOut,
    ExplanationOut,
    ModelOut,
    PopulationStats,
    ScoreOut,
    SimilarOut,
    WhatIfIn,
    WhatIfOut,
)

TTL = 300  # seconds: scores change only when the champion changes


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=500)
def client(_api: ApiClient, url: str, token: str, client_id: int) -> ClientDetail:
    return _api.client(token, client_id)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=500)
def score(_api: ApiClient, url: str, token: str, client_id: int, lang: str) -> ScoreOut:
    return _api.score(token, client_id, lang=lang)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=200)
def explanation(_api: ApiClient, url: str, token: str, client_id: int, lang: str) -> ExplanationOut:
    return _api.explanation(token, client_id, lang=lang)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=200)
def similar(_api: ApiClient, url: str, token: str, client_id: int, k: int) -> SimilarOut:
    return _api.similar(token, client_id, k=k)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=200)
def search(
    _api: ApiClient,
    url: str,
    token: str,
    q: str | None,
    filters: dict[str, Any],
    page: int,
    page_size: int,
) -> ClientPage:
    return _api.search_clients(
        token, q=q, filters=ClientFilters(**filters), page=page, page_size=page_size
    )


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=300)
def population(
    _api: ApiClient, url: str, token: str, filters: dict[str, Any], client_id: int | None, lang: str
) -> PopulationStats:
    return _api.population_stats(
        token, filters=ClientFilters(**filters), client_id=client_id, lang=lang
    )


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=500)
def what_if(
    _api: ApiClient, url: str, token: str, client_id: int, changes: dict[str, Any]
) -> WhatIfOut:
    return _api.what_if(token, client_id, WhatIfIn(**changes))


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=20)
def model(_api: ApiClient, url: str, token: str, lang: str = "fr") -> ModelOut:
    """The champion's report, its card and descriptions in ``lang``."""
    return _api.model(token, lang=lang)


def decisions(api: ApiClient, token: str, client_id: int) -> list[DecisionOut]:
    """Never cached: the history must show a decision as soon as it is recorded."""
    return api.client_decisions(token, client_id)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=50)
def letter(
    _api: ApiClient, url: str, token: str, application_id: int, lang: str, version: str
) -> bytes:
    """The applicant's letter (PDF); ``version`` names the score and decisions it reflects."""
    return _api.application_letter(token, application_id, lang=lang)
