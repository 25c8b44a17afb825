"""The whole product on demo data for browser tests (the ``stack`` fixture, see conftest.py): synthetic data, quick training,
database, one advisor, the API, the dashboard and the applicant space as subprocesses on free
ports.

Everything lives under a temporary ``CREDIT_SCORING_HOME``; one set-up per session.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CLIENTS = 2_000
CLI = [sys.executable, "-c", "from credit_scoring.cli import app; app()"]


@dataclass(frozen=True)
class Stack:
    api_url: str
    dashboard_url: str
    username: str  # an advisor
    password: str
    analyst: str  # same password
    home: Path
    applicant_url: str = ""  # the applicant space (its address is printed on the letters)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(args: list[str], env: dict[str, str], log: Path, timeout: float = 300) -> None:
    """One CLI step; its output goes to a log file named in the failure message."""
    with log.open("a") as out:
        out.write(f"\n$ credit-scoring {' '.join(args)}\n")
        out.flush()
        done = subprocess.run(
            [*CLI, *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
            cwd=env["CREDIT_SCORING_HOME"],
        )
    if done.returncode != 0:
        tail = log.read_text()[-3000:]
        pytest.fail(
            f"`credit-scoring {' '.join(args)}` failed ({done.returncode}); log {log}:\n{tail}"
        )


def _wait(
    url: str, proc: subprocess.Popen, log: Path, timeout: float = 240, ready: str | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{url} exited ({proc.returncode}); log {log}:\n{log.read_text()[-3000:]}")
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200 and (ready is None or ready in response.text):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} not ready after {timeout:.0f} s; log {log}:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium missing: `apt-get install -y chromium`")
    reuse = os.environ.get("E2E_REUSE_HOME")  # a home this fixture (or the same steps) built
    home = Path(reuse) if reuse else tmp_path_factory.mktemp("e2e-home")
    log = home / "e2e.log"
    password = os.environ["E2E_PASSWORD"] if reuse else secrets.token_urlsafe(12)
    # Only this test's settings: no database/MLflow URL inherited from the caller's shell.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_SCORING_")}
    env |= {
        "CREDIT_SCORING_HOME": str(home),
        "CREDIT_SCORING_ENVIRONMENT": "test",
        "CREDIT_SCORING_SECRET_KEY": secrets.token_urlsafe(48),
        "E2E_PASSWORD": password,
    }
    if not reuse:
        _build(home, env, log)
    yield from _serve(home, env, log, password)


def _build(home: Path, env: dict[str, str], log: Path) -> None:
    """Demo data, the champion, the database, one advisor and one analyst (about 5 minutes;
    set ``E2E_REUSE_HOME`` to a home built before, with its ``E2E_PASSWORD``, to skip it)."""
    help_train = subprocess.run(
        [*CLI, "train", "--help"], env=env, capture_output=True, check=False, cwd=home
    )
    if help_train.returncode != 0:
        pytest.skip("`credit-scoring train` is not available in this build")

    from credit_scoring.data.synth import generate

    data = home / "data" / "demo"
    generate(data, clients=CLIENTS, seed=42, fmt="parquet")
    _run(["data", "check", str(data)], env, log)  # fills the parquet cache both steps below read
    # Training and loading the database are independent: run them side by side.
    train_log = home / "train.log"
    with train_log.open("w") as out:
        train = subprocess.Popen(
            [*CLI, "train", "--data", str(data), "--quick"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=home,
        )
    try:
        _run(["db", "upgrade"], env, log)
        _run(["db", "load", "--data", str(data), "--no-score"], env, log)
        code = train.wait(timeout=600)
    finally:
        if train.poll() is None:
            train.kill()
    if code != 0:
        pytest.fail(
            f"`credit-scoring train` failed ({code}); log {train_log}:\n"
            f"{train_log.read_text()[-3000:]}"
        )
    _run(["db", "score"], env, log)
    _run(
        ["users", "add", "conseil", "--role", "advisor", "--password-env", "E2E_PASSWORD"], env, log
    )
    _run(
        ["users", "add", "analyste", "--role", "analyst", "--password-env", "E2E_PASSWORD"],
        env,
        log,
    )


def _serve(home: Path, env: dict[str, str], log: Path, password: str) -> Iterator[Stack]:
    api_port, dash_port, applicant_port = free_port(), free_port(), free_port()
    api_url, dash_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{dash_port}"
    applicant_url = f"http://127.0.0.1:{applicant_port}"
    env["CREDIT_SCORING_APPLICANT_URL"] = applicant_url  # the address the letters print
    procs: list[subprocess.Popen] = []
    with log.open("a") as out:
        procs.append(
            subprocess.Popen(
                [*CLI, "serve", "--port", str(api_port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=home,
            )
        )
        procs.append(
            subprocess.Popen(
                [*CLI, "dashboard", "--port", str(dash_port), "--api-url", api_url],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=home,
            )
        )
        procs.append(
            subprocess.Popen(
                [*CLI, "applicant-space", "--port", str(applicant_port), "--api-url", api_url],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=home,
            )
        )
    try:
        _wait(f"{api_url}/health", procs[0], log, ready='"ready":true')
        _wait(f"{dash_url}/_stcore/health", procs[1], log)
        _wait(f"{applicant_url}/_stcore/health", procs[2], log)
        yield Stack(api_url, dash_url, "conseil", password, "analyste", home, applicant_url)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
