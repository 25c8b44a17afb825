"""What the API relies on from a trained model: the :class:`Scorer` protocol.

:class:`~credit_scoring.modeling.scorer.ChampionScorer` implements it (loaded from the
MLflow registry by alias); the API loads one in its lifespan and calls these methods
only. The result types (reasons, scores) are shared by every layer and live in
:mod:`credit_scoring.core.results`.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd

from credit_scoring.core.results import Lang, ScoreResult, SimilarClient
from credit_scoring.features.metadata import FeatureMeta


class Scorer(Protocol):
    """A loaded champion model with its explainer; cheap to call for one client."""

    model_name: str
    model_version: str
    threshold: float
    feature_set_version: str  # the definitions it was trained on ("" when unknown)
    feature_names: list[str]  # the columns read from a feature table
    metas: dict[str, FeatureMeta]  # descriptions of the columns it explains (may add its own)

    def with_derived(self, features: pd.DataFrame) -> pd.DataFrame:
        """``features`` plus any columns the model computes itself (e.g. estimated loan term);
        :meth:`contributions` has one column per feature of the result it uses."""
        ...

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated probabilities of default, one per row of the feature table."""
        ...

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame:
        """Exact per-feature contributions (log-odds), one row per client, plus a 'bias' column."""
        ...

    def score(
        self, features: pd.DataFrame, *, lang: Lang = "fr", top: int = 4
    ) -> list[ScoreResult]:
        """Probability, decision and top reasons against and for, for each row."""
        ...

    def similar(self, features: pd.DataFrame, *, k: int = 10) -> list[SimilarClient]:
        """The k nearest known clients of the first row (features that matter most, scaled)."""
        ...
