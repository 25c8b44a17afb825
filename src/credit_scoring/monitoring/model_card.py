"""The model card: what the champion is, how good it is, and how fair its decisions are."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

from credit_scoring.modeling.evaluate import to_markdown
from credit_scoring.monitoring.fairness import disparity

FAIRNESS_COLUMNS = [
    "group",
    "clients",
    "default_rate",
    "approval_rate",
    "false_negative_rate",
    "false_positive_rate",
    "roc_auc",
]


def fairness_markdown(tables: dict[str, pd.DataFrame]) -> str:
    parts = []
    for attribute, table in tables.items():
        parts.append(
            f"**{attribute}**\n\n{to_markdown(table[FAIRNESS_COLUMNS], digits=3)}\n\n"
            f"Gap between groups (≥ 100 clients): approval rate "
            f"{disparity(table, 'approval_rate'):.3f}, false negative rate "
            f"{disparity(table, 'false_negative_rate'):.3f}, false positive rate "
            f"{disparity(table, 'false_positive_rate'):.3f}."
        )
    return "\n\n".join(parts) if parts else "_No sex or birth date column: fairness not measured._"


def model_card(
    *,
    model_name: str,
    winner: str,
    metrics: dict[str, float],
    params: dict[str, Any],
    fairness: dict[str, pd.DataFrame],
    n_features: int,
    fingerprint: str,
    cost_fn: float,
    cost_fp: float,
) -> str:
    """Markdown model card (Mitchell et al. headings, kept short)."""
    m = metrics
    return f"""# Model card — {model_name}

## Model details
- Trained {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}; winner **{winner}**
  (LightGBM gradient boosting, {params.get("calibration", "?")} calibration fitted out of fold).
- {n_features} features (feature-set version {params.get("feature_set_version", "?")});
  training data fingerprint `{fingerprint}`.

## Intended use
Helps relationship managers decide on consumer-credit applications of clients with little
or no credit history. The probability of default and its reasons support the advisor, who
may override the decision with a justification; every decision is logged.

## Performance (out of fold, {int(m.get("n_train", 0)):,} clients, {m.get("default_rate", 0):.1%} defaulters)
| metric | value |
|---|---|
| ROC AUC | {m["roc_auc"]:.4f} (logistic-regression baseline {m.get("baseline_roc_auc", float("nan")):.4f}) |
| PR AUC | {m["pr_auc"]:.4f} |
| Brier score | {m["brier"]:.4f} |
| Expected calibration error | {m["ece"]:.4f} |
| Threshold (refuse when p ≥ t) | {m["threshold"]:.4f} |
| Cost per applicant at the threshold | {m["cost_per_applicant"]:.4f} |
| Cost per applicant at 0.5 | {m["cost_at_half"]:.4f} |
| Cost per applicant, accepting everyone | {m["cost_accept_all"]:.4f} |

Costs: a defaulter accepted costs {cost_fn:g}, a good client refused costs {cost_fp:g}.

## Fairness (decisions at the threshold, out of fold)
A false negative grants credit to a client who then defaults; a false positive refuses a
client who would have repaid.

{fairness_markdown(fairness)}

## Limits
- Trained on a sample of Home Credit applications; history tables cover only part of the
  clients, so scores of clients without history rely on the application alone.
- Sex and age are inputs of the application table; differences in approval rates between
  groups partly follow differences in observed default rates and must be reviewed by people
  before any use in production.
- Probabilities are calibrated on the training population; re-check calibration when the
  population drifts (see the drift report).
"""
