"""``db load``'s memory is bounded by its batch, not by the number of clients.

For each size in ``--clients`` a synthetic folder is generated and its feature table built
(``features build``), then ``credit-scoring db load --no-score`` runs in a process of its
own, measured as ``bench_scale.py`` measures a step (wall time, peak resident memory of
the process tree polled from ``/proc``): into SQLite and into PostgreSQL (a schema of its
own, dropped at the end), then once more on the loaded database (every batch found
already loaded: the cost of a resume with nothing left). At the largest size the load
also runs with each of ``--batch-sizes``. One table at the end::

    uv run python bench/bench_db_load.py                         # 20,000 and 60,000 clients
    uv run python bench/bench_db_load.py --clients 20000 --no-postgres

If memory were held per client, the peak would grow with the clients; it grows with the
batch size instead. The figures of a full-size load are ``bench_scale.py``'s.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from credit_scoring.cli.measure import GB, run_measured
from credit_scoring.db.load import BATCH

REPO = Path(__file__).resolve().parents[1]
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass
class Run:
    backend: str
    clients: int
    batch: int
    what: str
    seconds: float
    peak_gb: float
    written: int
    skipped: int


def credit_scoring(args: list[str], env: dict[str, str], title: str) -> tuple[float, float, str]:
    """Run ``credit-scoring ARGS``; (wall s, peak GB, output). A failure stops the bench."""
    print(f"\n== {title}: credit-scoring {' '.join(args)}", flush=True)
    step = run_measured(
        title, [sys.executable, "-m", "credit_scoring", *args], env=env, cwd=REPO, capture=True
    )
    if step.code != 0:
        sys.exit(f"{title} failed (exit {step.code}); its output is above")
    return step.seconds, step.peak_bytes / GB, step.output


def batches(output: str) -> tuple[int, int]:
    """(batches written, already loaded) from the load's last line."""
    found = re.search(r"([\d,]+) written, ([\d,]+) already loaded", " ".join(output.split()))
    if found is None:
        sys.exit("db load did not say how many batches it wrote")
    return int(found[1].replace(",", "")), int(found[2].replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", default="20000,60000", help="sizes, comma-separated")
    parser.add_argument("--batch-sizes", default="5000,20000", help="at the largest size")
    parser.add_argument("--postgres", default=POSTGRES, help="PostgreSQL URL")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--work", type=Path, help="working folder (default: temporary)")
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.clients.split(","))
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-db-load-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_SCORING_")}
    runs: list[Run] = []
    schemas: list[str] = []
    try:
        for n in sizes:
            data, home = work / f"data-{n}", work / f"home-{n}"
            env = {**base, "CREDIT_SCORING_HOME": str(home)}
            if not data.is_dir():
                synth = ["data", "synth", "--out", str(data), "--clients", str(n)]
                credit_scoring([*synth, "--seed", "0", "--format", "parquet"], env, "synth")
            features = home / "features.parquet"
            credit_scoring(
                ["features", "build", "--data", str(data), "--out", str(features)], env, "features"
            )
            targets = [("sqlite", env)]
            if not args.no_postgres:
                schema = f"bench_db_load_{os.getpid()}_{n}"
                _schema(args.postgres, schema, create=True)
                schemas.append(schema)
                url = f"{args.postgres}{'&' if '?' in args.postgres else '?'}options=-csearch_path%3D{schema}"
                targets.append(("postgresql", {**env, "CREDIT_SCORING_DATABASE_URL": url}))
            load = ["db", "load", "--data", str(data), "--features", str(features), "--no-score"]
            for backend, target in targets:
                for what in ("first load", "again (all loaded)"):
                    seconds, peak, output = credit_scoring(load, target, f"{backend} {what}")
                    runs.append(Run(backend, n, BATCH, what, seconds, peak, *batches(output)))
            if n == sizes[-1]:
                for size in (int(b) for b in args.batch_sizes.split(",")):
                    fresh = {**env, "CREDIT_SCORING_HOME": str(work / f"home-{n}-batch-{size}")}
                    (work / f"home-{n}-batch-{size}").mkdir(exist_ok=True)
                    seconds, peak, output = credit_scoring(
                        [*load, "--batch-size", str(size)], fresh, f"sqlite batch {size}"
                    )
                    runs.append(
                        Run("sqlite", n, size, "first load", seconds, peak, *batches(output))
                    )
    finally:
        for schema in schemas:
            _schema(args.postgres, schema, create=False)
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nbench_db_load: db load --no-score, {os.cpu_count()} CPUs, one run each")
    print(f"{'backend':<11} {'clients':>8} {'batch':>7} {'run':<20} {'wall s':>8} {'peak GB':>8} "
          f"{'clients/s':>10} {'written':>8} {'skipped':>8}")  # fmt: skip
    for r in runs:
        print(
            f"{r.backend:<11} {r.clients:>8,} {r.batch:>7,} {r.what:<20} {r.seconds:>8.1f} "
            f"{r.peak_gb:>8.2f} {r.clients / r.seconds:>10,.0f} {r.written:>8} {r.skipped:>8}"
        )


def _schema(url: str, name: str, *, create: bool) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        if create:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        else:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    engine.dispose()


if __name__ == "__main__":
    main()
