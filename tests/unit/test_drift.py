"""Drift reports: evidently's verdicts per column, importance weighting, files, the real sample."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_scoring.config import Settings
from credit_scoring.data.loading import DataError
from credit_scoring.monitoring.drift import build_drift_report, latest_report, load_source
from credit_scoring.monitoring.drift_report import ColumnDrift, run_drift, summarise

REAL = Path(
    os.environ.get(
        "CREDIT_SCORING_REAL_DATA",
        Path(__file__).resolve().parents[3] / "shared/data/home-credit-sample",
    )
)


def _applications(n: int, seed: int, *, shift: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    credit = rng.lognormal(13, 0.4, n) * (1.8 if shift else 1.0)
    return pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(n) + (100_000 if shift else 0),
            "NAME_CONTRACT_TYPE": rng.choice(
                ["Cash loans", "Revolving loans"], n, p=[0.3, 0.7] if shift else [0.9, 0.1]
            ),
            "CODE_GENDER": rng.choice(["F", "M"], n, p=[0.65, 0.35]),
            "AMT_INCOME_TOTAL": rng.lognormal(12, 0.5, n),
            "AMT_CREDIT": credit,
            "AMT_ANNUITY": credit / rng.uniform(10, 30, n),
            "DAYS_BIRTH": -rng.integers(20 * 365, 65 * 365, n),
            "DAYS_EMPLOYED": -rng.integers(0, 20 * 365, n),
        }
    )


@pytest.fixture(scope="module")
def kaggle_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kaggle")
    train = _applications(800, 1, shift=False)
    train.insert(1, "TARGET", np.random.default_rng(3).integers(0, 2, len(train)))
    train.to_csv(folder / "application_train.csv", index=False)
    _applications(600, 2, shift=True).to_csv(folder / "application_test.csv", index=False)
    return folder


def test_evidently_flags_the_columns_that_moved_and_only_those() -> None:
    reference = _applications(800, 1, shift=False).drop(columns="SK_ID_CURR")
    current = _applications(600, 2, shift=True).drop(columns="SK_ID_CURR")
    _, columns = run_drift(reference, current)
    verdicts = {c.column: c.drifted for c in columns}
    assert verdicts["AMT_CREDIT"] and verdicts["NAME_CONTRACT_TYPE"] and verdicts["AMT_ANNUITY"]
    assert (
        not verdicts["CODE_GENDER"]
        and not verdicts["AMT_INCOME_TOTAL"]
        and not verdicts["DAYS_BIRTH"]
    )
    credit = next(c for c in columns if c.column == "AMT_CREDIT")
    stable = next(c for c in columns if c.column == "DAYS_BIRTH")
    assert credit.method == stable.method  # K-S p-value on samples this small
    assert credit.severity > 1 > stable.severity


def test_a_column_empty_on_one_side_is_left_out_instead_of_failing() -> None:
    reference = _applications(300, 1, shift=False).assign(EMPTY=np.nan)
    current = _applications(300, 2, shift=False).assign(EMPTY=1.0)
    _, columns = run_drift(reference, current)
    assert "EMPTY" not in {c.column for c in columns}


def _col(name: str, drifted: bool, importance: float | None, kind: str = "feature") -> ColumnDrift:
    return ColumnDrift(
        name,
        kind,
        "Wasserstein distance (normed)",
        0.3 if drifted else 0.01,
        0.1,
        drifted,
        importance,
    )


def test_weighted_drift_says_whether_the_drift_matters_for_the_model() -> None:
    minor = summarise(
        [_col("a", True, 0.05), _col("b", False, 0.7), _col("c", False, 0.25)],
        weighted=True,
        action_share=0.3,
    )
    assert minor["weighted_drift_share"] == pytest.approx(0.05)
    assert minor["verdict"] == "watch" and "5%" in minor["message"]
    major = summarise(
        [_col("a", True, 0.5), _col("b", True, 0.2), _col("c", False, 0.2)],
        weighted=True,
        action_share=0.3,
    )
    assert major["weighted_drift_share"] == pytest.approx(0.7 / 0.9)
    assert major["importance_covered"] == pytest.approx(0.9)
    assert major["verdict"] == "action" and [c["column"] for c in major["top_drifted"]] == [
        "a",
        "b",
    ]
    calm = summarise(
        [_col("a", False, 0.5), _col("r", True, None, kind="raw")], weighted=True, action_share=0.3
    )
    assert calm["verdict"] == "ok" and calm["by_kind"]["raw"]["drifted"] == 1


def test_without_a_champion_the_summary_says_drift_is_not_weighted() -> None:
    summary = summarise(
        [_col("x", True, None, "raw"), _col("y", False, None, "raw")],
        weighted=False,
        action_share=0.3,
    )
    assert summary["weighted_drift_share"] is None
    assert "not weighted" in summary["message"] and "50%" in summary["message"]


def test_report_files_and_latest_report(kaggle_folder: Path, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    assert latest_report(settings) is None
    first = build_drift_report(kaggle_folder, kaggle_folder, settings=settings)
    time.sleep(0.05)
    second = build_drift_report(kaggle_folder, kaggle_folder, settings=settings, sample=500)
    html_path, summary = latest_report(settings)  # type: ignore[misc]
    assert html_path.name == second["html"] != first["html"]
    assert (html_path.parent / first["html"]).is_file()  # older reports are kept
    assert summary["rows"] == {"reference": 800, "current": 600, "sampled_to": 500}
    assert summary["reference"].endswith("application_train")
    assert summary["current"].endswith("application_test")
    assert "AMT_CREDIT" in summary["by_kind"]["raw"]["drifted_columns"]
    assert summary["model"] is None and summary["weighted_drift_share"] is None
    page = html_path.read_text(encoding="utf-8")
    assert 'id="drift-summary"' in page and "AMT_CREDIT" in page
    assert json.loads(html_path.with_suffix(".json").read_text())["verdict"] == summary["verdict"]


def test_sources_can_be_files_and_unknown_sources_say_what_to_give(
    kaggle_folder: Path, tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path / "home")
    frame = _applications(50, 5, shift=False)
    frame.to_parquet(tmp_path / "new_clients.parquet")
    source = load_source(tmp_path / "new_clients.parquet", role="current", settings=settings)
    assert len(source.frame) == 50 and source.prepared() is None
    with pytest.raises(DataError, match="does not exist"):
        load_source(tmp_path / "nowhere", role="current", settings=settings)


@pytest.mark.slow  # ~20 s alone on 2 idle cores: evidently tests all 120 raw columns
def test_drift_report_on_the_real_sample_is_small_enough_to_open(tmp_path: Path) -> None:
    if not (REAL / "application_train.csv.gz").is_file():
        pytest.skip(f"real Home Credit sample absent at {REAL} (CI has it)")
    settings = Settings(home=tmp_path / "home")
    out = tmp_path / "report.html"
    summary = build_drift_report(REAL, REAL, settings=settings, out=out, sample=1500)
    assert out.stat().st_size < 20_000_000
    raw = summary["by_kind"]["raw"]
    assert raw["columns"] > 100 and 0 < raw["drifted"] < raw["columns"]
    # New clients ask for larger credits than the training clients of this sample.
    assert "AMT_CREDIT" in raw["drifted_columns"]


def test_api_serves_the_latest_report_to_analysts_only(kaggle_folder: Path, tmp_path: Path) -> None:
    import warnings

    with warnings.catch_warnings():  # starlette prefers httpx2, which is not in the lock file
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from credit_scoring.api.app import create_app
    from credit_scoring.db import migrate
    from credit_scoring.db.session import get_engine, session_scope
    from credit_scoring.lending.security import add_user, create_token

    settings = Settings(
        home=tmp_path,
        environment="test",
        secret_key="s" * 48,
        database_url=f"sqlite:///{tmp_path / 'api.db'}",
    )
    migrate.upgrade(get_engine(settings.resolved_database_url))
    users = {}
    with session_scope(settings) as session:
        for role in ("advisor", "analyst", "admin"):
            user = add_user(session, role, "a-long-enough-password", role)
            users[role] = create_token(settings, user)

    def no_model(_settings: Settings) -> object:
        raise RuntimeError("no champion in this test")

    def auth(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {users[role]}"}

    with TestClient(create_app(settings, load_scorer=no_model)) as client:  # type: ignore[arg-type]
        missing = client.get("/drift/latest", headers=auth("analyst"))
        assert missing.status_code == 404 and missing.json()["code"] == "no_drift_report"
        summary = build_drift_report(kaggle_folder, kaggle_folder, settings=settings, sample=300)
        assert client.get("/drift/latest").status_code == 401
        assert client.get("/drift/latest", headers=auth("advisor")).status_code == 403
        body = client.get("/drift/latest", headers=auth("analyst")).json()
        assert body["html"] == summary["html"] and body["verdict"] == summary["verdict"]
        assert {c["column"] for c in body["columns"]} >= {"AMT_CREDIT", "CODE_GENDER"}
        page = client.get("/drift/latest.html", headers=auth("admin"))
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert 'id="drift-summary"' in page.text


def test_with_a_champion_the_top_features_are_compared_and_drift_is_weighted(
    kaggle_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lightgbm as lgb

    from credit_scoring.data.loading import prepare
    from credit_scoring.explain.reasons import population_quantiles
    from credit_scoring.features.batch import KEY_COLUMNS, build_feature_table, feature_metadata
    from credit_scoring.modeling.calibration import Calibrator
    from credit_scoring.modeling.scorer import ChampionScorer
    from credit_scoring.monitoring import drift

    settings = Settings(home=tmp_path / "home")
    table = build_feature_table(prepare(kaggle_folder, settings.cache_dir))
    train = table[table["TARGET"].notna()]
    X, y = train.drop(columns=list(KEY_COLUMNS)), train["TARGET"].to_numpy(dtype=int)
    # A model that leans on the credit amount: the drifted column that matters.
    y = (X["AMT_CREDIT"].rank(pct=True).to_numpy() > 0.7).astype(int)
    booster = lgb.train(
        {
            "objective": "binary",
            "num_leaves": 4,
            "verbosity": -1,
            "num_threads": 1,
            "min_data_in_leaf": 20,
        },
        lgb.Dataset(X, y),
        15,
    )
    raw = booster.predict(X, num_threads=1)
    scorer = ChampionScorer(
        booster=booster,
        calibrator=Calibrator(method="sigmoid").fit(raw, y),
        threshold=0.5,
        feature_names=list(X.columns),
        metas=feature_metadata(),
        quantiles=population_quantiles(X),
        categories={
            c: list(X[c].cat.categories)
            for c in X.columns
            if isinstance(X[c].dtype, pd.CategoricalDtype)
        },
        similarity=None,
        model_name="credit-default",
        model_version="7",
    )
    monkeypatch.setattr(drift, "load_champion_or_none", lambda _settings: (scorer, ""))

    summary = build_drift_report(kaggle_folder, kaggle_folder, settings=settings, top_features=5)
    features = [c for c in summary["columns"] if c["kind"] == "feature"]
    assert summary["weighted"] and summary["model"] == {"name": "credit-default", "version": "7"}
    assert 1 <= len(features) <= 5 and all(c["column"].startswith("model: ") for c in features)
    assert sum(c["importance"] for c in features) == pytest.approx(summary["importance_covered"])
    top = max(features, key=lambda c: c["importance"])
    assert "CREDIT" in top["column"] and top["drifted"]
    assert summary["weighted_drift_share"] > 0.5 and summary["verdict"] == "action"
    csi = {row["variable"]: row for row in summary["csi"]}
    assert {c["column"].removeprefix("model: ") for c in features} <= set(csi)
    assert len(csi) <= 5  # the champion's top features, each with its CSI
    assert all(r["verdict"] in {"stable", "watch", "action", None} for r in csi.values())


def test_features_built_on_the_sampled_clients_equal_those_of_the_whole_folder(
    tmp_path: Path,
) -> None:
    from credit_scoring.data.loading import prepare
    from credit_scoring.data.synth import generate
    from credit_scoring.features.batch import build_feature_table
    from credit_scoring.monitoring.drift import subset_prepared

    generate(tmp_path / "data", clients=300, seed=3)
    prepared = prepare(tmp_path / "data", tmp_path / "cache")
    assert {"bureau", "bureau_balance", "previous_application"} <= set(prepared.parquet)
    whole = build_feature_table(prepared).set_index("SK_ID_CURR").sort_index()
    ids = set(whole.index[::3].astype(int))
    part = build_feature_table(subset_prepared(prepared, ids, tmp_path / "subset"))
    part = part.set_index("SK_ID_CURR").sort_index()
    assert set(part.index) == ids
    expected = whole.loc[sorted(ids), part.columns]
    assert expected["BURO_COUNT"].notna().any() if "BURO_COUNT" in part else True
    pd.testing.assert_frame_equal(part, expected, check_dtype=False, check_categorical=False)


class _DerivingScorer:
    """A champion that derives a column itself (as the loan-term estimate is derived)."""

    model_name, model_version = "credit-default", "9"
    feature_names = ("AMT_CREDIT", "LOAN_TERM_EST")

    def with_derived(self, features: pd.DataFrame) -> pd.DataFrame:
        return features.assign(LOAN_TERM_EST=features["AMT_CREDIT"] / 1000.0)

    def contributions(self, sample: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {"AMT_CREDIT": 1.0, "LOAN_TERM_EST": 3.0, "bias": 0.5}, index=sample.index
        )


def test_columns_the_champion_derives_are_compared_too(kaggle_folder: Path, tmp_path: Path) -> None:
    # A champion trained on real data ranks derived columns (estimated loan term, filled
    # external scores) among its top features: the report built them, it did not fail.
    settings = Settings(home=tmp_path / "home")
    summary = build_drift_report(
        kaggle_folder, kaggle_folder, settings=settings, top_features=2, champion=_DerivingScorer()
    )
    features = {c["column"]: c for c in summary["columns"] if c["kind"] == "feature"}
    assert set(features) == {"model: LOAN_TERM_EST", "model: AMT_CREDIT"}
    assert features["model: LOAN_TERM_EST"]["importance"] == pytest.approx(0.75)
    assert summary["model"] == {"name": "credit-default", "version": "9"}
