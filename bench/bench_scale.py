"""The product at Kaggle size (issue 26): every step as a user runs it, timed and measured.

Generates a synthetic Kaggle-layout folder (356,255 clients by default, ``--clients`` for
less), then runs each step as its own ``credit-scoring`` process, as a user or
``make run`` would, and measures that process tree alone: its wall time and its peak
resident memory (the sum over the process and its children, polled from ``/proc`` every
0.2 s, so Spark's JVM and its Python workers count). The steps:

- ``data synth`` (the folder; not a target, printed for reference);
- ``features build`` on DuckDB and on Spark (``--engine spark``, local mode, 2 cores);
- ``train --quick --budget-minutes B``;
- ``db load`` into SQLite (the home's database) and into PostgreSQL (127.0.0.1:5432,
  database ``test``, a schema of its own dropped at the end), applications and scores
  included;
- ``score`` of ``application_test`` and of every client (a folder whose
  ``application_test`` holds the train and test applications) on DuckDB and on Spark;
- the bureau and previous-application aggregations in plain pandas (groupby + agg +
  merge, the way public Kaggle kernels write them) beside the Ibis/DuckDB build of the
  same two tables;
- the API on the SQLite database: client search with filters and pagination, population
  statistics, similar clients and the applications queue, p50 and p95 of the server time
  (``X-Process-Time``) over distinct requests (the response cache does not help);
- ``drift`` (training vs test applications) and ``monitor``.

Then one table with each figure against its target, and the cost per client of the
features and the scoring at this size against the shared sample
(``../shared/data/home-credit-sample``, skipped when absent).

Usage (``make bench-scale`` runs the full size)::

    uv run python bench/bench_scale.py --clients 20000          # a small rehearsal
    uv run python bench/bench_scale.py                          # Kaggle size, quiet machine

The machine should be quiet: each figure is one run. PostgreSQL is skipped with
``--no-postgres``, Spark with ``--no-spark``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from credit_scoring.cli.measure import GB, PeakWatch, run_measured

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO.parent / "shared" / "data" / "home-credit-sample"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PEAK_TARGET_GB = 16.0


# -- measuring one step ---------------------------------------------------------------------


@dataclass
class Step:
    """One measured step: what ran, how long, the peak memory of its process tree."""

    name: str
    seconds: float
    peak_bytes: int
    code: int
    output: str = ""
    figures: dict[str, float] = field(default_factory=dict)

    @property
    def peak_gb(self) -> float:
        return self.peak_bytes / GB


def run_step(
    name: str,
    args: list[str],
    env: dict[str, str],
    *,
    ok: tuple[int, ...] = (0,),
    fatal: bool = True,
) -> Step:
    """Run ``credit-scoring ARGS`` in its own process; its output streams to ours.

    A failing step stops the run when ``fatal`` (the next steps need it), else it is
    reported as failed in the table and the run goes on.
    """
    print(f"\n== {name}: credit-scoring {' '.join(args)}", flush=True)
    command = [sys.executable, "-m", "credit_scoring", *args]
    return run_process(name, command, env, ok=ok, fatal=fatal)


def run_process(
    name: str,
    command: list[str],
    env: dict[str, str],
    *,
    ok: tuple[int, ...] = (0,),
    fatal: bool = True,
) -> Step:
    if command[1:2] != ["-m"]:
        print(f"\n== {name}: {' '.join(command[1:])}", flush=True)
    done = run_measured(name, command, env=env, cwd=REPO, capture=True)
    if done.code not in ok:
        if fatal:
            sys.exit(f"step '{name}' failed (exit {done.code}); its output is above")
        print(f"step '{name}' FAILED (exit {done.code}); the run goes on", flush=True)
    return Step(name, done.seconds, done.peak_bytes, done.code, done.output)


# -- the pandas aggregations, as a Kaggle kernel writes them --------------------------------


def pandas_aggregations(data: Path, cache: Path) -> None:
    """Bureau (with bureau_balance) and previous applications per client in plain pandas.

    The same source tables, scopes and numeric columns as the Ibis plan (all rows, active
    and closed credits; all, approved and refused applications; 365243 day placeholders
    to missing), aggregated with min / max / mean / sum / count, then merged per client:
    the pattern of the public Kaggle kernels, written for this benchmark only.
    """
    import numpy as np
    import pandas as pd

    from credit_scoring.data.loading import prepare

    prepared = prepare(data, cache)
    app = prepared.read("application_train", columns=["SK_ID_CURR"])
    if prepared.has("application_test"):
        app = pd.concat([app, prepared.read("application_test", columns=["SK_ID_CURR"])])
    out = app.drop_duplicates("SK_ID_CURR").set_index("SK_ID_CURR")
    stats = ["min", "max", "mean", "sum"]

    bb = prepared.read("bureau_balance")
    bb_agg = bb.groupby("SK_ID_BUREAU").agg(
        BB_MONTHS=("MONTHS_BALANCE", "count"),
        BB_LATE=("STATUS", lambda s: s.isin(["1", "2", "3", "4", "5"]).mean()),
    )
    del bb
    bureau = prepared.read("bureau").merge(
        bb_agg, left_on="SK_ID_BUREAU", right_index=True, how="left"
    )
    num = [
        c for c in bureau.select_dtypes("number").columns if c not in ("SK_ID_CURR", "SK_ID_BUREAU")
    ]
    scopes = {
        "BURO": bureau,
        "ACTIVE": bureau[bureau["CREDIT_ACTIVE"] == "Active"],
        "CLOSED": bureau[bureau["CREDIT_ACTIVE"] == "Closed"],
    }
    for prefix, rows in scopes.items():
        agg = rows.groupby("SK_ID_CURR")[num].agg(stats)
        agg.columns = [f"{prefix}_{c}_{s.upper()}" for c, s in agg.columns]
        agg[f"{prefix}_COUNT"] = rows.groupby("SK_ID_CURR").size()
        out = out.merge(agg, left_index=True, right_index=True, how="left")
    del bureau, scopes

    prev = prepared.read("previous_application")
    for col in (
        "DAYS_FIRST_DRAWING",
        "DAYS_FIRST_DUE",
        "DAYS_LAST_DUE_1ST_VERSION",
        "DAYS_LAST_DUE",
        "DAYS_TERMINATION",
    ):
        prev[col] = prev[col].replace(365243, np.nan)
    prev["APP_CREDIT_PERC"] = prev["AMT_APPLICATION"] / prev["AMT_CREDIT"]
    num = [c for c in prev.select_dtypes("number").columns if c not in ("SK_ID_CURR", "SK_ID_PREV")]
    scopes = {
        "PREV": prev,
        "APPROVED": prev[prev["NAME_CONTRACT_STATUS"] == "Approved"],
        "REFUSED": prev[prev["NAME_CONTRACT_STATUS"] == "Refused"],
    }
    for prefix, rows in scopes.items():
        agg = rows.groupby("SK_ID_CURR")[num].agg(stats)
        agg.columns = [f"{prefix}_{c}_{s.upper()}" for c, s in agg.columns]
        agg[f"{prefix}_COUNT"] = rows.groupby("SK_ID_CURR").size()
        out = out.merge(agg, left_index=True, right_index=True, how="left")
    print(
        f"pandas: {len(out):,} clients (every application) x {out.shape[1]:,} bureau and "
        "previous-application columns"
    )


def ibis_aggregations(data: Path, cache: Path) -> None:
    """The same two tables' sections of the feature plan, on DuckDB, collected per client."""
    from credit_scoring.data.loading import prepare
    from credit_scoring.features import engines
    from credit_scoring.features.plan import APPLICATION, SECTIONS, FeaturePlan, application_union

    prepared = prepare(data, cache)
    con = engines.duckdb_backend()
    raw = {n: con.read_parquet(str(p), table_name=f"src_{n}") for n, p in prepared.parquet.items()}
    tables = {n: t for n, t in raw.items() if not n.startswith("application")}
    tables[APPLICATION] = application_union(
        raw.get("application_train"), raw.get("application_test")
    )
    plan = FeaturePlan(tables)
    rows = columns = 0
    for section in SECTIONS:
        if section.main in ("bureau", "previous_application"):
            part = plan.section(section)
            if part is not None:
                result = con.con.sql(con.compile(part)).to_arrow_table()  # type: ignore[attr-defined]
                rows, columns = max(rows, result.num_rows), columns + result.num_columns - 1
    con.disconnect()
    print(
        f"ibis/duckdb: {rows:,} clients (with a bureau or previous-application row) x "
        f"{columns:,} bureau and previous-application columns"
    )


# -- the API against the loaded database ----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def api_step(env: dict[str, str]) -> Step:
    """Start the API on the home's database; time each read a dashboard user makes."""
    import httpx
    from sqlalchemy import select

    from credit_scoring.config import get_settings
    from credit_scoring.db import models as m
    from credit_scoring.db.session import session_scope
    from credit_scoring.lending.security import add_user

    os.environ.update(env)
    get_settings.cache_clear()
    password = secrets.token_urlsafe(16)
    with session_scope(get_settings()) as session:
        add_user(session, "bench-scale", password, "analyst")
        ids = session.execute(select(m.FeatureVector.sk_id_curr).limit(200)).scalars().all()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server_env = {**env, "CREDIT_SCORING_SECRET_KEY": secrets.token_urlsafe(48)}
    print(f"\n== API: credit-scoring serve --port {port}", flush=True)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "credit_scoring", "serve", "--port", str(port)], env=server_env
    )
    watch = PeakWatch(proc.pid)
    figures: dict[str, float] = {}
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit("the API did not become ready; its output is above")
            try:
                if httpx.get(f"{url}/health", timeout=2).json().get("ready"):
                    break
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.5)
        token = httpx.post(
            f"{url}/auth/token", data={"username": "bench-scale", "password": password}
        ).json()["access_token"]
        genders, ages = ("", "F", "M"), ("", "18-29", "30-39", "40-49", "50-59", "60+")
        incomes = ("", "<100k", "100k-200k", "200k-300k", "300k+")
        combos = [
            {
                k: v
                for k, v in (("gender", g), ("age_band", a), ("income_band", i))
                if v  # every combination of filters, none included
            }
            for g in genders
            for a in ages
            for i in incomes
        ]
        requests: dict[str, list[tuple[str, dict[str, str | int]]]] = {
            "client search": [
                ("/clients", {**c, "page": 1 + n % 7, "page_size": 20})
                for n, c in enumerate(combos)
            ],
            "population stats": [("/population/stats", {**c, "lang": "fr"}) for c in combos],
            "similar clients": [(f"/clients/{i}/similar", {}) for i in ids[:50]],
            # also fills the score log, so that `monitor` below has scores to check
            "client score": [(f"/clients/{i}/score", {"lang": "fr"}) for i in ids],
            "applications queue": [
                ("/applications", {"page": p, "page_size": 50, **({"status": s} if s else {})})
                for p in (1, 2, 3)
                for s in ("", "scored", "referred", "decided")
            ],
        }
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
            for label, calls in requests.items():
                times = []
                for path, params in calls:
                    response = client.get(path, params=params)  # encoded: "300k+", "<100k"
                    if response.status_code != 200:
                        sys.exit(
                            f"GET {response.url} answered {response.status_code}: "
                            f"{response.text[:300]}"
                        )
                    times.append(float(response.headers["x-process-time"]))
                figures[f"{label} p50 ms"] = statistics.median(times)
                figures[f"{label} p95 ms"] = _quantile(times, 0.95)
                print(
                    f"{label}: p50 {figures[f'{label} p50 ms']:.1f} ms, "
                    f"p95 {figures[f'{label} p95 ms']:.1f} ms (n={len(times)}, distinct requests)"
                )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return Step("API (serve)", time.perf_counter() - start, watch.stop(), 0, figures=figures)


# -- data preparation -----------------------------------------------------------------------


def all_clients_folder(data: Path, target: Path, cache: Path) -> Path:
    """A folder whose ``application_test`` is every application (train without TARGET, and
    test), the history tables linked: ``score`` of it scores all the clients."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from credit_scoring.data.loading import locate_tables, prepare

    target.mkdir(parents=True, exist_ok=True)
    for name, path in locate_tables(data).items():
        if not name.startswith("application"):
            link = target / path.name
            if not link.exists():
                link.symlink_to(path.resolve())
    out = target / "application_test.parquet"
    if not out.exists():
        prepared = prepare(data, cache)  # typed copies, cached by the steps before
        parts = []
        for name in ("application_train", "application_test"):
            if prepared.has(name):
                table = pq.read_table(prepared.parquet[name])
                if "TARGET" in table.column_names:
                    table = table.drop(["TARGET"])
                parts.append(table)
        pq.write_table(pa.concat_tables(parts, promote_options="permissive"), out)
    return target


# -- the run --------------------------------------------------------------------------------


@dataclass
class Row:
    step: str
    figure: str
    value: float | None
    target: str
    met: bool | None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--clients", type=int, default=356_255, help="synthetic clients (Kaggle: 356,255)"
    )
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--work", type=Path, default=None, help="working folder (default: a temporary one, removed)"
    )
    parser.add_argument(
        "--budget-minutes", type=float, default=15.0, help="budget of train --quick"
    )
    parser.add_argument(
        "--postgres",
        default=POSTGRES,
        help="PostgreSQL URL (a schema of its own is created and dropped)",
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL load")
    parser.add_argument("--no-spark", action="store_true", help="skip the Spark steps")
    parser.add_argument(
        "--sample", type=Path, default=SAMPLE, help="the shared sample, for the per-client cost"
    )
    parser.add_argument("--step", choices=("pandas-aggs", "ibis-aggs"), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step:  # one side of the aggregation comparison, in a process of its own
        cache = Path(os.environ["CREDIT_SCORING_HOME"]) / "cache"
        (pandas_aggregations if args.step == "pandas-aggs" else ibis_aggregations)(args.data, cache)
        return

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    home, data = work / "home", work / f"synthetic-{args.clients}-{args.seed}-{args.format}"
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_SCORING_")}
    env = {**base_env, "CREDIT_SCORING_HOME": str(home)}
    spark = not args.no_spark and shutil.which("java") is not None
    if not args.no_spark and not spark:
        print("Spark steps skipped: no `java` on PATH (Spark needs Java 17).")
    steps: dict[str, Step] = {}
    schema = f"bench_scale_{os.getpid()}"
    pg_url = None
    try:
        if not (data / f"application_train.{args.format}").exists():
            steps["synth"] = run_step(
                "synth",
                [
                    "data",
                    "synth",
                    "--out",
                    str(data),
                    "--clients",
                    str(args.clients),
                    "--format",
                    args.format,
                    "--seed",
                    str(args.seed),
                ],
                env,
            )
        features = home / "features" / "features.parquet"
        steps["features duckdb"] = run_step(
            "features duckdb",
            ["features", "build", "--data", str(data), "--out", str(features)],
            env,
        )
        if spark:
            steps["features spark"] = run_step(
                "features spark",
                [
                    "features",
                    "build",
                    "--data",
                    str(data),
                    "--out",
                    str(work / "features-spark.parquet"),
                    "--engine",
                    "spark",
                ],
                env,
            )
        for side in ("pandas-aggs", "ibis-aggs"):
            steps[side] = run_process(
                side, [sys.executable, __file__, "--step", side, "--data", str(data)], env
            )
        steps["train --quick"] = run_step(
            "train --quick",
            ["train", "--data", str(data), "--quick", "--budget-minutes", str(args.budget_minutes)],
            env,
        )
        steps["db load sqlite"] = run_step(
            "db load sqlite", ["db", "load", "--data", str(data), "--features", str(features)], env
        )
        if not args.no_postgres:
            from sqlalchemy import create_engine, text

            admin = create_engine(args.postgres)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            pg_url = f"{args.postgres}{'&' if '?' in args.postgres else '?'}options=-csearch_path%3D{schema}"
            steps["db load postgresql"] = run_step(
                "db load postgresql",
                ["db", "load", "--data", str(data), "--features", str(features)],
                {**env, "CREDIT_SCORING_DATABASE_URL": pg_url},
            )
        everyone = all_clients_folder(data, work / "all-clients", home / "cache")
        for engine in ("duckdb", "spark") if spark else ("duckdb",):
            steps[f"score test {engine}"] = run_step(
                f"score test {engine}",
                [
                    "score",
                    "--data",
                    str(data),
                    "--out",
                    str(work / f"scores-test-{engine}.csv"),
                    "--engine",
                    engine,
                ],
                env,
            )
            steps[f"score all {engine}"] = run_step(
                f"score all {engine}",
                [
                    "score",
                    "--data",
                    str(everyone),
                    "--out",
                    str(work / f"scores-all-{engine}.csv"),
                    "--engine",
                    engine,
                ],
                env,
            )
        steps["API"] = api_step(env)
        steps["drift"] = run_step("drift", ["drift", "--data", str(data)], env, fatal=False)
        steps["monitor"] = run_step(  # exit 1: an alert fired, the checks ran
            "monitor", ["monitor"], env, ok=(0, 1), fatal=False
        )
        if args.sample.is_dir():
            sample_env = {**base_env, "CREDIT_SCORING_HOME": str(work / "sample-home")}
            steps["sample features"] = run_step(
                "sample features",
                [
                    "features",
                    "build",
                    "--data",
                    str(args.sample),
                    "--out",
                    str(work / "sample-features.parquet"),
                ],
                sample_env,
                fatal=False,
            )
            steps["sample score"] = run_step(
                "sample score",
                ["score", "--data", str(args.sample), "--out", str(work / "sample-scores.csv")],
                env,  # the champion trained above scores the sample's test clients
                fatal=False,
            )
    finally:
        if pg_url is not None:
            from sqlalchemy import create_engine, text

            with create_engine(args.postgres).begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    report(steps, args, data)


def _rows_in(path: Path) -> int:
    import pyarrow.parquet as pq

    if path.suffix == ".parquet":
        return int(pq.read_metadata(path).num_rows)
    with path.open("rb") as f:
        return sum(1 for _ in f) - 1


def report(steps: dict[str, Step], args: argparse.Namespace, data: Path) -> None:
    """One table: each step's time and peak memory, each figure against its target."""
    rows: list[Row] = []
    budget = args.budget_minutes * 60 * 1.10
    wall_targets = {
        "features duckdb": (60.0, "≤ 60 s"),
        "features spark": (None, "beside DuckDB"),
        "train --quick": (budget, f"≤ budget + 10% ({budget:.0f} s)"),
        "db load postgresql": (600.0, "≤ 600 s incl. applications and scores"),
    }
    for name, step in steps.items():
        if step.code not in (0, 1) or (step.code == 1 and name != "monitor"):
            rows.append(Row(name, "exit code (failed)", step.code, "0", False))
            continue
        limit, label = wall_targets.get(name, (None, ""))
        rows.append(
            Row(
                name,
                "wall s",
                step.seconds,
                label,
                None if limit is None else step.seconds <= limit,
            )
        )
        rows.append(
            Row(
                name,
                "peak GB",
                step.peak_gb,
                f"< {PEAK_TARGET_GB:.0f} GB",
                step.peak_gb < PEAK_TARGET_GB,
            )
        )
    for name, step in steps.items():
        if name.startswith("score") and step.code == 0:
            rate = _scored_rows(step) / step.seconds
            rows.append(
                Row(name, "clients/s (whole command)", rate, "≥ 5,000 clients/s", rate >= 5000)
            )
    if "pandas-aggs" in steps and "ibis-aggs" in steps:
        ratio = steps["pandas-aggs"].seconds / steps["ibis-aggs"].seconds
        rows.append(Row("pandas / ibis", "time ratio", ratio, "printed", None))
    api = steps.get("API")
    if api is not None:
        api_targets = {"client search p50 ms": 50.0, "population stats p50 ms": 200.0}
        for key, value in api.figures.items():
            limit = api_targets.get(key)
            rows.append(
                Row(
                    "API",
                    key,
                    value,
                    "" if limit is None else f"≤ {limit:.0f} ms",
                    None if limit is None else value <= limit,
                )
            )
    clients = args.clients
    if all(steps[k].code == 0 for k in ("sample features", "sample score") if k in steps) and (
        "sample features" in steps
    ):
        sample_clients = _rows_in(_application(args.sample, "application_train")) + _rows_in(
            _application(args.sample, "application_test")
        )
        for what, big, small in (
            ("features", steps.get("features duckdb"), steps["sample features"]),
            ("score test", steps.get("score test duckdb"), steps["sample score"]),
        ):
            if big is None or big.code != 0:
                continue
            n_big = clients if what == "features" else _scored_rows(big)
            n_small = sample_clients if what == "features" else _scored_rows(small)
            per_big, per_small = big.seconds / n_big * 1e3, small.seconds / n_small * 1e3
            rows.append(
                Row(
                    what,
                    f"ms per client at {n_big:,}",
                    per_big,
                    f"sample ({n_small:,}): {per_small:.3f}",
                    None,
                )
            )

    print(
        f"\nbench_scale: {clients:,} synthetic clients ({args.format}), {os.cpu_count()} CPUs; one run each"
    )
    print(f"{'step':<22} {'figure':<32} {'value':>12}  {'target':<38} met")
    for r in rows:
        value = "" if r.value is None else f"{r.value:,.3f}"
        met = "" if r.met is None else ("yes" if r.met else "NO")
        print(f"{r.step:<22} {r.figure:<32} {value:>12}  {r.target:<38} {met}")


def _application(folder: Path, name: str) -> Path:
    from credit_scoring.data.loading import locate_tables

    return locate_tables(folder)[name]


def _scored_rows(step: Step) -> int:
    """The rows the ``score`` command says it wrote (its own report line)."""
    import re

    match = re.search(r"Wrote ([\d,]+) scores", step.output)
    if match is None:
        sys.exit(f"step '{step.name}' did not say how many scores it wrote")
    return int(match.group(1).replace(",", ""))


if __name__ == "__main__":
    main()
