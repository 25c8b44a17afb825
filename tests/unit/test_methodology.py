"""The methodology note's template (``training/methodology.md.j2``) renders every section
of a run, its optional paragraphs only when they apply, and ships inside the package."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from credit_scoring.config import Settings
from credit_scoring.modeling.train import TrainConfig
from credit_scoring.training.methodology import (
    TEMPLATE,
    TEMPLATES,
    methodology_markdown,
    methodology_path,
    write_methodology,
)
from credit_scoring.training.model_card import card_in, model_card

SECTIONS = [
    "# Methodology note — credit default model",
    "## 1. Data",
    "## 2. Features",
    "## 3. Validation scheme",
    "## 4. Class imbalance",
    "## 5. Business cost and threshold",
    "## 6. Results",
    "## 6b. Rating grades and points",
    "## 6c. Scorecard challenger",
    "## 6d. Cost of leaving the protected attributes out",
    "## 7. Calibration",
    "## 8. Global interpretability",
    "## 9. Local interpretability",
    "## 10. Fairness",
    "## 11. Limits and improvements",
]


def _outcome(
    tmp_path: Path, *, loan_terms: object = None, external_scores: object = None, seeds: int = 1
) -> SimpleNamespace:
    columns = ["roc_auc", "gini", "ks", "cost_per_applicant", "ece", "brier"]
    table = pd.DataFrame(
        [
            {"candidate": "lightgbm_none", **dict.fromkeys(columns, 0.7)},
            {"candidate": "lightgbm_undersample", **dict.fromkeys(columns, 0.6)},
        ]
    )
    metrics = {
        "n_train": 1295.0,
        "default_rate": 0.0812,
        "threshold": 0.1234,
        "cost_per_applicant": 0.5,
        "cost_at_half": 0.8,
        "cost_accept_all": 0.9,
        "saving_vs_accept_all": 0.444,
        "brier": 0.07,
        "brier_raw": 0.08,
        "ece": 0.01,
        "ece_raw": 0.02,
    }
    return SimpleNamespace(
        metrics=metrics,
        winner=SimpleNamespace(name="lightgbm_none", imbalance="none", calibration="sigmoid"),
        config=TrainConfig(quick=seeds == 1, bagging_seeds=seeds, n_threads=2),
        plots=[tmp_path / "plots" / "calibration.png"],
        out_dir=tmp_path,
        importance=pd.Series({"EXT_SOURCE_2": 0.51234, "AMT_CREDIT": 0.1}),
        metas={},
        table=table,
        notes=[],
        scorer=SimpleNamespace(
            loan_terms=loan_terms,
            external_scores=external_scores,
            derived=["LOAN_TERM_EST", "LOAN_RATE_EST", "EXT_SOURCE_1_IMPUTED"],
            model_columns=["EXT_SOURCE_2", "AMT_CREDIT"],
            similarity=SimpleNamespace(features=["EXT_SOURCE_2"]),
        ),
        ks_tables={"lightgbm_none": pd.DataFrame({"decile": [1, 2], "lift": [2.0, 0.5]})},
        data_fingerprint="abc123",
        seconds=84.0,
        feature_set_version="v1",
        monotone={"EXT_SOURCE_2": -1},
        scorecard_points=None,
    )


def _note(outcome: SimpleNamespace, lang: str = "en") -> str:
    return methodology_markdown(
        outcome,
        fairness={},
        data_summary="Folder `data`.",
        settings=Settings(cost_fn=10, cost_fp=1),  # type: ignore[call-arg]
        lang=lang,
    )


def test_every_section_in_order_with_the_run_figures(tmp_path: Path) -> None:
    note = _note(_outcome(tmp_path))
    positions = [note.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    assert note.startswith("# Methodology note")
    assert "data fingerprint `abc123`, 1.4\nminutes, quick mode._" in note
    assert "Training rows: 1,295 clients with a known outcome; defaulters 8.12%." in note
    assert "**0.1234**" in note and "| threshold 0.5 | 0.8000 |" in note
    assert "Saving versus accepting everyone: 44.4%." in note
    assert "Cost of a false negative (a defaulter accepted): 10;" in note
    assert "Notes from the run:\n- none\n\n## 4." in note
    assert (
        "| EXT_SOURCE_2 | EXT_SOURCE_2 | 0.5123 |\n| AMT_CREDIT | AMT_CREDIT | 0.1000 |\n\n" in note
    )
    assert "![calibration](plots/calibration.png)" in note
    assert "**lightgbm_none**\n\n| decile | lift |" in note
    assert "_The scorecard challenger did not run._\n\n## 6d." in note
    assert "_Not computed._" in note
    assert "most important features (EXT_SOURCE_2)" in note
    assert "The application gives the credit" not in note  # no loan-term model
    assert "many files lack one" not in note  # no external-score model
    assert "averaged" not in note and "average of" not in note  # one seed
    assert "{{" not in note and "{%" not in note


def test_optional_paragraphs_appear_when_they_apply(tmp_path: Path) -> None:
    outcome = _outcome(
        tmp_path,
        loan_terms=SimpleNamespace(n_contracts=12345),
        external_scores=SimpleNamespace(n_rows={"EXT_SOURCE_1": 45404, "EXT_SOURCE_3": 71923}),
        seeds=3,
    )
    outcome.notes = ["knn skipped"]
    note = _note(outcome)
    assert "A regression learned on 12,345 past cash and" in note
    assert "the credit (`LOAN_TERM_EST`, `LOAN_RATE_EST`) to every table it" in note
    assert "narrow it.\n\nThe application gives" in note
    assert "see the same columns.\n\nThe external scores" in note
    assert "(`EXT_SOURCE_1` from 45,404, `EXT_SOURCE_3` from 71,923 applications):\n" in note
    assert "estimates (`EXT_SOURCE_1_IMPUTED`), constrained" in note
    assert "how to supply one.\n\n## 3. Validation scheme" in note
    assert "the average of 3 boosters trained with other seeds" in note
    assert "full mode._" in note
    assert "Notes from the run:\n- knn skipped\n\n## 4." in note


def test_the_note_says_which_candidates_fitted_on_a_subsample(tmp_path: Path) -> None:
    outcome = _outcome(tmp_path)
    assert "rows and metrics.\n\nIn this run every candidate fitted on every training row" in _note(
        outcome
    )
    whole = {"rows_used": 245_004, "rows_available": 245_004}
    outcome.table = pd.DataFrame(
        [
            {"candidate": "lightgbm_none", **whole},
            {"candidate": "knn", "rows_used": 20_000, "rows_available": 245_004},
            {"candidate": "scorecard", "rows_used": 88_000, "rows_available": 245_004},
            {"candidate": "dummy", **whole},
        ]
    ).assign(roc_auc=0.7, gini=0.4, ks=0.3, cost_per_applicant=0.5, ece=0.01, brier=0.07)
    outcome.scorecard_points = pd.DataFrame(
        {"characteristic": ["EXT_SOURCE_2"], "bin": ["(-inf, 0.3)"], "share": [0.2]}
    ).assign(default_rate=0.15, points=-12.0)
    note = _note(outcome)
    assert "LightGBM always fits on every training row of each fold." in note
    assert (
        "rows and metrics.\n\nIn this run, these candidates fitted on a stratified subsample:"
        in note
    )
    assert "| knn | 20,000 | 245,004 | 8.2% |\n| scorecard | 88,000 | 245,004 | 35.9% |\n" in note
    assert "| dummy | 245,004" not in note and "| lightgbm_none | 245,004" not in note
    assert "The table refitted on a stratified subsample of 88,000 clients" in note
    assert "knn 10%" in note and "{{" not in note
    french = _note(outcome, "fr")
    assert (
        "Dans cet entraînement, ces candidats se sont entraînés sur un sous-échantillon stratifié :"
        in french
    )
    assert "| knn | 20\u202f000 | 245\u202f004 | 8,2\u00a0% |" in french
    assert "La table réajustée sur un sous-échantillon stratifié de 88\u202f000 clients" in french


def test_the_template_ships_in_the_package_and_the_note_becomes_html(tmp_path: Path) -> None:
    assert files("credit_scoring.training").joinpath(TEMPLATE).is_file()
    md, html = write_methodology(_note(_outcome(tmp_path)), tmp_path / "out")
    assert md.read_text(encoding="utf-8").startswith("# Methodology note")
    assert "<h2>10. Fairness</h2>" in html.read_text(encoding="utf-8")


SECTIONS_FR = [
    "# Note méthodologique — modèle de défaut de crédit",
    "## 1. Données",
    "## 2. Variables",
    "## 3. Schéma de validation",
    "## 4. Déséquilibre des classes",
    "## 5. Coût métier et seuil",
    "## 6. Résultats",
    "## 6b. Classes de risque et points",
    "## 6c. Grille de score challenger",
    "## 6d. Coût du retrait des attributs protégés",
    "## 7. Calibration",
    "## 8. Interprétabilité globale",
    "## 9. Interprétabilité locale",
    "## 10. Équité",
    "## 11. Limites et améliorations",
]


def test_the_french_note_has_every_section_and_french_numbers(tmp_path: Path) -> None:
    outcome = _outcome(
        tmp_path,
        loan_terms=SimpleNamespace(n_contracts=12345),
        external_scores=SimpleNamespace(n_rows={"EXT_SOURCE_1": 45404}),
        seeds=3,
    )
    note = _note(outcome, "fr")
    positions = [note.index(s) for s in SECTIONS_FR]
    assert positions == sorted(positions)
    assert "empreinte `abc123`, 1,4\nminutes, mode complet._" in note
    assert (
        "Lignes d'entraînement : 1\u202f295 clients dont l'issue est connue ; défaillants "
        "8,12\u00a0%." in note
    )
    assert "**0,1234**" in note and "| seuil 0,5 | 0,8000 |" in note
    assert "Économie par rapport à tout accepter : 44,4\u00a0%." in note
    assert "Une régression apprise sur 12\u202f345 prêts personnels" in note
    assert "la moyenne de 3 boosters" in note
    assert "| EXT_SOURCE_2 | EXT_SOURCE_2 | 0,5123 |" in note
    assert "**lightgbm_none**\n\n| décile | lift |\n|---|---|\n| 1 | 2,000 |" in note
    assert "_Non calculé._" in note and "{{" not in note
    assert files("credit_scoring.training").joinpath(TEMPLATES["fr"]).is_file()


def test_training_writes_the_note_in_both_languages_and_the_api_finds_each(
    tmp_path: Path,
) -> None:
    out = tmp_path / "reports" / "model"
    assert methodology_path(tmp_path / "reports", "fr") is None
    write_methodology(_note(_outcome(tmp_path), "en"), out, "en")
    _, html_fr = write_methodology(_note(_outcome(tmp_path), "fr"), out, "fr")
    assert html_fr.name == "methodology.fr.html"
    french = methodology_path(tmp_path / "reports", "fr")
    english = methodology_path(tmp_path / "reports", "en")
    assert french == html_fr and english is not None and english.name == "methodology.html"
    assert "<html lang='fr'>" in french.read_text(encoding="utf-8")
    assert "<h2>10. Équité</h2>" in french.read_text(encoding="utf-8")


def test_the_model_card_in_french_and_english() -> None:
    metrics = {
        "roc_auc": 0.7612,
        "pr_auc": 0.25,
        "brier": 0.07,
        "ece": 0.012,
        "threshold": 0.1234,
        "cost_per_applicant": 0.5,
        "cost_at_half": 0.8,
        "cost_accept_all": 0.9,
        "n_train": 1295.0,
        "default_rate": 0.0812,
    }
    fairness = {
        "age_band": pd.DataFrame(
            {
                "group": ["under 30", "over 60", "unknown"],
                "clients": [120, 130, 5],
                "default_rate": [0.1, 0.05, 0.2],
                "approval_rate": [0.8, 0.9, 0.5],
                "false_negative_rate": [0.3, 0.2, 0.1],
                "false_positive_rate": [0.1, 0.05, 0.0],
                "roc_auc": [0.7, 0.72, float("nan")],
            }
        )
    }
    args = {
        "model_name": "credit-default",
        "winner": "lightgbm_none",
        "metrics": metrics,
        "params": {"calibration": "sigmoid", "feature_set_version": "v1"},
        "fairness": fairness,
        "n_features": 120,
        "fingerprint": "abc123",
        "cost_fn": 10.0,
        "cost_fp": 1.0,
    }
    fr, en = model_card(**args, lang="fr"), model_card(**args)  # type: ignore[arg-type]
    assert fr.startswith("# Fiche du modèle — credit-default") and "## Équité" in fr
    assert "| ROC AUC | 0,7612 (" in fr and "8,1\u00a0% de défaillants" in fr
    assert "| moins de 30 ans | 120 | 0,100 |" in fr and "| 60 ans et plus |" in fr
    assert "| non renseigné |" in fr and "calibration sigmoïde" in fr
    assert "Tranche d'âge" in fr and "Écart entre groupes" in fr
    assert en.startswith("# Model card — credit-default") and "| ROC AUC | 0.7612 (" in en
    assert "| under 30 |" in en
    report = {"model_cards": {"fr": fr, "en": en}, "model_card": en}
    assert card_in(report, "fr") == fr and card_in(report, "en") == en
