"""Resource limits: body size (413), capped lists and strings, NaN/Infinity refused, no 500.

Bodies here are refused before any feature is built (history scoring runs through the live
server of test_api_schemathesis).
"""

from __future__ import annotations

import json

import pytest

from credit_scoring.lending.schemas import MAX_HISTORY_ROWS, MAX_STRING

from .conftest import APPLICATION, TestClient


def _post(client: TestClient, tokens, raw: str | bytes):  # type: ignore[no-untyped-def]
    headers = {**tokens["advisor"], "Content-Type": "application/json"}
    return client.post("/predict_default", headers=headers, content=raw)


def test_a_body_over_the_limit_is_413(client: TestClient, tokens, bank) -> None:  # type: ignore[no-untyped-def]
    limit = bank.settings.max_body_bytes
    padded = json.dumps({"application": APPLICATION, "pad": "x" * limit})
    response = _post(client, tokens, padded)
    assert response.status_code == 413 and str(limit) in response.json()["detail"]


def test_a_chunked_body_over_the_limit_is_413(client: TestClient, tokens, bank) -> None:  # type: ignore[no-untyped-def]
    chunk = b" " * 65_536  # JSON whitespace, streamed without a Content-Length

    def stream():  # type: ignore[no-untyped-def]
        yield b'{"application": '
        for _ in range(bank.settings.max_body_bytes // len(chunk) + 2):
            yield chunk
        yield json.dumps(APPLICATION).encode() + b"}"

    response = _post(client, tokens, stream())  # type: ignore[arg-type]
    assert response.status_code == 413


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_422(client: TestClient, tokens, literal: str) -> None:  # type: ignore[no-untyped-def]
    raw = json.dumps({"application": APPLICATION}).replace("150000.0", literal)
    response = _post(client, tokens, raw)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == "AMT_INCOME_TOTAL"
    in_history = json.dumps(
        {"application": APPLICATION, "history": {"bureau": [{"SK_ID_BUREAU": 1, "AMT": 0.5}]}}
    ).replace("0.5", literal)
    assert _post(client, tokens, in_history).status_code == 422
    what_if = client.post(
        "/clients/100002/what_if",
        headers={**tokens["advisor"], "Content-Type": "application/json"},
        content='{"amount_credit": ' + literal + "}",
    )
    assert what_if.status_code == 422


@pytest.mark.parametrize(
    "history",
    [
        {"bureau": [{"SK_ID_BUREAU": 1}] * (MAX_HISTORY_ROWS + 1)},  # too many rows
        {"bureau": [{"SK_ID_BUREAU": 1, "CREDIT_ACTIVE": "x" * (MAX_STRING + 1)}]},  # long string
        {"bureau": [{f"C{i}": 1 for i in range(65)}]},  # too many columns
        {"bureau": [{"SK_ID_BUREAU": None, "CREDIT_ACTIVE": "Active"}]},  # null key: was a 500
        {"previous_application": [{"SK_ID_PREV": "abc"}]},  # a key that is not a number
        {"bureau": [{"x" * 65: 1}]},  # long column name
    ],
    ids=["rows", "string", "columns", "null-key", "text-key", "column-name"],
)
def test_capped_and_invalid_history_is_422(client: TestClient, tokens, history) -> None:  # type: ignore[no-untyped-def]
    response = _post(client, tokens, json.dumps({"application": APPLICATION, "history": history}))
    assert response.status_code == 422, response.text


def test_a_long_application_string_is_422(client: TestClient, tokens) -> None:  # type: ignore[no-untyped-def]
    body = {"application": {**APPLICATION, "OCCUPATION_TYPE": "y" * (MAX_STRING + 1)}}
    assert _post(client, tokens, json.dumps(body)).status_code == 422


def test_validation_errors_do_not_echo_the_values(client: TestClient, tokens) -> None:  # type: ignore[no-untyped-def]
    body = {"application": {**APPLICATION, "AMT_CREDIT": "secret-looking-value"}}
    response = _post(client, tokens, json.dumps(body))
    assert response.status_code == 422
    assert "secret-looking-value" not in response.text
    assert {"loc", "msg", "type"} == set(response.json()["detail"][0])


@pytest.mark.parametrize(
    "raw", ["", "{", "[]", "null", '{"application": []}', "\xff".encode("latin-1")]
)
def test_malformed_bodies_are_4xx(client: TestClient, tokens, raw) -> None:  # type: ignore[no-untyped-def]
    assert 400 <= _post(client, tokens, raw).status_code < 500
