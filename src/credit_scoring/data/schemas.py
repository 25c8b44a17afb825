"""Schemas of the eight Home Credit tables: column names, types, keys, parents.

Types are logical: ``int`` (integer, may be missing in real files), ``float`` and
``str`` (categorical text). Only a few columns per table are *required*; the rest
are optional and filled with missing values when a file lacks them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from credit_scoring.data._columns import COLUMNS

ColumnType = str  # "int" | "float" | "str"


@dataclass(frozen=True)
class TableSchema:
    """One Kaggle table."""

    name: str
    columns: dict[str, ColumnType]
    key: tuple[str, ...]
    required: frozenset[str]
    # (column, parent table, parent column): every value must exist in the parent.
    parents: tuple[tuple[str, str, str], ...] = ()
    optional_table: bool = True
    description: str = ""
    sort_by: tuple[str, ...] = field(default_factory=tuple)

    @property
    def dtypes(self) -> dict[str, ColumnType]:
        return self.columns


_APP_REQUIRED = frozenset(
    {
        "SK_ID_CURR",
        "NAME_CONTRACT_TYPE",
        "CODE_GENDER",
        "AMT_INCOME_TOTAL",
        "AMT_CREDIT",
        "AMT_ANNUITY",
        "DAYS_BIRTH",
        "DAYS_EMPLOYED",
    }
)

SCHEMAS: dict[str, TableSchema] = {
    "application_train": TableSchema(
        name="application_train",
        columns=dict(COLUMNS["application_train"]),
        key=("SK_ID_CURR",),
        required=_APP_REQUIRED | {"TARGET"},
        optional_table=False,
        description="Current applications with the observed outcome (TARGET=1: payment difficulties).",
    ),
    "application_test": TableSchema(
        name="application_test",
        columns=dict(COLUMNS["application_test"]),
        key=("SK_ID_CURR",),
        required=_APP_REQUIRED,
        description="New applications to score (no TARGET).",
    ),
    "bureau": TableSchema(
        name="bureau",
        columns=dict(COLUMNS["bureau"]),
        key=("SK_ID_BUREAU",),
        required=frozenset({"SK_ID_CURR", "SK_ID_BUREAU", "CREDIT_ACTIVE", "DAYS_CREDIT"}),
        parents=(("SK_ID_CURR", "application", "SK_ID_CURR"),),
        description="Credits with other institutions reported by the credit bureau.",
    ),
    "bureau_balance": TableSchema(
        name="bureau_balance",
        columns=dict(COLUMNS["bureau_balance"]),
        key=("SK_ID_BUREAU", "MONTHS_BALANCE"),
        required=frozenset({"SK_ID_BUREAU", "MONTHS_BALANCE", "STATUS"}),
        parents=(("SK_ID_BUREAU", "bureau", "SK_ID_BUREAU"),),
        description="Monthly status of bureau credits (C closed, X unknown, 0 no delay, 1-5 months late).",
    ),
    "previous_application": TableSchema(
        name="previous_application",
        columns=dict(COLUMNS["previous_application"]),
        key=("SK_ID_PREV",),
        required=frozenset({"SK_ID_PREV", "SK_ID_CURR", "NAME_CONTRACT_STATUS", "DAYS_DECISION"}),
        parents=(("SK_ID_CURR", "application", "SK_ID_CURR"),),
        description="Earlier applications of the client with Home Credit.",
    ),
    "POS_CASH_balance": TableSchema(
        name="POS_CASH_balance",
        columns=dict(COLUMNS["POS_CASH_balance"]),
        key=("SK_ID_PREV", "MONTHS_BALANCE"),
        required=frozenset({"SK_ID_PREV", "SK_ID_CURR", "MONTHS_BALANCE"}),
        parents=(("SK_ID_CURR", "application", "SK_ID_CURR"),),
        description="Monthly snapshots of earlier point-of-sale and cash loans.",
    ),
    "installments_payments": TableSchema(
        name="installments_payments",
        columns=dict(COLUMNS["installments_payments"]),
        key=(),  # Kaggle's file has true duplicates (split payments): no key enforced
        required=frozenset(
            {"SK_ID_PREV", "SK_ID_CURR", "DAYS_INSTALMENT", "AMT_INSTALMENT", "AMT_PAYMENT"}
        ),
        parents=(("SK_ID_CURR", "application", "SK_ID_CURR"),),
        description="Repayment history of earlier Home Credit loans, one row per payment.",
    ),
    "credit_card_balance": TableSchema(
        name="credit_card_balance",
        columns=dict(COLUMNS["credit_card_balance"]),
        key=("SK_ID_PREV", "MONTHS_BALANCE"),
        required=frozenset({"SK_ID_PREV", "SK_ID_CURR", "MONTHS_BALANCE", "AMT_BALANCE"}),
        parents=(("SK_ID_CURR", "application", "SK_ID_CURR"),),
        description="Monthly snapshots of earlier Home Credit credit cards.",
    ),
}

TABLE_NAMES: tuple[str, ...] = tuple(SCHEMAS)
HISTORY_TABLES: tuple[str, ...] = tuple(n for n in TABLE_NAMES if not n.startswith("application"))
