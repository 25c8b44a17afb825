"""The ``Examples`` sections of the numpydoc docstrings run and give what they show.

Only the packages whose docstrings ruff checks (``modeling/``, ``training/``, ``explain/``,
``lending/services/``; see docs/architecture.md, "Docstrings") are collected: a module is tested
when it has an example, so a new example is tested without editing this file.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

import credit_scoring

PACKAGE = Path(credit_scoring.__file__).parent
DOCUMENTED = ("modeling", "training", "explain", "lending/services", "monitoring")


def _modules_with_examples() -> list[str]:
    names = []
    for sub in DOCUMENTED:
        for path in sorted((PACKAGE / sub).glob("*.py")):
            if ">>> " in path.read_text(encoding="utf-8"):
                package = f"credit_scoring.{sub.replace('/', '.')}"
                names.append(package if path.stem == "__init__" else f"{package}.{path.stem}")
    return names


MODULES = _modules_with_examples()


def test_some_modules_have_examples() -> None:
    assert MODULES, "no docstring example found: the collection is broken"


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"
