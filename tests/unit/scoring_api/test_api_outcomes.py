"""``POST /outcomes`` and the back-test routes (issue 23): roles, all-or-nothing, idempotence,
the stored report served, errors in the request's language."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .conftest import TestClient, bank_fixture, served_fixtures

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "new-application.json"
Headers = dict[str, dict[str, str]]

bank = bank_fixture("outcomes")
scorer, client, tokens, known_ids = served_fixtures()


def _application(client: TestClient, tokens: Headers) -> dict:
    response = client.post(
        "/applications",
        json=json.loads(EXAMPLE.read_text()),
        headers={**tokens["advisor"], "Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_outcomes_are_for_analysts_and_admins(client: TestClient, tokens: Headers) -> None:
    body = {"outcomes": [{"application_id": 1, "defaulted": 0, "observed_on": "2026-01-31"}]}
    assert client.post("/outcomes", json=body, headers=tokens["advisor"]).status_code == 403
    assert client.get("/backtest", headers=tokens["advisor"]).status_code == 403


def test_a_batch_is_appended_once_and_a_bad_row_refuses_it_all(
    client: TestClient, tokens: Headers
) -> None:
    app = _application(client, tokens)
    day = (date.today() - timedelta(days=1)).isoformat()
    good = {"application_id": app["application_id"], "defaulted": 1, "observed_on": day}
    first = client.post("/outcomes", json={"outcomes": [good]}, headers=tokens["analyst"])
    assert first.status_code == 201, first.text
    assert first.json() == {"rows": 1, "appended": 1, "already_known": 0}
    again = client.post("/outcomes", json={"outcomes": [good]}, headers=tokens["analyst"])
    assert again.json() == {"rows": 1, "appended": 0, "already_known": 1}
    unknown = {"application_id": 987654, "defaulted": 0, "observed_on": day}
    other = {**good, "defaulted": 0}
    refused = client.post(
        "/outcomes",
        json={"outcomes": [other, unknown]},
        headers={**tokens["analyst"], "Accept-Language": "en"},
    )
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "outcomes_invalid"
    assert "line 3: application_id 987654 is unknown" in body["message"]
    # nothing of the refused batch went in: the first row is still new
    retry = client.post("/outcomes", json={"outcomes": [other]}, headers=tokens["analyst"])
    assert retry.json()["appended"] == 1


def test_the_backtest_is_made_stored_and_served(client: TestClient, tokens: Headers) -> None:
    missing = client.get("/backtest", headers={**tokens["analyst"], "Accept-Language": "fr"})
    if missing.status_code == 404:
        assert missing.json()["code"] == "no_backtest"
        assert "Performance" in missing.json()["message"]
    app = _application(client, tokens)
    day = (date.today() - timedelta(days=1)).isoformat()
    client.post(
        "/outcomes",
        json={
            "outcomes": [
                {"application_id": app["application_id"], "defaulted": 0, "observed_on": day}
            ]
        },
        headers=tokens["analyst"],
    )
    made = client.post("/backtest", headers=tokens["admin"])
    assert made.status_code == 201, made.text
    report = made.json()
    assert report["clients"] >= 1
    assert {"auc", "gini", "ks", "grades", "alerts"} <= set(report)
    served = client.get("/backtest", headers=tokens["analyst"])
    assert served.status_code == 200 and served.json()["created_at"] == report["created_at"]


def test_the_review_pack_is_served_once_written_and_redrawn_by_the_backtest(
    bank: Any, client: TestClient, tokens: Headers
) -> None:
    from review_pack_sample import report, text_of

    from credit_scoring.training.review_pack import pack_path, write_training_pack

    reports = bank.settings.reports_dir
    for lang in ("fr", "en"):
        pack_path(reports, lang).unlink(missing_ok=True)
    assert client.get("/model/review-pack", headers=tokens["advisor"]).status_code == 403
    missing = client.get(
        "/model/review-pack", headers={**tokens["analyst"], "Accept-Language": "fr"}
    )
    assert missing.status_code == 404
    assert missing.json()["code"] == "no_review_pack"
    assert "credit-scoring train" in missing.json()["message"]
    assert "dossier de revue" in missing.json()["message"]
    assert client.get("/model/review-pack?lang=de", headers=tokens["analyst"]).status_code == 422

    # what a training run leaves in <reports>/model
    write_training_pack(report(), reports / "model", reports, model_name="credit-default")
    served = client.get("/model/review-pack?lang=en", headers=tokens["admin"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "application/pdf"
    assert "review_pack_en.pdf" in served.headers["content-disposition"]
    path = reports / "served.pdf"
    path.write_bytes(served.content)
    assert "Cost curve and threshold" in text_of(path)

    # a back-test redraws the pack with its figures
    app = _application(client, tokens)
    day = (date.today() - timedelta(days=1)).isoformat()
    client.post(
        "/outcomes",
        json={
            "outcomes": [
                # repaid, like the test above: with one default among two clients the
                # DeLong variance (np.cov of one value) warns, and warnings are errors
                {"application_id": app["application_id"], "defaulted": 0, "observed_on": day}
            ]
        },
        headers=tokens["analyst"],
    )
    assert client.post("/backtest", headers=tokens["admin"]).status_code == 201
    served = client.get(
        "/model/review-pack", headers={**tokens["analyst"], "Accept-Language": "fr"}
    )
    assert served.status_code == 200
    path.write_bytes(served.content)
    text = text_of(path)
    assert "Back-test sur les résultats observés" in text
    assert "aucun résultat encore mûr" not in text
