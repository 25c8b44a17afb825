"""The layer contract of ``pyproject.toml`` holds, and it catches an import that runs back up."""

from __future__ import annotations

import os
import re
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


def _lint_with(tmp_path: Path, module: str, line: str) -> subprocess.CompletedProcess[str]:
    """The contracts checked on a copy of the package with ``line`` appended to ``module``."""
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "credit_scoring",
        copy / "credit_scoring",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    target = copy / "credit_scoring" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    return _lint_imports(copy)


def _layer(module: str) -> str:
    """``credit_scoring.db.repo`` -> ``credit_scoring.db``."""
    return ".".join(module.split(".")[:2])


def test_the_package_keeps_its_layers() -> None:
    result = _lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 kept, 0 broken" in result.stdout


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def test_the_layers_ignore_no_import() -> None:
    contracts = _contracts()
    assert set(contracts) == {"layers", "web-framework", "mlflow", "dashboard", "applicant-space"}
    assert "ignore_imports" not in contracts["layers"]
    # the dashboard's one exception is the plain table of Kaggle's column names
    assert contracts["dashboard"]["ignore_imports"] == [
        "credit_scoring.lending.schemas -> credit_scoring.data._columns"
    ]


def test_lending_sits_between_the_api_and_the_layers_below() -> None:
    layers = _contracts()["layers"]["layers"]
    assert layers.index("credit_scoring.lending") == layers.index("credit_scoring.api") + 1


def test_only_the_api_imports_the_web_framework() -> None:
    """Every module that imports FastAPI or Starlette is under ``credit_scoring/api``, and
    every module left there that imports neither is a package marker."""
    pattern = re.compile(r"^\s*(from|import) (fastapi|starlette)\b", re.MULTILINE)
    package = ROOT / "src" / "credit_scoring"
    for path in package.rglob("*.py"):
        web = bool(pattern.search(path.read_text(encoding="utf-8")))
        under_api = path.relative_to(package).parts[0] == "api"
        if web:
            assert under_api, f"{path} imports the web framework outside credit_scoring/api"
        elif under_api:
            assert path.name == "__init__.py", f"{path} is under api/ but is not web code"


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # the data layer reaching up into the API: the kind of import the contract forbids
        (
            "data/schemas.py",
            "from credit_scoring.lending import schemas",
            "credit_scoring.data.schemas -> credit_scoring.lending.schemas",
        ),
        # the database building the API's response models again
        (
            "db/repo.py",
            "from credit_scoring.lending import schemas",
            "credit_scoring.db.repo -> credit_scoring.lending.schemas",
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
    result = _lint_with(tmp_path, module, line)
    assert result.returncode != 0
    importer, imported = (_layer(name) for name in broken.split(" -> "))
    assert f"{importer} is not allowed to import {imported}" in result.stdout, result.stdout
    assert broken in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # the lending domain answering in HTTP terms
        (
            "lending/applications.py",
            "import fastapi",
            "credit_scoring.lending.applications -> fastapi",
        ),
        # a training step talking to MLflow behind the registry's back
        ("training/steps.py", "import mlflow", "credit_scoring.training.steps -> mlflow"),
        # the dashboard reading the database instead of calling the API
        (
            "dashboard/fetch.py",
            "from credit_scoring.db import repo",
            "credit_scoring.dashboard.fetch -> credit_scoring.db.repo",
        ),
        # the public applicant space reaching a lending rule instead of its /applicant routes
        (
            "applicant_space/client.py",
            "from credit_scoring.lending import policy",
            "credit_scoring.applicant_space.client -> credit_scoring.lending.policy",
        ),
        # the staff dashboard pulling the applicant's app in
        (
            "dashboard/fetch.py",
            "from credit_scoring.applicant_space import client",
            "credit_scoring.dashboard.fetch -> credit_scoring.applicant_space.client",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    result = _lint_with(tmp_path, module, line)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout, result.stdout
    assert broken in result.stdout, result.stdout


def test_the_dashboard_contract_forbids_every_lending_module_but_the_schemas_and_the_form() -> None:
    """A new lending module is forbidden to the dashboard unless it is added to the allowed
    ones on purpose: the dashboard talks to the API."""
    allowed = {"schemas", "application_schemas", "audit_schemas", "applicant_schemas", "form"}
    lending = ROOT / "src" / "credit_scoring" / "lending"
    modules = {
        p.stem if p.is_file() else p.name
        for p in lending.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    forbidden = set(_contracts()["dashboard"]["forbidden_modules"])
    assert {f"credit_scoring.lending.{name}" for name in modules - allowed} <= forbidden
