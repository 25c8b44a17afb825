"""The same feature definitions give the same table on DuckDB and on PySpark (local mode)."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from credit_scoring.data.loading import prepare
from credit_scoring.data.synth import generate
from credit_scoring.features.batch import build_feature_table

pytestmark = pytest.mark.spark

REL_TOL = 1e-9
ABS_FLOOR = 1e-9  # sums that cancel to zero differ by rounding noise only


def close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_FLOOR)


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17 on the PATH")
def test_duckdb_and_spark_give_the_same_feature_table(tmp_path: Path) -> None:
    generate(tmp_path / "data", clients=300, seed=11, fmt="parquet")
    prepared = prepare(tmp_path / "data", tmp_path / "cache")
    prepared.raise_for_errors()

    duck = build_feature_table(prepared, engine="duckdb")
    spark = build_feature_table(prepared, engine="spark")

    assert list(duck.columns) == list(spark.columns)
    duck = duck.sort_values("SK_ID_CURR").reset_index(drop=True)
    spark = spark.sort_values("SK_ID_CURR").reset_index(drop=True)
    assert len(duck) == 300
    assert (duck.SK_ID_CURR.to_numpy() == spark.SK_ID_CURR.to_numpy()).all()
    # the synthetic clients exercise every table: most history features have values
    assert duck.notna().mean().gt(0).mean() > 0.95

    differences = []
    for column in duck.columns:
        a, b = duck[column].to_numpy(np.float64), spark[column].to_numpy(np.float64)
        for i in np.flatnonzero(~np.array([close(x, y) for x, y in zip(a, b, strict=True)])):
            differences.append((column, int(duck.SK_ID_CURR[i]), a[i], b[i]))
    assert not differences[:20], f"{len(differences)} values differ"
