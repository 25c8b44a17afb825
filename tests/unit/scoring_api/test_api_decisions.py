"""Final decisions: recorded beside the model's score, overrides need a reason, append-only."""

from __future__ import annotations

from .conftest import TestClient


def _model_decision(client: TestClient, tokens, sk_id: int) -> str:  # type: ignore[no-untyped-def]
    return client.get(f"/clients/{sk_id}/score", headers=tokens["advisor"]).json()["decision"]


def test_agreeing_with_the_model_needs_no_reason(client: TestClient, tokens, known_ids) -> None:
    sk_id = known_ids[7]
    model = _model_decision(client, tokens, sk_id)
    response = client.post(
        "/decisions", headers=tokens["advisor"], json={"sk_id_curr": sk_id, "decision": model}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["override"] is False and body["model_decision"] == model
    assert body["username"] == "advisor" and body["model_version"] == "7"


def test_override_requires_a_reason(client: TestClient, tokens, known_ids) -> None:
    sk_id = known_ids[8]
    other = "grant" if _model_decision(client, tokens, sk_id) == "refuse" else "refuse"
    refused = client.post(
        "/decisions",
        headers=tokens["advisor"],
        json={"sk_id_curr": sk_id, "decision": other, "reason": "   "},
    )
    assert refused.status_code == 422 and "reason" in refused.json()["detail"]
    accepted = client.post(
        "/decisions",
        headers=tokens["advisor"],
        json={"sk_id_curr": sk_id, "decision": other, "reason": "Guarantor provided"},
    )
    assert accepted.status_code == 201
    assert accepted.json()["override"] is True and accepted.json()["reason"] == "Guarantor provided"


def test_decisions_are_listed_and_never_changed(client: TestClient, tokens, known_ids) -> None:
    sk_id = known_ids[9]
    model = _model_decision(client, tokens, sk_id)
    created = client.post(
        "/decisions", headers=tokens["admin"], json={"sk_id_curr": sk_id, "decision": model}
    ).json()
    listed = client.get("/decisions?page_size=500", headers=tokens["analyst"]).json()
    assert created in listed["items"] and listed["total"] >= 1
    every = client.get(f"/clients/{sk_id}/decisions", headers=tokens["analyst"]).json()
    assert [d["id"] for d in every] == [created["id"]]
    # Need-to-know: an advisor sees only the decisions they recorded themselves.
    assert client.get(f"/clients/{sk_id}/decisions", headers=tokens["advisor"]).json() == []
    own = client.post(
        "/decisions", headers=tokens["advisor"], json={"sk_id_curr": sk_id, "decision": model}
    ).json()
    mine = client.get(f"/clients/{sk_id}/decisions", headers=tokens["advisor"]).json()
    assert [d["id"] for d in mine] == [own["id"]]
    for method in ("PUT", "PATCH", "DELETE"):
        assert client.request(method, "/decisions", headers=tokens["admin"]).status_code == 405
    assert client.get(f"/decisions/{created['id']}", headers=tokens["admin"]).status_code == 404


def test_decision_for_unknown_client_is_404(client: TestClient, tokens) -> None:
    response = client.post(
        "/decisions", headers=tokens["advisor"], json={"sk_id_curr": 123456789, "decision": "grant"}
    )
    assert response.status_code == 404


def test_metrics_count_requests_and_scores(client: TestClient, tokens, known_ids) -> None:
    client.get(f"/clients/{known_ids[0]}/score", headers=tokens["advisor"])
    text = client.get("/metrics", headers=tokens["analyst"]).text
    assert (
        'api_requests_total{method="GET",route="/clients/{sk_id_curr}/score",status="200"}' in text
    )
    assert "api_scores_served_total" in text and "api_request_seconds_bucket" in text


def test_model_report_comes_from_the_registry_report(client: TestClient, tokens) -> None:
    app = client.app
    app.state.load_report = lambda _s: {  # type: ignore[attr-defined]
        "metrics": {"roc_auc": 0.76},
        "threshold": 0.3,
        "costs": {"fn": 10, "fp": 1},
        "comparison": [{"model": "lightgbm", "roc_auc": 0.76}],
        "model_card": "# Card",
        "fairness": {"gender": {"gap": 0.01}},
        "top_features": {"EXT_SOURCE_MEAN": 0.31},
        "calibration": {"predicted": [0.02, 0.2], "observed": [0.03, 0.18], "count": [900, 100]},
    }
    body = client.get("/model", headers=tokens["advisor"]).json()
    assert body["metrics"]["roc_auc"] == 0.76 and body["model_card_markdown"] == "# Card"
    # What the dashboard's Model page draws: global importance and the reliability curve.
    assert body["metrics"]["global_importance"] == {"EXT_SOURCE_MEAN": 0.31}
    assert body["metrics"]["calibration"]["observed"] == [0.03, 0.18]
    assert body["model_version"] == "7" and body["comparison"][0]["model"] == "lightgbm"
