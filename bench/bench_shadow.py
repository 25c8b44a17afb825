"""The champion's latency with a challenger in the shadow: POST /applications with and without.

Self-contained: builds a synthetic bank (400 clients) in a temporary folder, trains the tiny
real LightGBM champion of the tests (``tests/unit/tiny_champion.py``) and serves it in
process twice, first alone, then with the same kind of model as challenger (another version)
scoring every application in the background. Prints the median and p99 of the server time
(``X-Process-Time``) of ``POST /applications`` for a new client in both cases, and how many
shadow scores were stored and dropped::

    uv run python bench/bench_shadow.py --requests 300

The shadow worker runs in the API's process: on a busy machine it competes for the CPU, so
run it on a quiet one for figures (the difference is what the champion's requests pay).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "unit"))

from tiny_champion import tiny_champion  # noqa: E402

from credit_scoring.api.app import create_app  # noqa: E402
from credit_scoring.config import Settings  # noqa: E402
from credit_scoring.data.loading import prepare  # noqa: E402
from credit_scoring.data.synth import generate  # noqa: E402
from credit_scoring.db import migrate  # noqa: E402
from credit_scoring.db.load import load_prepared  # noqa: E402
from credit_scoring.db.session import get_engine, session_scope  # noqa: E402
from credit_scoring.features.batch import build_feature_table  # noqa: E402
from credit_scoring.lending.security import add_user  # noqa: E402

EXAMPLE = ROOT / "docs" / "examples" / "new-application.json"
PASSWORD = "bench-password-2026"


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed_posts(app: Any, requests: int, warm_up: int = 10) -> tuple[list[float], Any]:
    """Server times (ms) of ``requests`` new-client applications, after ``warm_up`` ones."""
    example = json.loads(EXAMPLE.read_text())
    times = []
    with TestClient(app) as client:
        token = client.post(
            "/auth/token", data={"username": "advisor", "password": PASSWORD}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for i in range(warm_up + requests):
            body = {**example, "loan": {**example["loan"], "amount": 10_000 + 10 * i}}
            response = client.post(
                "/applications",
                json=body,
                headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
            )
            response.raise_for_status()
            if i >= warm_up:
                times.append(float(response.headers["x-process-time"]))
        shadow = app.state.shadow
        deadline = time.monotonic() + 60
        while shadow is not None and not shadow.jobs.empty() and time.monotonic() < deadline:
            time.sleep(0.05)
    return times, shadow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests of each kind")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-shadow-") as tmp:
        home = Path(tmp)
        settings = Settings(
            home=home,
            environment="test",
            secret_key="bench-" + uuid.uuid4().hex * 2,
            database_url=f"sqlite:///{home / 'bank.db'}",
        )  # type: ignore[call-arg]
        generate(home / "data", clients=400, seed=11, fmt="csv")
        prepared = prepare(home / "data", settings.cache_dir)
        features = build_feature_table(prepared)
        engine = get_engine(settings.resolved_database_url)
        migrate.upgrade(engine)
        load_prepared(engine, prepared, features)
        with session_scope(settings) as session:
            add_user(session, "advisor", PASSWORD, "advisor")
        champion = tiny_champion(features, version="1")
        challenger = tiny_champion(features, version="2")
        print(f"{os.cpu_count()} CPUs, in-process API, SQLite; {args.requests} requests each")
        results = {}
        for label, loader in (
            ("without a challenger", lambda _s: None),
            ("with a challenger in the shadow", lambda _s: challenger),
        ):
            app = create_app(settings, load_scorer=lambda _s: champion)
            app.state.load_challenger = loader
            times, shadow = timed_posts(app, args.requests)
            results[label] = statistics.median(times)
            extra = (
                f"; shadow scores stored {shadow.stored}, dropped {shadow.dropped}, "
                f"failed {shadow.failed}"
                if shadow is not None
                else ""
            )
            print(
                f"POST /applications {label}: median {statistics.median(times):.2f} ms, "
                f"p99 {quantile(times, 0.99):.2f} ms{extra}"
            )
        base, shadowed = results.values()
        print(f"median difference: {shadowed - base:+.2f} ms")


if __name__ == "__main__":
    main()
