"""The operational database and the API on SQLite, MariaDB and PostgreSQL (marked integration).

Needs MariaDB (root@127.0.0.1:3306, database ``test``) and PostgreSQL (postgres@127.0.0.1:5432,
database ``test``); ``.ci/run`` starts them. Every table is dropped before and after each
backend's tests, so runs are repeatable.
"""

from __future__ import annotations

import contextlib
import importlib.util
import socket
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from backends import BACKENDS, drop_everything, reachable_engine
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from credit_scoring.api.app import create_app
from credit_scoring.config import Settings
from credit_scoring.data.loading import prepare
from credit_scoring.data.synth import generate
from credit_scoring.db import audit_chain, migrate
from credit_scoring.db import models as m
from credit_scoring.db.load import load_prepared
from credit_scoring.db.session import get_engine
from credit_scoring.features.batch import build_feature_table
from credit_scoring.lending.security import add_user

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.integration

_spec = importlib.util.spec_from_file_location(
    "fake_scorer", Path(__file__).parents[1] / "unit" / "scoring_api" / "fake_scorer.py"
)
assert _spec is not None and _spec.loader is not None
fake_scorer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fake_scorer)

SECRET = "integration-secret-long-enough-for-hs256-0123456789"
PASSWORD = "integration password"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("synth")
    generate(folder / "data", clients=200, seed=5, fmt="csv")
    prepared = prepare(folder / "data", folder / "cache")
    return prepared, build_feature_table(prepared)


@pytest.fixture(scope="module", params=list(BACKENDS))
def backend(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Engine]]:
    url = BACKENDS[request.param] or f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'db.sqlite'}"
    engine = reachable_engine(request.param, url)
    drop_everything(engine)
    yield url, engine
    engine.dispose()
    drop_everything(engine)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.__tablename__: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (m.Client, m.Loan, m.Transaction, m.FeatureVector)
        }


def test_migrate_load_twice_and_serve(backend, synthetic) -> None:  # type: ignore[no-untyped-def]
    url, engine = backend
    prepared, features = synthetic
    migrate.upgrade(engine)
    load_prepared(engine, prepared, features)
    first = _counts(engine)
    assert first["clients"] == len(features) == first["feature_vectors"]
    load_prepared(engine, prepared, features)
    assert _counts(engine) == first

    from sqlalchemy.orm import Session

    with Session(engine) as session, session.begin():
        add_user(session, "advisor", PASSWORD, "advisor")
        add_user(session, "analyst", PASSWORD, "analyst")
    scorer = fake_scorer.FakeScorer(features, [c for c in features.columns[2:10]])
    settings = Settings(environment="test", secret_key=SECRET, database_url=url)
    with TestClient(create_app(settings, load_scorer=lambda _s: scorer)) as client:
        assert client.get("/health").json()["ready"] is True
        token = client.post("/auth/token", data={"username": "advisor", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        sk_id = int(features["SK_ID_CURR"].iloc[0])
        score = client.get(f"/clients/{sk_id}/score", headers=headers).json()
        expected = scorer.predict_proba(features.iloc[[0]])[0]
        assert abs(score["probability"] - expected) < 1e-5
        detail = client.get(f"/clients/{sk_id}", headers=headers).json()
        assert detail["application"]["SK_ID_CURR"] == sk_id
        apps = pd.concat([prepared.read(t) for t in ("application_train", "application_test")])
        prefix = str(sk_id)[:4]
        expected_total = int(
            (
                (apps["SK_ID_CURR"].astype(str).str.startswith(prefix))
                & (apps["CODE_GENDER"] == "F")
            ).sum()
        )
        page = client.get(f"/clients?q={prefix}&gender=F", headers=headers).json()
        assert page["total"] == expected_total > 0
        loan = {"contract_type": "cash", "amount": 3_000.0, "term_months": 36}
        created = client.post(
            "/applications",
            json={"client_id": sk_id, "loan": loan},
            headers={**headers, "Idempotency-Key": f"backend-{sk_id}"},
        ).json()
        decided = client.post(
            f"/applications/{created['application_id']}/decision",
            headers=headers,
            json={"score_id": created["score_id"], "decision": created["decision"]},
        )
        assert decided.status_code == 201, decided.text
        _applicant_space(client, engine, headers, created["application_id"])
        assert client.post("/decisions", headers=headers, json={}).status_code == 410
        stats = client.get("/population/stats", headers=headers).json()
        assert stats["n_clients"] == len(features)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(m.ScoreLog)).scalar_one() >= 1
    migrate.downgrade(engine)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}


def _applicant_space(
    client: TestClient, engine: Engine, headers: dict[str, str], app_id: int
) -> None:
    """Migration 0010 on this backend (issue 22): a code hashed and issued, a failure and a
    sign-in chained in the append-only access events, a review in the advisors' queue."""
    from sqlalchemy.orm import Session

    from credit_scoring.lending.applicant import birth_date_of

    with Session(engine) as session:
        app = session.get(m.Application, app_id)
        assert app is not None
        born = birth_date_of(session, app)
    assert born is not None
    issued = client.post(f"/applications/{app_id}/applicant-access", headers=headers)
    assert issued.status_code == 201, issued.text
    code = issued.json()["code"]
    body = {"application_id": app_id, "code": "0000-0000-0000-0000", "birth_date": str(born)}
    assert client.post("/applicant/session", json=body).status_code == 401
    signed = client.post("/applicant/session", json=body | {"code": code})
    assert signed.status_code == 200, signed.text
    mine = {"Authorization": f"Bearer {signed.json()['access_token']}"}
    seen = client.get(f"/applicant/applications/{app_id}", headers=mine)
    assert seen.status_code == 200 and seen.json()["application_id"] == app_id
    review = {"comment": "Merci de revoir mon dossier", "attachments": ["bulletin.pdf"]}
    asked = client.post(f"/applicant/applications/{app_id}/review", json=review, headers=mine)
    assert asked.status_code == 201, asked.text
    queue = client.get("/applications?review=requested", headers=headers).json()
    assert [i["application_id"] for i in queue["items"]] == [app_id]
    fix = {"item": "income_yearly", "comment": "plus élevé"}
    assert client.post(
        f"/applicant/applications/{app_id}/rectifications", json=fix, headers=mine
    ).status_code == 201  # fmt: skip
    staff = client.get(f"/applications/{app_id}", headers=headers).json()
    assert staff["review"]["status"] == "open" and staff["rectifications"][0]["item"] == fix["item"]
    assert staff["applicant_views"] >= 3 and staff["applicant_seen_at"] is not None
    dialect = engine.dialect.name
    statements = ["UPDATE {t} SET event = 'read'", "DELETE FROM {t}"]
    if dialect == "postgresql":
        statements.append("TRUNCATE {t}")
    for sql in statements:
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql.format(t=f"{m.TABLE_PREFIX}applicant_access_events")))
    (report,) = audit_chain.verify(engine, ["applicant_access_events"])
    assert report.ok and report.records >= 5  # issued, failure, sign-in, read, review...


class _Proxy:
    """A TCP proxy in front of a database server that can be cut and restored."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            server = socket.create_connection(self.target)
            self.conns += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.open = False
        for sock in self.conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.conns.clear()

    def restore(self) -> None:
        self.open = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


def test_postgresql_going_away_gives_503_then_recovers(synthetic) -> None:  # type: ignore[no-untyped-def]
    prepared, features = synthetic
    direct = get_engine(BACKENDS["postgresql"])
    drop_everything(direct)
    migrate.upgrade(direct)
    load_prepared(direct, prepared, features)
    from sqlalchemy.orm import Session

    with Session(direct) as session, session.begin():
        add_user(session, "advisor", PASSWORD, "advisor")
    proxy = _Proxy(("127.0.0.1", 5432))
    # the configured database, through the proxy
    url = (
        make_url(BACKENDS["postgresql"] or "")
        .set(host="127.0.0.1", port=proxy.port)
        .render_as_string(hide_password=False)
    )
    scorer = fake_scorer.FakeScorer(features, [c for c in features.columns[2:10]])
    settings = Settings(environment="test", secret_key=SECRET, database_url=url)
    sk_id = int(features["SK_ID_CURR"].iloc[1])
    try:
        with TestClient(create_app(settings, load_scorer=lambda _s: scorer)) as client:
            token = client.post("/auth/token", data={"username": "advisor", "password": PASSWORD})
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            assert client.get(f"/clients/{sk_id}", headers=headers).status_code == 200
            proxy.cut()
            down = client.get(f"/clients/{sk_id}", headers=headers)
            assert down.status_code == 503 and "Database unreachable" in down.json()["detail"]
            assert client.get("/health").json()["database"] is False
            proxy.restore()
            assert client.get(f"/clients/{sk_id}", headers=headers).status_code == 200
            assert client.get("/health").json()["ready"] is True
    finally:
        proxy.close()
        get_engine(url).dispose()
        drop_everything(direct)
