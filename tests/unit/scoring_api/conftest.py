"""Shared API fixtures: a small synthetic bank loaded in SQLite, a fake Scorer, users, tokens."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

with warnings.catch_warnings():  # starlette prefers httpx2, which is not in the lock file
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from credit_scoring.api.app import create_app
from credit_scoring.api.security import add_user
from credit_scoring.config import Settings
from credit_scoring.data.loading import prepare
from credit_scoring.data.synth import generate
from credit_scoring.db import migrate
from credit_scoring.db.load import load_prepared
from credit_scoring.db.session import get_engine, session_scope
from credit_scoring.features.build import build_feature_table

from .fake_scorer import FakeScorer

PASSWORD = "correct horse battery"
SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"


@dataclass
class Bank:
    """A loaded database and what went into it."""

    settings: Settings
    data_dir: Path
    features: pd.DataFrame

    @property
    def engine(self):  # type: ignore[no-untyped-def]
        return get_engine(self.settings.resolved_database_url)


def make_settings(home: Path, **extra: object) -> Settings:
    return Settings(
        home=home,
        environment="test",
        secret_key=SECRET,
        database_url=f"sqlite:///{home / 'bank.db'}",
        **extra,
    )  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    return make_bank(tmp_path_factory.mktemp("bank"))


def make_bank(home: Path) -> Bank:
    """400 synthetic clients loaded in a new SQLite database, and the four demo roles."""
    data_dir = home / "data"
    generate(data_dir, clients=400, seed=11, fmt="csv")
    settings = make_settings(home)
    prepared = prepare(data_dir, settings.cache_dir)
    features = build_feature_table(prepared)
    engine = get_engine(settings.resolved_database_url)
    migrate.upgrade(engine)
    load_prepared(engine, prepared, features)
    with session_scope(settings) as session:
        for role in ("advisor", "senior", "analyst", "admin"):
            add_user(session, role, PASSWORD, role)
    return Bank(settings=settings, data_dir=data_dir, features=features)


def fake_for(features: pd.DataFrame) -> FakeScorer:
    names = [
        c
        for c in features.columns
        if c not in ("SK_ID_CURR", "TARGET") and features[c].notna().mean() > 0.5
    ][:8]
    return FakeScorer(features, names)


@pytest.fixture(scope="session")
def scorer(bank: Bank) -> FakeScorer:
    return fake_for(bank.features)


@pytest.fixture(scope="session")
def client(bank: Bank, scorer: FakeScorer) -> Iterator[TestClient]:
    with served(bank, scorer) as test_client:
        yield test_client


@contextlib.contextmanager
def served(bank: Bank, scorer: FakeScorer) -> Iterator[TestClient]:
    """The API on ``bank`` with ``scorer`` as its champion, through a test client."""
    app = create_app(bank.settings, load_scorer=lambda _s: scorer)
    with TestClient(app) as test_client:
        yield test_client


def login(client: TestClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/auth/token", data={"username": username, "password": password})


@pytest.fixture(scope="session")
def tokens(client: TestClient) -> dict[str, dict[str, str]]:
    return tokens_for(client)


def tokens_for(client: TestClient) -> dict[str, dict[str, str]]:
    """A bearer header per demo role."""
    out = {}
    for role in ("advisor", "senior", "analyst", "admin"):
        response = login(client, role)
        assert response.status_code == 200, response.text
        out[role] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return out


@pytest.fixture(scope="session")
def known_ids(bank: Bank) -> list[int]:
    return [int(i) for i in bank.features["SK_ID_CURR"].head(20)]
