"""Training end to end on small synthetic data: CLI train --quick, registry, reports, score."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from credit_scoring.cli import app
from credit_scoring.config import get_settings
from credit_scoring.data.synth import generate


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("CREDIT_SCORING_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CREDIT_SCORING_MLFLOW_TRACKING_URI", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


@pytest.mark.slow
def test_train_quick_then_score(tmp_path, home) -> None:
    data = tmp_path / "data"
    generate(data, clients=1_500, seed=7)
    runner = CliRunner()

    trained = runner.invoke(app, ["train", "--data", str(data), "--quick", "--folds", "3"])
    assert trained.exit_code == 0, trained.output
    assert "Registered credit-default version 1" in trained.output
    for name in (
        "methodology.md",
        "methodology.html",
        "methodology.fr.md",
        "methodology.fr.html",
        "model_card.md",
        "model_card.fr.md",
        "comparison.csv",
        "fairness_CODE_GENDER.csv",
        "fairness_age_band.csv",
        "grades.csv",
        "ks_tables.csv",
        "protected_gaps.csv",
        "scorecard_points.csv",
        "scorecard_points.json",
        "plots/shap_beeswarm.png",
        "plots/calibration.png",
        "plots/cost_vs_threshold.png",
    ):
        assert (home / "reports" / "model" / name).is_file(), name
    table = pd.read_csv(home / "reports" / "model" / "comparison.csv")
    assert {
        "dummy",
        "logistic_regression",
        "lightgbm_none",
        "lightgbm_class_weight",
        "lightgbm_undersample",
        "scorecard",
    } <= set(table["candidate"])
    assert (table["gini"] - (2 * table["roc_auc"] - 1)).abs().max() < 1e-9
    assert table["ks"].between(0, 1).all()
    features = json.loads((home / "reports" / "model" / "features.json").read_text())
    names = {f["name"] for f in features}
    assert names and not any(n.startswith(("CODE_GENDER", "NAME_FAMILY_STATUS")) for n in names)
    assert not names & {"CNT_FAM_MEMBERS", "INCOME_PER_PERSON", "CHILDREN_RATIO"}
    card = (home / "reports" / "model" / "model_card.md").read_text()
    assert "## Rating grades" in card and "## Protected attributes" in card
    note = (home / "reports" / "model" / "methodology.md").read_text()
    assert "Scorecard challenger" in note and "Age stays an" in note
    card_fr = (home / "reports" / "model" / "model_card.fr.md").read_text()
    assert "## Classes de risque" in card_fr and "moins de 30 ans" in card_fr
    note_fr = (home / "reports" / "model" / "methodology.fr.md").read_text()
    assert "Grille de score challenger" in note_fr and "L'âge reste une entrée" in note_fr
    assert abs(table.set_index("candidate").loc["dummy", "roc_auc"] - 0.5) < 0.05
    assert (table["cost_per_applicant"] <= table["cost_at_half"] + 1e-12).all()
    ages = pd.read_csv(home / "reports" / "model" / "fairness_age_band.csv")
    assert set(ages["group"]) <= {"under 30", "30–45", "45–60", "over 60", "unknown"}

    if (
        "promoted to champion" not in trained.output
    ):  # gates may refuse on tiny data: a person decides
        promoted = runner.invoke(app, ["model", "promote", "1"])
        assert promoted.exit_code == 0, promoted.output
    listed = runner.invoke(app, ["model", "list"])
    assert listed.exit_code == 0 and "champion" in listed.output
    from credit_scoring.registry import champion_report

    report = champion_report(get_settings())
    assert report["model_cards"]["fr"] == card_fr  # what the Model page shows in French
    curve = report["calibration"]
    assert len(curve["predicted"]) == len(curve["observed"]) >= 5
    assert curve["predicted"] == sorted(curve["predicted"])  # quantile bins, in order
    assert sum(curve["count"]) == report["metrics"]["n_train"]  # every out-of-fold prediction

    out = tmp_path / "scores.csv"
    scored = runner.invoke(app, ["score", "--data", str(data), "--out", str(out), "--lang", "en"])
    assert scored.exit_code == 0, scored.output
    assert "clients/s" in scored.output
    scores = pd.read_csv(out)
    test_ids = pd.read_csv(next(data.glob("application_test.csv*")), usecols=["SK_ID_CURR"])
    assert sorted(scores["SK_ID_CURR"]) == sorted(test_ids["SK_ID_CURR"])
    assert scores["probability"].between(0, 1).all()
    # the committee's rules after the model: the decision an application gets
    assert set(scores["decision"]) <= {"grant", "refuse", "refer"}
    assert set(scores["model_decision"]) <= {"grant", "refuse"}
    assert "Decisions after the committee's rules" in scored.output
    fired = scores["policy_codes"].fillna("")
    none = fired.eq("")  # no rule fired: the model's proposal stands
    assert (scores.loc[none, "decision"] == scores.loc[none, "model_decision"]).all()
    assert scores["reason_against_1"].fillna("").str.len().gt(0).mean() > 0.5
    assert list(scores.columns[:9]) == [
        "SK_ID_CURR",
        "probability",
        "decision",
        "model_decision",
        "policy_codes",
        "grade",
        "points",
        "reason_against_1_code",
        "reason_against_1",
    ]
    assert set(scores["grade"]) <= set("ABCDEFGH")
    # a rule that fired is the first reason against, before the model's
    first = scores["reason_against_1_code"].dropna()
    assert first.str.fullmatch(r"[RP]\d\d").all()
    with_rules = fired.ne("")
    assert (
        scores.loc[with_rules, "reason_against_1_code"] == fired[with_rules].str.split(" ").str[0]
    ).all()
    assert report["grades"] and report["ks_tables"] and report["scorecard_points"]
    assert report["protected"]["auc_with"] > 0.5


def test_score_without_champion_says_what_to_do(tmp_path, home) -> None:
    data = tmp_path / "data"
    data.mkdir()
    result = CliRunner().invoke(
        app, ["score", "--data", str(data), "--out", str(tmp_path / "s.csv")]
    )
    assert result.exit_code == 2
    assert "credit-scoring train" in result.output
