"""Durable audit writer speed: time a request waits for its record to be synced, and shipping.

    uv run python bench/bench_audit.py --concurrency 16 --records 20000

Runs ``AuditSpool`` on a temporary SQLite database and spool folder (the disk of --dir):
``--concurrency`` coroutines each await ``awrite`` of a score log record plus a
data-access record (what ``GET /clients/{id}/score`` does), and prints the median and
p99 wait, the records synced per second and per disk sync, and how fast the shipper
puts them in the database (records per second, chains included). The score route's
budget is < 1 ms for a cached score: the median wait is what the spool adds to it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from credit_scoring.db import migrate
from credit_scoring.db.session import get_engine
from credit_scoring.lending.audit import AuditSpool


def _records(i: int) -> list[tuple[str, dict]]:
    score = {
        "username": "advisor",
        "route": "client_score",
        "sk_id_curr": 100_000 + i,
        "inputs_digest": f"{i:064x}",
        "model_version": "3",
        "threshold": 0.31,
        "probability": 0.2 + (i % 100) / 1000,
        "decision": "grant",
        "reasons": [{"code": "R01", "text": "Revenu élevé", "contribution": -0.21}] * 8,
    }
    access = {"username": "advisor", "role": "advisor", "route": "client_score", "sk_id_curr": i}
    return [("score_log", score), ("data_access_events", access)]


async def _load(spool: AuditSpool, concurrency: int, total: int) -> list[float]:
    waits: list[float] = []
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            start = time.perf_counter()
            await spool.awrite(_records(i))
            waits.append((time.perf_counter() - start) * 1000)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--records", type=int, default=20_000, help="requests (2 records each)")
    parser.add_argument("--dir", type=Path, default=None, help="folder (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        engine = get_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate.upgrade(engine)
        spool = AuditSpool(engine, Path(tmp) / "spool", interval=3600)  # ship after, timed
        start = time.perf_counter()
        waits = asyncio.run(_load(spool, args.concurrency, args.records))
        elapsed = time.perf_counter() - start
        ordered = sorted(waits)
        print(
            f"awrite wait ({args.concurrency} concurrent, {args.records:,} requests): "
            f"median {statistics.median(waits):.3f} ms, "
            f"p99 {ordered[int(0.99 * (len(ordered) - 1))]:.3f} ms; "
            f"{args.records / elapsed:,.0f} requests/s synced"
        )
        start = time.perf_counter()
        assert spool.flush()
        shipped = time.perf_counter() - start
        print(
            f"shipping to SQLite with hash chains: {2 * args.records:,} records in "
            f"{shipped:.1f} s ({2 * args.records / shipped:,.0f} records/s)"
        )
        spool.close()


if __name__ == "__main__":
    main()
