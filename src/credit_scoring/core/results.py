"""What a score says: the decision, the reasons in plain words, similar clients.

Shared by explanations, the model, batch and online scoring, the database and the API,
so it lives in the lowest layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# The decision words, defined once for every layer:
ModelDecision = Literal["grant", "refuse"]  # the model's proposal, by the threshold
Decision = ModelDecision  # what a score result carries (the model's proposal)
ScoreDecision = Literal["grant", "refuse", "refer"]  # a stored score's, after the rules
FinalDecision = Literal["grant", "refuse", "refer", "withdraw"]  # what an advisor records
OPEN_STATUSES = ("scored", "referred")  # an application still to decide (and to rescore)
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
