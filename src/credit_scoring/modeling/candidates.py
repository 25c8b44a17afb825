"""The models compared in training: scikit-learn pipelines with small grids, and LightGBM.

Every candidate takes the feature table as is (float columns with missing values,
pandas ``category`` columns); preprocessing lives inside its pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

SEED = 42


def split_columns(X: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(numeric, categorical) feature columns."""
    categorical = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    return [c for c in X.columns if c not in categorical], categorical


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), "missing").astype(str)


def preprocessor(X: pd.DataFrame, *, scale: bool = True) -> ColumnTransformer:
    """Median imputation (+ missing indicators) and scaling; one-hot encoding of categories."""
    numeric, categorical = split_columns(X)
    num_steps: list[Any] = [SimpleImputer(strategy="median", add_indicator=True,
                                          keep_empty_features=True)]
    if scale:
        num_steps.append(StandardScaler())
    transformers: list[tuple[str, Any, list[str]]] = [("num", make_pipeline(*num_steps), numeric)]
    if categorical:
        transformers.append(("cat", make_pipeline(
            FunctionTransformer(_as_text, feature_names_out="one-to-one"),
            OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=30,
                          sparse_output=False)), categorical))
    return ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)


@dataclass
class SklearnCandidate:
    """A pipeline and the grid searched for it (empty grid: fixed parameters)."""

    name: str
    make: Callable[[pd.DataFrame, dict[str, Any]], Pipeline]
    grid: dict[str, list[Any]] = field(default_factory=dict)
    quick: bool = True  # part of ``--quick`` runs


def _dummy(X: pd.DataFrame, extra: dict[str, Any]) -> Pipeline:
    return Pipeline([("model", DummyClassifier(strategy="prior"))])


def _logreg(X: pd.DataFrame, extra: dict[str, Any]) -> Pipeline:
    return Pipeline([("prep", preprocessor(X)),
                     ("model", LogisticRegression(C=0.05, max_iter=200, tol=1e-3, **extra))])


def _knn(X: pd.DataFrame, extra: dict[str, Any]) -> Pipeline:
    # Distances in hundreds of dimensions say little: project on the main components first.
    return Pipeline([("prep", preprocessor(X)), ("pca", PCA(n_components=20, random_state=SEED)),
                     ("model", KNeighborsClassifier(n_neighbors=100, n_jobs=1))])


def _forest(X: pd.DataFrame, extra: dict[str, Any]) -> Pipeline:
    return Pipeline([("prep", preprocessor(X, scale=False)),
                     ("model", RandomForestClassifier(
                         n_estimators=150, max_depth=14, min_samples_leaf=30, max_features="sqrt",
                         max_samples=0.5, n_jobs=1, random_state=SEED, **extra))])


def sklearn_candidates() -> list[SklearnCandidate]:
    """The baselines, each with a small grid searched by ``GridSearchCV``."""
    return [
        SklearnCandidate("dummy", _dummy),
        SklearnCandidate("logistic_regression", _logreg, {"model__C": [0.01, 0.1]}),
        SklearnCandidate("knn", _knn, {"model__n_neighbors": [50, 200]}, quick=False),
        SklearnCandidate("random_forest", _forest, {"model__min_samples_leaf": [10, 40]},
                         quick=False),
    ]


# LightGBM: conservative defaults (generalise to unseen clients) and a modest search space.
LGBM_BASE: dict[str, Any] = {
    "objective": "binary", "metric": "binary_logloss", "learning_rate": 0.02, "num_leaves": 20,
    "min_child_samples": 100, "feature_fraction": 0.25, "bagging_fraction": 0.85, "bagging_freq": 1,
    "lambda_l2": 10.0, "min_gain_to_split": 0.0, "max_bin": 127, "verbosity": -1,
    "seed": SEED, "deterministic": True, "force_col_wise": True,
}
LGBM_QUICK: dict[str, Any] = {**LGBM_BASE, "learning_rate": 0.05, "max_bin": 63}
MAX_ROUNDS = 3000
EARLY_STOPPING = 100


def lgbm_search_space(trial: Any) -> dict[str, Any]:
    """Optuna suggestions around the defaults; learning rate fixed, rounds by early stopping."""
    return {
        "num_leaves": trial.suggest_int("num_leaves", 8, 48, log=True),
        "min_child_samples": trial.suggest_int("min_child_samples", 20, 300, log=True),
        "feature_fraction": trial.suggest_float("feature_fraction", 0.1, 0.6),
        "bagging_fraction": trial.suggest_float("bagging_fraction", 0.6, 1.0),
        "lambda_l2": trial.suggest_float("lambda_l2", 0.1, 100.0, log=True),
        "min_gain_to_split": trial.suggest_float("min_gain_to_split", 0.0, 1.0),
    }


def fit_booster(params: dict[str, Any], X: pd.DataFrame, y: np.ndarray, *, n_threads: int,
                rounds: int | None = None, seed: int = SEED) -> tuple[lgb.Booster, int]:
    """Train one booster; without ``rounds``, stop early on a 10% split of ``X`` itself."""
    params = {**params, "num_threads": n_threads}
    if rounds is not None:
        booster = lgb.train(params, lgb.Dataset(X, y), num_boost_round=rounds)
        return booster, rounds
    X_fit, X_stop, y_fit, y_stop = train_test_split(X, y, test_size=0.1, stratify=y,
                                                    random_state=seed)
    fit_set = lgb.Dataset(X_fit, y_fit)
    booster = lgb.train(params, fit_set, num_boost_round=MAX_ROUNDS,
                        valid_sets=[lgb.Dataset(X_stop, y_stop, reference=fit_set)],
                        callbacks=[lgb.early_stopping(EARLY_STOPPING, verbose=False)])
    return booster, max(int(booster.best_iteration), 1)
