"""`data check` on hand-made folders: each kind of bad input gives an error naming file and column."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from credit_scoring.cli import app
from credit_scoring.data.loading import DataError, locate_tables, prepare
from credit_scoring.data.schemas import SCHEMAS
from credit_scoring.data.synth import generate
from credit_scoring.db.load import client_row, client_rows

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "home-credit-sample"


def _application(n: int = 4, *, target: bool = True) -> pd.DataFrame:
    rows = {
        "SK_ID_CURR": [100002 + i for i in range(n)],
        "NAME_CONTRACT_TYPE": ["Cash loans"] * n,
        "CODE_GENDER": ["F", "M"] * (n // 2) + ["F"] * (n % 2),
        "AMT_INCOME_TOTAL": [120000.0 + i for i in range(n)],
        "AMT_CREDIT": [400000.0] * n,
        "AMT_ANNUITY": [20000.0] * n,
        "DAYS_BIRTH": [-12000 - i for i in range(n)],
        "DAYS_EMPLOYED": [-1000, 365243, -20, -3000][:n] + [-5] * max(0, n - 4),
    }
    frame = pd.DataFrame(rows)
    if target:
        frame.insert(1, "TARGET", [0, 1, 0, 0][:n] + [0] * max(0, n - 4))
    return frame


def _bureau(ids: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "SK_ID_CURR": ids,
            "SK_ID_BUREAU": [5000000 + i for i in range(len(ids))],
            "CREDIT_ACTIVE": ["Active"] * len(ids),
            "DAYS_CREDIT": [-100] * len(ids),
        }
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    _application().to_csv(data / "application_train.csv", index=False)
    _bureau([100002, 100003]).to_csv(data / "bureau.csv", index=False)
    return data


def test_valid_folder_passes_and_summarises(folder: Path, tmp_path: Path) -> None:
    prepared = prepare(folder, tmp_path / "cache")
    assert prepared.errors == []
    summary = {s.name: s for s in prepared.summaries}
    assert summary["application_train"].rows == 4
    assert summary["application_train"].target_rate == pytest.approx(0.25)
    assert summary["bureau"].clients == 2
    # Columns of the schema absent from the file are not invented; present ones are typed.
    frame = prepared.read("application_train")
    assert frame["AMT_CREDIT"].dtype == "float64"
    assert frame["DAYS_BIRTH"].dtype == "int64"


def test_parquet_is_cached_once(folder: Path, tmp_path: Path) -> None:
    first = prepare(folder, tmp_path / "cache").parquet["application_train"]
    mtime = first.stat().st_mtime_ns
    second = prepare(folder, tmp_path / "cache").parquet["application_train"]
    assert first == second and second.stat().st_mtime_ns == mtime


def test_changed_file_is_converted_again(folder: Path, tmp_path: Path) -> None:
    first = prepare(folder, tmp_path / "cache").parquet["application_train"]
    _application(6).to_csv(folder / "application_train.csv", index=False)
    second = prepare(folder, tmp_path / "cache")
    assert second.parquet["application_train"] != first
    assert second.summaries[0].rows == 6


def test_gzip_and_parquet_inputs(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _application().to_csv(data / "application_train.csv.gz", index=False, compression="gzip")
    _application(target=False).to_parquet(data / "application_test.parquet")
    prepared = prepare(data, tmp_path / "cache")
    assert set(prepared.parquet) == {"application_train", "application_test"}


def test_missing_required_column_names_file_and_column(folder: Path, tmp_path: Path) -> None:
    _application().drop(columns=["AMT_CREDIT"]).to_csv(
        folder / "application_train.csv", index=False
    )
    with pytest.raises(DataError) as err:
        prepare(folder, tmp_path / "cache")
    assert err.value.column == "AMT_CREDIT"
    assert "application_train.csv" in err.value.file
    assert "missing required column" in str(err.value)


def test_wrong_type_names_column_and_value(folder: Path, tmp_path: Path) -> None:
    frame = _application().astype({"AMT_CREDIT": object})
    frame.loc[2, "AMT_CREDIT"] = "abc"
    frame.to_csv(folder / "application_train.csv", index=False)
    with pytest.raises(DataError) as err:
        prepare(folder, tmp_path / "cache")
    assert err.value.column == "AMT_CREDIT"
    assert "'abc'" in str(err.value) and "not a number" in str(err.value)


def test_wrong_type_in_parquet(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _application().astype({"DAYS_BIRTH": str}).to_parquet(data / "application_train.parquet")
    with pytest.raises(DataError) as err:
        prepare(data, tmp_path / "cache")
    assert err.value.column == "DAYS_BIRTH"


def test_duplicate_keys_are_reported(folder: Path, tmp_path: Path) -> None:
    frame = _application()
    frame.loc[3, "SK_ID_CURR"] = frame.loc[0, "SK_ID_CURR"]
    frame.to_csv(folder / "application_train.csv", index=False)
    prepared = prepare(folder, tmp_path / "cache")
    [error] = prepared.errors
    assert (
        error.column == "SK_ID_CURR" and "duplicate" in error.message and "100002" in error.message
    )


def test_orphan_rows_are_errors_unless_dropped(folder: Path, tmp_path: Path) -> None:
    _bureau([100002, 999999]).to_csv(folder / "bureau.csv", index=False)
    prepared = prepare(folder, tmp_path / "cache")
    [error] = prepared.errors
    assert error.table == "bureau" and error.column == "SK_ID_CURR" and "999999" in error.message
    dropped = prepare(folder, tmp_path / "cache", drop_orphans=True)
    assert dropped.errors == [] and len(dropped.warnings) == 1
    assert dropped.read("bureau")["SK_ID_CURR"].tolist() == [100002]
    # The shared cache still holds the file as read.
    assert len(prepare(folder, tmp_path / "cache").errors) == 1


def test_truncated_gzip_is_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    raw = _application(400).to_csv(index=False).encode()
    blob = gzip.compress(raw)
    (data / "application_train.csv.gz").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(DataError) as err:
        prepare(data, tmp_path / "cache")
    assert "application_train.csv.gz" in err.value.file
    assert "truncated" in str(err.value) or "cannot be read" in str(err.value)


def test_unreadable_parquet_is_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "application_train.parquet").write_bytes(b"not a parquet file")
    with pytest.raises(DataError) as err:
        prepare(data, tmp_path / "cache")
    assert "application_train.parquet" in err.value.file


def test_folder_without_application_table(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="neither application_train nor application_test"):
        locate_tables(tmp_path / "empty")


def test_cli_exit_codes(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from credit_scoring.config import get_settings

    monkeypatch.setenv("CREDIT_SCORING_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    runner = CliRunner()
    ok = runner.invoke(app, ["data", "check", str(folder)])
    assert ok.exit_code == 0, ok.output
    assert "application_train" in ok.output and "All checks passed" in ok.output
    _application().drop(columns=["DAYS_BIRTH"]).to_csv(
        folder / "application_train.csv", index=False
    )
    bad = runner.invoke(app, ["data", "check", str(folder)])
    assert bad.exit_code == 2
    assert "DAYS_BIRTH" in bad.output
    get_settings.cache_clear()


@pytest.mark.skipif(
    not SAMPLE.is_dir(), reason="real Home Credit sample not present beside the repository"
)
def test_real_sample_passes(tmp_path: Path) -> None:
    prepared = prepare(SAMPLE, tmp_path / "cache")
    assert prepared.errors == []
    names = {s.name: s for s in prepared.summaries}
    assert names["application_train"].rows == 39692
    assert names["application_train"].target_rate == pytest.approx(0.08, abs=0.001)
    assert "installments_payments" not in prepared.parquet
    assert set(SCHEMAS) - set(prepared.parquet) == {"installments_payments"}


def test_one_applicants_client_row_matches_the_bulk_load(tmp_path: Path) -> None:
    """``client_row`` (one new applicant) and ``client_rows`` (db load) agree on every column."""
    generate(tmp_path, clients=30, seed=5, fmt="csv")
    apps = pd.read_csv(tmp_path / "application_train.csv")
    bulk = client_rows(apps.assign(_is_train=True))
    for i in range(len(apps)):
        raw = json.loads(apps.iloc[[i]].to_json(orient="records"))[0]
        one = client_row(raw, is_train=True)
        expected = bulk.iloc[i].to_dict()
        for name, value in one.items():
            if name == "application_json":
                assert json.loads(value) == json.loads(expected[name])
            elif value is None:
                assert pd.isna(expected[name]), name
            else:
                assert value == expected[name], name
