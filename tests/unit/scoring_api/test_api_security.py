"""Authentication and roles: 401 without or with a bad token, 403 with the wrong role, lock-out."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from credit_scoring.db.session import session_scope
from credit_scoring.lending.security import add_user, signing_key

from .conftest import PASSWORD, SECRET, Bank, TestClient, login

# Every route but /health and /auth/token, with a valid request body when one is needed.
PROTECTED = [
    ("GET", "/me", None),
    ("GET", "/clients", None),
    ("GET", "/clients/{id}", None),
    ("GET", "/clients/{id}/score", None),
    ("GET", "/clients/{id}/explanation", None),
    ("GET", "/clients/{id}/similar", None),
    ("GET", "/clients/{id}/decisions", None),
    ("POST", "/clients/{id}/what_if", {"amount_credit": 1000.0}),
    ("GET", "/population/stats", None),
    ("POST", "/predict_default", {"application": {}}),
    ("POST", "/decisions", {"sk_id_curr": 1, "decision": "grant"}),
    ("GET", "/decisions", None),
    ("GET", "/model", None),
    ("GET", "/model/review-pack", None),
    ("GET", "/metrics", None),
    ("GET", "/drift/latest", None),
    ("GET", "/drift/latest.html", None),
    ("POST", "/auth/logout", None),
    ("GET", "/users", None),
    ("POST", "/users", {"username": "someone", "role": "advisor"}),
    ("PATCH", "/users/{username}", {"active": False}),
    ("GET", "/audit/decisions", None),
    ("GET", "/audit/scores", None),
    ("GET", "/audit/data-access", None),
    ("GET", "/audit/auth-events", None),
    ("GET", "/audit/verify", None),
    ("POST", "/applications", {"client_id": 100002, "loan": {"contract_type": "cash"}}),
    ("GET", "/applications", None),
    ("GET", "/applications/{app}", None),
    ("POST", "/applications/{app}/score", None),
    ("POST", "/applications/{app}/decision", {"score_id": 1, "decision": "grant"}),
    ("GET", "/applications/{app}/letter", None),
    ("GET", "/clients/{id}/applications", None),
    ("GET", "/clients/{id}/applicant", None),
    ("GET", "/policy", None),
    (
        "POST",
        "/outcomes",
        {"outcomes": [{"application_id": 1, "defaulted": 0, "observed_on": "2026-01-31"}]},
    ),
    ("GET", "/backtest", None),
    ("POST", "/backtest", None),
    ("POST", "/applications/{app}/applicant-access", None),
    # the applicant space: its own token (test_api_applicant checks no staff token opens it)
    ("POST", "/applicant/logout", None),
    ("GET", "/applicant/applications", None),
    ("GET", "/applicant/applications/{app}", None),
    ("GET", "/applicant/applications/{app}/data", None),
    ("GET", "/applicant/applications/{app}/changes", None),
    ("GET", "/applicant/applications/{app}/comparison", None),
    ("GET", "/applicant/applications/{app}/letter", None),
    ("POST", "/applicant/applications/{app}/rectifications", {"item": "x", "comment": "y"}),
    ("POST", "/applicant/applications/{app}/review", {"comment": "y", "attachments": []}),
    ("POST", "/applicant/applications/{app}/withdraw", None),
]
ROLE_ONLY = [
    ("POST", "/decisions", "analyst"),
    ("GET", "/decisions", "advisor"),
    ("GET", "/metrics", "advisor"),
    ("GET", "/drift/latest", "advisor"),
    ("GET", "/users", "advisor"),
    ("GET", "/users", "analyst"),
    ("POST", "/users", "analyst"),
    ("PATCH", "/users/{username}", "advisor"),
    ("GET", "/audit/scores", "analyst"),
    ("GET", "/audit/decisions", "advisor"),
    ("POST", "/applications", "analyst"),
    ("POST", "/applications/{app}/decision", "analyst"),
    ("GET", "/applications/{app}/letter", "analyst"),
    ("POST", "/outcomes", "advisor"),
    ("GET", "/backtest", "advisor"),
    ("GET", "/model/review-pack", "advisor"),
    ("POST", "/backtest", "advisor"),
    ("POST", "/applications/{app}/applicant-access", "analyst"),
]


def _call(client: TestClient, method: str, path: str, body, headers=None):  # type: ignore[no-untyped-def]
    path = path.replace("{id}", "100002").replace("{username}", "advisor").replace("{app}", "1")
    return client.request(method, path, json=body, headers=headers or {})


def test_the_list_covers_every_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}
    public = {("GET", "/health"), ("POST", "/auth/token"), ("POST", "/applicant/session")}
    listed = {
        (method, path.replace("{id}", "{sk_id_curr}").replace("{app}", "{application_id}"))
        for method, path, _ in PROTECTED
    }
    assert paths - public == listed


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
def test_no_token_is_401(client: TestClient, method: str, path: str, body) -> None:
    response = _call(client, method, path, body)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def _token(**claims) -> str:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    base = {"sub": "advisor", "role": "advisor", "iat": now, "exp": now + timedelta(minutes=5)}
    return jwt.encode({**base, **claims}, signing_key(SECRET), algorithm="HS256")


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        _token(exp=datetime.now(UTC) - timedelta(seconds=1)),  # expired
        jwt.encode(
            {"sub": "advisor", "role": "advisor", "exp": datetime.now(UTC) + timedelta(minutes=5)},
            signing_key("another-secret"),
            algorithm="HS256",
        ),  # signed with another key
        _token()[:-3] + "abc",  # tampered signature
        _token(role="superuser"),  # unknown role
        jwt.encode(
            {"sub": "advisor", "role": "admin"}, signing_key(SECRET), algorithm="HS256"
        ),  # no expiry
    ],
    ids=["garbage", "expired", "other-key", "tampered", "unknown-role", "no-exp"],
)
def test_bad_tokens_are_refused(client: TestClient, token: str) -> None:
    response = client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_tampered_payload_is_refused(client: TestClient, tokens) -> None:
    header, _payload, signature = tokens["advisor"]["Authorization"].split()[1].split(".")
    forged = jwt.utils.base64url_encode(b'{"sub":"advisor","role":"admin","exp":9999999999}')
    response = client.get(
        "/decisions", headers={"Authorization": f"Bearer {header}.{forged.decode()}.{signature}"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path", "role"), ROLE_ONLY)
def test_wrong_role_is_403(client: TestClient, tokens, method: str, path: str, role: str) -> None:
    body = {"POST": {"sk_id_curr": 1, "decision": "grant"}, "PATCH": {"active": False}}.get(method)
    if path.startswith("/applications"):
        body = {"score_id": 1, "decision": "grant"} if path.endswith("decision") else None
    if path == "/users":
        body = {"username": "someone", "role": "advisor"} if method == "POST" else None
    response = _call(client, method, path, body, tokens[role])
    assert response.status_code == 403
    assert role in response.json()["detail"]


def test_login_returns_a_working_token(client: TestClient) -> None:
    body = login(client, "analyst").json()
    assert body["role"] == "analyst" and body["token_type"] == "bearer"
    me = client.get("/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"username": "analyst", "role": "analyst"}


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient) -> None:
    wrong = login(client, "analyst", "not the password")
    unknown = login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_repeated_failures_make_that_address_wait(client: TestClient, bank: Bank) -> None:
    """The 423 lock-out is gone: failures throttle the address they come from (429), after
    the same 401 each time; see test_api_auth for the other address and unknown names."""
    with session_scope(bank.settings) as session:
        add_user(session, "victim", PASSWORD, "advisor")
    first_limit = int(bank.settings.login_limits_per_user.split("/")[0])
    for _ in range(first_limit):
        assert login(client, "victim", "guess-guess").status_code == 401
    throttled = login(client, "victim")  # even the right password, while throttled here
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) >= 1
    assert "wait" in throttled.json()["detail"]


def test_no_secret_in_logs(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        token = login(client, "admin").json()["access_token"]
        client.get("/me", headers={"Authorization": f"Bearer {token}"})
        login(client, "admin", "wrong password typed")
    text = caplog.text
    assert PASSWORD not in text and token not in text and "wrong password typed" not in text
    assert SECRET not in text
