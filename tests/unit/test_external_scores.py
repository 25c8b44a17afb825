"""Missing external scores estimated from the application, and the champion that uses them."""

from __future__ import annotations

import pickle

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
from tiny_champion import tiny_champion

from credit_scoring.data.loading import prepare
from credit_scoring.data.synth import generate
from credit_scoring.features.batch import KEY_COLUMNS, build_feature_table, feature_metadata
from credit_scoring.features.metadata import EXCLUDED_COLUMNS, FeatureMeta
from credit_scoring.modeling import external_scores as ext
from credit_scoring.modeling.batch import score_frame
from credit_scoring.modeling.external_scores import ExternalScoreModel
from credit_scoring.modeling.scorer import ChampionScorer
from credit_scoring.modeling.train import informative_columns, monotone_params


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    root = tmp_path_factory.mktemp("extscores")
    generate(root / "data", clients=1_200, seed=11, fmt="csv")
    return build_feature_table(prepare(root / "data", root / "cache")).reset_index(drop=True)


@pytest.fixture(scope="module")
def model(table: pd.DataFrame) -> ExternalScoreModel:
    return ExternalScoreModel().fit(table, feature_metadata(), n_threads=1, min_rows=300)


def test_inputs_are_the_application_s_own_features(model: ExternalScoreModel) -> None:
    metas = feature_metadata()
    assert len(model.inputs) > 20
    for name in model.inputs:
        assert metas[name].source == "application"
        assert not name.startswith("EXT_SOURCE")  # a score is never learned from the scores
        assert name not in EXCLUDED_COLUMNS and metas[name].group not in EXCLUDED_COLUMNS
    assert set(model.booster_texts) == set(ext.SCORES)


def test_only_a_missing_score_is_estimated(table: pd.DataFrame, model: ExternalScoreModel) -> None:
    derived = pd.DataFrame(model.derive(table), columns=ext.NAMES)
    filled = table[list(ext.SCORES)].to_numpy(dtype=float)
    for j, score, column in (
        (0, "EXT_SOURCE_1", "EXT_SOURCE_1_IMPUTED"),
        (2, "EXT_SOURCE_3", "EXT_SOURCE_3_IMPUTED"),
    ):
        known = table[score].notna().to_numpy()
        assert 0 < known.sum() < len(table)  # the generator leaves some scores out
        assert derived[column][known].isna().all()  # the client's own score is the fact
        estimates = derived[column][~known]
        assert estimates.notna().all() and estimates.nunique() > 10
        # an estimate is a score like the others: within the known scores' range
        assert estimates.between(table[score].min() - 0.2, table[score].max() + 0.2).all()
        filled[~known, j] = estimates
    complete = table["EXT_SOURCE_2"].notna().to_numpy()
    np.testing.assert_allclose(
        derived["EXT_SOURCES_MEAN_FILLED"][complete], filled[complete].mean(axis=1), rtol=1e-12
    )
    np.testing.assert_allclose(
        derived["EXT_SOURCES_PROD_FILLED"][complete], filled[complete].prod(axis=1), rtol=1e-12
    )


def test_estimates_follow_the_score_they_learn(table: pd.DataFrame) -> None:
    """Held-out applications: the estimate of external score 1 tracks the real one (the
    generator makes it depend on the client's risk, which other features also reveal)."""
    known = table[table["EXT_SOURCE_1"].notna()].reset_index(drop=True)
    half = len(known) // 2
    model = ExternalScoreModel().fit(known.iloc[:half], feature_metadata(), min_rows=100)
    held_out = known.iloc[half:].assign(EXT_SOURCE_1=np.nan)
    estimate = model.derive(held_out)[:, 0]
    assert np.corrcoef(estimate, known["EXT_SOURCE_1"].iloc[half:])[0, 1] > 0.2


def test_no_outcome_is_learned(table: pd.DataFrame, model: ExternalScoreModel) -> None:
    """The default outcome is not an input: shuffling it changes nothing."""
    shuffled = table.assign(TARGET=table["TARGET"].sample(frac=1.0, random_state=3).to_numpy())
    again = ExternalScoreModel().fit(shuffled, feature_metadata(), n_threads=1, min_rows=300)
    assert "TARGET" not in model.inputs and "SK_ID_CURR" not in model.inputs
    np.testing.assert_array_equal(again.derive(table), model.derive(table))


def test_no_declared_direction_is_undone_through_an_estimate(
    table: pd.DataFrame, model: ExternalScoreModel
) -> None:
    """Income and the affordability ratios are not inputs of the estimates, so the champion's
    monotone constraints on them hold through the estimated scores too."""
    metas = feature_metadata()
    assert not [c for c in model.inputs if metas[c].monotone]
    rows = table[table["EXT_SOURCE_1"].isna()].head(200)
    before = model.derive(rows)
    richer = rows.assign(
        AMT_INCOME_TOTAL=rows["AMT_INCOME_TOTAL"] * 3.0,
        CREDIT_INCOME_RATIO=rows["CREDIT_INCOME_RATIO"] / 3.0,
    )
    np.testing.assert_array_equal(model.derive(richer), before)


def test_too_few_scores_estimate_nothing(table: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="known values"):
        ExternalScoreModel().fit(table.head(50), feature_metadata(), min_rows=300)
    model = ExternalScoreModel().fit(
        table.assign(EXT_SOURCE_2=np.nan), feature_metadata(), min_rows=300
    )
    assert "EXT_SOURCE_2" not in model.booster_texts
    rows = table.head(5).assign(EXT_SOURCE_2=np.nan)
    derived = model.derive(rows)
    assert np.isfinite(derived[:, 2]).all()  # the mean of the scores it has
    assert np.isnan(derived[:, 3]).all()  # no product without every score


def test_pickles_and_predicts_like_lightgbm(table: pd.DataFrame, model: ExternalScoreModel) -> None:
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.derive(table), model.derive(table))
    missing = table["EXT_SOURCE_1"].isna().to_numpy()
    booster = lgb.Booster(model_str=model.booster_texts["EXT_SOURCE_1"])
    expected = booster.predict(table.loc[missing, model.inputs].to_numpy(dtype=float))
    np.testing.assert_array_equal(model.derive(table)[missing, 0], expected)
    # one row at a time or the whole table, one thread or two: the same numbers
    block = model.derive_arrays(
        table[model.inputs].to_numpy(dtype=float),
        table[list(ext.SCORES)].to_numpy(dtype=float),
        num_threads=2,
    )
    np.testing.assert_array_equal(block, model.derive(table))
    for i in np.flatnonzero(missing)[:20]:
        np.testing.assert_array_equal(model.derive(table.iloc[[i]])[0], block[i])


@pytest.fixture(scope="module")
def champion(table: pd.DataFrame, model: ExternalScoreModel) -> ChampionScorer:
    """A small champion that reads the estimated scores (monotone, as training makes it)."""
    tiny = tiny_champion(table)
    metas: dict[str, FeatureMeta] = {**tiny.metas, **ext.METAS}
    rows = table[table["TARGET"].notna()].reset_index(drop=True)
    X = model.add_to(rows)[[*tiny.feature_names, *ext.NAMES]]
    X = X[informative_columns(X)]
    params = {
        "objective": "binary",
        "num_leaves": 7,
        "min_data_in_leaf": 10,
        "verbosity": -1,
        "num_threads": 1,
        **monotone_params(list(X.columns), metas),
    }
    booster = lgb.train(params, lgb.Dataset(X, rows["TARGET"].to_numpy(dtype=int)), 40)
    derived = [c for c in X.columns if c in ext.NAMES]
    assert derived == ext.NAMES
    return ChampionScorer(
        booster=booster,
        calibrator=tiny.calibrator,
        threshold=tiny.threshold,
        feature_names=[c for c in X.columns if c not in derived],
        metas=metas,
        quantiles=tiny.quantiles,
        categories={},
        similarity=None,
        model_name="filled",
        external_scores=model,
        derived=derived,
    )


def test_the_champion_scores_alike_online_and_in_batch(
    table: pd.DataFrame, champion: ChampionScorer
) -> None:
    clients = table.iloc[:120]
    frame = score_frame(champion, clients, lang="en", num_threads=2)
    for i in range(0, len(clients), 7):
        online = champion.score(clients.iloc[[i]], lang="en")[0]
        assert frame["probability"].iloc[i] == online.probability
        assert frame["reason_against_1_code"].iloc[i] == (
            online.reasons_against[0].code if online.reasons_against else ""
        )
    fast = champion.matrix(clients.astype(float))
    by_name = champion.frame(clients).to_numpy(dtype=float)
    np.testing.assert_array_equal(fast, by_name)


def test_an_estimate_is_never_quoted_to_the_applicant(
    table: pd.DataFrame, champion: ChampionScorer
) -> None:
    """The estimates count in the external-score reason (R01), whose text quotes a score of
    the file or says none is available and how to supply one, never an estimated value."""
    clients = table[table["EXT_SOURCE_1"].isna() | table["EXT_SOURCE_3"].isna()].head(200)
    contrib = champion.contributions(clients)
    assert contrib[ext.NAMES].abs().to_numpy().sum() > 0  # the estimates do weigh
    scores = [c for c in clients.columns if c.startswith("EXT_SOURCE")]
    no_score = clients.assign(**{c: np.nan for c in scores}).assign(EXT_SOURCES_COUNT=0.0)
    for frame in (clients, no_score):
        for lang in ("fr", "en"):
            scored = score_frame(champion, frame, lang=lang, num_threads=1)
            for kind in ("against", "for"):
                for k in range(1, 5):
                    texts = scored[f"reason_{kind}_{k}"][scored[f"reason_{kind}_{k}_code"] == "R01"]
                    assert not texts.str.contains("estim", case=False).any()
    scored = score_frame(champion, no_score, lang="en", num_threads=1)
    r01 = pd.concat(
        [
            scored[f"reason_{kind}_{k}"][scored[f"reason_{kind}_{k}_code"] == "R01"]
            for kind in ("against", "for")
            for k in range(1, 5)
        ]
    )
    assert len(r01) and r01.str.startswith("No external credit score available").all()


def test_a_scorer_needs_the_model_of_its_derived_columns(champion: ChampionScorer) -> None:
    with pytest.raises(ValueError, match="external-score model"):
        ChampionScorer(
            booster=champion.booster,
            calibrator=champion.calibrator,
            threshold=0.5,
            feature_names=champion.feature_names,
            metas=champion.metas,
            quantiles={},
            categories={},
            similarity=None,
            model_name="x",
            derived=list(ext.NAMES),
        )


def test_inputs_are_known_application_columns_in_table_order() -> None:
    """Keys and the outcome are not inputs; a score never known is not estimated."""
    table = pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(400),
            "TARGET": np.tile([0.0, 1.0], 200),
            "DAYS_BIRTH": -np.linspace(7_000, 25_000, 400),
            "AMT_INCOME_TOTAL": np.linspace(50_000, 500_000, 400),  # a declared direction
            "DAYS_EMPLOYED": -np.linspace(100, 9_000, 400),
            "EXT_SOURCE_1": np.where(np.arange(400) % 3 == 0, np.nan, np.linspace(0.1, 0.9, 400)),
            "EXT_SOURCE_2": np.linspace(0.2, 0.8, 400),
            "EXT_SOURCE_3": np.nan,
        }
    )
    metas = feature_metadata()
    model = ExternalScoreModel().fit(table, metas, min_rows=100)
    assert model.inputs == ["DAYS_BIRTH", "DAYS_EMPLOYED"]
    assert not set(model.inputs) & set(KEY_COLUMNS)
    assert set(model.booster_texts) == {"EXT_SOURCE_1", "EXT_SOURCE_2"}
    assert model.n_rows == {"EXT_SOURCE_1": 266, "EXT_SOURCE_2": 400}
