"""Routes against a small synthetic bank in SQLite with a deterministic fake Scorer."""

from __future__ import annotations

import copy
import time

import numpy as np
from sqlalchemy import func, select

from credit_scoring.db import models as m
from credit_scoring.lending.form import annuity

from .conftest import APPLICATION, Bank, TestClient, served
from .fake_scorer import FakeScorer


def test_health_reports_model_and_database(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body == {
        "status": "ok",
        "ready": True,
        "model_name": "fake-credit-default",
        "model_version": "7",
        "model_error": None,
        "database": True,
        "database_error": None,
        "feature_set_error": None,
        "audit_backlog": body["audit_backlog"],  # records on their way: other tests' scores
        "audit_dead_letters": 0,
        "challenger_version": None,  # no challenger alias: no shadow scoring
        "shadow_dropped": 0,
    }
    assert body["audit_backlog"] <= client.app.state.audit.backlog_max  # type: ignore[attr-defined]


def test_a_champion_without_its_stored_feature_set_is_not_ready(
    bank: Bank, scorer: FakeScorer, tokens, known_ids
) -> None:
    """Feature sets match by version: none stored of the champion's is said, not guessed."""
    other = copy.copy(scorer)
    other.feature_set_version = "not-a-stored-set"
    with served(bank.settings, other) as client:
        body = client.get("/health").json()
        assert body["ready"] is False and body["status"] == "degraded"
        assert "not-a-stored-set" in body["feature_set_error"]
        assert "credit-scoring db load" in body["feature_set_error"]
        response = client.get(f"/clients/{known_ids[0]}/score", headers=tokens["advisor"])
        assert response.status_code == 404 and "not-a-stored-set" in response.json()["detail"]


def test_score_matches_the_model_on_stored_features(
    client: TestClient, tokens, bank: Bank, scorer: FakeScorer, known_ids
) -> None:
    sk_id = known_ids[3]
    response = client.get(f"/clients/{sk_id}/score?lang=en", headers=tokens["advisor"])
    assert response.status_code == 200, response.text
    body = response.json()
    row = bank.features[bank.features["SK_ID_CURR"] == sk_id]
    expected = float(scorer.predict_proba(row)[0])
    assert abs(body["probability"] - expected) < 1e-5  # float32 storage
    assert body["decision"] == ("refuse" if expected >= scorer.threshold else "grant")
    assert body["model_version"] == "7" and body["threshold"] == scorer.threshold
    assert all("raises" in r["text"] for r in body["reasons_against"])
    assert float(response.headers["x-process-time"]) > 0


def test_score_is_cached_per_client(
    client: TestClient, tokens, scorer: FakeScorer, known_ids
) -> None:
    client.get(f"/clients/{known_ids[5]}/score", headers=tokens["advisor"])
    calls = scorer.calls
    for _ in range(3):
        assert (
            client.get(f"/clients/{known_ids[5]}/score", headers=tokens["advisor"]).status_code
            == 200
        )
    assert scorer.calls == calls


def test_every_score_served_is_logged(client: TestClient, tokens, bank: Bank, known_ids) -> None:
    client.app.state.audit.flush()  # type: ignore[attr-defined]
    with bank.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(m.ScoreLog)).scalar_one()
    client.get(f"/clients/{known_ids[6]}/score", headers=tokens["analyst"])
    client.app.state.audit.flush()  # type: ignore[attr-defined]
    with bank.engine.connect() as conn:
        rows = conn.execute(select(m.ScoreLog).order_by(m.ScoreLog.id.desc())).all()
    assert len(rows) == before + 1
    last = rows[0]
    assert (last.username, last.sk_id_curr, last.model_version) == ("analyst", known_ids[6], "7")
    assert len(last.inputs_digest) == 64 and isinstance(last.reasons, list)


def test_unknown_client_is_404(client: TestClient, tokens) -> None:
    for path in (
        "/clients/999999999",
        "/clients/999999999/score",
        "/clients/999999999/explanation",
    ):
        response = client.get(path, headers=tokens["advisor"])
        assert response.status_code == 404, path
        assert "999999999" in response.json()["detail"]


def test_client_detail_has_personal_info_loans_and_history(
    client: TestClient, tokens, bank: Bank
) -> None:
    with bank.engine.connect() as conn:
        sk_id = conn.execute(select(m.Transaction.sk_id_curr).limit(1)).scalar_one()
    body = client.get(f"/clients/{sk_id}", headers=tokens["advisor"]).json()
    assert body["sk_id_curr"] == sk_id
    assert body["application"]["SK_ID_CURR"] == sk_id
    assert body["personal"]["age_years"] == round(-body["application"]["DAYS_BIRTH"] / 365.25, 2)
    assert any(loan["source"] == "application" for loan in body["loans"])
    assert body["history"] and body["payments"]["months_observed"] > 0


def test_search_by_prefix_and_filters(client: TestClient, tokens, bank: Bank) -> None:
    ids = bank.features["SK_ID_CURR"]
    prefix = str(int(ids.iloc[0]))[:4]
    body = client.get(f"/clients?q={prefix}&page_size=5", headers=tokens["advisor"]).json()
    expected = int(ids.astype(str).str.startswith(prefix).sum())
    assert body["total"] == expected and len(body["items"]) == min(5, expected)
    assert all(str(c["sk_id_curr"]).startswith(prefix) for c in body["items"])
    women = client.get(
        "/clients?gender=F&age_band=30-39&page_size=200", headers=tokens["advisor"]
    ).json()
    assert women["items"] and all(
        c["gender"] == "F" and 30 <= c["age_years"] < 40 for c in women["items"]
    )
    assert client.get("/clients?age_band=nonsense", headers=tokens["advisor"]).status_code == 422


def test_explanation_sums_to_the_model_logit(
    client: TestClient, tokens, scorer: FakeScorer, known_ids
) -> None:
    body = client.get(f"/clients/{known_ids[1]}/explanation", headers=tokens["advisor"]).json()
    logit = body["bias"] + sum(c["contribution"] for c in body["contributions"])
    proba = client.get(f"/clients/{known_ids[1]}/score", headers=tokens["advisor"]).json()
    assert abs(1 / (1 + np.exp(-logit)) - proba["probability"]) < 1e-5
    sizes = [abs(c["contribution"]) for c in body["contributions"]]
    assert sizes == sorted(sizes, reverse=True)
    assert len(body["contributions"]) == len(scorer.feature_names)
    # the steps of probability: from the base rate they add up to the score's probability
    assert abs(body["probability"] - proba["probability"]) < 1e-9
    assert abs(body["base_probability"] - 1 / (1 + np.exp(-body["bias"]))) < 1e-12
    steps = [c["step"] for c in body["contributions"]]
    assert abs(sum(steps) - (body["probability"] - body["base_probability"])) < 1e-12
    assert all(
        s * c["contribution"] >= 0 for s, c in zip(steps, body["contributions"], strict=True)
    )
    assert all(c["value_text"] for c in body["contributions"])


def test_similar_clients_exclude_the_client(client: TestClient, tokens, known_ids) -> None:
    body = client.get(f"/clients/{known_ids[2]}/similar?k=5", headers=tokens["advisor"]).json()
    assert len(body["items"]) == 5
    assert known_ids[2] not in [c["sk_id_curr"] for c in body["items"]]
    distances = [c["distance"] for c in body["items"]]
    assert distances == sorted(distances)
    # described by what they are, from the database (known clients are stored)
    for item in body["items"]:
        assert item["age_band"] is None or item["age_band"] % 10 == 0
    assert any(item["contract_type"] for item in body["items"])


def test_population_stats_whole_and_filtered(
    client: TestClient, tokens, bank: Bank, known_ids
) -> None:
    everyone = client.get(
        f"/population/stats?client_id={known_ids[0]}", headers=tokens["analyst"]
    ).json()
    assert everyone["n_clients"] == len(bank.features)
    age = next(f for f in everyone["features"] if f["name"] == "age_years")
    assert sum(age["counts"]) == age["count"] and age["client_value"] is not None
    men = client.get("/population/stats?gender=M", headers=tokens["analyst"]).json()
    assert 0 < men["n_clients"] < everyone["n_clients"]


def test_what_if_changes_only_what_was_asked(
    client: TestClient, tokens, known_ids, bank: Bank
) -> None:
    sk_id = known_ids[4]
    body = client.post(
        f"/clients/{sk_id}/what_if",
        headers=tokens["advisor"],
        json={"amount_credit": 1_000_000, "term_months": 50, "lang": "en"},
    )
    assert body.status_code == 200, body.text
    out = body.json()
    # the term's monthly payment at the lender's rate, as the form computes it
    rate = bank.settings.lender_rate_yearly / 12
    monthly = round(annuity(1_000_000, rate, 50), 2)
    assert out["changes"] == {"AMT_CREDIT": 1_000_000, "AMT_ANNUITY": monthly}
    # the scenario's decision is an application's: the model's, then the rules
    assert out["decision"] in ("grant", "refuse", "refer")
    if out["decision"] == "grant":
        assert out["offers"] == []
    if any(r["outcome"] == "refuse" for r in out["policy"]):
        assert out["decision"] == "refuse"
    for offer in out["offers"]:
        assert offer["monthly_annuity"] > 0 and offer["text"]
    assert out["baseline"]["sk_id_curr"] == out["scenario"]["sk_id_curr"] == sk_id


def test_predict_default_scores_a_new_application(
    client: TestClient, tokens, bank: Bank, scorer: FakeScorer
) -> None:
    application = {**APPLICATION, "EXT_SOURCE_2": 0.6}
    start = time.perf_counter()
    response = client.post(
        "/predict_default",
        headers=tokens["advisor"],
        json={"application": application, "lang": "en"},
    )
    assert response.status_code == 200, response.text
    assert time.perf_counter() - start < 2
    body = response.json()
    assert 0 < body["probability"] < 1 and body["sk_id_curr"] is None


def test_predict_default_explains_bad_input(client: TestClient, tokens) -> None:
    response = client.post(
        "/predict_default",
        headers=tokens["advisor"],
        json={
            "application": {
                "NAME_CONTRACT_TYPE": "Cash loans",
                "CODE_GENDER": "F",
                "AMT_INCOME_TOTAL": "lots",
                "AMT_CREDIT": -5,
                "AMT_ANNUITY": 25_000.0,
                "DAYS_BIRTH": -12_000,
                "NOT_A_COLUMN": 1,
            }
        },
    )
    assert response.status_code == 422
    problems = {e["loc"][-1]: e["type"] for e in response.json()["detail"]}
    assert problems == {
        "AMT_INCOME_TOTAL": "float_parsing",
        "AMT_CREDIT": "greater_than",
        "DAYS_EMPLOYED": "missing",
        "NOT_A_COLUMN": "extra_forbidden",
    }
