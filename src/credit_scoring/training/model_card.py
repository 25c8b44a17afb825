"""The model card: what the champion is, how good it is, and how fair its decisions are."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

from credit_scoring.core import grades as scale
from credit_scoring.modeling.evaluate import to_markdown
from credit_scoring.training.fairness import disparity, gap_table

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
    """The fairness tables in markdown, each with its gaps between groups.

    Parameters
    ----------
    tables : dict of str to DataFrame
        :func:`~credit_scoring.training.fairness.fairness_report`.

    Returns
    -------
    str
        Per attribute its table and the gaps in approval, false negative and false
        positive rates (groups of at least 100 clients); a sentence when there is none.
    """
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


def grades_markdown(table: pd.DataFrame) -> str:
    """The master scale with the out-of-fold figures per grade.

    Parameters
    ----------
    table : DataFrame
        :func:`~credit_scoring.modeling.evaluate.grade_table`.

    Returns
    -------
    str
        The table in markdown, then the points scale and how to read the two p-values.
    """
    shown = table.assign(
        pd_range=[
            f"{lo:.1%} – {hi:.1%}" for lo, hi in zip(table["pd_from"], table["pd_to"], strict=True)
        ]
    )[
        [
            "grade",
            "pd_range",
            "clients",
            "share",
            "predicted_pd",
            "observed_default_rate",
            "defaults",
            "jeffreys_p_value",
            "binomial_p_value",
        ]
    ]
    return (
        f"{to_markdown(shown, digits=4)}\n\nPoints: {scale.scale_description()} The Jeffreys "
        "p-value is the probability, under the posterior Beta(defaults + 1/2, clients − "
        "defaults + 1/2), that the default rate is at most the predicted PD: below 0.05 the "
        "grade's PD looks underestimated. The binomial p-value is the exact two-sided test."
    )


def protected_markdown(protected: dict[str, Any] | None) -> str:
    """The AUC cost of leaving sex and family status out, and the gaps before and after.

    Parameters
    ----------
    protected : dict or None
        :func:`~credit_scoring.training.pipeline.protected_summary`: ``auc_with``,
        ``auc_without``, ``cost_with``, ``cost_without``, ``fairness_before`` and
        ``fairness_after``.

    Returns
    -------
    str
        Markdown; a sentence saying the cost was not measured when ``protected`` is empty.
    """
    if not protected:
        return "_No protected attribute in the training table: cost not measured._"
    gaps = gap_table(protected["fairness_before"], protected["fairness_after"])
    return (
        f"Sex (`CODE_GENDER`) and family status (`NAME_FAMILY_STATUS`, with the number of "
        f"family members and the accompanying person, which reveal it) are not model inputs. "
        f"The same configuration trained with them as extra inputs, on the same folds: "
        f"out-of-fold ROC AUC **{protected['auc_with']:.4f}** with them against "
        f"**{protected['auc_without']:.4f}** without (cost {protected['auc_with'] - protected['auc_without']:+.4f}); "
        f"cost per applicant {protected['cost_with']:.4f} with them against "
        f"{protected['cost_without']:.4f} without.\n\n"
        f"Gaps between groups at each model's own threshold (largest minus smallest, groups "
        f"of at least 100 clients):\n\n{to_markdown(gaps, digits=3)}"
    )


def ks_markdown(table: pd.DataFrame) -> str:
    """A KS table in markdown, three decimals.

    Parameters
    ----------
    table : DataFrame
        :func:`~credit_scoring.modeling.evaluate.ks_table`.

    Returns
    -------
    str
        The markdown table.
    """
    return to_markdown(table, digits=3)


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
    grades: pd.DataFrame | None = None,
    ks: pd.DataFrame | None = None,
    protected: dict[str, Any] | None = None,
    monotone: int = 0,
) -> str:
    """Markdown model card (Mitchell et al. headings, kept short).

    Parameters
    ----------
    model_name : str
        The registered model's name.
    winner : str
        The winning candidate's name.
    metrics : dict of str to float
        The run's metrics (:func:`~credit_scoring.training.steps.run_metrics`).
    params : dict
        The run's parameters (:func:`~credit_scoring.training.steps.run_params`).
    fairness : dict of str to DataFrame
        The champion's fairness tables.
    n_features : int
        Number of model inputs.
    fingerprint : str
        The training data's fingerprint.
    cost_fn : float
        Cost of a defaulter accepted.
    cost_fp : float
        Cost of a good client refused.
    grades : DataFrame, optional
        The grade table; "Not computed" without it.
    ks : DataFrame, optional
        The champion's KS table; "Not computed" without it.
    protected : dict, optional
        What leaving the protected attributes out costs (:func:`protected_markdown`).
    monotone : int, default=0
        Number of inputs with a monotone constraint.

    Returns
    -------
    str
        The card in markdown, dated at the current UTC time.

    Raises
    ------
    KeyError
        ``metrics`` lacks one of the figures the card always shows (``roc_auc``,
        ``pr_auc``, ``brier``, ``ece``, ``threshold`` or the costs).
    """
    m = metrics
    grade_section = grades_markdown(grades) if grades is not None else "_Not computed._"
    ks_section = ks_markdown(ks) if ks is not None else "_Not computed._"
    return f"""# Model card — {model_name}

## Model details
- Trained {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}; winner **{winner}**
  (LightGBM gradient boosting, {params.get("calibration", "?")} calibration fitted out of fold).
- {n_features} features (feature-set version {params.get("feature_set_version", "?")});
  training data fingerprint `{fingerprint}`. {monotone} of them carry a monotone constraint
  declared in the feature metadata (external scores, income, late payments, refusals,
  estimated interest rate...): raising one, all else equal, moves the risk one way only.
- Sex and family status are not inputs; age is (see the methodology note).

## Intended use
Helps relationship managers decide on consumer-credit applications of clients with little
or no credit history. The probability of default and its reasons support the advisor, who
may override the decision with a justification; every decision is logged.

## Performance (out of fold, {int(m.get("n_train", 0)):,} clients, {m.get("default_rate", 0):.1%} defaulters)
| metric | value |
|---|---|
| ROC AUC | {m["roc_auc"]:.4f} (logistic-regression baseline {m.get("baseline_roc_auc", float("nan")):.4f}) |
| Gini (2·AUC − 1) | {m.get("gini", 2 * m["roc_auc"] - 1):.4f} |
| KS | {m.get("ks", float("nan")):.4f} |
| PR AUC | {m["pr_auc"]:.4f} |
| Brier score | {m["brier"]:.4f} |
| Expected calibration error | {m["ece"]:.4f} |
| Threshold (refuse when p ≥ t) | {m["threshold"]:.4f} |
| Cost per applicant at the threshold | {m["cost_per_applicant"]:.4f} |
| Cost per applicant at 0.5 | {m["cost_at_half"]:.4f} |
| Cost per applicant, accepting everyone | {m["cost_accept_all"]:.4f} |

Costs: a defaulter accepted costs {cost_fn:g}, a good client refused costs {cost_fp:g}.

## Rating grades (master scale, out of fold)
{grade_section}

## KS table by score decile (out of fold, riskiest decile first)
{ks_section}

## Protected attributes
{protected_markdown(protected)}

## Fairness (decisions at the threshold, out of fold)
A false negative grants credit to a client who then defaults; a false positive refuses a
client who would have repaid.

{fairness_markdown(fairness)}

## Limits
- Trained on a sample of Home Credit applications; history tables cover only part of the
  clients, so scores of clients without history rely on the application alone.
- Age is an input; differences in approval rates between sexes and age bands partly follow
  differences in observed default rates and must be reviewed by people before any use in
  production.
- Probabilities are calibrated on the training population; re-check calibration when the
  population drifts (see the drift report).
"""
