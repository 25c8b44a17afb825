"""The compiled TreeSHAP gives LightGBM's contributions, the same for a row in any block."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from credit_scoring.explain.treeshap import (
    TreeShap,
    UnsupportedModelError,
    compile_kernels,
    compiled_forest,
    predict_raw,
    read_forest,
)


def _data(n: int = 3000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Features with missing values, exact zeros, tiny values and few distinct levels."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8))
    X[rng.random((n, 8)) < 0.15] = np.nan
    X[:, 1] = np.where(rng.random(n) < 0.3, 0.0, X[:, 1])  # zeros, as one-hot or counts
    X[:, 2] = rng.integers(0, 4, size=n).astype(float)  # a few levels: repeated patterns
    X[:5, 3] = 1e-40  # below LightGBM's zero threshold: read as 0
    X[:, 7] = 1.0  # constant: never split on
    y = (np.nan_to_num(X[:, 0]) + X[:, 1] - 0.4 * X[:, 2] + rng.normal(size=n) > -0.5).astype(int)
    return X, y


def _booster(X: np.ndarray, y: np.ndarray, rounds: int = 60, **params: object) -> lgb.Booster:
    base = {"objective": "binary", "verbosity": -1, "min_child_samples": 20, "seed": 1}
    return lgb.train({**base, **params}, lgb.Dataset(X, y), num_boost_round=rounds)


PARAMS = [
    {"num_leaves": 20},
    {"num_leaves": 48, "min_child_samples": 5},  # deep trees (depth about 20)
    {"num_leaves": 31, "zero_as_missing": True},  # missing type Zero
    {"num_leaves": 7, "use_missing": False},  # missing type None: NaN read as 0
    {"num_leaves": 4, "min_gain_to_split": 50.0},  # some trees of one leaf
    {"num_leaves": 15, "monotone_constraints": [1, 0, -1, 0, 0, 0, 0, 0]},
]


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: ",".join(map(str, p.values())))
def test_contributions_are_lightgbm_s(params: dict[str, object]) -> None:
    X, y = _data(1500)
    booster = _booster(X, y, rounds=30, **params)
    ours = TreeShap.from_booster(booster).contributions(X)
    theirs = booster.predict(X, pred_contrib=True, num_threads=1)
    assert ours.shape == theirs.shape == (len(X), X.shape[1] + 1)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    # a row's contributions add up to its raw score
    np.testing.assert_allclose(ours.sum(axis=1), booster.predict(X, raw_score=True), atol=1e-10)


def test_a_row_gets_the_same_numbers_alone_in_any_block_and_on_any_thread_count() -> None:
    X, y = _data(2000, seed=3)
    kernel = TreeShap.from_booster(_booster(X, y, num_leaves=20))
    whole = kernel.contributions(X, num_threads=1)
    assert np.array_equal(kernel.contributions(X, num_threads=2), whole)
    assert np.array_equal(kernel.contributions(X[700:1300], num_threads=2), whole[700:1300])
    for i in (0, 1, 4, 999, 1999):  # bit for bit, not merely close
        assert np.array_equal(kernel.contributions(X[i]), whole[i : i + 1])
    assert whole.flags.c_contiguous


def test_patterns_are_shared_between_rows() -> None:
    """Rows that take the same sides in a tree share its contributions (the speed-up)."""
    X, y = _data(4000, seed=5)
    X[:, 0] = np.round(X[:, 0], 1)  # coarse values: fewer patterns per tree
    booster = _booster(X, y, num_leaves=15, rounds=10)
    forest = read_forest(booster)
    assert forest.n_trees == 10 and forest.n_features == X.shape[1]
    assert (forest.node_count == 14).all() and (forest.leaf_count == 15).all()
    assert forest.path_length.max() >= 3  # distinct features down to a leaf
    np.testing.assert_allclose(
        TreeShap(forest).contributions(X), booster.predict(X, pred_contrib=True), atol=1e-12
    )


def test_bias_is_lightgbm_s_expected_value() -> None:
    X, y = _data(1500, seed=2)
    booster = _booster(X, y, num_leaves=9)
    forest = read_forest(booster)
    theirs = booster.predict(X[:3], pred_contrib=True)
    assert forest.bias == pytest.approx(theirs[0, -1], abs=1e-12)


def test_empty_block_and_wrong_width() -> None:
    X, y = _data(800)
    kernel = TreeShap.from_booster(_booster(X, y, rounds=5))
    assert kernel.contributions(X[:0]).shape == (0, X.shape[1] + 1)
    with pytest.raises(ValueError, match="8 columns"):
        kernel.contributions(X[:, :5])


def test_categorical_splits_are_left_to_lightgbm() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"a": rng.normal(size=2000), "c": pd.Categorical(rng.integers(0, 6, size=2000))}
    )
    y = ((frame["c"].cat.codes % 2) + rng.normal(size=2000) > 0.5).astype(int)
    booster = lgb.train(
        {"objective": "binary", "verbosity": -1, "min_data_per_group": 5, "cat_smooth": 1},
        lgb.Dataset(frame, y),
        num_boost_round=10,
    )
    with pytest.raises(UnsupportedModelError, match="categorical"):
        TreeShap.from_booster(booster)
    # raw scores of such a booster: LightGBM's own, through the same call
    fallback = compiled_forest(booster)
    assert fallback is booster
    np.testing.assert_array_equal(
        predict_raw(fallback, frame), booster.predict(frame, raw_score=True)
    )
    with pytest.raises(UnsupportedModelError, match="multiclass"):
        TreeShap.from_booster(
            lgb.train(
                {"objective": "multiclass", "num_class": 3, "verbosity": -1},
                lgb.Dataset(frame[["a"]], rng.integers(0, 3, size=2000)),
                num_boost_round=2,
            )
        )


def test_compile_kernels_compiles_the_serial_and_parallel_kernels() -> None:
    from credit_scoring.explain import treeshap

    compile_kernels()
    for name in ("patterns", "pattern_shap", "scatter", "predict", "transpose"):
        for kernel in (getattr(treeshap, f"_{name}"), getattr(treeshap, f"_{name}_par")):
            assert kernel.signatures, name


@pytest.mark.parametrize("objective", ["regression", "binary"])
def test_raw_scores_are_lightgbm_s_bit_for_bit(objective: str) -> None:
    X, y = _data(2000, seed=4)
    target = X[:, 2] * 3 + np.nan_to_num(X[:, 0]) if objective == "regression" else y
    booster = _booster(X, target, rounds=40, objective=objective, num_leaves=63)
    forest = read_forest(booster)
    theirs = booster.predict(X, raw_score=True)
    assert np.array_equal(predict_raw(forest, X), theirs)
    assert np.array_equal(predict_raw(forest, X, num_threads=2), theirs)
    assert np.array_equal(predict_raw(forest, X[7]), theirs[7:8])
    with pytest.raises(ValueError, match="8 columns"):
        predict_raw(forest, X[:, :3])
