"""kill -9 under load: every score a client received has its audit record after a restart.

A real uvicorn process serves scores to concurrent clients; it is killed with SIGKILL in
the middle, restarted on the same spool folder, and the score log must then hold at
least every score that was answered (and no more than were asked). The second test stops
the database itself mid-load (a private throw-away PostgreSQL cluster, ``pg_ctl stop -m
immediate``: the shared servers are never touched) while scores keep being served from
the cache, kills the API, then starts both again.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, func, select, text

from credit_scoring.data.loading import prepare
from credit_scoring.data.synth import generate
from credit_scoring.db import audit_chain, migrate
from credit_scoring.db import models as m
from credit_scoring.db.load import load_prepared
from credit_scoring.features.batch import build_feature_table
from credit_scoring.lending.security import add_user

pytestmark = pytest.mark.integration
HERE = Path(__file__).parent
PASSWORD = "kill test password"
SECRET = "kill-test-secret-that-is-long-enough-0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, pd.DataFrame, Path]:
    folder = tmp_path_factory.mktemp("kill-synth")
    generate(folder / "data", clients=120, seed=9, fmt="csv")
    prepared = prepare(folder / "data", folder / "cache")
    features = build_feature_table(prepared)
    path = folder / "features.parquet"
    features.to_parquet(path)
    return prepared, features, path


def _populate(engine: Engine, synthetic: tuple[object, pd.DataFrame, Path]) -> None:
    from sqlalchemy.orm import Session

    prepared, features, _ = synthetic
    migrate.upgrade(engine)
    load_prepared(engine, prepared, features)  # type: ignore[arg-type]
    with Session(engine) as session, session.begin():
        add_user(session, "advisor", PASSWORD, "advisor")


class Server:
    """``uvicorn served_app:create`` in its own process, on a free port."""

    def __init__(self, url: str, home: Path, features: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_SCORING_")}
        self.env = {
            **base_env,
            "CREDIT_SCORING_ENVIRONMENT": "test",
            "CREDIT_SCORING_SECRET_KEY": SECRET,
            "CREDIT_SCORING_HOME": str(home),
            "CREDIT_SCORING_DATABASE_URL": url,
            "SERVED_FEATURES": str(features),
            "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "served_app:create", "--factory",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
            env=self.env,
            cwd=HERE,
        )  # fmt: skip

    def health(self, *, drained: bool, timeout: float = 120) -> dict:
        """Wait until ready (and, with ``drained``, until no audit record waits)."""
        deadline = time.monotonic() + timeout
        body: dict = {}
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, "the API stopped"
            with contextlib.suppress(httpx.HTTPError, ValueError):
                body = httpx.get(f"{self.base}/health", timeout=3).json()
                if body.get("ready") and (not drained or body.get("audit_backlog") == 0):
                    return body
            time.sleep(0.3)
        raise AssertionError(f"the API was not ready in {timeout:.0f} s: {body}")

    def token(self) -> str:
        response = httpx.post(
            f"{self.base}/auth/token", data={"username": "advisor", "password": PASSWORD}
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@dataclass
class Load:
    """Concurrent clients asking for scores until stopped; counts what was answered."""

    base: str
    token: str
    ids: list[int]
    answered: int = 0
    asked: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def _worker(self, k: int) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=10) as client:
            i = k
            while not self.stop.is_set():
                with self.lock:
                    self.asked += 1
                try:
                    response = client.get(f"/clients/{self.ids[i % len(self.ids)]}/score")
                except httpx.HTTPError:
                    return  # the server is gone
                if response.status_code == 200:
                    with self.lock:
                        self.answered += 1
                i += 8

    def start(self) -> None:
        self.threads = [threading.Thread(target=self._worker, args=(k,)) for k in range(8)]
        for thread in self.threads:
            thread.start()

    def wait_for(self, answered: int, timeout: float = 120) -> None:
        """Until ``answered`` more scores are answered, or ``timeout`` seconds."""
        target, deadline = self.answered + answered, time.monotonic() + timeout
        while self.answered < target and time.monotonic() < deadline:
            time.sleep(0.01)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def _logged(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(m.ScoreLog)).scalar_one())


def test_kill_9_under_load_loses_no_answered_score(synthetic, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    engine = create_engine(url)
    _populate(engine, synthetic)
    ids = [int(i) for i in synthetic[1]["SK_ID_CURR"]]
    server = Server(url, tmp_path / "home", synthetic[2])
    server.start()
    try:
        server.health(drained=True)
        load = Load(server.base, server.token(), ids)
        load.start()
        load.wait_for(400)
        server.kill()
        load.finish()
        assert load.answered >= 400
        assert list((tmp_path / "home" / "audit-spool").glob("*.spool")), "a segment is left"
        server.start()
        server.health(drained=True)
    finally:
        server.stop()
    logged = _logged(engine)
    assert load.answered <= logged <= load.asked
    assert all(r.ok for r in audit_chain.verify(engine))
    engine.dispose()


@dataclass
class Cluster:
    """A private PostgreSQL cluster in a temp folder on a free port (never the shared one)."""

    bin: Path
    folder: Path
    port: int

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # the server's output goes to its log file: no pipe for it to keep open
        subprocess.run(
            command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=on"
        data, log = str(self.folder / "data"), str(self.folder / "server.log")
        self._run("pg_ctl", "-D", data, "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin: cannot "
                    "start a private database to stop during the load")  # fmt: skip
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: PostgreSQL refuses to run as root")
    folder = Path(tempfile.mkdtemp(prefix="kill-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(found[-1].parent, folder, _free_port())
    try:
        cluster._run("initdb", "-D", str(folder / "data"), "-U", "postgres", "--auth=trust")
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(Exception):
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_kill_9_with_the_database_stopped_during_the_load(
    synthetic, cluster: Cluster, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(cluster.url)
    _populate(engine, synthetic)
    ids = [int(i) for i in synthetic[1]["SK_ID_CURR"]][:60]
    server = Server(cluster.url, tmp_path / "home", synthetic[2])
    server.start()
    try:
        server.health(drained=True)
        warm = _logged(engine)
        engine.dispose()
        load = Load(server.base, server.token(), ids)
        load.start()
        load.wait_for(200)
        cluster.stop()  # mid-load; what is answered now (cached scores) waits in the spool
        load.wait_for(200, timeout=10)
        server.kill()
        load.finish()
        assert load.answered >= 200
        cluster.start()
        server.start()
        server.health(drained=True)
    finally:
        server.stop()
    logged = _logged(engine) - warm
    assert load.answered <= logged <= load.asked
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_spool_progress")).scalar_one() == 0
    assert all(r.ok for r in audit_chain.verify(engine))
    engine.dispose()
