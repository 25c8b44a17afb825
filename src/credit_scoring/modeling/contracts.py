"""What the API, batch scoring and the dashboard rely on from a trained model.

The model issue implements :class:`Scorer` (loaded from the MLflow registry by
alias); the API loads one in its lifespan and calls these methods only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from credit_scoring.features.metadata import FeatureMeta

Decision = Literal["grant", "refuse"]
Lang = Literal["fr", "en"]


@dataclass(frozen=True)
class Reason:
    """One plain-words reason: a group of features that pushed the score up or down."""

    group: str
    direction: Literal["against", "for"]  # against: raises the default risk
    contribution: float  # in log-odds, summed over the group's features
    text: (
        str  # e.g. "Late payments on previous loans: 3 in the last year (more than 90% of clients)"
    )
    features: tuple[str, ...] = ()
    value: float | str | None = None
    code: str = ""  # stable reason code of the catalogue (e.g. "R07"); stored with every score


@dataclass(frozen=True)
class ScoreResult:
    probability: float  # calibrated probability of default
    decision: Decision
    threshold: float
    model_name: str
    model_version: str
    reasons_against: list[Reason] = field(default_factory=list)
    reasons_for: list[Reason] = field(default_factory=list)
    grade: str | None = None  # rating grade of the master scale (e.g. "C")
    points: float | None = None  # scorecard points (higher is safer)


@dataclass(frozen=True)
class SimilarClient:
    sk_id_curr: int
    distance: float
    target: int | None  # how the client turned out, when known


class Scorer(Protocol):
    """A loaded champion model with its explainer; cheap to call for one client."""

    model_name: str
    model_version: str
    threshold: float
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
