"""`credit-scoring score --engine spark` called by its path, as a scheduler calls it.

A cron job or an orchestrator runs ``<venv>/bin/credit-scoring`` without the virtual
environment on ``PATH``. Spark's Python workers must then run the interpreter of the
console script, not the system ``python3`` (which cannot import ``credit_scoring``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from tiny_champion import tiny_champion

from credit_scoring import registry
from credit_scoring.config import Settings
from credit_scoring.data.loading import prepare
from credit_scoring.data.synth import generate
from credit_scoring.features.batch import build_feature_table

pytestmark = pytest.mark.spark

GATES_PASSED = {
    "roc_auc": 0.77,
    "baseline_roc_auc": 0.74,
    "ece": 0.005,
    "cost_per_applicant": 0.5,
    "threshold": 0.1,
}


def _path_without(folder: Path) -> str:
    """The system's PATH with every entry inside ``folder`` (the venv) left out."""
    entries = os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin").split(os.pathsep)
    kept = [e for e in entries if e and not Path(e).resolve().is_relative_to(folder)]
    java = shutil.which("java")
    if java is not None and str(Path(java).parent) not in kept:
        kept.append(str(Path(java).parent))
    return os.pathsep.join(kept)


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17 on the PATH")
def test_score_on_spark_by_the_console_scripts_path(tmp_path: Path) -> None:
    venv = Path(sys.prefix).resolve()
    script = venv / "bin" / "credit-scoring"
    if not script.is_file():
        pytest.skip(f"no console script at {script}: the package is not installed in a venv")

    data = tmp_path / "data"
    generate(data, clients=400, seed=5, test_share=0.3)
    prepared = prepare(data, tmp_path / "cache")
    home = tmp_path / "home"
    settings = Settings(home=home, mlflow_tracking_uri=None)
    result = registry.log_and_register(
        scorer=tiny_champion(build_feature_table(prepared)),
        params={"winner": "tiny"},
        metrics=GATES_PASSED,
        artifacts=[],
        report={"threshold": 0.1, "metrics": GATES_PASSED, "model_card": "# card"},
        settings=settings,
    )
    assert result.promoted

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"VIRTUAL_ENV", "PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON", "PYTHONPATH"}
        and not k.startswith("CREDIT_SCORING_")
    }
    env["PATH"] = _path_without(venv)
    env["CREDIT_SCORING_HOME"] = str(home)
    system_python = shutil.which("python3", path=env["PATH"])
    assert system_python is None or not Path(system_python).resolve().is_relative_to(venv)

    out = tmp_path / "scores.csv"
    done = subprocess.run(
        [str(script), "score", "--engine", "spark", "--data", str(data), "--out", str(out)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "on Spark" in done.stdout

    scores = pd.read_csv(out)
    expected = pd.read_csv(data / "application_test.csv", usecols=["SK_ID_CURR"])
    assert sorted(scores["SK_ID_CURR"]) == sorted(expected["SK_ID_CURR"])
    assert scores["probability"].between(0, 1).all()
    assert set(scores["decision"]) <= {"grant", "refuse", "refer"}
