"""Feature build time and peak memory on DuckDB, plus the latency of the API path.

Cases (each runs in its own process so that its peak memory is its own):
  (a) the real sample   (default ../shared/data/home-credit-sample beside the repository)
  (b) Kaggle-size synthetic parquet (default var/bench/kaggle-synth, generated on first use
      with ``credit-scoring data synth --clients 356255 --format parquet --seed 0``)
and the time of ``build_features_for_frames`` for one application, without and with history.

    uv run python bench/bench_features.py [--sample DIR] [--synth DIR] [--only a|b|frames]

Figures: prepare = convert to typed parquet (cached) + checks; build = build_feature_table
from the cached parquet (wall and CPU seconds: on a shared machine the CPU time tells what
two free cores would need); peak RSS = the process's maximum resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO.parent / "shared" / "data" / "home-credit-sample"
SYNTH = REPO / "var" / "bench" / "kaggle-synth"


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB on Linux


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_case(data: Path, cache: Path) -> dict[str, float | int | str]:
    from credit_scoring.data.loading import prepare
    from credit_scoring.features import engines
    from credit_scoring.features.batch import build_feature_table

    started = time.perf_counter()
    prepared = prepare(data, cache)
    prepared.raise_for_errors()
    prepare_s = time.perf_counter() - started
    started, cpu = time.perf_counter(), _cpu_s()
    table = build_feature_table(prepared)
    build_s, build_cpu = time.perf_counter() - started, _cpu_s() - cpu
    return {
        "data": str(data),
        "rows": len(table),
        "features": table.shape[1] - 2,
        "tables": len(prepared.parquet),
        "prepare_s": round(prepare_s, 1),
        "build_s": round(build_s, 1),
        "build_cpu_s": round(build_cpu, 1),
        "load_avg_1min": round(os.getloadavg()[0], 1),
        "peak_rss_gb": round(_peak_gb(), 2),
        "duckdb_threads": engines.DUCKDB_THREADS,
        "duckdb_memory_limit": engines.DUCKDB_MEMORY_LIMIT,
    }


def run_frames(data: Path, cache: Path, repeats: int = 200) -> dict[str, float]:
    from credit_scoring.data.loading import prepare
    from credit_scoring.features.online import build_features_for_frames

    prepared = prepare(data, cache)
    app = prepared.read("application_test")
    one = app.head(1)
    client = int(one.SK_ID_CURR.iloc[0])
    history = {}
    for name in (
        "bureau",
        "previous_application",
        "POS_CASH_balance",
        "credit_card_balance",
        "installments_payments",
    ):
        if prepared.has(name):
            df = prepared.read(name)
            history[name] = df[df["SK_ID_CURR"].eq(client)]
    if "bureau" in history and prepared.has("bureau_balance"):
        bb = prepared.read("bureau_balance")
        history["bureau_balance"] = bb[bb.SK_ID_BUREAU.isin(history["bureau"].SK_ID_BUREAU)]
    out: dict[str, float] = {}
    for label, tables, runs in (
        ("no_history", {"application": one}, repeats),
        ("with_history", {"application": one, **history}, repeats // 5),
    ):
        started = time.perf_counter()
        build_features_for_frames(tables)  # compiles and prepares once
        out[f"{label}_first_call_ms"] = round(1000 * (time.perf_counter() - started), 1)
        wall, cpu = [], []
        for _ in range(runs):
            w, c = time.perf_counter(), time.process_time()
            build_features_for_frames(tables)
            wall.append(1000 * (time.perf_counter() - w))
            cpu.append(1000 * (time.process_time() - c))
        out[f"{label}_median_ms"] = round(statistics.median(wall), 1)
        out[f"{label}_p95_ms"] = round(sorted(wall)[int(0.95 * len(wall))], 1)
        out[f"{label}_median_cpu_ms"] = round(statistics.median(cpu), 1)
    out["history_rows"] = sum(len(df) for df in history.values())
    return out


def _child(kind: str, data: Path, cache: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--data", str(data), "--cache", str(cache)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"data": str(data), "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--synth", type=Path, default=SYNTH)
    parser.add_argument("--only", choices=("a", "b", "frames"))
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "bench-features"
    )
    parser.add_argument("--child", choices=("case", "frames"), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = (run_case if args.child == "case" else run_frames)(args.data, args.cache)
        print(json.dumps(result))
        return
    print(f"machine: {os.cpu_count()} CPUs (shared with other work while measuring)")
    if args.only in (None, "a"):
        if args.sample.is_dir():
            print("(a) real sample:", json.dumps(_child("case", args.sample, args.cache)))
        else:
            print(f"(a) skipped: {args.sample} is absent")
    if args.only in (None, "b"):
        if not args.synth.is_dir():
            print(f"(b) generating Kaggle-size synthetic parquet in {args.synth} (once)")
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "credit_scoring",
                    "data",
                    "synth",
                    "--out",
                    str(args.synth),
                    "--clients",
                    "356255",
                    "--format",
                    "parquet",
                    "--seed",
                    "0",
                ],
                check=True,
            )
        print("(b) Kaggle-size synthetic:", json.dumps(_child("case", args.synth, args.cache)))
    if args.only in (None, "frames"):
        data = args.sample if args.sample.is_dir() else args.synth
        print("frames (API path, one application):", json.dumps(_child("frames", data, args.cache)))


if __name__ == "__main__":
    main()
