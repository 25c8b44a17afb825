"""Spark batch scoring gives the same probabilities, decisions and reasons as the DuckDB path."""

from __future__ import annotations

import shutil
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from credit_scoring.data.loading import prepare
from credit_scoring.data.synth.generator import generate
from credit_scoring.explain.reasons import population_quantiles
from credit_scoring.features.batch import KEY_COLUMNS, build_feature_table, feature_metadata
from credit_scoring.lending.batch import apply_policy
from credit_scoring.lending.policy import FACT_COLUMNS, Policy
from credit_scoring.modeling.batch import score_frame
from credit_scoring.modeling.calibration import Calibrator
from credit_scoring.modeling.scorer import ChampionScorer

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> tuple[ChampionScorer, object, Path]:
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java 17 on PATH (apt-get install openjdk-17-jre-headless)")
    root = tmp_path_factory.mktemp("spark")
    generate(root / "data", clients=700, seed=7, test_share=0.45)
    prepared = prepare(root / "data", root / "cache")
    table = build_feature_table(prepared)
    train = table[table["TARGET"].notna()]
    X = train.drop(columns=list(KEY_COLUMNS))
    y = train["TARGET"].to_numpy(dtype=int)
    booster = lgb.train(
        {
            "objective": "binary",
            "num_leaves": 7,
            "min_data_in_leaf": 10,
            "verbosity": -1,
            "num_threads": 1,
            "seed": 1,
        },
        lgb.Dataset(X, y),
        30,
    )
    raw = booster.predict(X, num_threads=1)
    scorer = ChampionScorer(
        booster=booster,
        calibrator=Calibrator(method="sigmoid").fit(raw, y),
        threshold=float(np.quantile(raw, 0.8)),
        feature_names=list(X.columns),
        metas=feature_metadata(),
        quantiles=population_quantiles(X),
        similarity=None,
        model_name="test",
        model_version="1",
        categories={
            c: list(X[c].cat.categories)
            for c in X.columns
            if isinstance(X[c].dtype, pd.CategoricalDtype)
        },
    )
    return scorer, prepared, root


def test_spark_scores_match_the_duckdb_path(portfolio: tuple) -> None:
    from credit_scoring.modeling.spark_scoring import score_prepared_on_spark

    scorer, prepared, root = portfolio
    table = build_feature_table(prepared)
    ids = prepared.read("application_test", columns=["SK_ID_CURR"])["SK_ID_CURR"]
    test_rows = table[table["SK_ID_CURR"].isin(ids)].reset_index(drop=True)
    assert 100 <= len(test_rows) <= 600
    # the committee's rules after the model, on the driver, as the DuckDB path applies them
    rows = prepared.read("application_test", columns=["SK_ID_CURR", *FACT_COLUMNS])
    policy = Policy.load()

    def finish(frame: pd.DataFrame) -> pd.DataFrame:
        return apply_policy(frame, rows, policy, lang="en")

    expected = (
        finish(score_frame(scorer, test_rows, lang="en"))
        .sort_values("SK_ID_CURR")
        .reset_index(drop=True)
        .replace({np.nan: ""})
    )

    result = score_prepared_on_spark(
        scorer, prepared, root / "scores.csv", lang="en", finish=finish
    )
    written = pd.read_csv(root / "scores.csv", keep_default_na=False)
    assert list(written.columns) == list(expected.columns)
    for column in ("model_decision", "policy_codes", "reason_against_1_code"):
        assert (written[column] == expected[column]).all(), column
    assert result.rows == len(expected) == len(written)
    np.testing.assert_array_equal(
        written["SK_ID_CURR"].to_numpy(), expected["SK_ID_CURR"].to_numpy()
    )
    np.testing.assert_allclose(
        written["probability"].to_numpy(), expected["probability"].to_numpy(), rtol=1e-9, atol=1e-12
    )
    assert (written["decision"] == expected["decision"]).all()
    assert set(written["model_decision"]) == {"grant", "refuse"}
    assert (written["reason_against_1"] == expected["reason_against_1"].fillna("")).all()
