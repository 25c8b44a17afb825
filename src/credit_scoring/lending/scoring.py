"""The score record: one builder and one digest for every stored score of an application.

Intake (:meth:`credit_scoring.lending.applications.ApplicationService.score_application`)
and ``db load`` (:mod:`credit_scoring.lending.loaded`) both store an application's score
as a row of the chained ``scores`` table. They build it here, so the two rows of the same
application hold the same fields computed the same way: the model's proposal
(``model_decision``), the decision once the committee's rules are applied
(``decision = combine(model_decision, hits)``), the rules that fired, the reasons, and
``inputs_digest``, the SHA-256 of the application row and the feature set scored
(:func:`inputs_digest`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from credit_scoring.core.results import ModelDecision
from credit_scoring.lending.audit import digest
from credit_scoring.lending.policy import PolicyHit, combine, hit_rows


@dataclass(frozen=True)
class ModelScore:
    """The champion's score of one application, before the policy.

    Attributes
    ----------
    model_name, model_version : str
        The model that scored.
    probability, threshold : float
        Calibrated probability of default and the decision threshold.
    decision : {"grant", "refuse"}
        The model's proposal at its threshold.
    grade : str or None
        Rating grade of the master scale.
    points : float or None
        Scorecard points.
    reasons : list of dict
        Reasons against then for, as a score stores them (``code, text, direction, group,
        contribution, features, value``).
    """

    model_name: str
    model_version: str
    probability: float
    threshold: float
    decision: ModelDecision
    grade: str | None
    points: float | None
    reasons: list[dict[str, Any]]


def json_safe(row: Mapping[str, Any]) -> dict[str, Any]:
    """A Kaggle row ready for JSON: numpy scalars as Python values, NaN and infinities None.

    Parameters
    ----------
    row : mapping
        Kaggle column -> value.

    Returns
    -------
    dict
        The same keys with plain Python values.
    """
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and not np.isfinite(value):
            value = None
        out[key] = value
    return out


def inputs_digest(row: Mapping[str, Any], feature_set: str) -> str:
    """What a score's ``inputs_digest`` covers: the application row and the feature set.

    Parameters
    ----------
    row : mapping
        The application's Kaggle row as scored (missing values as None or NaN alike).
    feature_set : str
        The version of the feature definitions the features were built with.

    Returns
    -------
    str
        64 hex digits; the same for the same row and feature set whichever path scored it.
    """
    return digest({"row": json_safe(row), "features": feature_set})


def score_row(
    model: ModelScore,
    hits: list[PolicyHit],
    *,
    policy_version: str,
    row: Mapping[str, Any],
    feature_set: str,
    features_sha: str | None,
    username: str,
    lang: str,
) -> dict[str, Any]:
    """The ``scores`` row of one application (without ``application_id``).

    Parameters
    ----------
    model : ModelScore
        The champion's score and reasons.
    hits : list of PolicyHit
        The committee's rules that fired on the application.
    policy_version : str
        :attr:`credit_scoring.lending.policy.Policy.version`.
    row : mapping
        The application's Kaggle row as scored (for :func:`inputs_digest`).
    feature_set : str
        The feature set scored.
    features_sha : str or None
        The stored feature vector's hash when the score read it as stored, else None.
    username : str
        Who scored.
    lang : {"fr", "en"}
        The language of the reasons' texts.

    Returns
    -------
    dict
        Column -> value of ``scores``: ``decision`` is ``combine(model.decision, hits)``.
    """
    return {
        "username": username,
        "model_name": model.model_name,
        "model_version": model.model_version,
        "feature_set": feature_set,
        "features_sha": features_sha,
        "inputs_digest": inputs_digest(row, feature_set),
        "lang": lang,
        "probability": float(model.probability),
        "threshold": float(model.threshold),
        "model_decision": model.decision,
        "decision": combine(model.decision, hits),
        "grade": model.grade or None,
        "points": None if model.points is None else float(model.points),
        "policy_version": policy_version,
        "policy": hit_rows(hits),
        "reasons": model.reasons,
    }
