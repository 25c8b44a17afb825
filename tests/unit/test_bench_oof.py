"""The yardstick's out-of-fold columns: per-fold columns in ``booster_oof`` and the
neighbour rate of ``bench/bench_lgbm_oof.py`` (issue 24), which must never read a row's own
outcome."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from credit_scoring.modeling import crossval
from credit_scoring.modeling.candidates import LGBM_QUICK

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_lgbm_oof.py"


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_lgbm_oof", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_lgbm_oof", module)
    spec.loader.exec_module(module)
    return module


def _data(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 4)), columns=list("abcd"))
    y = (rng.random(n) < 1 / (1 + np.exp(-(X.a.to_numpy() * 1.5 - 2.5)))).astype(int)
    return X, y


def test_fold_columns_are_used_to_fit_and_to_predict_each_fold() -> None:
    X, y = _data(2_000, 4)
    folds = crossval.make_folds(y, n_splits=3)
    seen = []

    def outcome(train_idx: np.ndarray, valid_idx: np.ndarray) -> tuple[pd.DataFrame, ...]:
        seen.append((train_idx, valid_idx))
        return pd.DataFrame({"z": y[train_idx]}), pd.DataFrame({"z": y[valid_idx]})

    params = {**LGBM_QUICK, "min_child_samples": 20}
    run = crossval.booster_oof(params, X, y, folds, fold_columns=outcome)
    assert [len(t) for t, _ in seen] == [len(t) for t, _ in folds]
    assert roc_auc_score(y, run.scores) > 0.99  # the column reached the fit and the predictions
    plain = crossval.booster_oof(params, X, y, folds)
    assert roc_auc_score(y, plain.scores) < 0.9


def test_neighbour_rate_never_reads_a_rows_own_outcome() -> None:
    bench = _bench()
    X, y = _data(1_500, 5)
    space = X.to_numpy()
    train_idx, valid_idx = crossval.make_folds(y, n_splits=5, seed=42)[0]
    train, valid = bench.neighbour_columns(space, y, 50)(train_idx, valid_idx)
    assert len(train) == len(train_idx) and len(valid) == len(valid_idx)
    for i in (0, 7, 300):  # a training row's own outcome flipped: its value is unchanged
        flipped = y.copy()
        flipped[train_idx[i]] ^= 1
        again, _ = bench.neighbour_columns(space, flipped, 50)(train_idx, valid_idx)
        assert again.iloc[i, 0] == train.iloc[i, 0]
        assert not again.equals(train)  # but its neighbours' values move
    hidden = y.copy()
    hidden[valid_idx] = 1 - hidden[valid_idx]  # the validation outcomes are never read
    train2, valid2 = bench.neighbour_columns(space, hidden, 50)(train_idx, valid_idx)
    assert train2.equals(train) and valid2.equals(valid)


def test_neighbour_rate_is_the_mean_outcome_of_the_nearest_rows() -> None:
    bench = _bench()
    space = np.array([[0.0], [0.1], [0.2], [10.0], [10.1], [10.2]])
    y = np.array([0, 0, 1, 1, 1, 0])
    rate = bench.neighbour_rate(space, y, np.array([[0.05], [10.05]]), 3)
    np.testing.assert_allclose(rate, [1 / 3, 2 / 3])
