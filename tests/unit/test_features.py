"""Feature definitions: known answers on hand-made tables, missing-not-zero, stable columns,
metadata, and the in-memory path agreeing with the batch path."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_scoring.data.loading import prepare
from credit_scoring.features.batch import (
    KEY_COLUMNS,
    build_feature_table,
    feature_metadata,
)
from credit_scoring.features.metadata import UNITS
from credit_scoring.features.online import build_features_for_frames

HISTORY_SOURCES = {
    "bureau",
    "previous_application",
    "POS_CASH_balance",
    "installments_payments",
    "credit_card_balance",
}


def tiny_tables() -> dict[str, pd.DataFrame]:
    """Client 1 has a history in every table; client 2 has none; client 3 is a test row."""
    application = pd.DataFrame(
        {
            "SK_ID_CURR": [1, 2, 3],
            "TARGET": [1, 0, None],
            "NAME_CONTRACT_TYPE": ["Cash loans", "Revolving loans", "Cash loans"],
            "CODE_GENDER": ["F", "M", "F"],
            "NAME_INCOME_TYPE": ["Pensioner", "Working", "Astronaut"],
            "AMT_INCOME_TOTAL": [100_000.0, 50_000.0, 80_000.0],
            "AMT_CREDIT": [200_000.0, 100_000.0, 0.0],
            "AMT_ANNUITY": [10_000.0, 5_000.0, 4_000.0],
            "AMT_GOODS_PRICE": [180_000.0, 100_000.0, None],
            "DAYS_BIRTH": [-20_000, -10_000, -12_000],
            "DAYS_EMPLOYED": [365243, -1_000, -2_000],
            "CNT_FAM_MEMBERS": [2.0, 1.0, 3.0],
            "EXT_SOURCE_1": [0.2, None, None],
            "EXT_SOURCE_2": [None, 0.5, None],
            "EXT_SOURCE_3": [0.6, 0.7, None],
            "FLAG_DOCUMENT_3": [1, 1, 0],
            "FLAG_DOCUMENT_6": [1, 0, 0],
        }
    )
    bureau = pd.DataFrame(
        {
            "SK_ID_CURR": [1, 1, 1],
            "SK_ID_BUREAU": [11, 12, 13],
            "CREDIT_ACTIVE": ["Active", "Closed", "Active"],
            "DAYS_CREDIT": [-1_000, -2_000, -100],
            "AMT_CREDIT_SUM": [100.0, 200.0, 300.0],
            "AMT_CREDIT_SUM_DEBT": [50.0, 0.0, 150.0],
        }
    )
    bureau_balance = pd.DataFrame(
        {
            "SK_ID_BUREAU": [11, 11, 11, 12, 12],
            "MONTHS_BALANCE": [0, -1, -2, 0, -1],
            "STATUS": ["C", "1", "0", "0", "X"],
        }
    )
    previous = pd.DataFrame(
        {
            "SK_ID_PREV": [101, 102, 103, 104],
            "SK_ID_CURR": [1, 1, 1, 1],
            "NAME_CONTRACT_STATUS": ["Approved", "Refused", "Approved", "Canceled"],
            "DAYS_DECISION": [-10, -100, -500, -800],
            "AMT_CREDIT": [1_000.0, 0.0, 2_000.0, 500.0],
            "AMT_APPLICATION": [1_100.0, 500.0, 2_000.0, 500.0],
            "DAYS_TERMINATION": [365243.0, -50.0, -20.0, None],
        }
    )
    pos = pd.DataFrame(
        {
            "SK_ID_PREV": [101, 101, 101],
            "SK_ID_CURR": [1, 1, 1],
            "MONTHS_BALANCE": [-15, -2, -1],
            "CNT_INSTALMENT": [10.0, 10.0, 10.0],
            "CNT_INSTALMENT_FUTURE": [9.0, 2.0, 1.0],
            "SK_DPD": [5, 0, 0],
            "NAME_CONTRACT_STATUS": ["Active", "Active", "Active"],
        }
    )
    installments = pd.DataFrame(
        {
            "SK_ID_PREV": [101, 101, 101],
            "SK_ID_CURR": [1, 1, 1],
            "DAYS_INSTALMENT": [-400.0, -100.0, -50.0],
            "DAYS_ENTRY_PAYMENT": [-390.0, -105.0, -50.0],
            "AMT_INSTALMENT": [100.0, 100.0, 100.0],
            "AMT_PAYMENT": [100.0, 50.0, 100.0],
        }
    )
    card = pd.DataFrame(
        {
            "SK_ID_PREV": [201, 201, 201],
            "SK_ID_CURR": [1, 1, 1],
            "MONTHS_BALANCE": [-1, -2, -20],
            "AMT_BALANCE": [500.0, 1_000.0, 0.0],
            "AMT_CREDIT_LIMIT_ACTUAL": [1_000.0, 1_000.0, 0.0],
            "SK_DPD": [0, 3, 0],
        }
    )
    return {
        "application": application,
        "bureau": bureau,
        "bureau_balance": bureau_balance,
        "previous_application": previous,
        "POS_CASH_balance": pos,
        "installments_payments": installments,
        "credit_card_balance": card,
    }


EXPECTED_CLIENT_1 = {
    # application
    "CREDIT_INCOME_RATIO": 2.0,
    "PAYMENT_RATE": 0.05,
    "ANNUITY_INCOME_PERC": 0.1,
    "GOODS_CREDIT_RATIO": 0.9,
    "DAYS_EMPLOYED": math.nan,
    "DAYS_EMPLOYED_PENSIONER": 1.0,
    "NAME_INCOME_TYPE_PENSIONER": 1.0,
    "NAME_INCOME_TYPE_WORKING": 0.0,
    "EXT_SOURCES_MEAN": 0.4,
    "EXT_SOURCES_MIN": 0.2,
    "EXT_SOURCES_MAX": 0.6,
    "EXT_SOURCES_PROD": math.nan,
    "EXT_SOURCES_COUNT": 2.0,
    "DOCUMENT_COUNT": 2.0,
    # bureau + bureau_balance
    "BURO_COUNT": 3.0,
    "ACTIVE_COUNT": 2.0,
    "CLOSED_COUNT": 1.0,
    "ACTIVE_AMT_CREDIT_SUM_SUM": 400.0,
    "BURO_AMT_CREDIT_SUM_VAR": 10_000.0,
    "BURO_CREDIT_ACTIVE_ACTIVE_SHARE": 2 / 3,
    "BURO_12M_COUNT": 1.0,
    "BURO_TOTAL_DEBT_CREDIT_RATIO": 200 / 600,
    "BURO_BB_WORST_STATUS_MAX": 1.0,
    "BURO_BB_LATE_SHARE_MEAN": (1 / 3 + 0.0) / 2,
    "BURO_BB_MONTHS_SUM": 5.0,
    # previous applications
    "PREV_COUNT": 4.0,
    "APPROVED_COUNT": 2.0,
    "REFUSED_COUNT": 1.0,
    "PREV_NAME_CONTRACT_STATUS_REFUSED_SHARE": 0.25,
    "PREV_12M_COUNT": 2.0,
    "PREV_LAST3_NAME_CONTRACT_STATUS_REFUSED_SHARE": 1 / 3,
    "APPROVED_AMT_CREDIT_MEAN": 1_500.0,
    "PREV_APP_CREDIT_PERC_MAX": 1.1,
    "PREV_DAYS_TERMINATION_MIN": -50.0,
    "PREV_DAYS_TERMINATION_MAX": -20.0,
    # POS
    "POS_SK_DPD_MAX": 5.0,
    "POS_LATE_SUM": 1.0,
    "POS_12M_LATE_SUM": 0.0,
    "POS_LAST_CNT_INSTALMENT_FUTURE_SUM": 1.0,
    "POS_LAST_REPAID_SHARE_MEAN": 0.9,
    # installments: delay, difference, ratio, recent window
    "INSTAL_DPD_MAX": 10.0,
    "INSTAL_DPD_MEAN": 10 / 3,
    "INSTAL_DBD_MAX": 5.0,
    "INSTAL_LATE_SUM": 1.0,
    "INSTAL_12M_LATE_SUM": 0.0,
    "INSTAL_PAYMENT_DIFF_SUM": 50.0,
    "INSTAL_PAYMENT_PERC_MIN": 0.5,
    "INSTAL_UNDERPAID_SUM": 1.0,
    "INSTAL_12M_UNDERPAID_SUM": 1.0,
    "INSTAL_12M_COUNT": 2.0,
    # credit card utilisation (a zero limit gives a missing ratio, not infinity)
    "CC_COUNT": 3.0,
    "CC_12M_COUNT": 2.0,
    "CC_UTILISATION_MEAN": 0.75,
    "CC_UTILISATION_MAX": 1.0,
    "CC_SK_DPD_MAX": 3.0,
    "CC_LATE_SUM": 1.0,
}


def same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def write_folder(tables: dict[str, pd.DataFrame], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        if name == "application":
            df[df.TARGET.notna()].to_parquet(folder / "application_train.parquet", index=False)
            df[df.TARGET.isna()].drop(columns="TARGET").to_parquet(
                folder / "application_test.parquet", index=False
            )
        else:
            df.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


@pytest.fixture(scope="module")
def tiny_batch(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    root = tmp_path_factory.mktemp("tiny")
    prepared = prepare(write_folder(tiny_tables(), root / "data"), root / "cache")
    prepared.raise_for_errors()
    return build_feature_table(prepared)


@pytest.fixture(scope="module")
def tiny_frames() -> pd.DataFrame:
    return build_features_for_frames(tiny_tables())


@pytest.mark.parametrize("path", ["tiny_batch", "tiny_frames"])
def test_known_answers(path: str, request: pytest.FixtureRequest) -> None:
    table = request.getfixturevalue(path)
    row = table.set_index("SK_ID_CURR").loc[1]
    wrong = {
        name: (row[name], want)
        for name, want in EXPECTED_CLIENT_1.items()
        if not same(float(row[name]), want)
    }
    assert not wrong


def test_layout_keys_and_types(tiny_batch: pd.DataFrame) -> None:
    assert list(tiny_batch.columns[:2]) == list(KEY_COLUMNS)
    assert list(tiny_batch.columns[2:]) == list(feature_metadata())
    assert tiny_batch.SK_ID_CURR.tolist() == [1, 2, 3]
    assert tiny_batch.SK_ID_CURR.dtype == np.int64
    assert (tiny_batch.dtypes.iloc[1:] == np.float64).all()
    assert tiny_batch.TARGET.tolist()[:2] == [1.0, 0.0] and math.isnan(tiny_batch.TARGET.iloc[2])


def test_client_without_history_gets_missing_not_zero(tiny_batch: pd.DataFrame) -> None:
    metas = feature_metadata()
    history = [n for n, m in metas.items() if m.source in HISTORY_SOURCES]
    client_2 = tiny_batch.set_index("SK_ID_CURR").loc[2, history]
    assert client_2.isna().all()
    assert math.isnan(client_2["BURO_COUNT"]) and math.isnan(client_2["PREV_COUNT"])
    # client 1 has bureau credits but none refused in previous: a true zero count
    assert tiny_batch.set_index("SK_ID_CURR").loc[1, "CLOSED_COUNT"] == 1.0


def test_no_description_says_a_word_twice_in_a_row() -> None:
    """'Highest highest overdue amount' read on the waterfall: an aggregate's word and the
    column's own word must not repeat."""
    doubled = [
        text
        for meta in feature_metadata().values()
        for text in (meta.description_en, meta.description_fr)
        if re.search(r"\b(\w+)\s+\1\b", text, re.IGNORECASE)
    ]
    assert not doubled, doubled


def test_unknown_category_and_zero_credit(tiny_batch: pd.DataFrame) -> None:
    row = tiny_batch.set_index("SK_ID_CURR").loc[3]
    income_types = [c for c in tiny_batch.columns if c.startswith("NAME_INCOME_TYPE_")]
    assert len(income_types) == 8 and (row[income_types] == 0.0).all()
    assert math.isnan(row["PAYMENT_RATE"]) and math.isnan(row["INCOME_CREDIT_PERC"])
    assert row["CREDIT_INCOME_RATIO"] == 0.0
    assert row["DAYS_EMPLOYED"] == -2_000.0 and row["DAYS_EMPLOYED_PENSIONER"] == 0.0


def test_absent_history_tables_give_same_columns_all_missing() -> None:
    tables = tiny_tables()
    only_app = build_features_for_frames({"application": tables["application"]})
    full = build_features_for_frames(tables)
    assert list(only_app.columns) == list(full.columns)
    history = [n for n, m in feature_metadata().items() if m.source in HISTORY_SOURCES]
    assert only_app[history].isna().all().all()
    app_cols = [n for n, m in feature_metadata().items() if m.source == "application"]
    pd.testing.assert_frame_equal(only_app[app_cols], full[app_cols])


def test_bureau_without_balance_keeps_balance_columns_missing() -> None:
    tables = tiny_tables()
    del tables["bureau_balance"]
    row = build_features_for_frames(tables).set_index("SK_ID_CURR").loc[1]
    assert row["BURO_COUNT"] == 3.0
    assert math.isnan(row["BURO_BB_WORST_STATUS_MAX"]) and math.isnan(row["BURO_BB_MONTHS_SUM"])


def test_encoding_does_not_depend_on_the_data() -> None:
    tables = tiny_tables()
    app = tables["application"]
    one = build_features_for_frames({"application": app.iloc[[0]]})
    other = build_features_for_frames(
        {"application": app.iloc[[1]].assign(NAME_INCOME_TYPE="Student", CODE_GENDER="XNA")}
    )
    assert list(one.columns) == list(other.columns)
    assert other.loc[0, "NAME_INCOME_TYPE_STUDENT"] == 1.0
    # sex, family status and their proxies are never features, whatever their values
    assert not [
        c
        for c in other.columns
        if c.startswith(("CODE_GENDER", "NAME_FAMILY_STATUS", "NAME_TYPE_SUITE"))
        or c in ("CNT_FAM_MEMBERS", "INCOME_PER_PERSON", "CHILDREN_RATIO", "EXT_SOURCES_STD")
    ]


def test_frames_match_batch_for_every_client(
    tiny_batch: pd.DataFrame, tiny_frames: pd.DataFrame
) -> None:
    assert list(tiny_batch.columns) == list(tiny_frames.columns)
    a, b = tiny_batch.to_numpy(float), tiny_frames.to_numpy(float)
    assert np.allclose(a, b, rtol=1e-12, atol=0, equal_nan=True)


def test_frames_accept_loose_input_types() -> None:
    app = tiny_tables()["application"].iloc[[1]].copy()
    app["AMT_CREDIT"] = app["AMT_CREDIT"].astype(str)  # numbers sent as text by a client
    app = app.drop(columns=["EXT_SOURCE_1"])
    row = build_features_for_frames({"application": app}).iloc[0]
    assert row["AMT_CREDIT"] == 100_000.0 and math.isnan(row["EXT_SOURCE_1"])
    with pytest.raises(ValueError, match="application"):
        build_features_for_frames({"bureau": tiny_tables()["bureau"]})
    with pytest.raises(ValueError, match="unknown tables"):
        build_features_for_frames({"application": app, "bureau_typo": app})


def test_metadata_complete_in_both_languages() -> None:
    metas = feature_metadata()
    assert len(metas) >= 500
    sources = {"application", "bureau", *HISTORY_SOURCES}
    for name, meta in metas.items():
        assert meta.name == name
        assert meta.source in sources, name
        assert meta.unit in UNITS, name
        assert meta.group, name
        assert meta.description_en and meta.description_fr, name
        assert meta.description_en[0].isupper() and meta.description_fr[0].isupper(), name
    english = {m.description_en for m in metas.values()}
    french = {m.description_fr for m in metas.values()}
    assert len(english) == len(metas) and len(french) == len(metas)  # every phrase says one thing
    late = metas["INSTAL_12M_LATE_SUM"]
    assert "12 months" in late.description_en and "12 derniers mois" in late.description_fr
    assert late.unit == "count" and late.group == "installments_payments.DAYS_ENTRY_PAYMENT"


def test_cli_build_writes_parquet_and_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from credit_scoring.cli import app
    from credit_scoring.config import get_settings
    from credit_scoring.features.metadata import load_metadata

    # the application alone keeps this test fast; history tables are covered above
    data = write_folder({"application": tiny_tables()["application"]}, tmp_path / "data")
    monkeypatch.setenv("CREDIT_SCORING_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    try:
        out = tmp_path / "out" / "features.parquet"
        result = CliRunner().invoke(
            app, ["features", "build", "--data", str(data), "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert "3 rows" in result.output and f"{len(feature_metadata())} features" in result.output
        table = pd.read_parquet(out)
        assert table.SK_ID_CURR.tolist() == [1, 2, 3]
        assert list(load_metadata(out.with_name("features.meta.json"))) == list(table.columns[2:])

        bad = CliRunner().invoke(app, ["features", "build", "--data", str(tmp_path / "nowhere")])
        assert bad.exit_code == 2 and "is not a folder" in " ".join(bad.output.split())
        engine = CliRunner().invoke(
            app, ["features", "build", "--data", str(data), "--engine", "polars"]
        )
        assert engine.exit_code == 2 and "unknown engine" in " ".join(engine.output.split())
    finally:
        get_settings.cache_clear()


def test_the_feature_set_version_changes_with_a_columns_meaning() -> None:
    from dataclasses import replace

    from credit_scoring.features.batch import feature_metadata
    from credit_scoring.features.metadata import feature_set_version

    metas = feature_metadata()
    columns = list(metas)[:50]
    version = feature_set_version(columns, metas)
    assert version == feature_set_version(list(columns), dict(metas))  # stable
    changed = {**metas, columns[3]: replace(metas[columns[3]], unit="share")}
    if metas[columns[3]].unit != "share":
        assert feature_set_version(columns, changed) != version
    assert feature_set_version(columns[::-1], metas) != version  # order counts
