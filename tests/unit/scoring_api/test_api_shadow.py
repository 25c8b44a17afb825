"""The challenger in the shadow (issue 23): stored beside the champion's score, never shown."""

from __future__ import annotations

import time
import uuid
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from credit_scoring.api.app import create_app
from credit_scoring.db import models as m
from credit_scoring.lending.shadow import ShadowScorer

from .conftest import Bank, bank_fixture, fake_for, tokens_for
from .fake_scorer import FakeScorer
from .test_api_applications import example

bank = bank_fixture("shadow")


def _challenger(bank: Bank) -> FakeScorer:
    champion = fake_for(bank.features)
    return FakeScorer(bank.features, champion.feature_names[::-1], version="8", threshold=0.2)


def _post(client: TestClient, headers: dict[str, str]) -> Any:
    return client.post(
        "/applications",
        json=example(),
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )


def _wait_for(shadow: ShadowScorer, stored: int) -> None:
    deadline = time.monotonic() + 10
    while shadow.stored + shadow.failed < stored and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_shadow_score_is_stored_and_the_response_is_the_champions(bank: Bank) -> None:
    challenger = _challenger(bank)
    answers = {}
    for with_challenger in (False, True):
        app = create_app(bank.settings, load_scorer=lambda _s: fake_for(bank.features))
        app.state.load_challenger = (
            (lambda _s: challenger) if with_challenger else (lambda _s: None)
        )
        with TestClient(app) as client:
            health = client.get("/health").json()
            assert health["challenger_version"] == ("8" if with_challenger else None)
            response = _post(client, tokens_for(client)["advisor"])
            assert response.status_code == 201, response.text
            answers[with_challenger] = response.json()
            if with_challenger:
                _wait_for(app.state.shadow, 1)
                assert app.state.shadow.stored == 1
                # a rescore is shadowed too
                app_id = answers[True]["application_id"]
                rescored = client.post(
                    f"/applications/{app_id}/score", headers=tokens_for(client)["advisor"]
                )
                assert rescored.status_code == 201, rescored.text
                _wait_for(app.state.shadow, 2)
        if with_challenger:
            assert app.state.shadow._thread is None  # stopped with the API
    shown, plain = answers[True], answers[False]
    for name in ("probability", "decision", "threshold", "model_version", "grade"):
        assert shown[name] == plain[name]  # the challenger never changes the answer
    assert "8" not in str(shown["model_version"])
    with Session(bank.engine) as session:
        rows = session.execute(
            select(m.ShadowScore).where(m.ShadowScore.application_id == shown["application_id"])
        ).scalars()
        rows = list(rows)
        score = session.get(m.Score, shown["score_id"])
    assert len(rows) == 2 and rows[0].score_id == shown["score_id"]
    assert rows[0].model_version == "8" and rows[0].threshold == 0.2
    assert score is not None and rows[0].probability != score.probability
    assert rows[0].model_decision == ("refuse" if rows[0].probability >= 0.2 else "grant")
    assert rows[0].row_hash  # chained
    with bank.engine.begin() as conn, pytest.raises(DatabaseError):
        conn.execute(text(f"DELETE FROM {m.ShadowScore.__tablename__}"))  # append-only


def test_a_challenger_that_fails_to_load_leaves_the_api_without_shadow(bank: Bank) -> None:
    def broken(_settings: Any) -> FakeScorer:
        raise OSError("no such file")

    app = create_app(bank.settings, load_scorer=lambda _s: fake_for(bank.features))
    app.state.load_challenger = broken
    with TestClient(app) as client:
        assert client.get("/health").json()["challenger_version"] is None
        response = _post(client, tokens_for(client)["advisor"])
        assert response.status_code == 201


class _Slow:
    """A challenger that takes its time: the queue fills while it scores."""

    model_name = "slow"
    model_version = "9"
    threshold = 0.5

    def __init__(self) -> None:
        self.release = False

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        while not self.release:
            time.sleep(0.005)
        return np.full(len(features), 0.4)


def test_a_full_queue_drops_work_without_blocking(bank: Bank) -> None:
    slow = _Slow()
    shadow = ShadowScorer(slow, sessionmaker(bank.engine), maxsize=2)  # type: ignore[arg-type]
    shadow.start()
    features = bank.features.head(1)
    started = time.perf_counter()
    accepted = [shadow.submit(10_000 + i, 1, features) for i in range(10)]
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5  # never waits for the worker
    # the worker holds one job, the queue two: the rest are dropped and counted
    assert accepted.count(False) == shadow.dropped and 7 <= shadow.dropped <= 8
    slow.release = True
    shadow.close()
    assert shadow.stored == accepted.count(True) and shadow.failed == 0
