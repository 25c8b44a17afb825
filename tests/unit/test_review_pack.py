"""The committee's review pack: drawn from a hand-made report, read back with pypdf."""

from __future__ import annotations

import json
from pathlib import Path

import pypdf
import pytest
from review_pack_sample import report, text_of

from credit_scoring.core.fonts import FONT_DIR, FONT_FILES, FontError
from credit_scoring.training import review_pack as rp

pytestmark = pytest.mark.skipif(
    not all((FONT_DIR / name).is_file() for name in FONT_FILES.values()),
    reason=f"DejaVu fonts absent from {FONT_DIR} (apt-get install fonts-dejavu-core)",
)


BACKTEST = {
    "auc": 0.7661,
    "gini": 0.531,
    "ks": 0.4012,
    "clients": 2999,
    "defaults": 241,
    "created_at": "2026-12-07T10:00:00",
    "development": {"development_auc": 0.7712, "z": -0.51, "p_value": 0.61},
    "grades": [
        {
            "grade": "A",
            "clients": 500,
            "defaults": 31,
            "pd": 0.02,
            "observed": 0.062,
            "jeffreys_p": 0.9999,
            "light": "red",
        },
    ],
    "alerts": ["grade A: 31 defaults of 500"],
}


def test_pack_in_both_languages_carries_the_runs_figures(tmp_path: Path) -> None:
    paths = rp.write_review_pack(report(), tmp_path, backtest=None, previous=None)
    assert set(paths) == {"fr", "en"}
    fr, en = text_of(paths["fr"]), text_of(paths["en"])
    assert "0,771" in fr and "0.771" in en  # the AUC, written the language's way
    assert "8,4\u00a0%" in fr and "8.4%" in en  # the threshold
    for title in (
        "Modèles candidats comparés",
        "Courbe de coût et seuil",
        "Équité : sexe et âge",
        "Limites",
        "Ce qui a changé depuis la version précédente",
    ):
        assert title in fr
        assert title not in en
    for title in (
        "Candidate models compared",
        "Cost curve and threshold",
        "Limits",
        "What changed since the previous version",
    ):
        assert title in en
    assert "logistic" in en and "0.551" in en  # the candidates' table
    assert "Back-test: no outcome has matured yet" in en
    assert "Back-test : aucun résultat encore mûr" in fr
    assert "First version" in en and "Première version" in fr
    assert "No PSI yet" in en and "Pas encore de PSI" in fr
    assert "No drift report yet" in en
    assert len(pypdf.PdfReader(paths["en"]).pages) == 13


def test_backtest_slide_and_what_changed(tmp_path: Path) -> None:
    previous = report() | {"threshold": 0.09, "winner": "logistic"}
    previous["metrics"] = previous["metrics"] | {"roc_auc": 0.7391}
    previous["top_features"] = {"EXT_SOURCE_3": 0.2, "AMT_CREDIT": 0.1}
    paths = rp.write_review_pack(report(), tmp_path, backtest=BACKTEST, previous=previous)
    en = text_of(paths["en"])
    assert "Back-test on observed outcomes" in en
    assert "no outcome has matured yet" not in en
    assert "0.766" in en and "2,999 clients, 241 observed defaults" in en
    assert "red" in en and "grade A: 31 defaults of 500" in en
    assert "First version" not in en
    assert "0.739" in en and "9.0%" in en  # the previous AUC and threshold
    assert "New influential features: EXT_SOURCE_2" in en
    assert "Features out of the top: EXT_SOURCE_3" in en


def test_plots_that_exist_are_embedded(tmp_path: Path) -> None:
    from PIL import Image

    (tmp_path / "plots").mkdir()
    Image.new("RGB", (400, 300), "red").save(tmp_path / "plots" / rp.COST_PLOT)
    with_plot = rp.write_review_pack(report(), tmp_path, backtest=None, previous=None)["en"]
    reader = pypdf.PdfReader(with_plot)
    images = [len(page.images) for page in reader.pages]
    assert images[4] == 1  # the cost curve slide
    assert sum(images) == 1  # no calibration plot was written: none is drawn


def test_training_then_backtest_packs(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    run1 = reports / "training" / "1"
    files = rp.write_training_pack(report(), run1, reports, model_name="credit-default")
    assert [f.name for f in files] == ["report.json", "review_pack_fr.pdf", "review_pack_en.pdf"]
    assert "credit-default" in text_of(run1 / "review_pack_en.pdf")
    (reports / "model").mkdir(parents=True)
    for f in files:  # what write_reports does: the run's folder becomes <reports>/model
        (reports / "model" / f.name).write_bytes(f.read_bytes())
    second = report() | {"winner": "xgboost"}
    files = rp.write_training_pack(second, reports / "training" / "2", reports, model_name="m")
    assert "previous_report.json" in [f.name for f in files]
    assert "First version" not in text_of(reports / "training" / "2" / "review_pack_en.pdf")

    assert rp.write_backtest_pack(BACKTEST, tmp_path / "nowhere") == {}
    written = rp.write_backtest_pack(BACKTEST, reports)
    assert written["en"] == rp.pack_path(reports, "en")
    assert "Back-test on observed outcomes" in text_of(written["en"])
    stored = json.loads((reports / "model" / "report.json").read_text(encoding="utf-8"))
    assert stored["model_name"] == "credit-default"


def test_bad_language_and_missing_fonts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ValueError, match="lang"):
        rp.render_review_pack(report(), "de")
    with pytest.raises(ValueError, match="lang"):
        rp.pack_path(tmp_path, "de")
    with pytest.raises(FontError, match="fonts-dejavu-core"):
        rp.render_review_pack(report(), "en", font_dir=tmp_path)
    # a training run is not lost for a missing font: the report is kept, no PDF
    monkeypatch.setattr(rp, "FONT_DIR", tmp_path)
    files = rp.write_training_pack(report(), tmp_path / "run", tmp_path, model_name="m")
    assert [f.name for f in files] == ["report.json"]
    assert "fonts-dejavu-core" in caplog.text


POPULATION = {
    "available": True,
    "score": [
        {"month": "2026-11", "rows": 1200, "psi": 0.031, "verdict": "stable"},
        {"month": "2026-12", "rows": 900, "psi": 0.137, "verdict": "watch"},
    ],
    "features": [
        {"month": "2026-12", "variable": "EXT_SOURCE_3", "rows": 900, "psi": 0.291,
         "verdict": "action"},
        {"month": "2026-12", "variable": "AMT_CREDIT", "rows": 900, "psi": 0.012,
         "verdict": "stable"},
        {"month": "2026-11", "variable": "DAYS_BIRTH", "rows": 1200, "psi": None,
         "verdict": None},
    ],
}  # fmt: skip


def test_stability_slide_gives_psi_by_month_the_largest_csi_and_the_latest_drift(
    tmp_path: Path,
) -> None:
    drift = {
        "created_at": "2026-12-06T08:00:00",
        "verdict": "watch",
        "weighted_drift_share": 0.124,
        "top_drifted": [{"column": "AMT_INCOME_TOTAL"}, {"column": "EXT_SOURCE_1"}],
    }
    backtest = BACKTEST | {"population_stability": POPULATION}
    paths = rp.write_review_pack(report(), tmp_path, backtest=backtest, previous=None, drift=drift)
    en, fr = text_of(paths["en"]), text_of(paths["fr"])
    assert "Population stability (PSI, CSI) and drift" in en
    assert "2026-12" in en and "0.137" in en and "watch" in en
    assert "0,137" in fr and "à surveiller" in fr
    # the largest CSI first, a feature with no PSI left out
    assert "Largest CSI: EXT_SOURCE_3 0.291 (act, 2026-12), AMT_CREDIT 0.012" in en
    assert "DAYS_BIRTH" not in en.split("Largest CSI")[1].split("\n")[0]
    assert "Latest drift report (2026-12-06): watch" in en
    flat = " ".join(en.split())  # the line wraps
    assert "moving features 12.4%; first: AMT_INCOME_TOTAL, EXT_SOURCE_1." in flat


def test_latest_drift_is_the_newest_summary_with_a_verdict(tmp_path: Path) -> None:
    import os

    assert rp.latest_drift(tmp_path) is None
    folder = tmp_path / "drift"
    folder.mkdir()
    (folder / "old.json").write_text(json.dumps({"verdict": "ok", "n": 1}), encoding="utf-8")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    (folder / "new.json").write_text(json.dumps({"verdict": "action"}), encoding="utf-8")
    os.utime(folder / "old.json", (1, 1))
    os.utime(folder / "broken.json", (2, 2))
    assert rp.latest_drift(tmp_path) == {"verdict": "action"}
    (folder / "new.json").unlink()
    assert rp.latest_drift(tmp_path) == {"verdict": "ok", "n": 1}
