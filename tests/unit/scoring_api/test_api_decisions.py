"""Final decisions: made on an application against the score shown, logged, append-only;
the legacy ``POST /decisions`` (a client, no score) is gone and names the route to use."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .conftest import TestClient

# A small loan: no affordability rule refers it to a senior, so an advisor may decide it.
SMALL_LOAN = {"contract_type": "cash", "amount": 3_000.0, "goods_price": 3_000.0, "term_months": 36}


def _decided(client: TestClient, headers: dict[str, str], sk_id: int) -> dict[str, Any]:
    """An application for the known client ``sk_id``, decided as its score proposes."""
    created = client.post(
        "/applications",
        json={"client_id": sk_id, "loan": SMALL_LOAN},
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "scored", body["policy"]
    decision = body["decision"]
    decided = client.post(
        f"/applications/{body['application_id']}/decision",
        json={"score_id": body["score_id"], "decision": decision, "reason": "dossier complet"},
        headers=headers,
    )
    assert decided.status_code == 201, decided.text
    return decided.json()


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fr", "Une décision s'enregistre désormais"), ("en", "A decision is now recorded")],
)
def test_the_legacy_decision_route_is_gone_and_names_the_new_one(
    client: TestClient, tokens, known_ids, lang: str, words: str
) -> None:
    before = client.get("/decisions", headers=tokens["analyst"]).json()["total"]
    gone = client.post(
        "/decisions",
        params={"lang": lang},
        headers=tokens["advisor"],
        json={"sk_id_curr": known_ids[7], "decision": "grant"},
    )
    assert gone.status_code == 410, gone.text
    body = gone.json()
    assert body["code"] == "decision_route_gone" and body["message"].startswith(words)
    assert "POST /applications/{id}/decision" in body["message"] and "score_id" in body["message"]
    assert client.get("/decisions", headers=tokens["analyst"]).json()["total"] == before
    # by the request's language too, and whatever the body (nothing is read from it)
    english = client.post(
        "/decisions", headers={**tokens["advisor"], "Accept-Language": "en"}, json={}
    )
    assert english.status_code == 410 and english.json()["message"].startswith("A decision")


def test_decisions_are_listed_and_never_changed(client: TestClient, tokens, known_ids) -> None:
    sk_id = known_ids[9]
    created = _decided(client, tokens["admin"], sk_id)
    listed = client.get("/decisions?page_size=500", headers=tokens["analyst"]).json()
    mine = [d for d in listed["items"] if d["id"] == created["id"]]
    assert len(mine) == 1 and mine[0]["application_id"] == created["application_id"]
    assert mine[0]["score_id"] == created["score_id"]
    every = client.get(f"/clients/{sk_id}/decisions", headers=tokens["analyst"]).json()
    assert [d["id"] for d in every] == [created["id"]]
    # Need-to-know: an advisor sees only the decisions they recorded themselves.
    assert client.get(f"/clients/{sk_id}/decisions", headers=tokens["advisor"]).json() == []
    own = _decided(client, tokens["advisor"], sk_id)
    mine_only = client.get(f"/clients/{sk_id}/decisions", headers=tokens["advisor"]).json()
    assert [d["id"] for d in mine_only] == [own["id"]]
    # the client's applications carry their final decision
    apps = client.get(f"/clients/{sk_id}/applications", headers=tokens["advisor"]).json()
    decided = {a["application_id"]: a for a in apps}
    assert decided[own["application_id"]]["final_decision"] == own["decision"]
    assert decided[own["application_id"]]["decided_by"] == "advisor"
    for method in ("PUT", "PATCH", "DELETE"):
        assert client.request(method, "/decisions", headers=tokens["admin"]).status_code == 405
    assert client.get(f"/decisions/{created['id']}", headers=tokens["admin"]).status_code == 404


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
        "model_cards": {"fr": "# Fiche", "en": "# Card"},
        "points_scale": {"pdo": 20, "description": "600 points at odds of 50..."},
        "fairness": {"gender": {"gap": 0.01}},
        "top_features": {"EXT_SOURCE_MEAN": 0.31},
        "calibration": {"predicted": [0.02, 0.2], "observed": [0.03, 0.18], "count": [900, 100]},
    }
    body = client.get("/model?lang=en", headers=tokens["advisor"]).json()
    assert body["metrics"]["roc_auc"] == 0.76 and body["model_card_markdown"] == "# Card"
    # What the dashboard's Model page draws: global importance and the reliability curve.
    importance = body["metrics"]["global_importance"]
    assert [(r["feature"], r["importance"]) for r in importance] == [("EXT_SOURCE_MEAN", 0.31)]
    french = client.get("/model", headers=tokens["advisor"]).json()  # French by default
    assert french["model_card_markdown"] == "# Fiche"
    assert french["points_scale"]["description"].startswith("600 points pour une cote de")
    assert french["points_scale"]["pdo"] == 20
    metas = client.app.state.services.features.metas  # type: ignore[attr-defined]
    described = metas["EXT_SOURCE_MEAN"].description("fr") if "EXT_SOURCE_MEAN" in metas else None
    assert french["metrics"]["global_importance"][0]["description"] == (
        described or "EXT_SOURCE_MEAN"
    )
    assert body["metrics"]["calibration"]["observed"] == [0.03, 0.18]
    assert body["model_version"] == "7" and body["comparison"][0]["model"] == "lightgbm"
