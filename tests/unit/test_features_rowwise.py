"""The NumPy evaluator of row-level features agrees with DuckDB, SQL null rules included."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from credit_scoring.data.loading import prepare
from credit_scoring.data.synth import generate
from credit_scoring.features import online as frames
from credit_scoring.features import online_numpy as rowwise
from credit_scoring.features.batch import build_feature_table
from credit_scoring.features.online import build_features_for_frames
from credit_scoring.features.plan import table_schema


def _duckdb(exprs: dict[str, ibis.Value], table: ibis.Table, df: pd.DataFrame) -> pd.DataFrame:
    con = ibis.duckdb.connect()
    con.create_table(table.get_name(), df, schema=table.schema())
    return con.execute(table.select(**exprs))


def test_sql_null_rules_match_duckdb() -> None:
    t = ibis.table({"a": "float64", "b": "float64", "s": "string"}, name="rows")
    exprs = {
        "div": t.a / t.b,  # division by zero is missing
        "nullif": t.a / t.b.nullif(0.0),
        "greatest": ibis.greatest(ibis.coalesce(t.a, t.b), ibis.coalesce(t.b, t.a)),
        "least": ibis.least(ibis.coalesce(t.a, t.b), ibis.coalesce(t.b, t.a)),
        "and": ((t.a > 0) & (t.b > 0)).cast("float64"),
        "or": ((t.a > 0) | (t.b > 0)).cast("float64"),
        "not": (~(t.a > 0)).cast("float64"),
        "case": ibis.cases((t.a > 1, t.a), (t.b > 1, t.b), else_=-1.0),
        "ifelse": ibis.ifelse(t.a >= t.b, 1.0, 0.0),
        "eq_text": (t.s == "x").cast("float64"),
        "eq_filled": (t.s == "x").fill_null(False).cast("float64"),
        "in": t.s.isin(["x", "y"]).cast("float64"),
        "notnull": t.a.notnull().cast("float64"),
        "isnull": t.s.isnull().cast("float64"),
        "coalesce": ibis.coalesce(t.a, t.b, ibis.literal(7.0)),
        "power_sqrt": (t.a**2 + t.b**2).sqrt(),
        "neg_abs": (-t.a).abs(),
    }
    nan = np.nan
    df = pd.DataFrame(
        {
            "a": [1.0, nan, 2.0, -3.0, 0.0, nan],
            "b": [0.0, 2.0, nan, -1.0, 5.0, nan],
            "s": ["x", None, "y", "z", "x", None],
        }
    )
    tape = rowwise.compile_features(
        "rows",
        {k: v.op() for k, v in exprs.items()},
        kinds={"a": "float64", "b": "float64", "s": "string"},
    )
    got = tape.run(df)
    want = _duckdb(exprs, t, df)
    for name in exprs:
        np.testing.assert_allclose(
            got[name], want[name].to_numpy(dtype=float), rtol=1e-12, equal_nan=True, err_msg=name
        )


def test_unsupported_operation_is_refused_at_compile_time() -> None:
    t = ibis.table(table_schema("application"), name="application")
    with pytest.raises(rowwise.Unsupported, match="Log"):
        rowwise.compile_features("application", {"x": t.AMT_CREDIT.cast("float64").log().op()})


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame]:
    root = tmp_path_factory.mktemp("rowwise")
    generate(root / "data", clients=2_000, seed=11, fmt="parquet")
    prepared = prepare(root / "data", root / "cache")
    prepared.raise_for_errors()
    apps = pd.concat(
        [prepared.read("application_train"), prepared.read("application_test")], ignore_index=True
    )
    return apps, build_feature_table(prepared)


def test_application_features_match_the_sql_path(
    synthetic: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    apps, table = synthetic
    tape = rowwise.application_tape()
    assert tape is not None and len(tape.outputs) > 250
    fast = rowwise.application_features(apps)
    assert list(fast.columns) == list(table.columns)
    assert (fast.SK_ID_CURR.to_numpy() == table.SK_ID_CURR.to_numpy()).all()
    names = ["TARGET", *tape.outputs]
    np.testing.assert_allclose(
        fast[names].to_numpy(float),
        table[names].to_numpy(float),
        rtol=1e-12,
        atol=0,
        equal_nan=True,
    )
    history = [c for c in table.columns[2:] if c not in tape.outputs]
    assert fast[history].isna().all().all()


def test_one_application_skips_the_sql_engine(
    synthetic: tuple[pd.DataFrame, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    apps, table = synthetic
    one = apps.sample(1, random_state=3)
    expected = table.set_index("SK_ID_CURR").loc[[int(one.SK_ID_CURR.iloc[0])]].reset_index()
    tape = rowwise.application_tape()
    assert tape is not None
    history = [c for c in table.columns[2:] if c not in tape.outputs]
    expected[history] = np.nan  # history sent with the application: none

    def no_sql() -> None:
        raise AssertionError("DuckDB used for an application without history")

    monkeypatch.setattr(frames, "_session", no_sql)
    got = build_features_for_frames({"application": one})
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)


def test_unreadable_numbers_become_missing() -> None:
    app = pd.DataFrame(
        [
            {
                "SK_ID_CURR": 5,
                "AMT_CREDIT": "lots",
                "AMT_ANNUITY": "1000",
                "AMT_INCOME_TOTAL": None,
                "NAME_CONTRACT_TYPE": "Cash loans",
            }
        ]
    )
    row = rowwise.application_features(app).iloc[0]
    assert np.isnan(row["AMT_CREDIT"]) and row["AMT_ANNUITY"] == 1000.0
    assert np.isnan(row["ANNUITY_INCOME_PERC"])
    assert row["NAME_CONTRACT_TYPE_CASH_LOANS"] == 1.0
