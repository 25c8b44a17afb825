"""The real API with the fake scorer, for tests that run it under uvicorn and kill it.

``uvicorn served_app:create --factory`` with ``CREDIT_SCORING_*`` settings in the
environment and ``SERVED_FEATURES`` naming the feature table (parquet) the scorer uses.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pandas as pd
from fastapi import FastAPI

from credit_scoring.api.app import create_app

_spec = importlib.util.spec_from_file_location(
    "fake_scorer", Path(__file__).parents[1] / "unit" / "scoring_api" / "fake_scorer.py"
)
assert _spec is not None and _spec.loader is not None
fake_scorer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fake_scorer)


def create() -> FastAPI:
    features = pd.read_parquet(os.environ["SERVED_FEATURES"])
    scorer = fake_scorer.FakeScorer(features, list(features.columns[2:10]))
    return create_app(load_scorer=lambda _s: scorer)
