"""The feature plan: conformed input tables, per-table sections, their metadata.

Shared by the batch build (``batch.py``) and the online paths (``online.py``, ``online_numpy.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

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
    Section(
        "previous", "previous_application", lambda t: previous.define(t["previous_application"])
    ),
    Section("pos_cash", "POS_CASH_balance", lambda t: pos_cash.define(t["POS_CASH_balance"])),
    Section(
        "installments",
        "installments_payments",
        lambda t: installments.define(t["installments_payments"]),
    ),
    Section(
        "credit_card", "credit_card_balance", lambda t: credit_card.define(t["credit_card_balance"])
    ),
)
SOURCE_TABLES = (
    APPLICATION,
    "bureau",
    "bureau_balance",
    "previous_application",
    "POS_CASH_balance",
    "installments_payments",
    "credit_card_balance",
)


def _numeric_application_columns() -> list[str]:
    return [c for c, t in table_schema(APPLICATION).items() if t != "string"]


def numeric_block(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """``df[columns]`` as float64 (rows x columns) in one pandas call; where a column holds
    something that is not a number (text sent by an API client), that column is read value
    by value and what cannot be read becomes missing."""
    try:
        return df[columns].to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        if not columns:
            return np.empty((len(df), 0))
        return np.column_stack(
            [
                pd.to_numeric(df[c], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
                for c in columns
            ]
        )


def text_values(values: pd.Series) -> list[str | None]:
    """A text column as ``str`` values, missing ones (None, NaN) as None."""
    return [None if v is None or v != v else str(v) for v in values.tolist()]


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
            SK_ID_CURR=app.SK_ID_CURR,
            TARGET=app.TARGET,
            **{f.name: f.expr for f in self.application},
        )

    def section(self, section: Section) -> ir.Table | None:
        """The section's aggregates keyed by SK_ID_CURR, or None when its table is absent."""
        if section.main not in self.tables:
            return None
        rows, feats = section.define(self.tables)
        return aggregate(rows, feats)

    def assemble(self, parts: dict[str, ir.Table | None], *, fill_absent: bool = True) -> ir.Table:
        """Left-join the sections onto the application features.

        With ``fill_absent`` every feature column exists (absent sections as missing);
        without, only the columns of the present sections (the caller fills the rest).
        """
        joined = self.base
        for name, part in parts.items():
            if part is not None:
                key = f"SK_ID_CURR_{name}"
                part = part.rename({key: "SK_ID_CURR"})
                joined = joined.left_join(part, part[key] == joined.SK_ID_CURR)
        present = set(joined.columns)
        out: dict[str, ir.Value] = {
            "SK_ID_CURR": joined.SK_ID_CURR.cast("int64"),
            "TARGET": joined.TARGET.cast("float64"),
        }
        for name in feature_metadata():
            if name in present:
                out[name] = joined[name].cast("float64")
            elif fill_absent:
                out[name] = NULL_FLOAT
        return joined.select(**out)

    def expression(self, *, fill_absent: bool = True) -> ir.Table:
        return self.assemble({s.name: self.section(s) for s in SECTIONS}, fill_absent=fill_absent)


@lru_cache(maxsize=1)
def _metadata() -> tuple[FeatureMeta, ...]:
    tables = {n: conform(t, n) for n, t in unbound_tables().items()}
    metas = [
        f.meta for f in application.define(tables[APPLICATION], _numeric_application_columns())
    ]
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


@lru_cache(maxsize=1)
def _block_layout() -> tuple[list[str], dict[str, int]]:
    """Column names of a feature block and their positions (shared, never modified)."""
    names = ["TARGET", *feature_names()]
    return names, {name: i for i, name in enumerate(names)}


class FeatureBlock:
    """The feature table being filled: one preallocated float64 block, sorted by SK_ID_CURR.

    Parts (the application features, then each table's aggregates) are written into it
    as they arrive, in Arrow record batches, so the peak memory is the final table plus
    one batch. Columns never written stay missing.
    """

    def __init__(self, ids: np.ndarray):
        self.ids = pd.Index(np.sort(np.asarray(ids, dtype="int64")))
        if not self.ids.is_unique:
            raise ValueError("SK_ID_CURR must be unique across application_train and _test")
        self.names, self.position = _block_layout()
        # column-major, so that pandas wraps it without a copy and columns fill contiguously
        self.values = np.full((len(self.ids), len(self.names)), np.nan, order="F")

    def fill(self, batch: pa.RecordBatch | pa.Table) -> None:
        names = [n for n in batch.schema.names if n != "SK_ID_CURR"]
        self.fill_columns(
            batch.column("SK_ID_CURR").to_numpy(zero_copy_only=False),
            ((n, batch.column(n).to_numpy(zero_copy_only=False)) for n in names),
        )

    def fill_columns(self, keys: np.ndarray, columns: Iterable[tuple[str, np.ndarray]]) -> None:
        rows = self.ids.get_indexer(np.asarray(keys, dtype="int64"))
        keep = rows >= 0
        everything = bool(keep.all())
        for name, column in columns:
            values = np.asarray(column, dtype="float64")
            if everything:
                self.values[rows, self.position[name]] = values
            else:
                self.values[rows[keep], self.position[name]] = values[keep]

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.values, columns=self.names, copy=False)
        df.insert(0, "SK_ID_CURR", self.ids.to_numpy())
        return df
