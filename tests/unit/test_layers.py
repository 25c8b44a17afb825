"""The layer contract of ``pyproject.toml`` holds, and it catches an import that runs back up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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


def test_the_package_keeps_its_layers() -> None:
    result = _lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_a_back_edge_breaks_the_contract(tmp_path: Path) -> None:
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "credit_scoring",
        copy / "credit_scoring",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    # The data layer reaching up into the API: the kind of import the contract forbids.
    target = copy / "credit_scoring" / "data" / "schemas.py"
    target.write_text(
        target.read_text(encoding="utf-8") + "\nfrom credit_scoring.api import schemas  # noqa\n",
        encoding="utf-8",
    )
    result = _lint_imports(copy)
    assert result.returncode != 0
    assert "credit_scoring.data is not allowed to import credit_scoring.api" in result.stdout
    assert "credit_scoring.data.schemas -> credit_scoring.api.schemas" in result.stdout
