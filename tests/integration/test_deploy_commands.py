"""The commands the images run (migrate, load, serve), as subprocesses, against a real MariaDB.

This is what compose's ``init`` job and ``api`` service do, minus Docker: a fresh database,
``credit-scoring db upgrade``, ``credit-scoring db load --data DIR``, then
``credit-scoring serve`` on a free port, checked through ``/health``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

SERVER = "mysql+pymysql://root@127.0.0.1:3306"


def _cli() -> list[str]:
    exe = shutil.which("credit-scoring", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "credit_scoring.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    sqlalchemy = pytest.importorskip("sqlalchemy")
    name = f"cs_deploy_{uuid.uuid4().hex[:8]}"
    engine = sqlalchemy.create_engine(SERVER, connect_args={"connect_timeout": 3})
    try:
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    except sqlalchemy.exc.OperationalError as exc:
        pytest.skip(
            f"MariaDB is not reachable on 127.0.0.1:3306 as root ({exc.orig}); .ci/run starts it"
        )
    try:
        yield f"{SERVER}/{name}"
    finally:
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text(f"DROP DATABASE IF EXISTS {name}"))
        engine.dispose()


@pytest.fixture(scope="module")
def env(database: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("deploy-home")
    base = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_SCORING_")}
    return {
        **base,
        "CREDIT_SCORING_HOME": str(home),
        "CREDIT_SCORING_ENVIRONMENT": "production",
        "CREDIT_SCORING_SECRET_KEY": "deploy-test-" + "k" * 40,
        "CREDIT_SCORING_DATABASE_URL": database,
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*_cli(), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_migrate_load_and_serve_against_mariadb(env: dict[str, str], tmp_path: Path) -> None:
    from credit_scoring.data.synth import generate

    data = tmp_path / "data"
    generate(data, clients=150, seed=5)
    _run(["db", "upgrade"], env, tmp_path)  # `db load` upgrades again: re-running init is safe
    loaded = _run(["db", "load", "--data", str(data)], env, tmp_path)
    assert "Loaded" in loaded.stdout and "150 clients" in loaded.stdout.replace(",", "")

    port = _free_port()
    server = subprocess.Popen(
        [*_cli(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        status, body = 0, {}
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"serve exited with {server.returncode}:\n{server.stdout.read()}")  # type: ignore[union-attr]
            try:
                status, body = _get(f"http://127.0.0.1:{port}/health")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        assert status in (200, 503), f"/health never answered on port {port}"
        assert body["database"] is True  # the served app reaches the freshly loaded MariaDB
        assert body["ready"] is False and body["model_error"]  # no champion trained in this test
        unauthorised, _ = _get(f"http://127.0.0.1:{port}/drift/latest")
        assert unauthorised == 401
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
