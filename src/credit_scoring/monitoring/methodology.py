"""The methodology note, generated from a training run (markdown, then HTML)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import markdown

from credit_scoring.modeling import imbalance
from credit_scoring.modeling.evaluate import to_markdown
from credit_scoring.monitoring.model_card import fairness_markdown

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


def methodology_markdown(
    outcome: Any, *, fairness: dict[str, Any], data_summary: str, settings: Any
) -> str:
    """The note's markdown; ``outcome`` is a :class:`~credit_scoring.modeling.train.TrainingOutcome`."""
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
    return f"""# Methodology note — credit default model

_Generated from training run data fingerprint `{outcome.data_fingerprint}`, {
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
French and English description) used for the reasons shown to advisors.
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

{img("roc_pr")}

{img("confusion_matrix")}

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
For one client, the exact contributions are added up per source column (feature group);
the four groups that raise the risk most and the four that lower it most are worded from
the metadata: description, the client's value in its unit, and where it stands among the
training population (percentiles stored with the model), e.g. "External score 3: 0.14
(lower than 90% of clients)". The dashboard also shows the nearest known clients on the
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
  calibration on new clients. Improvements: more history features (installments), monotone
  constraints on the bankers' ratios, a fairness review of the threshold per group.
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
