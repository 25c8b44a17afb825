"""Credit-risk rules on a model trained on the real sample: monotone behaviour, and a whole
batch score file of the sample's test clients (reasons, codes, grades, points)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_scoring.core.reason_codes import CATALOGUE
from credit_scoring.data.loading import PreparedData, prepare
from credit_scoring.explain.reasons import population_quantiles
from credit_scoring.features.batch import build_feature_table
from credit_scoring.features.batch import feature_metadata as all_metadata
from credit_scoring.features.metadata import EXCLUDED_COLUMNS
from credit_scoring.features.online import build_features_for_frames
from credit_scoring.modeling import external_scores as ext
from credit_scoring.modeling.batch import score_frame
from credit_scoring.modeling.calibration import Calibrator
from credit_scoring.modeling.candidates import LGBM_QUICK, fit_booster
from credit_scoring.modeling.external_scores import ExternalScoreModel
from credit_scoring.modeling.scorer import ChampionScorer
from credit_scoring.modeling.train import (
    check_no_protected,
    informative_columns,
    monotone_params,
)

# beside the repository (../shared/data/...), or where CREDIT_SCORING_TEST_SAMPLE says
SAMPLE = Path(
    os.environ.get(
        "CREDIT_SCORING_TEST_SAMPLE",
        Path(__file__).resolve().parents[3] / "shared" / "data" / "home-credit-sample",
    )
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SAMPLE.is_dir(), reason=f"real sample absent ({SAMPLE})"),
]

MISSING_WORDS = re.compile(r"non renseign|not provided|\bnan\b|\bNone\b", re.IGNORECASE)
PROTECTED_WORDS = re.compile(
    r"\b(?:genre|sexe|gender|sex|femme|homme|female|male|situation familiale|family status|"
    r"marié|married|célibataire|single|veuf|veuve|widow|conjoint|spouse|family members|"
    r"membres de la famille)\b",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def trained(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[ChampionScorer, PreparedData, pd.DataFrame]:
    """A monotone LightGBM trained on the sample's labelled clients (fixed rounds, quick
    parameters), calibrated in sample, with the estimated external scores as training adds
    them: enough to test behaviour and wording."""
    prepared = prepare(SAMPLE, tmp_path_factory.mktemp("sample-cache"))
    table = build_feature_table(prepared)
    scores = ExternalScoreModel().fit(table, all_metadata(), n_threads=2)
    metas = {**all_metadata(), **ext.METAS}
    labelled = scores.add_to(table[table["TARGET"].notna()].reset_index(drop=True))
    X = labelled.drop(columns=["SK_ID_CURR", "TARGET"])
    X = X[informative_columns(X)]
    check_no_protected(list(X.columns), metas)
    y = labelled["TARGET"].to_numpy(dtype=int)
    params = {**LGBM_QUICK, "learning_rate": 0.08, **monotone_params(list(X.columns), metas)}
    booster = fit_booster(params, X, y, n_threads=2, rounds=150)
    raw = booster.predict(X, num_threads=2)
    scorer = ChampionScorer(
        booster=booster,
        calibrator=Calibrator(method="sigmoid").fit(raw, y),
        threshold=0.09,
        feature_names=[c for c in X.columns if c not in ext.NAMES],
        external_scores=scores,
        derived=[c for c in X.columns if c in ext.NAMES],
        metas=metas,
        quantiles=population_quantiles(X),
        categories={},
        similarity=None,
        model_name="sample-test",
    )
    return scorer, prepared, table


def test_no_protected_attribute_is_an_input(trained) -> None:
    scorer, _, _ = trained
    for name in scorer.model_columns:
        assert name not in EXCLUDED_COLUMNS
        assert not name.startswith(("CODE_GENDER", "NAME_FAMILY_STATUS", "NAME_TYPE_SUITE"))
        assert scorer.metas[name].group not in EXCLUDED_COLUMNS


def _applications(prepared: PreparedData, n: int = 300) -> pd.DataFrame:
    return prepared.read("application_test").head(n).reset_index(drop=True)


def _proba(scorer: ChampionScorer, apps: pd.DataFrame) -> np.ndarray:
    features = build_features_for_frames({"application": apps})
    return scorer.predict_proba(features)


@pytest.mark.parametrize("column", ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"])
def test_raising_an_external_score_never_raises_the_probability(trained, column) -> None:
    scorer, prepared, _ = trained
    apps = _applications(prepared)
    apps = apps[apps[column].notna() & (apps[column] < 0.9)].reset_index(drop=True)
    before = _proba(scorer, apps)
    for step in (0.02, 0.1):
        after = _proba(scorer, apps.assign(**{column: apps[column] + step}))
        assert (after <= before + 1e-12).all(), column
    assert (after < before - 1e-9).any()  # and it does matter


def test_raising_income_never_raises_the_probability(trained) -> None:
    scorer, prepared, _ = trained
    apps = _applications(prepared)
    before = _proba(scorer, apps)
    for factor in (1.1, 1.5, 3.0):
        after = _proba(scorer, apps.assign(AMT_INCOME_TOTAL=apps["AMT_INCOME_TOTAL"] * factor))
        assert (after <= before + 1e-12).all(), factor


def test_more_late_payments_never_lower_the_probability(trained) -> None:
    scorer, _, table = trained
    late = [
        n
        for n in scorer.feature_names
        if scorer.metas[n].monotone > 0 and re.search(r"LATE|DPD|OVERDUE|WORST_STATUS", n)
    ]
    assert len(late) >= 10
    rows = table[table["BURO_COUNT"].notna()].head(300).reset_index(drop=True)
    before = scorer.predict_proba(rows)
    for name in late:
        bumped = rows.copy()
        known = bumped[name].notna()
        bumped.loc[known, name] = bumped.loc[known, name] + np.maximum(
            bumped.loc[known, name].abs(), 1.0
        )
        after = scorer.predict_proba(bumped)
        assert (after >= before - 1e-12).all(), name


@pytest.fixture(scope="module")
def batch(trained) -> pd.DataFrame:
    """The scores file of every test client of the sample, in both languages."""
    scorer, prepared, table = trained
    ids = prepared.read("application_test", ["SK_ID_CURR"])["SK_ID_CURR"]
    test = table[table["SK_ID_CURR"].isin(ids)].reset_index(drop=True)
    assert len(test) == len(ids)
    return pd.concat(
        [
            score_frame(scorer, test, lang="fr").assign(lang="fr"),
            score_frame(scorer, test.head(5_000), lang="en").assign(lang="en"),
        ],
        ignore_index=True,
    )


def _reasons(batch: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for kind in ("against", "for"):
        for i in range(1, 5):
            parts.append(
                pd.DataFrame(
                    {
                        "row": batch.index,
                        "kind": kind,
                        "code": batch[f"reason_{kind}_{i}_code"],
                        "text": batch[f"reason_{kind}_{i}"],
                    }
                )
            )
    out = pd.concat(parts, ignore_index=True)
    return out[out["text"].fillna("") != ""]


def test_scores_file_columns_grades_and_points(batch) -> None:
    assert list(batch.columns[:5]) == ["SK_ID_CURR", "probability", "decision", "grade", "points"]
    assert set(batch["grade"]) <= set("ABCDEFGH") and batch["grade"].nunique() >= 5
    # points fall as the probability rises, grades follow the probability
    ordered = batch.sort_values("probability")
    assert ordered["points"].is_monotonic_decreasing
    assert ordered["grade"].is_monotonic_increasing


def test_no_reason_is_worded_as_a_missing_value(batch) -> None:
    reasons = _reasons(batch)
    bad = reasons[reasons["text"].str.contains(MISSING_WORDS)]
    assert bad.empty, bad["text"].value_counts().head(10)


def test_no_reason_is_about_a_protected_attribute(batch) -> None:
    reasons = _reasons(batch)
    bad = reasons[reasons["text"].str.contains(PROTECTED_WORDS)]
    assert bad.empty, bad["text"].value_counts().head(10)


def test_no_fact_is_named_twice_and_every_reason_has_a_code(batch) -> None:
    reasons = _reasons(batch)
    assert reasons["code"].isin(list(CATALOGUE)).all()
    assert not reasons.duplicated(["row", "code"]).any()
    counts = reasons.groupby(["row", "kind"]).size()
    assert counts.max() <= 4


def test_missing_history_is_a_fact(batch) -> None:
    reasons = _reasons(batch)
    no_bureau = reasons[reasons["code"] == "R30"]
    assert len(no_bureau)  # most test clients are unknown to the bureau
    assert set(no_bureau["text"]) <= {
        "Aucun historique de crédit connu auprès d'autres établissements",
        "No credit history with other lenders known to us",
    }


def test_categories_are_worded_for_a_person(batch) -> None:
    reasons = _reasons(batch)
    income = reasons[
        (reasons["code"] == "R13") & (batch.loc[reasons["row"], "lang"].to_numpy() == "fr")
    ]
    assert len(income)
    assert income["text"].str.fullmatch(r"Type de revenu : [^:]+").all(), income["text"].unique()
    # an encoded level is never quoted as a number
    assert not reasons["text"].str.contains("premier cycle à 4|lower secondary to 4").any()


def test_an_estimated_score_is_never_quoted(trained, batch) -> None:
    """The estimated external scores weigh in the external-score reason (R01) but its text
    quotes a score of the file, or says none is available and how to give one."""
    scorer, _, _ = trained
    assert set(scorer.derived) == set(ext.NAMES)
    reasons = _reasons(batch)
    r01 = reasons[reasons["code"] == "R01"]
    assert len(r01)
    assert not r01["text"].str.contains("estim", case=False).any()
    said = {CATALOGUE["R01"].missing(lang) for lang in ("fr", "en")}
    missing = r01["text"].isin(said)
    assert missing.any()  # some test clients have no external score at all
    assert r01.loc[~missing, "text"].str.contains(r"\d").all()  # else a score is quoted
