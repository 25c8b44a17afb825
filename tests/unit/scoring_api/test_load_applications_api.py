"""Loaded clients' applications through the API, as new applicants' are: the stored score,
the rules, the letter and a decision bound to the score (``db load``'s applications step)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from tiny_champion import tiny_champion

from credit_scoring.db import models as m
from credit_scoring.lending.loaded import load_applications
from credit_scoring.lending.policy import Policy
from credit_scoring.modeling.scorer import ChampionScorer

from .conftest import Bank, TestClient, bank_fixture, served, tokens_for

bank = bank_fixture("loaded-applications")


@pytest.fixture(scope="module")
def scorer(bank: Bank) -> ChampionScorer:
    return tiny_champion(bank.features)


@pytest.fixture(scope="module")
def client(bank: Bank, scorer: ChampionScorer) -> Iterator[TestClient]:
    report = load_applications(bank.engine, scorer, policy=Policy.load())
    assert report.created == len(bank.features)
    with served(bank.settings, scorer) as test_client:  # type: ignore[arg-type]
        yield test_client


def test_a_loaded_application_reads_decides_and_prints_like_an_entered_one(
    bank: Bank, client: TestClient
) -> None:
    headers = tokens_for(client)
    with bank.engine.connect() as conn:
        app_id, sk_id = conn.execute(
            select(m.Application.id, m.Application.sk_id_curr)
            .where(m.Application.status == "scored")
            .limit(1)
        ).one()
    got = client.get(f"/applications/{app_id}", headers=headers["advisor"])
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["source"] == "load" and body["sk_id_curr"] == sk_id
    assert body["declared"]["loan"]["amount"] == body["amount_credit"]
    score = body["score"]
    assert score["lang"] == "fr" and score["scored_by"] == "db-load"
    assert score["model_version"] == "1" and score["reasons_against"] + score["reasons_for"]
    assert all(r["code"] and r["text"] for r in score["reasons_against"] + score["reasons_for"])

    listed = client.get(f"/clients/{sk_id}/applications", headers=headers["advisor"])
    assert listed.status_code == 200 and app_id in {a["application_id"] for a in listed.json()}

    letter = client.get(f"/applications/{app_id}/letter?lang=fr", headers=headers["advisor"])
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")

    decided = client.post(
        f"/applications/{app_id}/decision",
        headers=headers["advisor"],
        json={"score_id": score["score_id"], "decision": score["decision"]},
    )
    assert decided.status_code in (200, 201), decided.text
    assert client.get(f"/applications/{app_id}", headers=headers["advisor"]).json()["status"] == (
        "decided"
    )
