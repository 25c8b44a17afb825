"""Applications API speed on loopback: server time of POST /applications and GET /applications/{id}.

Needs a home folder with a loaded database and a champion model (see ``bench_api.py``)::

    export CREDIT_SCORING_HOME=/tmp/apibench/home
    uv run python bench/bench_applications.py --requests 300

Starts ``credit-scoring serve`` (one worker) on a free port, creates a throw-away advisor,
and prints the median and p99 of the server time (``X-Process-Time``) of:

- ``POST /applications`` for a NEW client (the example body of
  ``docs/examples/new-application.json``, a different amount each time): features, score,
  reasons, policy rules, the application, client, vector and chained score committed, the
  score log record synced to the spool. Targets: median 15 ms, p99 40 ms;
- ``POST /applications`` for a REPEAT client (``client_id``: history from the database).
  Target: median 60 ms;
- ``GET /applications/{id}`` (the stored score and decisions). Target: median 3 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
from sqlalchemy import select

from bench_api import free_port, quantile, send, wait_ready
from credit_scoring.config import get_settings
from credit_scoring.db import models as m
from credit_scoring.db.session import session_scope
from credit_scoring.lending.security import add_user

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "new-application.json"


def timed(client: httpx.Client, method: str, path: str, **kwargs: object) -> tuple[float, dict]:
    response = send(client, method, path, **kwargs)
    return float(response.headers["x-process-time"]), response.json()


def report(name: str, times: list[float], target: str) -> None:
    print(
        f"{name}: median {statistics.median(times):.2f} ms, p99 {quantile(times, 0.99):.2f} ms "
        f"(n={len(times)}; target {target})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests of each kind")
    args = parser.parse_args()

    settings = get_settings()
    password = secrets.token_urlsafe(16)
    username = f"bench-{uuid.uuid4().hex[:8]}"
    with session_scope(settings) as session:
        add_user(session, username, password, "advisor")
        known = (
            session.execute(
                select(m.Loan.sk_id_curr)
                .where(m.Loan.source != "application")
                .distinct()
                .limit(500)
            )
            .scalars()
            .all()
        )
    if not known:
        sys.exit("no clients with history in the database: run `credit-scoring db load` first")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "CREDIT_SCORING_SECRET_KEY": secrets.token_urlsafe(48)}
    command = [sys.executable, "-m", "credit_scoring", "serve", "--port", str(port)]
    proc = subprocess.Popen(command, env=env)
    try:
        health = wait_ready(url, proc)
        token = httpx.post(
            f"{url}/auth/token", data={"username": username, "password": password}
        ).json()["access_token"]
        example = json.loads(EXAMPLE.read_text())
        print(
            f"model {health['model_name']} v{health['model_version']}, {os.cpu_count()} CPUs, "
            "1 worker (machine shared: other processes may run)"
        )
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:

            def create(body: dict) -> tuple[float, dict]:
                headers = {"Idempotency-Key": uuid.uuid4().hex}
                return timed(client, "POST", "/applications", json=body, headers=headers)

            for i in range(10):  # warm-up: feature plans, model, connections
                create({**example, "loan": {**example["loan"], "amount": 10_000 + i}})
            new, ids = [], []
            for i in range(args.requests):
                loan = {**example["loan"], "amount": 12_000 + 10 * i}
                ms, body = create({**example, "loan": loan})
                new.append(ms)
                ids.append(body["application_id"])
            repeat = [
                create({"client_id": known[i % len(known)], "loan": example["loan"]})[0]
                for i in range(args.requests)
            ]
            reads = [
                timed(client, "GET", f"/applications/{ids[i % len(ids)]}")[0]
                for i in range(args.requests)
            ]
        report("POST /applications, new client", new, "median 15 ms, p99 40 ms")
        report("POST /applications, repeat client", repeat, "median 60 ms")
        report("GET /applications/{id}", reads, "median 3 ms")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
