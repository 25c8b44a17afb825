"""The API with a real quick-trained champion (LightGBM, MLflow registry) on synthetic data."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from credit_scoring.api.app import create_app
from credit_scoring.cli import app as cli
from credit_scoring.config import get_settings
from credit_scoring.data.synth import generate

from .conftest import TestClient, auth_headers

pytestmark = pytest.mark.slow


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CREDIT_SCORING_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CREDIT_SCORING_ENVIRONMENT", "development")
    for name in ("MLFLOW_TRACKING_URI", "DATABASE_URL"):
        monkeypatch.delenv(f"CREDIT_SCORING_{name}", raising=False)
    monkeypatch.setenv("CREDIT_SCORING_DEMO_ADVISOR_PASSWORD", "advisor-password-1")
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_real_champion_end_to_end(tmp_path: Path, home: Path) -> None:
    data = tmp_path / "data"
    generate(data, clients=1_500, seed=3)
    trained = _run("train", "--data", str(data), "--quick", "--folds", "3")
    if "promoted to champion" not in trained:  # tiny data may fail a gate: promote by hand
        _run("model", "promote", "1")
    loaded = _run("db", "load", "--data", str(data))
    assert "Scored 1,500 clients" in loaded
    _run("demo-users")

    from credit_scoring.registry import load_champion

    scorer = load_champion(get_settings())
    with TestClient(create_app(get_settings())) as client:
        health = client.get("/health").json()
        assert health["ready"] is True and health["model_version"] == scorer.model_version
        headers = auth_headers(client, "advisor", "advisor-password-1")
        sk_id = client.get("/clients?page_size=1", headers=headers).json()["items"][0]["sk_id_curr"]

        score = client.get(f"/clients/{sk_id}/score?lang=fr", headers=headers).json()
        assert 0 < score["probability"] < 1 and score["threshold"] == scorer.threshold
        assert score["reasons_against"] or score["reasons_for"]
        assert all(r["text"] for r in score["reasons_against"] + score["reasons_for"])

        explanation = client.get(f"/clients/{sk_id}/explanation", headers=headers).json()
        assert len(explanation["contributions"]) == len(scorer.model_columns)
        # the champion's own columns (estimated loan term and rate) come with words and values
        derived = {c["feature"]: c for c in explanation["contributions"]}
        assert scorer.derived and set(scorer.derived) <= set(derived)
        for name in scorer.derived:
            assert derived[name]["description"] != name
        assert all(not math.isnan(c["contribution"]) for c in explanation["contributions"])
        # each feature names the table it comes from (the waterfall sums the rest by it)
        sources = {c["source"] for c in explanation["contributions"]}
        assert {"application", "bureau", "previous_application"} <= sources
        assert sources <= {
            "application",
            "bureau",
            "previous_application",
            "POS_CASH_balance",
            "credit_card_balance",
            "installments_payments",
        }
        # through the champion's calibration, the steps end at the probability it serves
        steps = sum(c["step"] for c in explanation["contributions"])
        assert abs(explanation["probability"] - score["probability"]) < 1e-9
        assert abs(steps - (explanation["probability"] - explanation["base_probability"])) < 1e-12

        similar = client.get(f"/clients/{sk_id}/similar?k=5", headers=headers).json()
        assert len(similar["items"]) == 5

        detail = client.get(f"/clients/{sk_id}", headers=headers).json()
        application = {k: v for k, v in detail["application"].items() if k != "TARGET"}
        predicted = client.post(
            "/predict_default", headers=headers, json={"application": application}
        )
        assert predicted.status_code == 200, predicted.text
        # The same application without its history scores as its own application features say.
        assert 0 < predicted.json()["probability"] < 1

        what_if = client.post(
            f"/clients/{sk_id}/what_if",
            headers=headers,
            json={"amount_credit": detail["application"]["AMT_CREDIT"] * 3},
        )
        assert what_if.status_code == 200, what_if.text
        assert what_if.json()["baseline"]["probability"] == score["probability"]

        model = client.get("/model", headers=headers)
        assert model.status_code == 200, model.text
        assert model.json()["model_version"] == scorer.model_version
