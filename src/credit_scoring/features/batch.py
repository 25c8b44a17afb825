"""Assemble the feature table: application features left-joined with each history table's
aggregates, one row per SK_ID_CURR of application_train and application_test.

Missing values, not zeros: a client absent from a history table gets missing values
for every feature of that table, counts included (``BURO_COUNT`` is NaN, not 0, for a
client the bureau does not know), because "no record" and "zero credits" are
different facts and the data cannot tell them apart. A client present in a table
but with no row in a sub-scope (e.g. no refused application) gets a count of 0 and
missing averages. When a whole table is absent its columns still exist, all missing.

The same Ibis expression runs on DuckDB (default) or PySpark (``engine="spark"``);
:func:`credit_scoring.features.online.build_features_for_frames` runs it on in-memory
frames for the API, from SQL compiled once per set of present tables.
"""

from __future__ import annotations

from collections.abc import Iterator

import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
from ibis.backends import BaseBackend

from credit_scoring.data.loading import PreparedData
from credit_scoring.features.plan import (
    APPLICATION,
    KEY_COLUMNS,
    SECTIONS,
    SOURCE_TABLES,
    FeatureBlock,
    FeaturePlan,
    StepCallback,
    application_union,
    feature_metadata,
    feature_names,
)

BATCH_ROWS = 50_000

__all__ = [
    "KEY_COLUMNS",
    "build_feature_table",
    "feature_metadata",
    "feature_names",
    "step_count",
]


def build_feature_table(
    prepared: PreparedData, *, engine: str = "duckdb", on_step: StepCallback | None = None
) -> pd.DataFrame:
    """The feature table for every application of ``prepared`` (see the module docstring).

    Each table's aggregates are computed and collected separately (small plans, bounded
    memory), then joined on SK_ID_CURR. ``on_step`` is called with a short label before
    each of the :func:`step_count` stages (for progress bars).
    """
    from credit_scoring.features import engines

    step = on_step or (lambda _label: None)
    step(f"Reading application tables ({engine})")
    con = engines.backend(engine)
    try:
        raw = {
            n: con.read_parquet(str(p), table_name=f"src_{n}") for n, p in prepared.parquet.items()
        }
        tables = {n: t for n, t in raw.items() if n in SOURCE_TABLES}
        tables[APPLICATION] = application_union(
            raw.get("application_train"), raw.get("application_test")
        )
        plan = FeaturePlan(tables)
        base = plan.base.to_pyarrow()
        block = FeatureBlock(base.column("SK_ID_CURR").to_numpy())
        block.fill(base)
        del base
        for section in SECTIONS:
            step(f"Aggregating {section.main}")
            part = plan.section(section)
            if part is not None:
                for batch in _batches(part, con, engine):
                    block.fill(batch)
        step("Assembling")
        return block.frame()
    finally:
        if engine == "duckdb":
            con.disconnect()


def _batches(table: ir.Table, con: BaseBackend, engine: str) -> Iterator[pa.RecordBatch | pa.Table]:
    """The rows of ``table`` in Arrow batches (DuckDB streams; Spark collects in one go)."""
    if engine == "duckdb":
        sql = con.compile(table)  # type: ignore[attr-defined]
        yield from con.con.sql(sql).to_arrow_reader(BATCH_ROWS)  # type: ignore[attr-defined]
    else:
        yield table.to_pyarrow()


def step_count() -> int:
    return len(SECTIONS) + 2
