"""Database URLs of the integration tests (the CI servers' ``test`` databases by default)
and what their test files share: dropping every table, failing clearly on a server that
is down, sample audit records.

``CREDIT_SCORING_TEST_MARIADB`` and ``CREDIT_SCORING_TEST_POSTGRESQL`` point them at other
databases, so that two checkouts can run their integration tests side by side.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, MetaData, text

from credit_scoring.db.session import get_engine

MARIADB_URL = os.environ.get(
    "CREDIT_SCORING_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/test"
)
POSTGRESQL_URL = os.environ.get(
    "CREDIT_SCORING_TEST_POSTGRESQL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS: dict[str, str | None] = {
    "sqlite": None,
    "mariadb": MARIADB_URL,
    "postgresql": POSTGRESQL_URL,
}


def drop_everything(engine: Engine) -> None:
    """Drop every table of the database (repeatable runs)."""
    meta = MetaData()
    meta.reflect(engine)
    meta.drop_all(engine)


def reachable_engine(name: str, url: str) -> Engine:
    """An engine on ``url``, or the test fails saying which service to start."""
    engine = get_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # the marker says which services are needed
        pytest.fail(
            f"{name} is not reachable at {url} ({type(exc).__name__}); "
            "start it (.ci/run does) or deselect with -m 'not integration'."
        )
    return engine


def score_record(i: int) -> dict:
    """A score log record as the API writes it (full-precision floats, accents)."""
    return {
        "created_at": datetime.now(UTC).replace(tzinfo=None),
        "username": "advisor",
        "route": "client_score",
        "sk_id_curr": 100_000 + i,
        "inputs_digest": f"{i:064d}",
        "model_version": "7",
        "threshold": 0.123456789012345,
        "probability": 1 / 3 + i * 1e-9,
        "decision": "grant",
        "reasons": [{"text": "Revenu élevé", "contribution": -0.1234567890123, "n": i}],
    }


DECISION = {
    "sk_id_curr": 100_001,
    "username": "advisor",
    "decision": "refuse",
    "model_decision": "grant",
    "probability": 0.2718281828459045,
    "threshold": 0.3,
    "model_version": "7",
    "override": True,
    "reason": "Justificatifs manquants",
}

# An application's score (``scores``) as intake writes it; give it an ``application_id``.
SCORE = {
    "username": "advisor",
    "model_name": "credit-default",
    "model_version": "7",
    "inputs_digest": "a" * 64,
    "probability": 0.123456789012345,
    "threshold": 0.3,
    "model_decision": "grant",
    "decision": "refer",
    "grade": "C",
    "points": 612.0,
    "policy_version": "2026-12-01+0123456789ab",
    "policy": [
        {
            "code": "P03",
            "outcome": "refer",
            "text_fr": "Taux d'effort",
            "text_en": "Debt-to-income",
            "applicant_fr": "Vos mensualités",
            "applicant_en": "Your repayments",
        }
    ],
    "reasons": [
        {"code": "R02", "text": "Âge", "direction": "against", "group": "g", "contribution": 0.1}
    ],
    "lang": "fr",
}
