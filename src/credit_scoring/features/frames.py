"""Features for a few in-memory applications (the API's ``POST /predict_default``).

Compiling the Ibis expression takes about a second, so it is compiled to DuckDB SQL
once per set of present tables and cached; each call only registers the frames on a
per-thread in-memory DuckDB connection and runs the cached SQL. The SQL is the
same expression the batch path runs, so values agree with ``build_feature_table``.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import duckdb
import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from credit_scoring.features import build

_local = threading.local()
_ARROW = {"int64": pa.int64(), "float64": pa.float64(), "string": pa.string()}


@lru_cache(maxsize=64)
def compiled_sql(present: frozenset[str]) -> str:
    """DuckDB SQL of the feature expression for this set of tables (cached)."""
    plan = build.FeaturePlan(build.unbound_tables(tuple(sorted(present))))
    return ibis.to_sql(plan.expression(), dialect="duckdb")


def _connection() -> duckdb.DuckDBPyConnection:
    con = getattr(_local, "con", None)
    if con is None:
        con = duckdb.connect(config={"threads": 1})
        _local.con = con
    return con


def _to_arrow(name: str, df: pd.DataFrame) -> pa.Table:
    """The frame with every schema column, typed as the feature expression expects."""
    arrays = []
    schema = build.table_schema(name)
    for col, typ in schema.items():
        if col not in df.columns:
            arrays.append(pa.nulls(len(df), _ARROW[typ]))
            continue
        values = df[col]
        if typ == "string":
            obj = values.astype(object)
            arrays.append(pa.array(obj.where(values.notna(), None).map(
                lambda v: v if v is None else str(v)), type=pa.string()))
        else:
            numbers = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
            if typ == "int64":
                if np.isnan(numbers).any():
                    raise ValueError(f"{name}.{col} is a key and must not be missing")
                arrays.append(pa.array(numbers.astype("int64"), type=pa.int64()))
            else:
                arrays.append(pa.array(numbers, type=pa.float64(), from_pandas=True))
    return pa.table(arrays, names=list(schema))


def build_features_for_frames(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Feature rows for the applications in ``tables["application"]`` (Kaggle column names).

    History tables (``bureau``, ``bureau_balance``, ``previous_application``,
    ``POS_CASH_balance``, ``installments_payments``, ``credit_card_balance``) are
    optional; an absent or empty one gives missing values for its features. Columns a
    frame lacks are read as missing. Returns ``SK_ID_CURR``, ``TARGET`` (missing
    unless given) and every feature, one row per application, sorted by SK_ID_CURR.
    """
    if build.APPLICATION not in tables:
        raise ValueError("tables must hold an 'application' frame (one row per application)")
    unknown = set(tables) - set(build.SOURCE_TABLES)
    if unknown:
        raise ValueError(f"unknown tables {sorted(unknown)}; expected some of "
                         f"{', '.join(build.SOURCE_TABLES)}")
    present = frozenset(n for n, df in tables.items() if df is not None)
    sql = compiled_sql(present)
    con = _connection()
    try:
        for name in present:
            con.register(name, _to_arrow(name, tables[name]))
        df = con.execute(sql).arrow().to_pandas()
    finally:
        for name in present:
            con.unregister(name)
    return build._finish(df)
