"""Scoring API speed on loopback: server time of a client's score, throughput, new applications.

Needs a home folder with a loaded database and a champion model, e.g.::

    export CREDIT_SCORING_HOME=/tmp/apibench/home
    uv run credit-scoring features build --data ../shared/data/home-credit-sample
    uv run credit-scoring train --data ../shared/data/home-credit-sample --quick
    uv run credit-scoring db load --data ../shared/data/home-credit-sample \
        --features $CREDIT_SCORING_HOME/features/features.parquet
    uv run python bench/bench_api.py --workers 2 --duration 30 --connections 16

Starts ``credit-scoring serve`` on 127.0.0.1 (a free port), creates a throw-away user,
and prints: median and p99 of the server time (``X-Process-Time``) of
``GET /clients/{id}/score`` with reasons, first per client (feature vector read from the
database, then scored) and cached; the first-score rate at 16 connections over clients
no worker has seen (``--cold-clients``, each requested once); the cached rate with wrk
(or a bounded Python load generator when wrk is absent); and the median server time of
``POST /predict_default``. Targets: first score median <= 10 ms and >= 150 requests/s;
cached 3 ms / 15 ms and 800 requests/s at 16 connections with no error; 25 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from credit_scoring.config import get_settings
from credit_scoring.db import models as m
from credit_scoring.db.session import session_scope
from credit_scoring.lending.security import add_user


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the API stopped (exit {proc.returncode}); see its output above")
        try:
            body = httpx.get(f"{url}/health", timeout=2).json()
            if body.get("ready"):
                return body
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    sys.exit(f"the API was not ready after {timeout:.0f} s (is a champion model registered?)")


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def send(client: httpx.Client, method: str, path: str, **kwargs: object) -> httpx.Response:
    """One request; retried once when the server closed an idle keep-alive connection."""
    try:
        response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
    except httpx.RemoteProtocolError:
        response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
    response.raise_for_status()
    return response


def server_times(client: httpx.Client, paths: list[str], rounds: int) -> list[float]:
    times = []
    for i in range(rounds):
        response = send(client, "GET", paths[i % len(paths)])
        times.append(float(response.headers["x-process-time"]))
    return times


def run_wrk(
    url: str, token: str, paths: list[str], connections: int, duration: int, threads: int = 2
) -> str:
    script = Path(tempfile.mkdtemp()) / "score.lua"
    lua_paths = ", ".join(f'"{p}"' for p in paths)
    script.write_text(
        f"local paths = {{{lua_paths}}}\nlocal i = 0\n"
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        "request = function()\n  i = i + 1\n"
        '  return wrk.format("GET", paths[(i % #paths) + 1])\nend\n'
    )
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    shutil.rmtree(script.parent)
    return out.stdout


def run_python_load(
    url: str, token: str, paths: list[str], connections: int, duration: int
) -> tuple[int, int, float]:
    """A bounded load generator: ``connections`` threads, each with a keep-alive client."""
    counts = [0] * connections
    errors = [0] * connections
    stop = time.monotonic() + duration

    def worker(n: int) -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
            i = n
            while time.monotonic() < stop:
                response = client.get(paths[i % len(paths)])
                counts[n] += 1
                errors[n] += response.status_code != 200
                i += connections

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts), sum(errors), time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=30, help="seconds of the throughput test")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--clients", type=int, default=2000, help="distinct clients requested")
    parser.add_argument("--samples", type=int, default=3000, help="timed sequential requests")
    parser.add_argument(
        "--cold-clients",
        type=int,
        default=8000,
        help="other distinct clients, each requested once, for the first-score throughput",
    )
    parser.add_argument(
        "--cold-duration", type=int, default=10, help="seconds of the first-score throughput"
    )
    args = parser.parse_args()

    settings = get_settings()
    password = secrets.token_urlsafe(16)
    with session_scope(settings) as session:
        add_user(session, "bench", password, "analyst")
        every = (
            session.execute(
                select(m.FeatureVector.sk_id_curr).limit(args.clients + args.cold_clients)
            )
            .scalars()
            .all()
        )
    ids, cold_ids = every[: args.clients], every[args.clients :]
    if not ids:
        sys.exit("no feature vectors in the database: run `credit-scoring db load` first")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "CREDIT_SCORING_SECRET_KEY": secrets.token_urlsafe(48)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "credit_scoring",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
    )
    try:
        health = wait_ready(url, proc)
        token = httpx.post(
            f"{url}/auth/token", data={"username": "bench", "password": password}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        paths = [f"/clients/{i}/score?lang=fr" for i in ids]
        print(
            f"model {health['model_name']} v{health['model_version']}, {len(ids)} clients, "
            f"{args.workers} workers, {os.cpu_count()} CPUs (machine shared)"
        )
        with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
            cold = server_times(client, paths, len(paths))  # first time: database + model
            for _ in range(4 * args.workers):  # each worker has its own cache: fill them all
                if max(server_times(client, paths, len(paths))) < 5:
                    break
            warm = server_times(client, paths, args.samples)
            print(
                f"GET score, first request per client: median {statistics.median(cold):.2f} ms, "
                f"p99 {quantile(cold, 0.99):.2f} ms (n={len(cold)})"
            )
            print(
                f"GET score, cached: median {statistics.median(warm):.3f} ms, "
                f"p99 {quantile(warm, 0.99):.3f} ms (n={len(warm)}; target 3 / 15 ms)"
            )
            application = {
                k: v
                for k, v in send(client, "GET", f"/clients/{ids[0]}").json()["application"].items()
                if k != "TARGET"
            }
            predict = []
            for i in range(200):
                body = {"application": {**application, "AMT_CREDIT": 100_000.0 + i}, "lang": "fr"}
                response = send(client, "POST", "/predict_default", json=body)
                predict.append(float(response.headers["x-process-time"]))
            print(
                f"POST /predict_default: median {statistics.median(predict):.2f} ms, "
                f"p99 {quantile(predict, 0.99):.2f} ms (n={len(predict)}; target median 25 ms)"
            )
        if cold_ids:
            # first scores at load: every request a client no worker has seen (one wrk thread,
            # or disjoint slices per Python thread, so that no path is requested twice)
            cold_paths = [f"/clients/{i}/score?lang=fr" for i in cold_ids]
            if shutil.which("wrk"):
                out = run_wrk(
                    url, token, cold_paths, args.connections, args.cold_duration, threads=1
                )
                rate_match = re.search(r"Requests/sec:\s+([\d.]+)", out)
                rate = float(rate_match.group(1)) if rate_match else float("nan")
                bad_match = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
                cold_errors = int(bad_match.group(1)) if bad_match else 0
                done = int(rate * args.cold_duration) if rate == rate else 0
            else:
                done, cold_errors, seconds = run_python_load(
                    url, token, cold_paths, args.connections, args.cold_duration
                )
                rate = done / seconds
            repeated = max(0, done - len(cold_paths))
            print(
                f"GET score, first request per client at {args.connections} connections "
                f"{args.cold_duration} s: {rate:.0f} requests/s, {cold_errors} errors, "
                f"{repeated} requests of an already-scored client (target 150/s; "
                f"{'wrk' if shutil.which('wrk') else 'Python load generator'})"
            )
        if shutil.which("wrk"):
            out = run_wrk(url, token, paths, args.connections, args.duration)
            rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
            bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            errors = re.search(r"Socket errors: (.*)", out)
            print(
                f"wrk {args.connections} connections {args.duration} s: "
                f"{float(rate.group(1)) if rate else float('nan'):.0f} requests/s, "
                f"non-2xx {bad.group(1) if bad else 0}, socket errors: "
                f"{errors.group(1) if errors else 'none'} (target 800/s, no error)"
            )
            latency = re.search(r"Latency Distribution\n((?:.*\n){4})", out)
            if latency:
                print("wrk latency (client side): " + " ".join(latency.group(1).split()))
        else:
            total, errors_n, seconds = run_python_load(
                url, token, paths, args.connections, args.duration
            )
            print(
                f"python load {args.connections} threads {seconds:.0f} s: {total / seconds:.0f} "
                f"requests/s, {errors_n} errors (wrk absent; target 800/s, no error)"
            )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        with session_scope(settings) as session:
            user = session.execute(select(m.User).where(m.User.username == "bench")).scalar_one()
            user.active = False  # the throw-away account cannot log in afterwards


if __name__ == "__main__":
    main()
