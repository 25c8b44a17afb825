"""A fast, fixed yardstick for feature and parameter changes: LightGBM out of fold.

    uv run python bench/bench_lgbm_oof.py [--params '{"learning_rate": 0.05}']
        [--drop REGEX] [--fold-seeds 42,7] [--threads 1] [--seeds 1] [--table FILE]
        [--neighbours K] [--loan-structure] [--blend]

Builds the feature table of the real sample once, as training does (feature definitions
plus the estimated external scores, loan term and rate), caches it as parquet under ``--cache`` (outside
the repository: the sample's rows must not be copied into it), then runs the pipeline's
LightGBM out of fold (``crossval.booster_oof``: the default parameters, the declared
monotone constraints, sex and family status out) on stratified 5-fold splits, with no
search and no imbalance or calibration choice. It prints, per fold split, the raw
out-of-fold ROC AUC and the AUC after the out-of-fold sigmoid calibration, which is
what ``bench_model_quality.py`` reports for a sigmoid-calibrated winner.

Compare changes on the same splits, and on more than one (``--fold-seeds``): from one
5-fold split to another the same model's AUC moves by about 0.002 on this sample. With
``--params '{"learning_rate": 0.05}'`` a run takes about 2 minutes on one thread and ranks
changes like the default 0.02 (which scores about 0.0006 higher).

Issue 24's variants (``bench/README.md``):

- ``--neighbours K``: the default rate of the K nearest training clients in the standardised
  space of the three external scores (estimates filling gaps) and credit over annuity,
  constrained +1. Strictly out of fold: in each fold the validation rows read the fold's
  training rows only, and each training row reads the other training rows of an inner
  5-fold split, so no row ever counts its own outcome.
- ``--loan-structure``: the estimated yearly rate over the mean of the external scores
  (constrained +1: it rises with the rate, +1, and falls with the scores, -1). The down
  payment (``CREDIT_GOODS_DIFF``), credit over goods (``GOODS_CREDIT_RATIO``) and the
  implied rate (``LOAN_RATE_EST``) are already columns of the table.
- ``--blend``: rank average of three boosters that differ in seed and column sampling, each
  out of fold on the same split, then the out-of-fold sigmoid calibration of the average;
  it also prints the AUC of their raw-score average (what one merged booster would serve,
  with exact TreeSHAP reasons: a rank average has none).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.model_selection import KFold
from sklearn.neighbors import NearestNeighbors

from credit_scoring.config import Settings
from credit_scoring.data.loading import prepare
from credit_scoring.features.batch import build_feature_table, feature_metadata
from credit_scoring.features.metadata import FeatureMeta
from credit_scoring.modeling import crossval
from credit_scoring.modeling import external_scores as ext
from credit_scoring.modeling import loan_terms as terms
from credit_scoring.modeling.calibration import calibrate_out_of_fold
from credit_scoring.modeling.candidates import LGBM_BASE
from credit_scoring.modeling.external_scores import ExternalScoreModel
from credit_scoring.modeling.train import (
    TrainConfig,
    check_no_protected,
    informative_columns,
    monotone_params,
)

SAMPLE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "home-credit-sample"
CACHE = Path("/tmp/credit_scoring_bench_oof")


def labelled_table(data: Path, cache: Path) -> pd.DataFrame:
    """The labelled feature table with the derived columns, built once per cache folder.

    The champion's derived columns: the external scores filled (a model fitted on every
    application, labelled or not) and the estimated loan term and rate."""
    path = cache / "features-ext.parquet"
    if path.exists():
        return pd.read_parquet(path)
    cache.mkdir(parents=True, exist_ok=True)
    prepared = prepare(data, Settings(home=cache / "home", mlflow_tracking_uri=None).cache_dir)
    prepared.raise_for_errors()
    table = build_feature_table(prepared)
    scores = ExternalScoreModel().fit(table, feature_metadata(), n_threads=2)
    labelled = scores.add_to(table[table["TARGET"].notna()].reset_index(drop=True))
    if prepared.has("previous_application"):
        model = terms.LoanTermModel().fit(
            prepared.read("previous_application", list(terms.PREVIOUS_COLUMNS)), n_threads=2
        )
        labelled = model.add_to(labelled)
    labelled.to_parquet(path)
    return labelled


NEIGHBOURS = "NEIGHBOURS_DEFAULT_RATE"
LOAN_RATE_EXT = "LOAN_RATE_EXT_RATIO"
VARIANT_METAS = {
    NEIGHBOURS: FeatureMeta(
        NEIGHBOURS,
        "application",
        "Default rate of the clients with the closest profile",
        "Taux de défaut des clients au profil le plus proche",
        "share",
        NEIGHBOURS,
        1,
    ),
    LOAN_RATE_EXT: FeatureMeta(
        LOAN_RATE_EXT,
        "previous_application",
        "Estimated yearly rate of the loan over the mean external score",
        "Taux annuel estimé du prêt rapporté au score externe moyen",
        "ratio",
        "PAYMENT_RATE",
        1,
    ),
}
# blend members: (seed, feature_fraction); the first is the pipeline's booster
BLEND = ((42, 0.25), (7, 0.15), (123, 0.35))


def neighbour_space(table: pd.DataFrame) -> np.ndarray:
    """External scores 1 to 3 (the estimate where missing) and credit over annuity."""
    cols = [
        table["EXT_SOURCE_1"].fillna(table["EXT_SOURCE_1_IMPUTED"]),
        table["EXT_SOURCE_2"],
        table["EXT_SOURCE_3"].fillna(table["EXT_SOURCE_3_IMPUTED"]),
        table["AMT_CREDIT"] / table["AMT_ANNUITY"].where(table["AMT_ANNUITY"] > 0),
    ]
    return np.column_stack([pd.to_numeric(c).to_numpy(dtype=float) for c in cols])


def neighbour_rate(space: np.ndarray, y: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    """Mean outcome of the ``k`` nearest rows of ``space`` to each row of ``query``.

    Gaps are filled with the population's median and every axis divided by its standard
    deviation, both taken from ``space`` (the population whose outcomes are read)."""
    center = np.nanmedian(space, axis=0)
    filled = np.where(np.isnan(space), center, space)
    scale = filled.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    index = NearestNeighbors(n_neighbors=k, algorithm="kd_tree").fit((filled - center) / scale)
    q = (np.where(np.isnan(query), center, query) - center) / scale
    rows = index.kneighbors(q, return_distance=False)
    return y[rows].mean(axis=1)


def neighbour_columns(
    space: np.ndarray, y: np.ndarray, k: int, cache: Path | None = None
) -> crossval.FoldColumns:
    """The fold's neighbour rate: validation rows from the fold's training rows, each
    training row from the other four fifths of them (an inner 5-fold split drawn without the
    outcomes, so flipping a row's own outcome cannot change its value).

    With ``cache``, each fold's columns are kept there (``.npz``, keyed by K and the fold's
    rows and outcomes) for the next run on the same split."""

    def columns(train_idx: np.ndarray, valid_idx: np.ndarray) -> tuple[pd.DataFrame, ...]:
        key = hashlib.sha256(
            b"".join([np.int64(k).tobytes(), train_idx.tobytes(), y.tobytes(), space.tobytes()])
        ).hexdigest()[:16]
        path = None if cache is None else cache / f"neighbours-{key}.npz"
        if path is not None and path.exists():
            saved = np.load(path)
            train, valid = saved["train"], saved["valid"]
        else:
            s_fit, y_fit = space[train_idx], y[train_idx]
            valid = neighbour_rate(s_fit, y_fit, space[valid_idx], k)
            train = np.empty(len(train_idx))
            inner = KFold(n_splits=5, shuffle=True, random_state=0)
            for inner_fit, inner_valid in inner.split(s_fit):
                train[inner_valid] = neighbour_rate(
                    s_fit[inner_fit], y_fit[inner_fit], s_fit[inner_valid], k
                )
            if path is not None:
                np.savez(path, train=train, valid=valid)
        return pd.DataFrame({NEIGHBOURS: train}), pd.DataFrame({NEIGHBOURS: valid})

    return columns


def loan_structure(table: pd.DataFrame) -> pd.DataFrame:
    """The estimated yearly rate over the mean external score (estimates filling gaps)."""
    mean = table["EXT_SOURCES_MEAN_FILLED"].where(table["EXT_SOURCES_MEAN_FILLED"] > 0)
    return pd.DataFrame({LOAN_RATE_EXT: table["LOAN_RATE_EST"] / mean})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SAMPLE)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--table", type=Path, default=None, help="a labelled table to use instead")
    parser.add_argument("--params", default="{}", help="JSON overriding LGBM_BASE")
    parser.add_argument("--drop", default=None, help="leave out the features matching REGEX")
    parser.add_argument("--fold-seeds", default="42", help="comma-separated split seeds")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--seeds", type=int, default=1, help="boosters averaged per fold (other samples)"
    )
    parser.add_argument("--neighbours", type=int, default=0, help="K of the neighbour rate")
    parser.add_argument("--loan-structure", action="store_true")
    parser.add_argument("--blend", action="store_true", help="rank average of 3 boosters")
    args = parser.parse_args()
    if args.table is None and not args.data.is_dir():
        print(f"real sample not found at {args.data}: pass --data DIR", file=sys.stderr)
        return 2
    labelled = pd.read_parquet(args.table) if args.table else labelled_table(args.data, args.cache)
    metas = {**feature_metadata(), **terms.METAS, **ext.METAS, **VARIANT_METAS}
    X = labelled.drop(columns=["SK_ID_CURR", "TARGET"])
    X = X[informative_columns(X)]
    if args.drop:
        X = X[[c for c in X.columns if not re.search(args.drop, c)]]
    if args.loan_structure:
        X = pd.concat([X, loan_structure(labelled)], axis=1)
    y = labelled["TARGET"].to_numpy(dtype=int)
    fold_columns, columns = None, list(X.columns)
    if args.neighbours:
        fold_columns = neighbour_columns(neighbour_space(labelled), y, args.neighbours, args.cache)
        columns.append(NEIGHBOURS)  # appended in each fold by booster_oof
    check_no_protected(columns, metas)
    params = {**LGBM_BASE, **monotone_params(columns, metas), **json.loads(args.params)}
    members = BLEND if args.blend else ((None, None),)
    raw, calibrated = [], []
    for seed in (int(s) for s in args.fold_seeds.split(",")):
        folds = crossval.make_folds(y, n_splits=5, seed=seed)
        start = time.perf_counter()
        member_scores = []
        for member_seed, fraction in members:
            extra = {} if member_seed is None else {"feature_fraction": fraction}
            run = crossval.booster_oof(
                {**params, **extra},
                X,
                y,
                folds,
                n_threads=args.threads,
                seeds=(member_seed,)
                if member_seed
                else TrainConfig(bagging_seeds=args.seeds).seeds,
                fold_columns=fold_columns,
            )
            member_scores.append(run.scores)
            if args.blend:
                print(
                    f"  member seed {member_seed}, feature_fraction {fraction}: "
                    f"{crossval.auc(y, run.scores):.5f}",
                    flush=True,
                )
        if args.blend:  # rank average, scaled to (0, 1) like a probability
            logit = np.mean([np.log(s / (1.0 - s)) for s in member_scores], axis=0)
            print(
                f"  raw-score average (one merged booster, exact TreeSHAP): "
                f"{crossval.auc(y, logit):.5f}",
                flush=True,
            )
            run.scores = np.mean([rankdata(s) for s in member_scores], axis=0) / (len(y) + 1)
        raw.append(crossval.auc(y, run.scores))
        calibrated.append(
            crossval.auc(y, calibrate_out_of_fold(run.scores, y, folds, method="sigmoid"))
        )
        print(
            f"fold seed {seed}: OOF ROC AUC {raw[-1]:.5f} (sigmoid-calibrated {calibrated[-1]:.5f}); "
            f"{run.best_iterations[0]} rounds, {len(columns)} features, "
            f"{time.perf_counter() - start:.0f} s",
            flush=True,
        )
    print(f"mean OOF ROC AUC {np.mean(raw):.5f} (calibrated {np.mean(calibrated):.5f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
