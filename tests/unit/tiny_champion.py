"""A small real champion for tests: the batch scoring path needs a LightGBM booster's
contributions, which a fake scorer does not have."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd

from credit_scoring.explain.reasons import population_quantiles
from credit_scoring.features.batch import KEY_COLUMNS, feature_metadata
from credit_scoring.modeling.calibration import Calibrator
from credit_scoring.modeling.scorer import ChampionScorer
from credit_scoring.modeling.train import check_no_protected, informative_columns


def tiny_champion(table: pd.DataFrame, version: str = "1") -> ChampionScorer:
    """A small real LightGBM champion (30 trees) on the labelled rows, without protected
    attributes: the batch scoring path needs the booster's contributions."""
    metas = feature_metadata()
    train = table[table["TARGET"].notna()]
    X = train.drop(columns=list(KEY_COLUMNS))
    X = X[informative_columns(X)]
    check_no_protected(list(X.columns), metas)
    y = train["TARGET"].to_numpy(dtype=int)
    params = {"objective": "binary", "num_leaves": 7, "min_data_in_leaf": 10, "verbosity": -1}
    booster = lgb.train({**params, "num_threads": 1, "seed": 1}, lgb.Dataset(X, y), 30)
    raw = booster.predict(X, num_threads=1)
    return ChampionScorer(
        booster=booster,
        calibrator=Calibrator(method="sigmoid").fit(raw, y),
        threshold=float(np.quantile(raw, 0.8)),
        feature_names=list(X.columns),
        metas=metas,
        quantiles=population_quantiles(X),
        categories={
            c: list(X[c].cat.categories)
            for c in X.columns
            if isinstance(X[c].dtype, pd.CategoricalDtype)
        },
        similarity=None,
        model_name="tiny-credit-default",
        model_version=version,
    )
