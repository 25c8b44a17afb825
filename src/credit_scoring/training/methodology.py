"""The methodology note, generated from a training run (markdown, then HTML)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import markdown

from credit_scoring.core import grades as scale
from credit_scoring.modeling import imbalance
from credit_scoring.modeling.evaluate import to_markdown
from credit_scoring.training.model_card import (
    fairness_markdown,
    grades_markdown,
    ks_markdown,
    protected_markdown,
)

_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;line-height:1.45}"
    "table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ccc;padding:.2rem .4rem}"
    "img{max-width:100%}code{background:#f4f4f4}"
)


def _image(plots: dict[str, Path], name: str, out_dir: Path) -> str:
    path = plots.get(name)
    if path is None:
        return ""
    try:
        rel = path.relative_to(out_dir)
    except ValueError:
        rel = path
    return f"![{name}]({rel.as_posix()})"


TRAIN_COMMAND = "credit-scoring train --data DIR"
BENCH_COMMAND = "uv run python bench/bench_model_quality.py --budget-minutes 15"


def _scorecard_section(outcome: Any) -> str:
    table = outcome.table.set_index("candidate")
    if "scorecard" not in table.index:
        return "_The scorecard challenger did not run._"
    cols = ["roc_auc", "gini", "ks", "cost_per_applicant", "ece"]
    rows = table.loc[[n for n in ("scorecard", outcome.winner.name) if n in table.index], cols]
    points = outcome.scorecard_points
    shown = points if points is not None else None
    listing = (
        to_markdown(shown[["characteristic", "bin", "share", "default_rate", "points"]], digits=3)
        if shown is not None
        else "_No points table._"
    )
    n_chars = shown["characteristic"].nunique() if shown is not None else 0
    return f"""A WoE/IV scorecard built with optbinning competes on the same folds
(`credit_scoring.modeling.scorecard`): inside each training part, the numeric features are
short-listed by univariate rank AUC (decorrelated), `BinningProcess` bins them into at most
6 weight-of-evidence bins with the declared direction as a monotonic trend where it is known,
keeps those with an information value of at least 0.01, a logistic regression is fitted on
the WoE values and `Scorecard` scales its coefficients to the platform's points
({scale.scale_description()}). Its out-of-fold figures next to the champion's:

{to_markdown(rows.reset_index())}

The table refitted on all clients ({n_chars} characteristics; `scorecard_points.csv` and
`scorecard_points.json` beside this note) — a client's score is the sum of the points of its
bins:

{listing}
"""


def methodology_markdown(
    outcome: Any,
    *,
    fairness: dict[str, Any],
    data_summary: str,
    settings: Any,
    grades: Any = None,
    protected: dict[str, Any] | None = None,
) -> str:
    """The note's markdown; ``outcome`` is a :class:`~credit_scoring.training.steps.TrainingOutcome`."""
    m = outcome.metrics
    w = outcome.winner
    cfg = outcome.config
    plots = {p.stem: p for p in outcome.plots}
    top = outcome.importance.head(10)
    top_lines = "\n".join(
        f"| {name} | {outcome.metas[name].description_en if name in outcome.metas else name} | "
        f"{value:.4f} |"
        for name, value in top.items()
    )
    imbalance_rows = outcome.table[outcome.table["candidate"].str.startswith("lightgbm")]
    img = lambda name: _image(plots, name, outcome.out_dir)  # noqa: E731
    notes = "\n".join(f"- {n}" for n in outcome.notes) or "- none"
    bagging = (
        (
            f"The best LightGBM setting is also evaluated as the average of {len(cfg.seeds)} "
            "boosters trained with other seeds (row and column samples), merged into one "
            "model, and competes on cost like the others. "
        )
        if len(cfg.seeds) > 1
        else ""
    )
    model = outcome.scorer.loan_terms
    loan_terms = (
        f"""
The application gives the credit and the monthly annuity but not the number of payments,
so not the price of the loan. A regression learned on {model.n_contracts:,} past cash and
consumer loans (`previous_application`, which states their number of payments; no outcome
is used) estimates it for each new cash loan; the champion adds that estimate, the yearly
interest rate it implies through the annuity formula and the total interest relative to
the credit ({", ".join(f"`{n}`" for n in outcome.scorer.derived)}) to every table it
scores, so the API, batch scoring and explanations see the same columns.
"""
        if model is not None
        else ""
    )
    ks_sections = "\n\n".join(
        f"**{name}**\n\n{ks_markdown(table)}" for name, table in outcome.ks_tables.items()
    )
    return f"""# Methodology note — credit default model

_Produced by `{TRAIN_COMMAND}` (figures of the shared sample: `{
        BENCH_COMMAND
    }`); generated from training run data fingerprint `{outcome.data_fingerprint}`, {
        outcome.seconds / 60:.1f}
minutes, {"quick" if cfg.quick else "full"} mode._

## 1. Data
{data_summary}

Training rows: {int(m["n_train"]):,} clients with a known outcome; defaulters {
        m["default_rate"]:.2%}.
The test table (no outcome) is never used for any choice.

## 2. Features
{len(outcome.scorer.model_columns)} features (feature-set version `{outcome.feature_set_version}`),
built by `credit_scoring.features` from the application and the history tables present
(absent tables give missing values). Every feature carries metadata (source column, unit,
French and English description, declared direction on the risk) used for the monotone
constraints and the reasons shown to advisors and applicants.

**Protected attributes.** Sex (`CODE_GENDER`) and family status (`NAME_FAMILY_STATUS`) are
never model inputs, nor any column derived from them; the number of family members and the
person who came with the applicant are left out too, because with the number of children
they reveal whether the applicant lives with a partner. They stay in the raw application
table and are read beside the model for the fairness report (section 10). **Age stays an
input**: it is not a prohibited ground for consumer credit when its use is empirically
justified and proportionate (EU Consumer Credit Directive, ECOA allows it in an empirically
derived, statistically sound system); here it carries information the other inputs do not (its weight is in section 8's
importance table), and its effect on
approval rates by age band is measured and reported below.

**Monotone constraints.** {len(outcome.monotone)} features have a direction declared once in
the feature metadata (`features/metadata.py`, `MONOTONE_RULES`): external scores and income
can only lower the risk; the debt-to-income ratios, late payments, days past due and overdue
amounts, refusals of previous applications, bad debt and the estimated interest rate of the
loan can only raise it. LightGBM is trained with these `monotone_constraints` (method
"basic", the one that guarantees them: "intermediate" let some clients' probability rise
with their income on the real sample); a behavioural test checks it on a trained model (raising an external score
or the income never raises the probability, raising late payments never lowers it). The
spread of the external scores is not a feature: raising one score may widen or narrow it.
{loan_terms}
## 3. Validation scheme
Stratified {cfg.n_folds}-fold cross-validation with seed {cfg.seed}. Every candidate is
evaluated on the same folds; all later steps (imbalance choice, calibration, threshold,
fairness) use the out-of-fold predictions only. Hyper-parameters: `GridSearchCV` (3 folds on
a stratified sample) for the scikit-learn baselines, Optuna (TPE) for LightGBM. Each fold's
booster trains on the whole training part of the fold; the number of boosting rounds is
chosen like the other hyper-parameters, as the round with the best mean validation AUC over
the folds (one number for all folds, so no fold gets its own stopping point), and the final
model is refitted on every client with 10% more rounds. {bagging}Time budget
{cfg.budget_minutes:g} minutes; LightGBM trains with {cfg.n_threads} thread(s).

Notes from the run:
{notes}

## 4. Class imbalance
Compared on the LightGBM configuration: {
        ", ".join(imbalance.describe(s) for s in imbalance.STRATEGIES)
    }.
Resampling happens inside the training folds only. Kept: **{imbalance.describe(w.imbalance)}**
(lowest business cost after calibration).

{to_markdown(imbalance_rows[["candidate", "roc_auc", "brier", "ece", "cost_per_applicant"]])}

## 5. Business cost and threshold
Cost of a false negative (a defaulter accepted): {settings.cost_fn:g}; of a false positive (a
good client refused): {settings.cost_fp:g}. The threshold minimises the cost per applicant on
the calibrated out-of-fold probabilities: **{m["threshold"]:.4f}** (a client is refused when
the probability of default reaches it).

| decision rule | cost per applicant |
|---|---|
| chosen threshold {m["threshold"]:.4f} | {m["cost_per_applicant"]:.4f} |
| threshold 0.5 | {m["cost_at_half"]:.4f} |
| accept everyone | {m["cost_accept_all"]:.4f} |

Saving versus accepting everyone: {m["saving_vs_accept_all"]:.1%}.

{img("cost_vs_threshold")}

## 6. Results
All metrics are out of fold; decisions at each candidate's own cost-minimising threshold;
F-beta with beta = 2; fit time per fold, prediction time per 1,000 clients.

{to_markdown(outcome.table)}

Gini = 2·AUC − 1; KS is the largest gap between the cumulative shares of defaulters and of
repaid clients ranked by score (optbinning's implementation). KS table by score decile
(decile 1 = the riskiest tenth; lift = decile default rate over the overall rate):

{ks_sections}

{img("roc_pr")}

{img("confusion_matrix")}

## 6b. Rating grades and points
Every score carries a grade of the master scale (fixed PD ranges, `credit_scoring.core.grades`)
and points: {scale.scale_description()} Per grade, on the champion's out-of-fold predictions:

{grades_markdown(grades) if grades is not None else "_Not computed._"}

## 6c. Scorecard challenger
{_scorecard_section(outcome)}

## 6d. Cost of leaving the protected attributes out
{protected_markdown(protected)}

## 7. Calibration
The served probability is the winner's score passed through a **{w.calibration}** calibrator
fitted on all out-of-fold scores; its quality is measured out of fold (each fold calibrated by
a calibrator fitted on the other folds). Brier score {m["brier"]:.4f} (raw {m["brier_raw"]:.4f});
expected calibration error (10 equal-width bins) {m["ece"]:.4f} (raw {m["ece_raw"]:.4f}).

{img("calibration")}

## 8. Global interpretability
Exact TreeSHAP contributions from LightGBM (`pred_contrib=True`), in log-odds, on a sample
of training clients.

| feature | description | mean abs. SHAP |
|---|---|---|
{top_lines}

{img("shap_beeswarm")}

{img("shap_bar")}

{img("shap_dependence_1")}

## 9. Local interpretability
For one client, the exact contributions are added up per fact of the reason-code catalogue
(`credit_scoring.core.reason_codes`: codes R01…, French and English applicant wording and a
shorter advisor wording): every feature group maps to one fact, so all external-score
features make one reason (R01) and all late-payment features of every history table one
(R02). A client a history table does not know gets that table's absence fact instead ("No
credit history with other lenders known to us", R30), and a fact without any value gets the
catalogue's wording of what is missing and how to supply it. The four facts that raise the
risk most and the four that lower it most are given, each once, with its code; the text
quotes the member the client has a value for that pushes hardest, in its unit, and where it
stands among the training population, e.g. "External score 3: 0.14 (lower than 90% of
clients)"; a categorical fact names the client's own category ("Type de revenu :
retraité"). The dashboard also shows the nearest known clients on the
most important features ({
        ", ".join(outcome.scorer.similarity.features) if outcome.scorer.similarity else "none"
    }), scaled by their inter-quartile range, and how they turned out.

## 10. Fairness
{fairness_markdown(fairness)}

## 11. Limits and improvements
- The sample has no installment-payment table; history tables cover a minority of clients.
- The cost ratio {settings.cost_fn:g}:{settings.cost_fp:g} is an assumption of the business;
  change `CREDIT_SCORING_COST_FN` / `CREDIT_SCORING_COST_FP` and retrain to move the threshold.
- The estimated loan term and rate come from past contracts' amounts; if the lender's
  pricing changes, retrain so that the term model learns the new prices.
- Out-of-fold figures are estimates on the same population; monitor drift and re-check the
  calibration on new clients. Improvements: more history features (installments), a fairness
  review of the threshold per group.
"""


def write_methodology(md: str, out_dir: Path) -> tuple[Path, Path]:
    """Write ``methodology.md`` and a self-contained-style ``methodology.html`` in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md_path = out_dir / "methodology.md"
    md_path.write_text(md, encoding="utf-8")
    body = markdown.markdown(md, extensions=["tables"])
    html_path = out_dir / "methodology.html"
    html_path.write_text(
        f"<!doctype html><html lang='en'><meta charset='utf-8'>"
        f"<title>Methodology note</title><style>{_CSS}</style><body>{body}</body></html>",
        encoding="utf-8",
    )
    return md_path, html_path
