"""Candidate building blocks: the fast median imputer and the choice of boosting rounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.impute import SimpleImputer
from sklearn.metrics import roc_auc_score

from credit_scoring.modeling import crossval
from credit_scoring.modeling.candidates import LGBM_QUICK, MedianImputer


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
    np.testing.assert_allclose(mine.transform(pd.DataFrame(later, columns=cols)),
                               ref.transform(pd.DataFrame(later, columns=cols)))
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
    run = crossval.booster_oof({**LGBM_QUICK, "min_child_samples": 20}, X, y, folds,
                               strategy=strategy)
    rounds = run.best_iterations
    assert len(rounds) == 3 and len(set(rounds)) == 1 and 1 <= rounds[0] < 3_000
    # with class weights too the round is chosen by AUC, not by an inflated log loss
    assert rounds[0] > 10
    assert roc_auc_score(y, run.scores) > 0.75
