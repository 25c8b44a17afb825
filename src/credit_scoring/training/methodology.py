"""The methodology note, generated from a training run.

Markdown from the Jinja2 template ``methodology.md.j2`` beside this module, then HTML.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
import markdown

from credit_scoring.core import formatting
from credit_scoring.core import grades as scale
from credit_scoring.modeling import external_scores as ext
from credit_scoring.modeling import imbalance, scorecard, sizing
from credit_scoring.modeling import loan_terms as terms
from credit_scoring.modeling.candidates import sklearn_candidates
from credit_scoring.training.model_card import (
    fairness_markdown,
    grades_markdown,
    ks_markdown,
    protected_markdown,
    table_markdown,
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
TEMPLATE = "methodology.md.j2"
TEMPLATES = {"en": TEMPLATE, "fr": "methodology.fr.md.j2"}
# The files each language is written to (English keeps the names it always had).
FILES = {"en": "methodology", "fr": "methodology.fr"}
TITLES = {"en": "Methodology note", "fr": "Note méthodologique"}


def _scorecard(outcome: Any, lang: str = "en") -> dict[str, Any] | None:
    """The scorecard challenger's figures next to the champion's and its points table."""
    table = outcome.table.set_index("candidate")
    if "scorecard" not in table.index:
        return None
    cols = ["roc_auc", "gini", "ks", "cost_per_applicant", "ece"]
    rows = table.loc[[n for n in ("scorecard", outcome.winner.name) if n in table.index], cols]
    points = outcome.scorecard_points
    used = _subsampled(outcome.table).get("scorecard")
    return {
        # the points table is fitted on as many clients as each fold's subsample
        "fitted_on": used[0] if used else None,
        "figures": table_markdown(rows.reset_index(), lang),
        "points": (
            table_markdown(
                points[["characteristic", "bin", "share", "default_rate", "points"]], lang, 3
            )
            if points is not None
            else ("_Pas de table de points._" if lang == "fr" else "_No points table._")
        ),
        "characteristics": points["characteristic"].nunique() if points is not None else 0,
    }


def _subsampled(table: Any) -> dict[str, tuple[int, int]]:
    """Per candidate fitted on a subsample, its (rows used, rows available) per fold."""
    if "rows_used" not in table.columns:
        return {}
    return {
        str(r.candidate): (int(r.rows_used), int(r.rows_available))
        for r in table.itertuples(index=False)
        if r.rows_used < r.rows_available
    }


def _sizing() -> dict[str, Any]:
    """The rule that sizes the candidates' training rows, as the note states it."""
    shares = [(c.name, c.budget_share) for c in sklearn_candidates() if c.budget_share]
    return {
        "shares": [*shares, ("scorecard", scorecard.BUDGET_SHARE)],
        "pilot_rows": sizing.PILOT_ROWS,
        "pilot_growth": sizing.PILOT_GROWTH,
        "safety": sizing.SAFETY,
        "fit_cells": sizing.FIT_CELLS,
        "min_rows": sizing.MIN_ROWS,
    }


def _fmt(value: Any, spec: str) -> str:
    return format(value, spec)


def _fmt_fr(value: Any, spec: str) -> str:
    """The ``fmt`` filter of the French note: the same specs, written the French way.

    Returns
    -------
    str
        ``value`` formatted by ``spec``, with French separators.

    Examples
    --------
    >>> _fmt_fr(0.0812, ".2%"), _fmt_fr(1295, ","), _fmt_fr(1.44, ".1f")
    ('8,12\u00a0%', '1\u202f295', '1,4')
    """
    if not isinstance(value, int | float):
        return format(value, spec)
    if spec.endswith("%"):
        return formatting.percent(value, "fr", int(spec.strip(".%") or 0))
    if spec.endswith("f"):
        return formatting.number(value, "fr", int(spec.strip(".,f") or 0))
    if spec == "g" and float(value).is_integer():
        return formatting.number(value, "fr", 0)
    if spec == "g":
        return formatting.number(value, "fr", 2)
    return formatting.number(value, "fr", 0)


@lru_cache(maxsize=2)
def _template(lang: str = "en") -> jinja2.Template:
    # markdown, not HTML: nothing to escape (write_methodology converts it afterwards)
    env = jinja2.Environment(
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["fmt"] = _fmt_fr if lang == "fr" else _fmt
    return env.from_string(
        files("credit_scoring.training").joinpath(TEMPLATES[lang]).read_text(encoding="utf-8")
    )


def methodology_markdown(
    outcome: Any,
    *,
    fairness: dict[str, Any],
    data_summary: str,
    settings: Any,
    grades: Any = None,
    protected: dict[str, Any] | None = None,
    lang: str = "en",
) -> str:
    """The note's markdown in ``lang`` (``methodology.md.j2``, ``methodology.fr.md.j2``).

    Parameters
    ----------
    outcome : TrainingOutcome
        The run (:class:`~credit_scoring.training.steps.TrainingOutcome`).
    fairness : dict of str to DataFrame
        The champion's fairness tables (:func:`~credit_scoring.training.fairness.fairness_report`).
    data_summary : str
        Markdown describing the input folder.
    settings : Settings
        The run's settings (the note quotes the business costs).
    grades : DataFrame, optional
        The grade table (:func:`~credit_scoring.modeling.evaluate.grade_table`).
    protected : dict, optional
        What leaving the protected attributes out costs
        (:func:`~credit_scoring.training.pipeline.protected_summary`).
    lang : {"fr", "en"}, default="en"
        The note's language: text, tables, numbers.

    Returns
    -------
    str
        The note in markdown.

    Raises
    ------
    jinja2.UndefinedError
        The template uses a value the run does not provide (strict undefined).
    """
    plots = {p.stem: p for p in outcome.plots}
    scorer = outcome.scorer
    imbalance_rows = outcome.table[outcome.table["candidate"].str.startswith("lightgbm")]
    missing = "_Non calculé._" if lang == "fr" else "_Not computed._"
    return _template(lang).render(
        train_command=TRAIN_COMMAND,
        bench_command=BENCH_COMMAND,
        outcome=outcome,
        m=outcome.metrics,
        w=outcome.winner,
        cfg=outcome.config,
        settings=settings,
        data_summary=data_summary,
        img=lambda name: _image(plots, name, outcome.out_dir),
        loan_terms=scorer.loan_terms,
        derived_columns=", ".join(f"`{n}`" for n in scorer.derived if n in terms.NAMES),
        external_scores=scorer.external_scores,
        estimated_columns=", ".join(f"`{n}`" for n in scorer.derived if n in ext.NAMES),
        subsampled=_subsampled(outcome.table),
        sizing=_sizing(),
        strategies=", ".join(imbalance.describe(s) for s in imbalance.STRATEGIES),
        kept_strategy=imbalance.describe(outcome.winner.imbalance),
        imbalance_table=table_markdown(
            imbalance_rows[["candidate", "roc_auc", "brier", "ece", "cost_per_applicant"]], lang
        ),
        results_table=table_markdown(outcome.table, lang),
        ks_tables={name: ks_markdown(table, lang) for name, table in outcome.ks_tables.items()},
        scale_description=scale.scale_description(lang),
        grades_table=grades_markdown(grades, lang) if grades is not None else missing,
        scorecard=_scorecard(outcome, lang),
        protected_section=protected_markdown(protected, lang),
        top_features=[
            (
                name,
                outcome.metas[name].description(lang) if name in outcome.metas else name,
                value,
            )
            for name, value in outcome.importance.head(10).items()
        ],
        similar_features=(
            ", ".join(scorer.similarity.features)
            if scorer.similarity
            else ("aucune" if lang == "fr" else "none")
        ),
        fairness_section=fairness_markdown(fairness, lang),
    )


def write_methodology(md: str, out_dir: Path, lang: str = "en") -> tuple[Path, Path]:
    """Write the note's markdown and a self-contained-style HTML page in ``out_dir``.

    Parameters
    ----------
    md : str
        The note's markdown (:func:`methodology_markdown`).
    out_dir : Path
        The folder, created if needed.
    lang : {"fr", "en"}, default="en"
        The note's language: ``methodology.md``/``.html`` in English,
        ``methodology.fr.md``/``.html`` in French.

    Returns
    -------
    md_path, html_path : Path
        The two files written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    md_path = out_dir / f"{FILES[lang]}.md"
    md_path.write_text(md, encoding="utf-8")
    body = markdown.markdown(md, extensions=["tables"])
    html_path = out_dir / f"{FILES[lang]}.html"
    html_path.write_text(
        f"<!doctype html><html lang='{lang}'><meta charset='utf-8'>"
        f"<title>{TITLES[lang]}</title><style>{_CSS}</style><body>{body}</body></html>",
        encoding="utf-8",
    )
    return md_path, html_path


def methodology_path(reports_dir: Path, lang: str) -> Path | None:
    """The current model's methodology note (HTML) in ``lang``, if training wrote one.

    Parameters
    ----------
    reports_dir : Path
        The reports folder (its ``model/`` holds the newest training's reports).
    lang : {"fr", "en"}
        The reader's language.

    Returns
    -------
    Path or None
        The HTML file, or None when there is none yet.
    """
    path = reports_dir / "model" / f"{FILES.get(lang, FILES['en'])}.html"
    return path if path.is_file() else None
