"""Cost of authentication: a login (argon2), logins beyond the hashing cap, the user check.

Self-contained (a throw-away SQLite home, no model, the app in-process)::

    uv run python bench/bench_auth.py --requests 300

Prints: the median server time (``X-Process-Time``) of ``POST /auth/token``; how many of 8
simultaneous logins get 200 or 503 with ``CREDIT_SCORING_MAX_CONCURRENT_LOGINS=4`` and a
queue of 0 s; the median server time of ``GET /me`` with the user check cached (5 s, the
default) and uncached (one SELECT per request: what a request pays every 5 s per user).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import warnings
from pathlib import Path

from credit_scoring.api.app import create_app
from credit_scoring.config import Settings
from credit_scoring.db import migrate
from credit_scoring.db.session import get_engine, session_scope
from credit_scoring.lending.security import add_user

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "bench password 123"


def _settings(home: Path, **extra: object) -> Settings:
    return Settings(
        home=home,
        environment="test",
        secret_key="b" * 48,
        database_url=f"sqlite:///{home / 'bench.db'}",
        login_limits_per_user="100000/minute",
        login_limits_per_address="100000/minute",
        **extra,
    )  # type: ignore[arg-type]


def _no_model(_settings: Settings):  # type: ignore[no-untyped-def]
    raise RuntimeError("no model needed")


def _ms(response) -> float:  # type: ignore[no-untyped-def]
    return float(response.headers["x-process-time"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="GET /me calls per case")
    parser.add_argument("--logins", type=int, default=20, help="sequential logins timed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        settings = _settings(home)
        migrate.upgrade(get_engine(settings.resolved_database_url))
        with session_scope(settings) as session:
            add_user(session, "bench", PASSWORD, "advisor")
        form = {"username": "bench", "password": PASSWORD}

        with TestClient(create_app(settings, load_scorer=_no_model)) as client:
            times = [_ms(client.post("/auth/token", data=form)) for _ in range(args.logins)]
            print(f"POST /auth/token: median {statistics.median(times):.1f} ms server time")
            token = client.post("/auth/token", data=form).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            cached = [_ms(client.get("/me", headers=headers)) for _ in range(args.requests)]

        capped = _settings(home, max_concurrent_logins=4, login_queue_seconds=0)
        with TestClient(create_app(capped, load_scorer=_no_model)) as client:
            codes: list[int] = []
            start = threading.Barrier(8)

            def one() -> None:
                start.wait()
                codes.append(client.post("/auth/token", data=form).status_code)

            threads = [threading.Thread(target=one) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            print(
                f"8 simultaneous logins, cap 4, no queue: {codes.count(200)} x 200, "
                f"{codes.count(503)} x 503"
            )

        uncached_settings = _settings(home, auth_cache_seconds=0)
        with TestClient(create_app(uncached_settings, load_scorer=_no_model)) as client:
            uncached = [_ms(client.get("/me", headers=headers)) for _ in range(args.requests)]
        print(
            f"GET /me: median {statistics.median(cached):.2f} ms with the user check cached, "
            f"{statistics.median(uncached):.2f} ms uncached (SQLite)"
        )


if __name__ == "__main__":
    main()
