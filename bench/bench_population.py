"""Client search, population statistics and the applications queue on a large SQLite database.

Fills a new SQLite database (migrated to head) with ``--clients`` synthetic rows by bulk
insert of the columns the queries read — clients, their probability under one model
version, one loaded application each with its score — not the full pipeline (no Kaggle
folder, no features, no model), so that 356,255 clients take a couple of minutes. Then it
times, in this process and without HTTP, the functions the routes call (the API's
response cache is not in the way):

- client search (``GET /clients``): every combination of the gender, age and income
  filters, a page of 20 among the first seven;
- population statistics (``GET /population/stats``): unfiltered, and every combination of
  the five filters, from the maintained summary; then a few from the database alone
  (summary removed), the bounded path a database without a summary takes;
- similar clients (``GET /clients/{id}/similar``): the nearest of 307,511 training
  clients in an index like the champion's (8 columns), and their description read from
  the database (the client's feature vector is not read: no model here);
- the applications queue (``GET /applications``): each status and none, pages 1 to 3.

It prints the p50 and p95 of each, and the time ``db summarize`` takes::

    uv run python bench/bench_population.py [--clients 356255] [--db FILE]

Targets (issue 26, at 356,255 clients): search <= 50 ms and population statistics
<= 200 ms at p50. One run on a shared machine: read the figures as an order of size.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from credit_scoring.db import migrate
from credit_scoring.db import models as m
from credit_scoring.db.applications import ApplicationFilter, list_applications
from credit_scoring.db.session import get_engine
from credit_scoring.explain.similar import SimilarityIndex
from credit_scoring.lending import clients
from credit_scoring.lending.applications import summaries
from credit_scoring.lending.schemas import ClientFilters, SimilarClientOut

VERSION = "1"
TRAIN_ROWS = 307_511  # Kaggle's application_train: the similar-clients index
SIMILAR_FEATURES = 8  # training.steps.SIMILARITY_FEATURES
CHUNK = 50_000
GENDERS = ("", "F", "M")
AGES = ("", "18-29", "30-39", "40-49", "50-59", "60+")
INCOMES = ("", "<100k", "100k-200k", "200k-300k", "300k+")
CONTRACTS = ("", "Cash loans", "Revolving loans")
SCORES = ("", "low", "medium", "high")


def _chunks(n: int) -> Iterator[range]:
    for start in range(0, n, CHUNK):
        yield range(start, min(n, start + CHUNK))


def fill(engine: Engine, n: int, seed: int = 0) -> None:
    """``n`` clients, their probability, an application and its score each (bulk inserts).

    Each client's stored application is a JSON row of about 3 KB, the size of a Kaggle
    application row (122 columns), so that the table is as large on disk as a real load's.
    """
    rng = np.random.default_rng(seed)
    template = json.dumps(
        {f"COLUMN_{j:03d}": round(float(v), 6) for j, v in enumerate(rng.normal(size=120))}
    )
    base = 100_002
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        for rows in _chunks(n):
            k = len(rows)
            ids = base + np.asarray(rows)
            train = rng.random(k) < 0.86
            target = np.where(rng.random(k) < 0.08, 1, 0)
            age = rng.uniform(20, 69, k)
            income = np.exp(rng.normal(11.9, 0.5, k))
            employed = np.where(rng.random(k) < 0.18, np.nan, rng.exponential(6, k))
            gender = rng.choice(np.array(["F", "M", "XNA"]), k, p=[0.65, 0.3499, 0.0001])
            contract = rng.choice(np.array(["Cash loans", "Revolving loans"]), k, p=[0.9, 0.1])
            conn.execute(
                insert(m.Client),
                [
                    {
                        "sk_id_curr": int(ids[i]),
                        "is_train": bool(train[i]),
                        "target": int(target[i]) if train[i] else None,
                        "gender": str(gender[i]),
                        "age_years": float(age[i]),
                        "income_total": float(income[i]),
                        "contract_type": str(contract[i]),
                        "amount_credit": float(income[i] * rng.uniform(1, 5)),
                        "children": int(rng.poisson(0.4)),
                        "years_employed": None if np.isnan(employed[i]) else float(employed[i]),
                        "application_json": f'{{"SK_ID_CURR": {int(ids[i])}, {template[1:]}',
                    }
                    for i in range(k)
                ],
            )
            proba = rng.beta(1.2, 12, k)
            conn.execute(
                insert(m.ClientScore),
                [
                    {
                        "sk_id_curr": int(ids[i]),
                        "model_version": VERSION,
                        "probability": float(proba[i]),
                        "threshold": 0.1,
                    }
                    for i in range(k)
                ],
            )
            status = rng.choice(np.array(["scored", "referred", "decided"]), k, p=[0.8, 0.15, 0.05])
            first = conn.execute(
                insert(m.Application).returning(m.Application.id),
                [
                    {
                        "sk_id_curr": int(ids[i]),
                        "source": "load",
                        "new_client": False,
                        "contract_type": str(contract[i]),
                        "amount_credit": float(income[i] * 3),
                        "declared": {},
                        "application_row": {},
                        "entered_by": "load",
                        "entered_at": now + timedelta(microseconds=int(rows[i])),
                        "status": str(status[i]),
                        "idempotency_key": f"load:{int(ids[i])}",
                    }
                    for i in range(k)
                ],
            ).scalars()
            app_ids = list(first)
            conn.execute(
                insert(m.Score),
                [
                    {
                        "application_id": app_id,
                        "username": "load",
                        "model_name": "bench",
                        "model_version": VERSION,
                        "inputs_digest": "0" * 64,
                        "probability": float(proba[i]),
                        "threshold": 0.1,
                        "model_decision": "refuse" if proba[i] >= 0.1 else "grant",
                        "decision": "refer" if status[i] == "referred" else "grant",
                        "policy": [],
                        "reasons": [],
                        "lang": "fr",
                    }
                    for i, app_id in enumerate(app_ids)
                ],
            )
            print(f"  filled {rows.stop:,} / {n:,}", flush=True)


def _similarity_index(n: int) -> tuple[SimilarityIndex, pd.DataFrame]:
    """The champion's neighbour index at Kaggle size: ``n`` training clients (ids of the
    filled clients) on :data:`SIMILAR_FEATURES` columns, and a few rows to query."""
    rng = np.random.default_rng(1)
    names = [f"F{j}" for j in range(SIMILAR_FEATURES)]
    frame = pd.DataFrame(rng.normal(size=(n, SIMILAR_FEATURES)), columns=names)
    ids = 100_002 + np.arange(n)
    index = SimilarityIndex(features=names).fit(frame, ids, rng.random(n) < 0.08)
    return index, frame.head(50)


def _timed(calls: list[Callable[[], Any]]) -> list[float]:
    times = []
    for call in calls:
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _combos(*dims: tuple[str, tuple[str, ...]]) -> list[dict[str, str]]:
    names = [d[0] for d in dims]
    return [
        {k: v for k, v in zip(names, values, strict=True) if v}
        for values in itertools.product(*(d[1] for d in dims))
    ]


def _line(label: str, times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p50 = statistics.median(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(f"{label:<44} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   (n={len(times)})", flush=True)
    return {"p50": p50, "p95": p95}


def measure(engine: Engine) -> dict[str, dict[str, float]]:
    """p50 and p95 of each read, in ms."""
    from credit_scoring.db.population import remove_summary, summarize

    out: dict[str, dict[str, float]] = {}
    start = time.perf_counter()
    summarize(engine)
    print(f"db summarize: {time.perf_counter() - start:.1f} s", flush=True)
    three = _combos(("gender", GENDERS), ("age_band", AGES), ("income_band", INCOMES))
    every = _combos(
        ("gender", GENDERS),
        ("age_band", AGES),
        ("income_band", INCOMES),
        ("contract_type", CONTRACTS),
        ("score_band", SCORES),
    )
    with Session(engine) as session:

        def search(f: dict[str, str], page: int) -> Callable[[], Any]:
            return lambda: clients.search_clients(
                session,
                q=None,
                filters=ClientFilters(**f),  # type: ignore[arg-type]
                page=page,
                page_size=20,
                model_version=VERSION,
            )

        def stats(f: dict[str, str], client_id: int | None = None) -> Callable[[], Any]:
            return lambda: clients.population_stats(
                session,
                filters=ClientFilters(**f),  # type: ignore[arg-type]
                model_version=VERSION,
                client_id=client_id,
                lang="fr",
            )

        def queue(status: str | None, page: int) -> Callable[[], Any]:
            def call() -> Any:
                _, rows = list_applications(
                    session, ApplicationFilter(status=status), page=page, page_size=50
                )
                return summaries(session, rows)

            return call

        out["client search"] = _line(
            "client search (gender x age x income)",
            _timed([search(f, 1 + n % 7) for n, f in enumerate(three)]),
        )
        out["client search, score band"] = _line(
            "client search (score band, contract)",
            _timed([search(f, 1 + n % 7) for n, f in enumerate(every[::7])]),
        )
        out["population stats, unfiltered"] = _line(
            "population stats, unfiltered (+ a client)",
            _timed([stats({}, 100_002 + n) for n in range(20)]),
        )
        out["population stats, filtered"] = _line(
            "population stats, every filter combination", _timed([stats(f) for f in every[1:]])
        )
        index, rows = _similarity_index(TRAIN_ROWS)

        def similar(n: int) -> Callable[[], Any]:
            def call() -> Any:
                found = index.query(rows.iloc[[n]], k=10)
                return clients.describe_similar(
                    session,
                    [
                        SimilarClientOut(
                            sk_id_curr=c.sk_id_curr, distance=c.distance, target=c.target
                        )
                        for c in found
                    ],
                )

            return call

        out["similar clients"] = _line(
            f"similar clients ({TRAIN_ROWS:,} x {SIMILAR_FEATURES} index)",
            _timed([similar(n) for n in range(50)]),
        )
        out["applications queue"] = _line(
            "applications queue (status, page 1-3)",
            _timed(
                [
                    queue(s or None, p)
                    for p in (1, 2, 3)
                    for s in ("", "scored", "referred", "decided")
                ]
            ),
        )
    remove_summary(engine)
    with Session(engine) as session:
        out["population stats, no summary"] = _line(
            "population stats without a summary (bounded)",
            _timed([stats(f) for f in every[:: max(1, len(every) // 20)]]),
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=356_255)
    parser.add_argument("--db", type=Path, help="SQLite file to create (default: temporary)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.sqlite"
        if path.exists():
            path.unlink()
        engine = get_engine(f"sqlite:///{path}")
        migrate.upgrade(engine)
        start = time.perf_counter()
        fill(engine, args.clients, args.seed)
        print(f"filled {args.clients:,} clients in {time.perf_counter() - start:.1f} s", flush=True)
        figures = measure(engine)
        engine.dispose()
    targets = {"client search": 50.0, "population stats, filtered": 200.0}
    for name, target in targets.items():
        ok = "yes" if figures[name]["p50"] <= target else "NO"
        print(f"target {name} p50 <= {target:.0f} ms: {ok}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
