"""The browser session of one dashboard user: token, role, language, selected client.

Everything a page needs to remember lives in ``st.session_state`` under the keys
below; pages read and change it through these functions only.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from typing import Any

import streamlit as st

from credit_scoring.config import get_settings
from credit_scoring.dashboard.api_client import ApiClient
from credit_scoring.lending.schemas import TokenOut

TOKEN, ROLE, USER, EXPIRES, LANG, CLIENT, FLASH, API = (
    "auth_token",
    "auth_role",
    "auth_user",
    "auth_expires_at",
    "lang",
    "client_id",
    "flash",
    "api",
)
LANGS = ("fr", "en")
# Application keys: the one open on the Applications page, the one just entered on the
# New application page, the pending submission's idempotency key (and what it was for),
# the client attached to the form, the field errors of the last refused submission.
APPLICATION, NEW_APPLICATION, SUBMISSION, APPLICANT_CLIENT, FORM_ERRORS = (
    "application_id",
    "new_application_id",
    "application_submission",
    "application_client",
    "application_form_errors",
)
# Widget keys of the application pages (New application, the decision form, the queue).
FORM_PREFIXES = ("na_", "app_", "apps_")
_ADVISOR_PAGES = (
    "new_application",
    "applications",
    "search",
    "client",
    "score",
    "compare",
    "whatif",
    "decision",
)
# Pages each role sees (the API enforces the same rules; this only hides what would fail).
# Analysts do not enter applications: they read the portfolio, the model and the drift.
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    "advisor": _ADVISOR_PAGES,
    "senior": _ADVISOR_PAGES,
    "analyst": (
        "search",
        "client",
        "score",
        "compare",
        "whatif",
        "decision",
        "portfolio",
        "model",
        "performance",
        "drift",
    ),
    "admin": (
        *_ADVISOR_PAGES,
        "portfolio",
        "model",
        "performance",
        "drift",
        "users",
        "audit",
    ),
}
CAN_DECIDE = ("advisor", "senior", "admin")
# May decide a referred application, or grant one that a policy rule refuses.
SENIORS = ("senior", "admin")


@st.cache_resource(show_spinner=False)
def _shared_client(base_url: str) -> ApiClient:
    """One HTTP connection pool per API URL for the whole Streamlit server."""
    return ApiClient(base_url)


def api() -> ApiClient:
    """The API client: an injected one (tests) or the shared client for ``Settings.api_url``."""
    injected = st.session_state.get(API)
    if isinstance(injected, ApiClient):
        return injected
    return _shared_client(get_settings().api_url)


def lang() -> str:
    value = st.session_state.get(LANG, "fr")
    return value if value in LANGS else "fr"


def token() -> str | None:
    return st.session_state.get(TOKEN)


def role() -> str | None:
    return st.session_state.get(ROLE)


def username() -> str | None:
    return st.session_state.get(USER)


def is_logged_in(now: float | None = None) -> bool:
    """True while a token is held and has not expired (``now`` in epoch seconds, for tests)."""
    if not token():
        return False
    expires = st.session_state.get(EXPIRES)
    return expires is None or (now or time.time()) < float(expires)


def log_in(tok: TokenOut, user: str, now: float | None = None) -> None:
    st.session_state[TOKEN] = tok.access_token
    st.session_state[ROLE] = tok.role
    st.session_state[USER] = user
    # Leave a margin so a page never starts with a token about to die mid-way.
    st.session_state[EXPIRES] = (now or time.time()) + max(tok.expires_in - 5, 1)
    st.session_state.pop(FLASH, None)


def end_session() -> None:
    """The logout button: revoke the token on the API (best effort), then forget it."""
    from credit_scoring.dashboard.api_client import ApiError

    held = token()
    if held:
        # Expired, or the API is away: the token dies at its expiry anyway.
        with contextlib.suppress(ApiError):
            api().logout(held)
    log_out("login.logged_out")


def log_out(message_key: str | None = None) -> None:
    """Forget the credentials, the selected client and any application data; keep the language."""
    for key in (TOKEN, ROLE, USER, EXPIRES, CLIENT, APPLICATION, NEW_APPLICATION, SUBMISSION):
        st.session_state.pop(key, None)
    # an applicant's data typed into a form is not left for the next person at this browser
    for key in [k for k in st.session_state if str(k).startswith(FORM_PREFIXES)]:
        st.session_state.pop(key, None)
    for key in (APPLICANT_CLIENT, FORM_ERRORS):
        st.session_state.pop(key, None)
    if message_key:
        st.session_state[FLASH] = message_key


def pop_flash() -> str | None:
    return st.session_state.pop(FLASH, None)


def pages_for(role_name: str | None) -> tuple[str, ...]:
    return ROLE_PAGES.get(role_name or "", ())


def can_decide() -> bool:
    return role() in CAN_DECIDE


def is_senior() -> bool:
    """Seniors and admins: decide referred applications, grant against a policy refusal."""
    return role() in SENIORS


def sees_everyone() -> bool:
    """Seniors and admins see every advisor's applications; an advisor sees their own."""
    return role() in SENIORS


def open_application(application_id: int) -> None:
    """The application the Applications page shows."""
    st.session_state[APPLICATION] = int(application_id)


def opened_application() -> int | None:
    value: Any = st.session_state.get(APPLICATION)
    return None if value is None else int(value)


def submission_key(body: str) -> str:
    """The Idempotency-Key of a form submission: kept while the same body is retried.

    Parameters
    ----------
    body : str
        The submitted form as JSON. A retry of the same body (after a timeout, say)
        sends the same key, so the API answers with the first result rather than
        entering the application twice; a changed body is a new submission.
    """
    held = st.session_state.get(SUBMISSION)
    if isinstance(held, dict) and held.get("body") == body:
        return str(held["key"])
    key = str(uuid.uuid4())
    st.session_state[SUBMISSION] = {"body": body, "key": key}
    return key


def end_submission() -> None:
    """The API answered the submission (a result or field errors): the next one is new."""
    st.session_state.pop(SUBMISSION, None)


def select_client(client_id: int) -> None:
    st.session_state[CLIENT] = int(client_id)


def selected_client() -> int | None:
    value: Any = st.session_state.get(CLIENT)
    return None if value is None else int(value)


PAGES = "_pages"


def register_pages(pages: dict[str, Any]) -> None:
    """Called by ``app.py`` on every run with the ``st.Page`` objects the user may open."""
    st.session_state[PAGES] = pages


def go(page_key: str) -> None:
    """Open another page (no-op when that page is not available, e.g. in page tests)."""
    page = st.session_state.get(PAGES, {}).get(page_key)
    if page is not None:
        st.switch_page(page)
