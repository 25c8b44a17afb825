"""Property-based requests generated from the OpenAPI schema: no 5xx, whatever the input.

Every operation is generated, a few examples each, with a valid admin token. Most run
in-process (ASGI). Bodies of ``POST /predict_default`` with history rows go to the same
API served by uvicorn in a subprocess (``live_server.py``): their features are built by
DuckDB, whose connections in the in-process ASGI worker threads aborted the interpreter
at exit. Logins are generated too (failures only throttle the generator's address), logout
is called with a throwaway user's token, and user changes never touch the shared users.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis.transport.requests import REQUESTS_TRANSPORT

from credit_scoring.api.app import create_app
from credit_scoring.config import Settings
from credit_scoring.db.session import session_scope
from credit_scoring.lending.security import add_user

from .conftest import APPLICATION, PASSWORD, SECRET, Bank, TestClient, auth_headers, bearer
from .fake_scorer import FakeScorer

# The schema is static; the app's settings and model are set to the test bank before startup.
APP = create_app(Settings(environment="test", secret_key=SECRET))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
SHARED_USERS = {"advisor", "analyst", "admin", "fuzz-admin"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_url(bank: Bank, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    features = tmp_path_factory.mktemp("live") / "features.parquet"
    bank.features.to_parquet(features)
    port = _free_port()
    script = Path(__file__).with_name("live_server.py")
    process = subprocess.Popen(
        [sys.executable, str(script), str(bank.settings.home), str(features), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # up to about a minute for imports and the lifespan
            if process.poll() is not None:
                pytest.fail(f"live API exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("live API did not become ready")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stderr.close()  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def tokens(bank: Bank, scorer: FakeScorer, live_url: str):  # type: ignore[no-untyped-def]
    with session_scope(bank.settings) as session:
        add_user(session, "fuzz-admin", PASSWORD, "admin")
        add_user(session, "fuzz-leaver", PASSWORD, "advisor")
        add_user(session, "fuzz-target", PASSWORD, "advisor")
    APP.state.settings = bank.settings
    APP.state.load_scorer = lambda _s: scorer
    APP.state.load_report = lambda _s: {"metrics": {"auc": 0.75}, "threshold": scorer.threshold}

    with TestClient(APP) as client:  # runs the lifespan; schema calls share the app state
        live = httpx.post(
            f"{live_url}/auth/token", data={"username": "fuzz-admin", "password": PASSWORD}
        )
        yield {
            "admin": auth_headers(client, "fuzz-admin"),
            "leaver": auth_headers(client, "fuzz-leaver"),
            "live": bearer(live),
            "_live_url": live_url,  # type: ignore[dict-item]
        }


def test_history_bodies_are_scored_by_the_live_server(tokens) -> None:  # type: ignore[no-untyped-def]
    """The subprocess really builds history features (and refuses a null key with 422)."""
    row = {"SK_ID_BUREAU": 1, "CREDIT_ACTIVE": "Active", "DAYS_CREDIT": -400, "AMT_CREDIT_SUM": 1e5}
    url = f"{tokens['_live_url']}/predict_default"
    scored = httpx.post(
        url, headers=tokens["live"], json={"application": APPLICATION, "history": {"bureau": [row]}}
    )
    assert scored.status_code == 200, scored.text
    assert 0 < scored.json()["probability"] < 1
    null_key = {"bureau": [{**row, "SK_ID_BUREAU": None}]}
    refused = httpx.post(
        url, headers=tokens["live"], json={"application": APPLICATION, "history": null_key}
    )
    assert refused.status_code == 422 and "SK_ID_BUREAU" in refused.text


@schema.parametrize()
@settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_server_error(case, tokens) -> None:  # type: ignore[no-untyped-def]
    headers = tokens["admin"]
    if case.path == "/auth/logout":
        headers = tokens["leaver"]  # ends that user's sessions only
    if case.path == "/users/{username}" and case.path_parameters.get("username") in SHARED_USERS:
        case.path_parameters["username"] = "fuzz-target"
    history = case.body.get("history") if isinstance(case.body, dict) else None
    if case.path == "/predict_default" and isinstance(history, dict) and any(history.values()):
        response = REQUESTS_TRANSPORT.send(
            case, base_url=tokens["_live_url"], headers=tokens["live"]
        )
    else:
        response = case.call(headers=headers)
    assert response.status_code < 500, (
        case.method,
        case.path,
        response.status_code,
        response.text[:300],
    )
