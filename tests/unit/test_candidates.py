"""Candidate building blocks: the fast median imputer and the choice of boosting rounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.impute import SimpleImputer
from sklearn.metrics import roc_auc_score

from credit_scoring.modeling import crossval
from credit_scoring.modeling.candidates import (
    LGBM_QUICK,
    MAX_ROUNDS,
    MedianImputer,
    fit_booster,
    merge_boosters,
)


def test_median_imputer_matches_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    train = rng.normal(size=(400, 6))
    train[rng.random(train.shape) < 0.3] = np.nan
    train[:, 2] = np.nan  # empty at fit: imputed with 0, still flagged
    train[:, 4] = 1.0  # never missing at fit: no indicator
    later = rng.normal(size=(40, 6))
    later[rng.random(later.shape) < 0.3] = np.nan
    cols = list("abcdef")
    ref = SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)
    ref.fit(pd.DataFrame(train, columns=cols))
    mine = MedianImputer().fit(pd.DataFrame(train, columns=cols))
    np.testing.assert_allclose(
        mine.transform(pd.DataFrame(later, columns=cols)),
        ref.transform(pd.DataFrame(later, columns=cols)),
    )
    assert list(mine.get_feature_names_out()) == list(ref.get_feature_names_out())


def test_patience_scales_with_the_learning_rate() -> None:
    assert crossval.patience({"learning_rate": 0.02}) == 150
    assert crossval.patience({"learning_rate": 0.05}) == 60
    assert crossval.patience({"learning_rate": 0.5}) == 30


@pytest.mark.parametrize("strategy", ["none", "class_weight"])
def test_one_number_of_rounds_for_every_fold(strategy: str) -> None:
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(3_000, 5)), columns=list("abcde"))
    y = (rng.random(3_000) < 1 / (1 + np.exp(-(X.a * 1.5 - 2.5)))).astype(int)
    folds = crossval.make_folds(y, n_splits=3)
    run = crossval.booster_oof(
        {**LGBM_QUICK, "min_child_samples": 20}, X, y, folds, strategy=strategy
    )
    rounds = run.best_iterations
    assert len(rounds) == 3 and len(set(rounds)) == 1 and 1 <= rounds[0] < 3_000
    # with class weights too the round is chosen by AUC, not by an inflated log loss
    assert rounds[0] > 10
    assert roc_auc_score(y, run.scores) > 0.75


def test_merged_boosters_predict_and_explain_as_their_average() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(1_500, 6))
    X[rng.random(X.shape) < 0.2] = np.nan
    y = (rng.random(1_500) < 1 / (1 + np.exp(-(np.nan_to_num(X[:, 0]) * 2 - 2)))).astype(int)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    params = {**LGBM_QUICK, "min_child_samples": 20}
    single = [fit_booster(params, frame, y, n_threads=1, rounds=40, seeds=(s,)) for s in (1, 2, 3)]
    merged = fit_booster(params, frame, y, n_threads=1, rounds=40, seeds=(1, 2, 3))
    assert merged.num_trees() == 120 and merged.feature_name() == list(frame.columns)
    np.testing.assert_allclose(
        merged.predict(frame, raw_score=True),
        np.mean([b.predict(frame, raw_score=True) for b in single], axis=0),
        rtol=1e-12,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        merged.predict(frame, pred_contrib=True),
        np.mean([b.predict(frame, pred_contrib=True) for b in single], axis=0),
        rtol=1e-12,
        atol=1e-12,
    )
    assert not np.allclose(single[0].predict(frame), single[1].predict(frame))  # seeds differ
    again = merge_boosters(single)  # deterministic: the same text twice
    assert again.model_to_string() == merge_boosters(single).model_to_string()


def test_bagged_out_of_fold_scores_average_the_seeds() -> None:
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(2_000, 4)), columns=list("abcd"))
    y = (rng.random(2_000) < 1 / (1 + np.exp(-(X.a * 1.5 - 2.5)))).astype(int)
    folds = crossval.make_folds(y, n_splits=3)
    params = {**LGBM_QUICK, "min_child_samples": 20}
    bagged = crossval.booster_oof(params, X, y, folds, seeds=(1, 2))
    assert bagged.seeds == (1, 2) and len(set(bagged.best_iterations)) == 1
    rounds = bagged.best_iterations[0]
    train_idx, valid_idx = folds[0]
    raw = np.mean(
        [
            fit_booster(
                {**params, "metric": "auc"},
                X.iloc[train_idx],
                y[train_idx],
                n_threads=1,
                rounds=MAX_ROUNDS,
                seeds=(s,),
            ).predict(X.iloc[valid_idx], num_iteration=rounds, raw_score=True)
            for s in (1, 2)
        ],
        axis=0,
    )
    np.testing.assert_allclose(bagged.scores[valid_idx], 1 / (1 + np.exp(-raw)), rtol=1e-9)


def test_full_comparison_adds_a_bagged_candidate_and_refits_it_merged() -> None:
    from credit_scoring.config import Settings
    from credit_scoring.features.metadata import FeatureMeta
    from credit_scoring.modeling.train import TrainConfig, by_cost, compare_candidates, fit_champion

    rng = np.random.default_rng(4)
    X = pd.DataFrame(rng.normal(size=(1_500, 4)), columns=list("abcd"))
    y = (rng.random(1_500) < 1 / (1 + np.exp(-(X.a * 1.5 - 2.5)))).astype(int)
    config = TrainConfig(max_trials=1, bagging_seeds=2, n_threads=1, budget_minutes=5)
    folds = crossval.make_folds(y, n_splits=config.n_folds)
    settings = Settings(environment="development")
    results, extras = compare_candidates(
        X,
        y,
        folds,
        settings=settings,
        config=config,
        budget=crossval.Budget(5),
        step=lambda _: None,
        notes=[],
    )
    bagged = [r for r in results if r.name.endswith("_2seeds")]
    assert len(bagged) == 1 and bagged[0].seeds == config.seeds == (42, 1042)
    assert {"dummy", "logistic_regression", "knn", "random_forest"} <= {r.name for r in results}
    winner = bagged[0]
    metas = {c: FeatureMeta(c, "application", c, c, "number", c) for c in X.columns}
    scorer = fit_champion(
        X,
        y,
        np.arange(len(y)),
        winner,
        extras["iterations"][winner.name],
        extras["calibrations"][winner.name],
        metas,
        settings=settings,
        config=config,
        version="test",
    )
    rounds = winner.params["num_boost_round"]
    params = {
        k: v for k, v in winner.params.items() if k not in ("num_boost_round", "averaged_seeds")
    }
    singles = [
        fit_booster(params, X, y, n_threads=1, rounds=rounds, seeds=(s,)) for s in (42, 1042)
    ]
    np.testing.assert_allclose(
        scorer.booster.predict(X, raw_score=True),
        np.mean([b.predict(X, raw_score=True) for b in singles], axis=0),
        rtol=1e-12,
        atol=1e-12,
    )
    assert winner.params["averaged_seeds"] == "42,1042"
    assert (
        min(results, key=by_cost).metrics["cost_per_applicant"]
        <= winner.metrics["cost_per_applicant"]
    )
