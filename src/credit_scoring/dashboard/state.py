"""The browser session of one dashboard user: token, role, language, selected client.

Everything a page needs to remember lives in ``st.session_state`` under the keys
below; pages read and change it through these functions only.

The language lives under :data:`LANG`, a key no widget owns: Streamlit drops the state of
a widget it considers gone (a page switch can do that), so the sidebar's radio has a key
of its own (:data:`LANG_WIDGET`), is set from :data:`LANG` on every run and copies a
choice back in its ``on_change`` callback. The language is also kept in the address
(``?lang=en``) and, once signed in, in the user's profile on the API.

A reload or a typed address starts a new Streamlit session: :func:`boot` restores the
signed-in session from the cookie's opaque id (:mod:`credit_scoring.dashboard.sessions`),
the language and the open client from the address (``?lang=en&client=100002``).
"""

from __future__ import annotations

import contextlib
import time
import uuid
from typing import Any

import streamlit as st

from credit_scoring.config import get_settings
from credit_scoring.dashboard.api_client import ApiClient, ApiError, speak
from credit_scoring.dashboard.sessions import COOKIE, SessionStore, Signed, is_session_id
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
# The sidebar radio's own key; the session id of the signed-in session (the cookie's
# value); set once the session was restored from the cookie and the address; set when the
# person chose the language (the radio or ``?lang=``) rather than inheriting it.
LANG_WIDGET, SID, BOOTED, LANG_CHOSEN = "_lang_choice", "_session_id", "_booted", "_lang_chosen"
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
    speak(lang())  # every call of this run asks for the API's messages in the person's language
    injected = st.session_state.get(API)
    if isinstance(injected, ApiClient):
        return injected
    return _shared_client(get_settings().api_url)


@st.cache_resource(show_spinner=False)
def sessions() -> SessionStore:
    """The signed-in sessions of this dashboard server (one store per process)."""
    return SessionStore()


def lang() -> str:
    value = st.session_state.get(LANG, "fr")
    return value if value in LANGS else "fr"


def set_lang(code: str) -> None:
    """The person chose ``code``: kept for the session, its reloads and the user's next login."""
    if code not in LANGS:
        return
    st.session_state[LANG] = code
    st.session_state[LANG_CHOSEN] = True
    sessions().update(st.session_state.get(SID), lang=code)
    held = token()
    if held and is_logged_in():
        # the choice still holds for this session when the API is away
        with contextlib.suppress(ApiError):
            api().set_language(held, code)


def lang_widget_changed() -> None:
    """``on_change`` of the sidebar's language radio."""
    set_lang(str(st.session_state.get(LANG_WIDGET, lang())))


def _query_client(value: object) -> int | None:
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if number > 0 else None


def boot(cookies: Any = None, query: Any = None, now: float | None = None) -> None:
    """On a session's first run: the language and client from the address, the signed-in
    session from the cookie (``cookies`` and ``query`` default to the browser's; for tests).

    A cookie naming a session that has expired (or that this server no longer knows)
    leaves the person on the login page with ``login.expired``, one whose token the API
    now refuses (revoked: logged out, user disabled) with ``login.ended``; when the API is away the session is restored as it was and the
    pages say the API is unreachable.
    """
    if st.session_state.get(BOOTED):
        return
    st.session_state[BOOTED] = True
    cookies = st.context.cookies if cookies is None else cookies
    query = st.query_params if query is None else query
    asked = query.get("lang")
    if asked in LANGS:
        st.session_state[LANG] = asked
        st.session_state[LANG_CHOSEN] = True
    sid = cookies.get(COOKIE)
    if not is_session_id(sid) or token():
        return
    store = sessions()
    signed = store.get(sid, now=now)
    if signed is None:
        st.session_state[FLASH] = "login.expired"
        return
    role_now, language = signed.role, signed.lang
    try:
        me = api().me(signed.token)
        role_now, language = me.role, signed.lang or me.language
    except ApiError as exc:
        if exc.kind == "unauthorized":  # revoked: logged out elsewhere, disabled, reset
            store.forget(sid)
            st.session_state[FLASH] = "login.ended"
            return
    restored = {
        TOKEN: signed.token,
        ROLE: role_now,
        USER: signed.username,
        EXPIRES: signed.expires_at,
        SID: sid,
    }
    for key, value in restored.items():
        st.session_state[key] = value
    client = _query_client(query.get("client")) or signed.client_id
    if client is not None:
        select_client(client)
    if asked not in LANGS and language in LANGS:
        st.session_state[LANG] = language


def session_id() -> str | None:
    """The id the cookie must hold (None when signed out: the cookie is deleted)."""
    value = st.session_state.get(SID)
    return value if isinstance(value, str) and is_logged_in() else None


def address_query() -> dict[str, str]:
    """What the address keeps: the language and the open client (never the token)."""
    query = {"lang": lang()}
    client = selected_client()
    if client is not None and is_logged_in():
        query["client"] = str(client)
    return query


def sync_address() -> None:
    """Write :func:`address_query` into the address when it differs (a copy keeps it)."""
    wanted = address_query()
    current = {key: st.query_params.get(key) for key in ("lang", "client")}
    if current != {"lang": wanted["lang"], "client": wanted.get("client")}:
        st.query_params.from_dict(wanted)


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
    """Hold the token; start in the user's own language unless one was chosen here first.

    A language chosen on the login page wins and is saved as the user's; otherwise the
    one they last chose (``tok.language``) applies. The session is kept under a new id
    for the cookie, so that a reload finds it.
    """
    st.session_state[TOKEN] = tok.access_token
    st.session_state[ROLE] = tok.role
    st.session_state[USER] = user
    # Leave a margin so a page never starts with a token about to die mid-way.
    expires = (now or time.time()) + max(tok.expires_in - 5, 1)
    st.session_state[EXPIRES] = expires
    st.session_state.pop(FLASH, None)
    if st.session_state.get(LANG_CHOSEN) and tok.language != lang():
        with contextlib.suppress(ApiError):
            api().set_language(tok.access_token, lang())
    elif not st.session_state.get(LANG_CHOSEN) and tok.language in LANGS:
        st.session_state[LANG] = tok.language
    st.session_state[SID] = sessions().create(
        Signed(tok.access_token, tok.role, user, expires, lang=lang()), now=now
    )


def end_session() -> None:
    """The logout button: revoke the token on the API (best effort), then forget it."""
    held = token()
    if held:
        # Expired, or the API is away: the token dies at its expiry anyway.
        with contextlib.suppress(ApiError):
            api().logout(held)
    log_out("login.logged_out")


def log_out(message_key: str | None = None) -> None:
    """Forget the credentials, the selected client and any application data; keep the language.

    The server forgets the session id too: the cookie, deleted on the next run, opens
    nothing even if the browser kept it.
    """
    sessions().forget(st.session_state.pop(SID, None))
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
    sessions().update(st.session_state.get(SID), client_id=int(client_id))


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
