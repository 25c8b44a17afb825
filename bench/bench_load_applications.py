"""Speed of ``db load``'s applications step: clients per second turned into applications
with their chained score (batch scoring, policy rules, ``audit_chain.append``).

Generates a synthetic folder, loads it into a fresh database (SQLite in a temporary
folder unless ``--url``), trains a small LightGBM champion on it (the speed of the step
depends on the feature count much more than on the trees), then times a first run (every
client gets an application and a score) and a second one (nothing to do)::

    uv run python bench/bench_load_applications.py [--clients 5000] [--url URL]

At Kaggle size (356,255 clients) the step streams in chunks of 5,000: memory stays that
of one chunk, whatever the number of clients (peak RSS printed).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

from credit_scoring.data.loading import prepare
from credit_scoring.data.synth import generate
from credit_scoring.db import migrate
from credit_scoring.db.load import load_prepared
from credit_scoring.db.session import get_engine
from credit_scoring.explain.reasons import population_quantiles
from credit_scoring.features.batch import KEY_COLUMNS, build_feature_table, feature_metadata
from credit_scoring.lending.loaded import load_applications
from credit_scoring.lending.policy import Policy
from credit_scoring.modeling.calibration import Calibrator
from credit_scoring.modeling.scorer import ChampionScorer
from credit_scoring.modeling.train import informative_columns


def champion(table: pd.DataFrame) -> ChampionScorer:
    """A LightGBM of 200 trees on the labelled rows, calibrated in sample."""
    train = table[table["TARGET"].notna()]
    X = train.drop(columns=list(KEY_COLUMNS))
    X = X[informative_columns(X)]
    y = train["TARGET"].to_numpy(dtype=int)
    params = {"objective": "binary", "num_leaves": 15, "verbosity": -1, "num_threads": 2}
    booster = lgb.train(params, lgb.Dataset(X, y), 200)
    raw = booster.predict(X)
    return ChampionScorer(
        booster=booster,
        calibrator=Calibrator(method="sigmoid").fit(raw, y),
        threshold=float(np.quantile(raw, 0.8)),
        feature_names=list(X.columns),
        metas=feature_metadata(),
        quantiles=population_quantiles(X),
        categories={
            c: list(X[c].cat.categories)
            for c in X.columns
            if isinstance(X[c].dtype, pd.CategoricalDtype)
        },
        similarity=None,
        model_name="bench",
        model_version="1",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=5_000)
    parser.add_argument("--url", help="database URL (default: SQLite in a temporary folder)")
    parser.add_argument("--chunk", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root / "data", clients=args.clients, seed=1)
        prepared = prepare(root / "data", root / "cache")
        table = build_feature_table(prepared)
        engine = get_engine(args.url or f"sqlite:///{root / 'bench.db'}")
        migrate.upgrade(engine)
        load_prepared(engine, prepared, table)
        scorer, policy = champion(table), Policy.load()
        print(
            f"{len(table):,} clients, {len(scorer.model_columns)} model columns, "
            f"database {engine.url.get_backend_name()}"
        )
        for label in ("first run (create and score)", "second run (nothing to do)"):
            started = time.perf_counter()
            report = load_applications(engine, scorer, policy=policy, chunk=args.chunk)
            seconds = time.perf_counter() - started
            print(
                f"{label}: {report.created:,} created, {report.scored:,} scored in "
                f"{seconds:.1f} s = {report.clients / seconds:,.0f} clients/s"
            )
        engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the whole process (generation and features included): {peak:,.0f} MB")


if __name__ == "__main__":
    main()
