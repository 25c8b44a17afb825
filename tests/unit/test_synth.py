"""The synthetic generator: valid Kaggle layout, realistic patterns, reproducible, with signal."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from credit_scoring.cli import app
from credit_scoring.data.loading import DataError, prepare
from credit_scoring.data.schemas import SCHEMAS, TABLE_NAMES
from credit_scoring.data.synth import generate
from credit_scoring.data.synth.application import FIRST_ID, application_test_mask

CLIENTS = 4000
_ARROW = {"int": pa.int64(), "float": pa.float64(), "str": pa.string()}


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4,000 clients in parquet, generated in chunks of 1,500 so ids must stay unique across chunks."""
    out = tmp_path_factory.mktemp("synth") / "data"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("credit_scoring.data.synth.generator.CHUNK_CLIENTS", 1500)
        generate(out, clients=CLIENTS, seed=7, fmt="parquet")
    return out


@pytest.fixture(scope="session")
def tables(synth_dir: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(synth_dir / f"{name}.parquet") for name in TABLE_NAMES}


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_output_passes_the_loader_checks(synth_dir: Path, tmp_path: Path) -> None:
    prepared = prepare(synth_dir, tmp_path / "cache")
    assert prepared.errors == []
    assert set(prepared.parquet) == set(TABLE_NAMES)
    rates = {s.name: s.target_rate for s in prepared.summaries}
    assert rates["application_train"] is not None


def test_every_schema_column_in_order_with_its_type(synth_dir: Path) -> None:
    for name, schema in SCHEMAS.items():
        arrow = pq.read_schema(synth_dir / f"{name}.parquet")
        assert arrow.names == list(schema.columns), name
        for column, logical in schema.columns.items():
            assert arrow.field(column).type == _ARROW[logical], (name, column)


def test_keys_unique_and_foreign_keys_consistent(tables: dict[str, pd.DataFrame]) -> None:
    for name, schema in SCHEMAS.items():
        if schema.key:
            assert not tables[name].duplicated(list(schema.key)).any(), name
    train, test = tables["application_train"], tables["application_test"]
    assert train.SK_ID_CURR.min() >= FIRST_ID and test.SK_ID_CURR.min() >= FIRST_ID
    assert not set(train.SK_ID_CURR) & set(test.SK_ID_CURR)
    assert len(train) + len(test) == CLIENTS
    assert len(test) == round(CLIENTS * 48744 / 356255)
    clients = set(train.SK_ID_CURR) | set(test.SK_ID_CURR)
    assert set(tables["bureau"].SK_ID_CURR) <= clients
    assert set(tables["bureau_balance"].SK_ID_BUREAU) <= set(tables["bureau"].SK_ID_BUREAU)
    owner = tables["previous_application"].set_index("SK_ID_PREV").SK_ID_CURR
    assert set(owner) <= clients
    for name in ("POS_CASH_balance", "installments_payments", "credit_card_balance"):
        rows = tables[name]
        assert len(rows) > 0, name
        # each row belongs to a previous application of the same client
        assert rows.SK_ID_PREV.isin(owner.index).all(), name
        assert (owner.loc[rows.SK_ID_PREV].to_numpy() == rows.SK_ID_CURR.to_numpy()).all(), name


def test_codes_and_volumes_look_like_kaggle(tables: dict[str, pd.DataFrame]) -> None:
    n = CLIENTS
    assert set(tables["bureau_balance"].STATUS) <= set("CX012345")
    assert {"C", "X", "0", "1"} <= set(tables["bureau_balance"].STATUS)
    assert set(tables["previous_application"].NAME_CONTRACT_STATUS) == {
        "Approved",
        "Refused",
        "Canceled",
        "Unused offer",
    }
    bureau = tables["bureau"]
    assert 0.80 < bureau.SK_ID_CURR.nunique() / n < 0.92
    assert 4.5 < len(bureau) / bureau.SK_ID_CURR.nunique() < 6.8
    assert 10 < len(tables["bureau_balance"]) / len(bureau) < 22
    prev = tables["previous_application"]
    assert 0.9 < prev.SK_ID_CURR.nunique() / n < 0.99
    assert 20 < len(tables["POS_CASH_balance"]) / n < 40
    assert 28 < len(tables["installments_payments"]) / n < 50
    assert 0.12 < tables["credit_card_balance"].SK_ID_CURR.nunique() / n < 0.3
    assert (tables["bureau_balance"].MONTHS_BALANCE <= 0).all()
    assert (tables["POS_CASH_balance"].MONTHS_BALANCE < 0).all()


def test_application_marginals_and_missing_patterns(tables: dict[str, pd.DataFrame]) -> None:
    apps = pd.concat([tables["application_train"], tables["application_test"]])
    assert 0.06 <= tables["application_train"].TARGET.mean() <= 0.10
    anomaly = apps.DAYS_EMPLOYED == 365243
    assert 0.14 < anomaly.mean() < 0.22
    assert (apps.loc[anomaly, "NAME_INCOME_TYPE"].isin(["Pensioner", "Unemployed"])).all()
    assert (apps.loc[~anomaly, "DAYS_EMPLOYED"] < 0).all()
    assert (apps.DAYS_BIRTH < -18 * 365).all()
    assert 0.50 < apps.EXT_SOURCE_1.isna().mean() < 0.62
    assert 0.15 < apps.EXT_SOURCE_3.isna().mean() < 0.25
    assert (apps.OWN_CAR_AGE.isna() == (apps.FLAG_OWN_CAR == "N")).all()
    building = apps[[c for c in apps.columns if c.endswith(("_AVG", "_MODE", "_MEDI"))]].isna()
    assert building.mean().min() > 0.45 and building.mean().max() < 0.75
    # missing together: when the most often present column is missing, all of them are
    commonest = building.mean().idxmin()
    assert building[building[commonest]].all(axis=None)
    assert set(apps.CODE_GENDER) <= {"F", "M", "XNA"}
    assert 0.55 < (apps.CODE_GENDER == "F").mean() < 0.75
    assert (apps.AMT_ANNUITY < apps.AMT_CREDIT).all()
    assert np.log(apps.AMT_INCOME_TOTAL).between(10, 14).mean() > 0.99


def test_risk_moves_features_the_plausible_way(tables: dict[str, pd.DataFrame]) -> None:
    train = tables["application_train"].set_index("SK_ID_CURR")
    bad = train.TARGET == 1
    assert train.EXT_SOURCE_2[bad].mean() < train.EXT_SOURCE_2[~bad].mean() - 0.05
    assert train.DAYS_BIRTH[bad].mean() > train.DAYS_BIRTH[~bad].mean()  # defaulters younger
    prev = tables["previous_application"]
    refused = prev.assign(r=prev.NAME_CONTRACT_STATUS == "Refused").groupby("SK_ID_CURR").r.mean()
    shares = refused.reindex(train.index).groupby(train.TARGET).mean()
    assert shares[1] > shares[0]


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    for fmt in ("csv.gz", "parquet"):
        a, b, c = (tmp_path / fmt / x for x in "abc")
        generate(a, clients=300, seed=1, fmt=fmt)
        generate(b, clients=300, seed=1, fmt=fmt)
        generate(c, clients=300, seed=2, fmt=fmt)
        assert _digest(a) == _digest(b)
        assert len(_digest(a)) == len(TABLE_NAMES)
        different = {k for k, v in _digest(a).items() if _digest(c)[k] != v}
        assert different == set(_digest(a)), fmt


def test_test_clients_spread_evenly_and_exactly() -> None:
    share = 0.137
    whole = application_test_mask(0, 10_000, share)
    assert whole.sum() == round(10_000 * share)
    pieces = np.concatenate(
        [application_test_mask(first, 2500, share) for first in range(0, 10_000, 2500)]
    )
    assert (pieces == whole).all()


def test_refuses_bad_arguments_and_conflicting_files(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="unknown format"):
        generate(tmp_path / "x", clients=10, seed=0, fmt="xlsx")
    with pytest.raises(DataError, match="test share"):
        generate(tmp_path / "x", clients=10, seed=0, test_share=1.5)
    (tmp_path / "y").mkdir()
    (tmp_path / "y" / "bureau.parquet").write_bytes(b"old")
    with pytest.raises(DataError, match="shadow"):
        generate(tmp_path / "y", clients=10, seed=0, fmt="csv")
    assert (tmp_path / "y" / "bureau.parquet").read_bytes() == b"old"


def test_failure_midway_leaves_no_partial_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise MemoryError("simulated failure while generating POS rows")

    monkeypatch.setattr("credit_scoring.data.synth.generator.generate_pos", broken)
    out = tmp_path / "out"
    with pytest.raises(MemoryError):
        generate(out, clients=50, seed=0, fmt="parquet")
    assert list(out.iterdir()) == []


def test_cli_synth_then_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDIT_SCORING_HOME", str(tmp_path / "home"))
    from credit_scoring.config import get_settings

    get_settings.cache_clear()
    out = tmp_path / "csv"
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["data", "synth", "--out", str(out), "--clients", "500", "--seed", "3", "--format", "csv"],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.csv" for n in TABLE_NAMES)
    checked = runner.invoke(app, ["data", "check", str(out)])
    assert checked.exit_code == 0, checked.output
    assert "All checks passed" in checked.output
    bad = runner.invoke(app, ["data", "synth", "--out", str(out), "--format", "xlsx"])
    assert bad.exit_code == 2
    get_settings.cache_clear()


@pytest.mark.slow
def test_gradient_boosting_finds_a_realistic_signal(tables: dict[str, pd.DataFrame]) -> None:
    lightgbm = pytest.importorskip("lightgbm")
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    train = tables["application_train"].set_index("SK_ID_CURR")
    x = train.select_dtypes("number").drop(columns=["TARGET"])
    x["CREDIT_INCOME"] = x.AMT_CREDIT / x.AMT_INCOME_TOTAL
    bureau, prev = tables["bureau"], tables["previous_application"]
    inst, cards = tables["installments_payments"], tables["credit_card_balance"]
    x["BUREAU_OVERDUE"] = bureau.groupby("SK_ID_CURR").AMT_CREDIT_MAX_OVERDUE.sum()
    x["PREV_REFUSED"] = (
        prev.assign(r=prev.NAME_CONTRACT_STATUS == "Refused").groupby("SK_ID_CURR").r.sum()
    )
    x["INST_DELAY"] = (
        inst.assign(d=inst.DAYS_ENTRY_PAYMENT - inst.DAYS_INSTALMENT).groupby("SK_ID_CURR").d.mean()
    )
    x["INST_SHORT"] = (
        inst.assign(s=inst.AMT_PAYMENT < inst.AMT_INSTALMENT).groupby("SK_ID_CURR").s.mean()
    )
    x["CARD_USE"] = (
        cards.assign(u=cards.AMT_BALANCE / cards.AMT_CREDIT_LIMIT_ACTUAL)
        .groupby("SK_ID_CURR")
        .u.mean()
    )
    model = lightgbm.LGBMClassifier(
        n_estimators=120,
        learning_rate=0.06,
        num_leaves=15,
        min_child_samples=40,
        num_threads=1,
        verbose=-1,
    )
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    auc = cross_val_score(model, x, train.TARGET, scoring="roc_auc", cv=cv).mean()
    assert 0.70 <= auc <= 0.85
