"""The layer contract of ``pyproject.toml`` holds, and it catches an import that runs back up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(exe), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def _layer(module: str) -> str:
    """``credit_scoring.db.repo`` -> ``credit_scoring.db``."""
    return ".".join(module.split(".")[:2])


def test_the_package_keeps_its_layers() -> None:
    result = _lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_the_contract_ignores_no_import() -> None:
    contract = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (layers,) = contract["tool"]["importlinter"]["contracts"]
    assert (
        "ignore_imports" not in layers and "ignore_imports" not in contract["tool"]["importlinter"]
    )


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # the data layer reaching up into the API: the kind of import the contract forbids
        (
            "data/schemas.py",
            "from credit_scoring.api import schemas",
            "credit_scoring.data.schemas -> credit_scoring.api.schemas",
        ),
        # the database building the API's response models again
        (
            "db/repo.py",
            "from credit_scoring.api import schemas",
            "credit_scoring.db.repo -> credit_scoring.api.schemas",
        ),
        # the model's building blocks calling the training run that uses them
        (
            "modeling/train.py",
            "from credit_scoring.training import pipeline",
            "credit_scoring.modeling.train -> credit_scoring.training.pipeline",
        ),
        # training and the pyfunc model are independent layers
        (
            "training/pipeline.py",
            "from credit_scoring import mlflow_model",
            "credit_scoring.training.pipeline -> credit_scoring.mlflow_model",
        ),
    ],
)
def test_a_back_edge_breaks_the_contract(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "credit_scoring",
        copy / "credit_scoring",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    target = copy / "credit_scoring" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    result = _lint_imports(copy)
    assert result.returncode != 0
    importer, imported = (_layer(name) for name in broken.split(" -> "))
    assert f"{importer} is not allowed to import {imported}" in result.stdout, result.stdout
    assert broken in result.stdout, result.stdout
