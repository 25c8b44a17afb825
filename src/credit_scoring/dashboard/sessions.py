"""Signed-in browser sessions kept on the dashboard server, so a reload does not sign out.

A reload (F5) or a typed address starts a new Streamlit session with an empty
``st.session_state``. The browser keeps only an opaque random *session id* in a cookie
(:data:`COOKIE`); this store maps it, on the server, to the API token and what the user
had open (the client, the language). The bearer token never leaves the server: not in
the cookie, not in the address.

An entry lives exactly as long as its token (the same expiry); logging out forgets it
and revokes the token on the API, and a token revoked elsewhere (an administrator
disabled the user, reset their password) is found out when the session is restored,
by asking the API who the token belongs to. The store is in the memory of one dashboard
process: a restart of the dashboard signs everyone out (they sign in again).

Examples
--------
>>> store = SessionStore()
>>> sid = store.create(Signed("tok", "advisor", "conseil", expires_at=200.0), now=100.0)
>>> store.get(sid, now=150.0).role
'advisor'
>>> store.get(sid, now=250.0) is None  # expired with its token
True
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

COOKIE = "cs_session"
# at most this many live sessions per dashboard process: the oldest expiring go first
MAX_SESSIONS = 10_000


@dataclass(frozen=True)
class Signed:
    """What a signed-in browser session had: the API token and what the user had open."""

    token: str
    role: str
    username: str
    expires_at: float  # epoch seconds, the token's own expiry
    client_id: int | None = None
    lang: str | None = None


def new_session_id() -> str:
    """An opaque, unguessable id (256 bits, URL- and cookie-safe)."""
    return secrets.token_urlsafe(32)


def is_session_id(value: object) -> bool:
    """Whether ``value`` looks like an id :func:`new_session_id` made (not any cookie text)."""
    return (
        isinstance(value, str)
        and len(value) == 43
        and value.replace("-", "a").replace("_", "a").isalnum()
    )


class SessionStore:
    """Session id -> :class:`Signed`, thread-safe (one Streamlit server, many sessions)."""

    def __init__(self, max_sessions: int = MAX_SESSIONS) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, Signed] = {}
        self._max = max_sessions

    def __len__(self) -> int:
        return len(self._items)

    def _purge(self, now: float) -> None:
        for sid in [sid for sid, item in self._items.items() if item.expires_at <= now]:
            del self._items[sid]
        while len(self._items) >= self._max:
            oldest = min(self._items, key=lambda sid: self._items[sid].expires_at)
            del self._items[oldest]

    def create(self, signed: Signed, now: float | None = None) -> str:
        """Keep ``signed`` under a new session id, which is returned (for the cookie)."""
        sid = new_session_id()
        with self._lock:
            self._purge(time.time() if now is None else now)
            self._items[sid] = signed
        return sid

    def get(self, sid: str | None, now: float | None = None) -> Signed | None:
        """The session ``sid`` names, while its token lives; None when unknown or expired."""
        if not sid:
            return None
        with self._lock:
            item = self._items.get(sid)
            if item is not None and item.expires_at <= (time.time() if now is None else now):
                del self._items[sid]
                return None
            return item

    def update(self, sid: str | None, **changes: Any) -> None:
        """Change what the session had open (``client_id``, ``lang``); no-op when gone."""
        if not sid:
            return
        with self._lock:
            item = self._items.get(sid)
            if item is not None:
                self._items[sid] = replace(item, **changes)

    def forget(self, sid: str | None) -> None:
        """Logout, or a token the API refused: the id opens nothing any more."""
        if sid:
            with self._lock:
                self._items.pop(sid, None)


def cookie_script(sid: str | None, max_age: int) -> str:
    """The HTML of a hidden frame that sets (or, ``sid=None``, deletes) the cookie.

    Streamlit cannot set a cookie on its own answer (it speaks over a websocket); an
    ``st.iframe`` of HTML runs in a same-origin frame and writes it for the page. ``SameSite=Strict`` (never sent by another site's link or form), ``Secure``
    when the dashboard is served over HTTPS; JavaScript must write it, so it cannot be
    HttpOnly: it holds only the opaque id, which opens nothing without this server.

    Examples
    --------
    >>> "max-age=0" in cookie_script(None, 0)
    True
    """
    value = sid if sid and is_session_id(sid) else ""
    age = max(int(max_age), 0) if value else 0
    return (
        "<script>(function(){var d=window.parent.document;"
        "var secure=window.parent.location.protocol==='https:'?';Secure':'';"
        f"d.cookie='{COOKIE}={value};path=/;max-age={age};SameSite=Strict'+secure;"
        "})();</script>"
    )
