"""The dashboard as the page tests drive it (Streamlit's AppTest), on :mod:`dashboard_fake`.

``dashboard(fake)`` is the whole app, on its login page, and ``log_in`` fills that form;
``logged_in`` runs one page body in a session already open (no form); ``texts`` is what a
page says.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dashboard_fake import FakeApi
from streamlit.testing.v1 import AppTest

from credit_scoring.dashboard import navigation, state

APP = str(Path(navigation.__file__).with_name("app.py"))
TIMEOUT = 30
TEXT_KINDS = ("markdown", "success", "error", "info", "warning", "caption", "title", "subheader")


def dashboard(fake: FakeApi) -> AppTest:
    """The whole dashboard on ``fake``, not run yet (the session may be set first)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[state.API] = fake.api_client()
    return at


def log_in(at: AppTest, username: str, password: str) -> AppTest:
    """Type ``username`` and ``password`` in the login form and send it."""
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def render_view(name: str) -> None:
    """The body of the page ``name`` (a module of ``credit_scoring.dashboard.views``)."""
    import importlib

    importlib.import_module(f"credit_scoring.dashboard.views.{name}").render()


def logged_in(
    fake: FakeApi,
    render: Callable[..., None],
    *args: object,
    user: str,
    role: str,
    lang: str,
    client_id: int | None = None,
) -> AppTest:
    """``render(*args)`` run once in a session of ``user`` (as ``role``) on ``fake``.

    ``render`` is run from its source, alone: it imports what it needs.
    """
    at = AppTest.from_function(render, args=args, default_timeout=TIMEOUT)
    at.session_state[state.API] = fake.api_client()
    at.session_state[state.TOKEN] = f"tok-{user}"
    at.session_state[state.ROLE] = role
    at.session_state[state.USER] = user
    at.session_state[state.LANG] = lang
    if client_id is not None:
        at.session_state[state.CLIENT] = client_id
    return at.run()


def texts(at: AppTest) -> str:
    """Every text the page shows, a line each."""
    return "\n".join(str(e.value) for kind in TEXT_KINDS for e in getattr(at, kind))
