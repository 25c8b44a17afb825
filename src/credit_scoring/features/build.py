"""Assemble the feature table: application features left-joined with each history table's
aggregates, one row per SK_ID_CURR of application_train and application_test.

Missing values, not zeros: a client absent from a history table gets missing values
for every feature of that table, counts included (``BURO_COUNT`` is NaN, not 0, for a
client the bureau does not know), because "no record" and "zero credits" are
different facts and the data cannot tell them apart. A client present in a table
but with no row in a sub-scope (e.g. no refused application) gets a count of 0 and
missing averages. When a whole table is absent its columns still exist, all missing.

The same Ibis expression runs on DuckDB (default) or PySpark (``engine="spark"``);
:func:`build_features_for_frames` runs it on in-memory frames for the API, from SQL
compiled once per set of present tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import ibis
import ibis.expr.types as ir
import pandas as pd

from credit_scoring.data.loading import PreparedData
from credit_scoring.data.schemas import SCHEMAS
from credit_scoring.features import (
    application,
    bureau,
    credit_card,
    installments,
    pos_cash,
    previous,
)
from credit_scoring.features._dsl import NULL_FLOAT, Feature, aggregate
from credit_scoring.features.metadata import FeatureMeta

KEY_COLUMNS = ("SK_ID_CURR", "TARGET")
APPLICATION = "application"  # the union of application_train and application_test
StepCallback = Callable[[str], None]


def column_type(table: str, column: str) -> str:
    """Ibis type every column is read as: keys int64, text string, every number float64."""
    if column.startswith("SK_ID_"):
        return "int64"
    return "string" if SCHEMAS[table].columns[column] == "str" else "float64"


def _schema_name(table: str) -> str:
    return "application_train" if table == APPLICATION else table


def table_schema(table: str) -> dict[str, str]:
    name = _schema_name(table)
    return {c: column_type(name, c) for c in SCHEMAS[name].columns}


def conform(table: ir.Table, name: str) -> ir.Table:
    """Every schema column with its feature type; columns a file lacks become missing."""
    exprs = {}
    for col, typ in table_schema(name).items():
        exprs[col] = table[col].cast(typ) if col in table.columns else ibis.null().cast(typ)
    return table.select(**exprs)


@dataclass(frozen=True)
class Section:
    """The features of one history table (``main``), optionally using helper tables."""

    name: str
    main: str
    define: Callable[[dict[str, ir.Table]], tuple[ir.Table, list[Feature]]]


def _bureau(tables: dict[str, ir.Table]) -> tuple[ir.Table, list[Feature]]:
    b = tables["bureau"]
    bb = tables.get("bureau_balance")
    balance = bureau.summarise_balance(bb) if bb is not None else bureau.empty_balance(b)
    return bureau.define(b, balance)


SECTIONS: tuple[Section, ...] = (
    Section("bureau", "bureau", _bureau),
    Section("previous", "previous_application", lambda t: previous.define(t["previous_application"])),
    Section("pos_cash", "POS_CASH_balance", lambda t: pos_cash.define(t["POS_CASH_balance"])),
    Section("installments", "installments_payments",
            lambda t: installments.define(t["installments_payments"])),
    Section("credit_card", "credit_card_balance",
            lambda t: credit_card.define(t["credit_card_balance"])),
)
SOURCE_TABLES = (APPLICATION, "bureau", "bureau_balance", "previous_application",
                 "POS_CASH_balance", "installments_payments", "credit_card_balance")


def _numeric_application_columns() -> list[str]:
    return [c for c, t in table_schema(APPLICATION).items() if t != "string"]


def unbound_tables(names: frozenset[str] | tuple[str, ...] = SOURCE_TABLES) -> dict[str, ir.Table]:
    return {n: ibis.table(table_schema(n), name=n) for n in names}


class FeaturePlan:
    """Feature expressions per section over a set of input tables (conformed here)."""

    def __init__(self, tables: dict[str, ir.Table]):
        if APPLICATION not in tables:
            raise ValueError("an 'application' table is required to build features")
        self.tables = {n: conform(t, n) for n, t in tables.items()}
        app = self.tables[APPLICATION]
        self.application = application.define(app, _numeric_application_columns())
        self.base = app.select(
            SK_ID_CURR=app.SK_ID_CURR, TARGET=app.TARGET,
            **{f.name: f.expr for f in self.application})

    def section(self, section: Section) -> ir.Table | None:
        """The section's aggregates keyed by SK_ID_CURR, or None when its table is absent."""
        if section.main not in self.tables:
            return None
        rows, feats = section.define(self.tables)
        return aggregate(rows, feats)

    def assemble(self, parts: dict[str, ir.Table | None]) -> ir.Table:
        joined = self.base
        for name, part in parts.items():
            if part is not None:
                key = f"SK_ID_CURR_{name}"
                part = part.rename({key: "SK_ID_CURR"})
                joined = joined.left_join(part, part[key] == joined.SK_ID_CURR)
        present = set(joined.columns)
        out: dict[str, ir.Value] = {"SK_ID_CURR": joined.SK_ID_CURR.cast("int64"),
                                    "TARGET": joined.TARGET.cast("float64")}
        for name in feature_metadata():
            out[name] = joined[name].cast("float64") if name in present else NULL_FLOAT
        return joined.select(**out)

    def expression(self) -> ir.Table:
        return self.assemble({s.name: self.section(s) for s in SECTIONS})


@lru_cache(maxsize=1)
def _metadata() -> tuple[FeatureMeta, ...]:
    tables = {n: conform(t, n) for n, t in unbound_tables().items()}
    metas = [f.meta for f in application.define(tables[APPLICATION],
                                                _numeric_application_columns())]
    for section in SECTIONS:
        metas += [f.meta for f in section.define(tables)[1]]
    names = [m.name for m in metas]
    if len(set(names)) != len(names) or set(names) & set(KEY_COLUMNS):
        raise ValueError("feature names must be unique and differ from the key columns")
    return tuple(metas)


def feature_metadata() -> dict[str, FeatureMeta]:
    """Metadata for every feature column, in column order (keys excluded)."""
    return {m.name: m for m in _metadata()}


def feature_names() -> list[str]:
    return [m.name for m in _metadata()]


def application_union(train: ir.Table | None, test: ir.Table | None) -> ir.Table:
    """application_train and application_test as one table (TARGET missing for test rows)."""
    parts = [conform(t, APPLICATION) for t in (train, test) if t is not None]
    if not parts:
        raise ValueError("neither application_train nor application_test is present")
    return parts[0] if len(parts) == 1 else parts[0].union(parts[1])


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    df = df.sort_values("SK_ID_CURR", kind="stable").reset_index(drop=True)
    df["SK_ID_CURR"] = df["SK_ID_CURR"].astype("int64")
    floats = [c for c in df.columns if c != "SK_ID_CURR"]
    df[floats] = df[floats].astype("float64")
    return df


def build_feature_table(prepared: PreparedData, *, engine: str = "duckdb",
                        on_step: StepCallback | None = None) -> pd.DataFrame:
    """The feature table for every application of ``prepared`` (see the module docstring).

    ``on_step`` is called with a short label before each stage (for progress bars);
    there are :func:`step_count` stages.
    """
    from credit_scoring.features import engines

    step = on_step or (lambda _label: None)
    step(f"Reading tables ({engine})")
    con = engines.backend(engine)
    raw = {n: con.read_parquet(str(p), table_name=f"src_{n}") for n, p in prepared.parquet.items()}
    tables = {n: t for n, t in raw.items() if n in SOURCE_TABLES}
    tables[APPLICATION] = application_union(raw.get("application_train"),
                                            raw.get("application_test"))
    plan = FeaturePlan(tables)
    parts: dict[str, ir.Table | None] = {}
    for section in SECTIONS:
        step(f"Aggregating {section.main}")
        part = plan.section(section)
        if part is not None and engine == "duckdb":
            # Materialise each table's aggregates: keeps the final join small in memory.
            part = con.create_table(f"agg_{section.name}", part, temp=True)
        parts[section.name] = part
    step("Joining and collecting")
    df = plan.assemble(parts).to_pyarrow().to_pandas()
    if engine == "duckdb":
        con.disconnect()
    return _finish(df)


def step_count() -> int:
    return len(SECTIONS) + 2


from credit_scoring.features.frames import build_features_for_frames  # noqa: E402

__all__ = ["KEY_COLUMNS", "build_feature_table", "build_features_for_frames", "feature_metadata"]
