"""Time to score one client with its reasons (probability, decision, top 4 against and for).

Needs a home folder with a champion and its feature table, e.g. after ``make run`` or::

    export CREDIT_SCORING_HOME=/tmp/loadbench/home
    uv run credit-scoring features build --data ../shared/data/home-credit-sample
    uv run credit-scoring train --data ../shared/data/home-credit-sample --quick
    uv run python bench/bench_reasons.py [--clients 500]

Target: under 10 ms per client (one thread).
"""

from __future__ import annotations

import argparse
import statistics
import time

import pandas as pd

from credit_scoring.config import get_settings
from credit_scoring.registry import load_champion


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    args = parser.parse_args()
    settings = get_settings()
    scorer = load_champion(settings)
    table = pd.read_parquet(settings.features_dir / "features.parquet")
    rows = table.sample(n=min(args.clients, len(table)), random_state=0)
    scorer.score(rows.iloc[[0]], lang="fr")  # first call warms caches
    times = []
    for i in range(len(rows)):
        started = time.perf_counter()
        scorer.score(rows.iloc[[i]], lang="fr", top=4)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    print(
        f"model {scorer.model_name} v{scorer.model_version}, {len(scorer.model_columns)} features"
    )
    print(
        f"score + reasons, one client: median {statistics.median(times):.2f} ms, "
        f"p90 {times[int(0.9 * len(times))]:.2f} ms, p99 {times[int(0.99 * len(times)) - 1]:.2f} ms "
        f"(n={len(times)}; target 10 ms)"
    )


if __name__ == "__main__":
    main()
