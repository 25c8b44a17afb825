"""Shared API fixtures: a small synthetic bank loaded in SQLite, a fake Scorer, users, tokens."""

from __future__ import annotations

import contextlib
import sqlite3
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pytest

with warnings.catch_warnings():  # starlette prefers httpx2, which is not in the lock file
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from credit_scoring.api.app import create_app
from credit_scoring.config import Settings
from credit_scoring.data.loading import prepare
from credit_scoring.data.synth import generate
from credit_scoring.db import migrate
from credit_scoring.db.load import load_prepared
from credit_scoring.db.session import get_engine, session_scope
from credit_scoring.features.batch import build_feature_table
from credit_scoring.lending.security import add_user

from .fake_scorer import FakeScorer

PASSWORD = "correct horse battery"
SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
ROLES = ("advisor", "senior", "analyst", "admin")  # the demo roles, a user each
Scope = Literal["session", "package", "module", "class", "function"]

# A new applicant's columns: a valid /predict_default application, without history.
APPLICATION = {
    "NAME_CONTRACT_TYPE": "Cash loans",
    "CODE_GENDER": "F",
    "AMT_INCOME_TOTAL": 150_000.0,
    "AMT_CREDIT": 500_000.0,
    "AMT_ANNUITY": 25_000.0,
    "DAYS_BIRTH": -12_000,
    "DAYS_EMPLOYED": -2_000,
}


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
        for role in ROLES:
            add_user(session, role, PASSWORD, role)
    return Bank(settings=settings, data_dir=data_dir, features=features)


def fake_for(features: pd.DataFrame) -> FakeScorer:
    names = [
        c
        for c in features.columns
        if c not in ("SK_ID_CURR", "TARGET") and features[c].notna().mean() > 0.5
    ][:8]
    return FakeScorer(features, names)


def bank_fixture(label: str, scope: Scope = "module") -> Any:
    """A ``bank`` fixture on a bank of its own, in a folder named after ``label``.

    ``bank = bank_fixture("label")`` in a module that changes what is loaded (applications
    create clients, say), so that the counts the other modules check on the shared one stay.
    """

    @pytest.fixture(scope=scope, name="bank")
    def bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
        return make_bank(tmp_path_factory.mktemp(label))

    return bank


def served_fixtures(scope: Scope = "module") -> tuple[Any, Any, Any, Any]:
    """The ``scorer``, ``client``, ``tokens`` and ``known_ids`` fixtures on ``bank``.

    At the scope of the ``bank`` they use: ``scorer, client, tokens, known_ids =
    served_fixtures()`` in a module with a ``bank_fixture`` of its own.
    """

    @pytest.fixture(scope=scope, name="scorer")
    def scorer(bank: Bank) -> FakeScorer:
        return fake_for(bank.features)

    @pytest.fixture(scope=scope, name="client")
    def client(bank: Bank, scorer: FakeScorer) -> Iterator[TestClient]:
        with served(bank.settings, scorer) as test_client:
            yield test_client

    @pytest.fixture(scope=scope, name="tokens")
    def tokens(client: TestClient) -> dict[str, dict[str, str]]:
        return tokens_for(client)

    @pytest.fixture(scope=scope, name="known_ids")
    def known_ids(bank: Bank) -> list[int]:
        return [int(i) for i in bank.features["SK_ID_CURR"].head(20)]

    return scorer, client, tokens, known_ids


@contextlib.contextmanager
def served(settings: Settings, scorer: FakeScorer, **options: Any) -> Iterator[TestClient]:
    """The API on ``settings`` with ``scorer`` as its champion, through a test client.

    ``options`` go to the ``TestClient`` (``client=(address, port)``, say).
    """
    app = create_app(settings, load_scorer=lambda _s: scorer)
    with TestClient(app, **options) as test_client:
        yield test_client


def bank_copy(bank: Bank, folder: Path, **extra: object) -> Settings:
    """Settings on a copy of ``bank``'s database in a new ``folder``: a bank to break and mend."""
    folder.mkdir()
    source = sqlite3.connect(bank.settings.resolved_database_url.split("///")[1])
    with sqlite3.connect(folder / "bank.db") as copy:
        source.backup(copy)  # a consistent copy, WAL included
    source.close()
    return make_settings(folder, **extra)


def login(client: TestClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/auth/token", data={"username": username, "password": password})


def bearer(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The bearer header of a login's answer (which must be a success)."""
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def auth_headers(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """The bearer header of ``username``, logged in on ``client``."""
    return bearer(login(client, username, password))


def tokens_for(client: TestClient) -> dict[str, dict[str, str]]:
    """A bearer header per demo role."""
    return {role: auth_headers(client, role) for role in ROLES}


# The shared bank, loaded once, and the API on it: for the modules that leave it as loaded.
bank = bank_fixture("bank", scope="session")
scorer, client, tokens, known_ids = served_fixtures(scope="session")
