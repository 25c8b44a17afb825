"""Registry: quality gates, registration without promotion, promote/rollback of the alias."""

from __future__ import annotations

import lightgbm as lgb
import mlflow
import numpy as np
import pandas as pd
import pytest

from credit_scoring import registry
from credit_scoring.config import Settings
from credit_scoring.explain.reasons import population_quantiles
from credit_scoring.explain.similar import SimilarityIndex
from credit_scoring.features.metadata import FeatureMeta
from credit_scoring.modeling.calibration import Calibrator
from credit_scoring.modeling.scorer import ChampionScorer

GOOD = {
    "roc_auc": 0.77,
    "baseline_roc_auc": 0.74,
    "ece": 0.005,
    "cost_per_applicant": 0.50,
    "threshold": 0.09,
}


def test_gates_need_baseline_auc_and_calibration() -> None:
    assert registry.promotion_decision(GOOD, None) == (True, [])
    ok, reasons = registry.promotion_decision({**GOOD, "roc_auc": 0.73}, None)
    assert not ok and "baseline" in reasons[0]
    ok, reasons = registry.promotion_decision({**GOOD, "ece": 0.03}, None)
    assert not ok and "calibration error" in reasons[0]
    ok, reasons = registry.promotion_decision(GOOD, {"cost_per_applicant": 0.49})
    assert not ok and "champion" in reasons[0]
    assert registry.promotion_decision(GOOD, {"cost_per_applicant": 0.51})[0]


@pytest.fixture(scope="module")
def features() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(100_000, 100_600),
            "EXT": rng.uniform(size=600),
            "AGE": rng.uniform(20, 70, size=600),
            "LATE": rng.poisson(0.5, size=600).astype(float),
        }
    )
    risk = -2 - 2 * frame["EXT"] + 0.6 * frame["LATE"]
    frame["TARGET"] = (rng.uniform(size=600) < 1 / (1 + np.exp(-risk))).astype(float)
    return frame


@pytest.fixture(scope="module")
def scorer(features: pd.DataFrame) -> ChampionScorer:
    names = ["EXT", "AGE", "LATE"]
    X, y = features[names], features["TARGET"].to_numpy()
    booster = lgb.train(
        {"objective": "binary", "verbosity": -1, "num_threads": 1, "min_data_in_leaf": 20},
        lgb.Dataset(X, y),
        num_boost_round=15,
    )
    metas = {n: FeatureMeta(n, "application", n, n, "number", n) for n in names}
    return ChampionScorer(
        booster=booster,
        calibrator=Calibrator(method="sigmoid").fit(booster.predict(X), y),
        threshold=0.1,
        feature_names=names,
        metas=metas,
        quantiles=population_quantiles(X),
        categories={},
        similarity=SimilarityIndex(features=names).fit(X, features["SK_ID_CURR"], y),
        model_name="credit-default",
        feature_set_version="test",
    )


@pytest.mark.slow
def test_register_gate_promote_and_rollback(tmp_path, scorer, features) -> None:
    settings = Settings(home=tmp_path / "home", mlflow_tracking_uri=None)
    with pytest.raises(registry.ModelNotReadyError, match="credit-scoring train"):
        registry.load_champion(settings)

    def log(metrics: dict[str, float]) -> registry.RegistrationResult:
        return registry.log_and_register(
            scorer=scorer,
            params={"winner": "test"},
            metrics=metrics,
            artifacts=[],
            report={"threshold": 0.1, "metrics": metrics, "model_card": "# card"},
            settings=settings,
        )

    first = log(GOOD)
    assert first.promoted and first.version == "1"
    worse = log({**GOOD, "cost_per_applicant": 0.6})
    assert worse.version == "2" and not worse.promoted
    assert any("champion" in r for r in worse.reasons)
    uncalibrated = log({**GOOD, "cost_per_applicant": 0.4, "ece": 0.05})
    assert not uncalibrated.promoted

    rows = {r["version"]: r for r in registry.list_versions(settings)}
    assert set(rows) == {"1", "2", "3"} and rows["1"]["aliases"] == ["champion"]
    assert rows["2"]["aliases"] == [] and "champion" in rows["2"]["gate"]

    champion = registry.load_champion(settings)
    assert champion.model_version == "1"
    report = registry.champion_report(settings)
    assert report["model_version"] == "1" and report["model_card"] == "# card"

    registry.promote("2", settings)
    assert registry.load_champion(settings).model_version == "2"
    pyfunc = mlflow.pyfunc.load_model(f"models:/{settings.model_name}@{settings.model_alias}")
    expected = champion.predict_proba(features)
    assert np.allclose(pyfunc.predict(features), expected)
    assert ((expected > 0) & (expected < 1)).all()

    assert registry.rollback(settings) == "1"
    assert registry.load_champion(settings).model_version == "1"
    with pytest.raises(registry.ModelNotReadyError, match="no previous champion"):
        registry.rollback(settings)
    with pytest.raises(registry.ModelNotReadyError, match="no version 9"):
        registry.promote("9", settings)


def test_scorer_scores_explains_and_finds_similar_clients(scorer, features) -> None:
    one = features.iloc[[5]]
    result = scorer.score(one, lang="en", top=2)[0]
    contrib = scorer.contributions(one)
    raw = 1 / (1 + np.exp(-contrib.sum(axis=1).iloc[0]))
    assert result.probability == pytest.approx(scorer.calibrator.predict(np.array([raw]))[0])
    assert result.decision == ("refuse" if result.probability >= 0.1 else "grant")
    assert all(r.contribution > 0 for r in result.reasons_against)
    assert all(r.contribution < 0 for r in result.reasons_for)
    similar = scorer.similar(one, k=5)
    assert len(similar) == 5 and int(one["SK_ID_CURR"].iloc[0]) not in {
        s.sk_id_curr for s in similar
    }
    assert [s.distance for s in similar] == sorted(s.distance for s in similar)
    with pytest.raises(ValueError, match="lacks 1 of the model's columns"):
        scorer.predict_proba(features.drop(columns="LATE"))


@pytest.mark.slow
def test_champion_files_are_checked_against_their_recorded_sha256(tmp_path, scorer) -> None:
    settings = Settings(home=tmp_path / "home", mlflow_tracking_uri=None)
    result = registry.log_and_register(
        scorer=scorer,
        params={},
        metrics=GOOD,
        artifacts=[],
        report={"threshold": 0.1, "metrics": GOOD, "model_card": "# card"},
        settings=settings,
    )
    assert registry.load_champion(settings).model_version == result.version
    cache = settings.models_dir / f"{settings.model_name}-{result.run_id}"  # keyed by run id
    cached = cache / "artifacts" / "scorer.joblib"
    good = registry.sha256_file(cached)
    leftovers = [p.name for p in settings.models_dir.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # the download folder was renamed into place, nothing left behind

    cached.write_bytes(b"not a pickle")  # a corrupt cache is replaced, not unpickled
    assert registry.load_champion(settings).model_version == result.version
    assert registry.sha256_file(cached) == good

    # The store itself tampered with: the API refuses to load it and says so.
    stored = next(settings.mlflow_artifacts_dir.rglob("scorer.joblib"))
    stored.write_bytes(stored.read_bytes() + b"\0")
    cached.write_bytes(b"also corrupt")
    with pytest.raises(registry.ModelIntegrityError, match="SHA-256"):
        registry.load_champion(settings)
    assert cached.read_bytes() == b"also corrupt"  # nothing unchecked was moved into place


def test_a_challenger_alias_is_loaded_apart_and_leaves_when_made_champion(tmp_path, scorer) -> None:
    settings = Settings(home=tmp_path / "home", mlflow_tracking_uri=None)
    assert registry.load_challenger(settings) is None  # no store: no challenger, no error

    def log(metrics: dict[str, float]) -> registry.RegistrationResult:
        return registry.log_and_register(
            scorer=scorer,
            params={},
            metrics=metrics,
            artifacts=[],
            report={"threshold": 0.1, "metrics": metrics, "model_card": "# card"},
            settings=settings,
        )

    assert log(GOOD).version == "1"
    assert log({**GOOD, "cost_per_applicant": 0.6}).version == "2"  # not promoted
    assert registry.load_challenger(settings) is None  # no version holds the alias
    with pytest.raises(registry.ModelNotReadyError, match="is the champion"):
        registry.promote("1", settings, alias="challenger")
    with pytest.raises(registry.ModelNotReadyError, match="unknown alias"):
        registry.promote("2", settings, alias="deputy")
    registry.promote("2", settings, alias="challenger")
    rows = {r["version"]: r for r in registry.list_versions(settings)}
    assert rows["2"]["aliases"] == ["challenger"] and rows["1"]["aliases"] == ["champion"]
    challenger = registry.load_challenger(settings)
    assert challenger is not None and challenger.model_version == "2"
    assert registry.load_champion(settings).model_version == "1"

    registry.record_forced_promotion("2", {"reason": "new bureau data", "by": "ana"}, settings)
    registry.promote("2", settings)
    assert registry.alias_version("champion", settings) == "2"
    assert registry.alias_version("challenger", settings) is None  # no model shadows itself
    client = mlflow.MlflowClient(settings.resolved_mlflow_uri)
    tag = client.get_model_version(settings.model_name, "2").tags[registry.FORCED_TAG]
    assert '"reason": "new bureau data"' in tag
