"""The dashboard's API client: typed answers, and every failure turned into a classified ApiError."""

from __future__ import annotations

import httpx
import pytest
from dashboard_fake import FakeApi

from credit_scoring.dashboard.api_client import ApiClient, ApiError
from credit_scoring.dashboard.i18n import translate
from credit_scoring.lending.schemas import ClientFilters, WhatIfIn


def test_login_then_typed_reads(fake: FakeApi) -> None:
    api = fake.api_client()
    token = api.login("alice", "secret-a")
    assert token.role == "advisor" and token.expires_in == 3600
    page = api.search_clients(token.access_token, q="10000", filters=ClientFilters(gender="F"))
    assert [c.sk_id_curr for c in page.items] == [100003]
    detail = api.client(token.access_token, 100002)
    assert detail.personal.age_years == pytest.approx(25.9)
    score = api.score(token.access_token, 100002, lang="en")
    assert score.lang == "en" and score.reasons_for[0].text == "Good external score"
    out = api.what_if(token.access_token, 100002, WhatIfIn(amount_credit=10_000.0))
    assert out.scenario.probability < out.baseline.probability
    # only the filters that are set travel as query parameters
    assert "GET /clients" in fake.calls


def test_bad_password_is_unauthorized(fake: FakeApi) -> None:
    with pytest.raises(ApiError) as err:
        fake.api_client().login("alice", "wrong")
    assert err.value.kind == "unauthorized" and err.value.status == 401
    assert "Incorrect" in err.value.detail


def test_expired_token_and_unknown_client(fake: FakeApi) -> None:
    api = fake.api_client()
    fake.expired.add("tok-alice")
    with pytest.raises(ApiError) as err:
        api.client("tok-alice", 100002)
    assert err.value.kind == "unauthorized"
    with pytest.raises(ApiError) as err:
        api.client("tok-ana", 999)
    assert err.value.kind == "not_found" and "999" in err.value.detail


def test_role_and_validation_errors(fake: FakeApi) -> None:
    api = fake.api_client()
    with pytest.raises(ApiError) as err:
        api.users("tok-alice")
    assert err.value.kind == "forbidden"


def test_a_removed_route_is_gone_with_the_api_naming_its_replacement(fake: FakeApi) -> None:
    api = fake.api_client()
    body = {"sk_id_curr": 100002, "decision": "grant"}
    with pytest.raises(ApiError) as err:
        api._request("POST", "/decisions", token="tok-alice", json=body)
    assert err.value.kind == "gone" and err.value.status == 410
    assert "POST /applications/{id}/decision" in err.value.detail
    assert translate("error.gone", "fr") == "Cette fonction a été retirée du service de scoring."


def test_fastapi_validation_list_is_readable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            422,
            json={
                "detail": [
                    {"loc": ["body", "amount_credit"], "msg": "must be > 0", "type": "greater_than"}
                ]
            },
        )

    api = ApiClient("http://x", transport=httpx.MockTransport(handler))
    with pytest.raises(ApiError) as err:
        api.what_if("t", 1, WhatIfIn(amount_credit=5.0))
    assert err.value.kind == "invalid" and err.value.detail == "amount_credit: must be > 0"


def test_unreachable_and_unexpected_answers() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ApiError) as err:
        ApiClient("http://nowhere:1", transport=httpx.MockTransport(refuse)).health()
    assert err.value.kind == "unreachable" and "nowhere" in err.value.detail

    def garbage(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"status": "ok"})

    with pytest.raises(ApiError) as err:
        ApiClient("http://x", transport=httpx.MockTransport(garbage)).health()
    assert err.value.kind == "protocol" and "HealthOut" in err.value.detail

    def boom(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"detail": "model not ready: run credit-scoring train"})

    with pytest.raises(ApiError) as err:
        ApiClient("http://x", transport=httpx.MockTransport(boom)).model("t")
    assert err.value.kind == "unavailable" and "train" in err.value.detail
