"""Time and peak memory of the synthetic generator at a given size (default: Kaggle's).

    uv run python bench/bench_synth.py [--clients 356255] [--format parquet] [--seed 0] [--keep DIR]

Writes to a temporary folder under /tmp, deleted afterwards unless ``--keep DIR`` is given.
Peak memory is the max resident set size of this process (the generator runs in it).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from credit_scoring.cli.common import progress
from credit_scoring.data.synth import generate

KAGGLE_CLIENTS = 307_511 + 48_744


def _rows(path: Path) -> int | None:
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    return None  # counting CSV rows would re-read gigabytes; sizes are printed instead


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=KAGGLE_CLIENTS)
    parser.add_argument("--format", default="parquet", choices=["csv", "csv.gz", "parquet"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, default=None, help="write here and keep the files")
    args = parser.parse_args()

    out = args.keep if args.keep else Path(tempfile.mkdtemp(prefix="bench-synth-", dir="/tmp"))
    try:
        start = time.perf_counter()
        with progress() as bar:
            paths = generate(
                out, clients=args.clients, seed=args.seed, fmt=args.format, progress=bar
            )
        seconds = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"clients={args.clients:,} format={args.format} seed={args.seed}")
        print(f"generation time: {seconds:.1f} s")
        print(f"peak memory (max RSS): {peak_mb:,.0f} MB")
        total = 0
        for name, path in paths.items():
            size = path.stat().st_size
            total += size
            rows = _rows(path)
            shown = f"{rows:>12,} rows" if rows is not None else " " * 17
            print(f"  {name:<22} {shown} {size / 1e6:>10,.1f} MB")
        print(f"  {'total':<22} {'':>17} {total / 1e6:>10,.1f} MB")
    finally:
        if args.keep is None:
            shutil.rmtree(out, ignore_errors=True)
    if args.keep:
        print(f"kept in {out}")


if __name__ == "__main__":
    main()
