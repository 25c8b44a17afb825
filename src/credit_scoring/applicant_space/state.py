"""The browser session of one applicant: token, application, language, open screen.

The applicant space has its own session keys (nothing of the staff dashboard's): a
short-lived token of the ``applicant`` audience, the application it opens, the language.
Screens read and change them through these functions only.
"""

from __future__ import annotations

import contextlib
import time
from datetime import UTC
from typing import Any

import streamlit as st

from credit_scoring.applicant_space.client import ApplicantApiError, ApplicantClient
from credit_scoring.applicant_space.i18n import LANGS, translate
from credit_scoring.applicant_space.models import SessionOut
from credit_scoring.config import get_settings

TOKEN, EXPIRES, SIGNED_IN_AS, APPLICATION, LANG, FLASH, API, SECTION = (
    "as_token",
    "as_expires_at",
    "as_signed_in_application",
    "as_application",
    "as_lang",
    "as_flash",
    "as_api",
    "as_section",
)
# Widget keys of the screens: forgotten at sign-out, so the next person at this browser
# finds no comment, no attachment name and no birth date typed by the previous one.
WIDGET_PREFIX = "asw_"


@st.cache_resource(show_spinner=False)
def _shared_client(base_url: str) -> ApplicantClient:
    """One connection pool per API URL for the whole Streamlit server."""
    return ApplicantClient(base_url)


def api() -> ApplicantClient:
    """The client: an injected one (tests) or the shared client of ``Settings.api_url``."""
    injected = st.session_state.get(API)
    if isinstance(injected, ApplicantClient):
        return injected
    return _shared_client(get_settings().api_url)


def lang() -> str:
    value = st.session_state.get(LANG, "fr")
    return value if value in LANGS else "fr"


def t(key: str, /, **values: object) -> str:
    """The text ``key`` in the session's language."""
    return translate(key, lang(), **values)


def token() -> str | None:
    return st.session_state.get(TOKEN)


def is_signed_in(now: float | None = None) -> bool:
    """True while a token is held and has not expired (``now`` in epoch seconds, for tests)."""
    if not token():
        return False
    expires = st.session_state.get(EXPIRES)
    return expires is None or (now or time.time()) < float(expires)


def sign_in(session: SessionOut) -> None:
    st.session_state[TOKEN] = session.access_token
    expires = session.expires_at
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    # a margin, so that a screen never starts with a token about to die mid-way
    st.session_state[EXPIRES] = expires.timestamp() - 5
    st.session_state[SIGNED_IN_AS] = session.application_id
    st.session_state[APPLICATION] = session.application_id
    st.session_state.pop(FLASH, None)


def application_id() -> int:
    """The application the screens show (the signed-in one unless another was chosen)."""
    value: Any = st.session_state.get(APPLICATION) or st.session_state.get(SIGNED_IN_AS)
    return int(value)


def choose_application(application: int) -> None:
    st.session_state[APPLICATION] = int(application)


def sign_out(message_key: str | None = None) -> None:
    """Forget the token and everything typed; keep the language."""
    held = token()
    if held and message_key == "signin.signed_out":
        with contextlib.suppress(ApplicantApiError):  # the token dies at its expiry anyway
            api().logout(held, lang=lang())
    for key in (TOKEN, EXPIRES, SIGNED_IN_AS, APPLICATION, SECTION):
        st.session_state.pop(key, None)
    for key in [k for k in st.session_state if str(k).startswith(WIDGET_PREFIX)]:
        st.session_state.pop(key, None)
    if message_key:
        st.session_state[FLASH] = message_key


def pop_flash() -> str | None:
    return st.session_state.pop(FLASH, None)
