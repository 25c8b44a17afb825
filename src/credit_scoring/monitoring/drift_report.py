"""Run evidently's drift preset on two frames and turn its result into a summary people can read.

Evidently decides, column by column, whether a distribution moved (Wasserstein
distance for numbers, Jensen-Shannon for categories on large samples). On top
of that this module weights the verdicts by the model's feature importances, so
the summary says not only *what* moved but whether it *matters* for the score.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from evidently import DataDefinition, Dataset, Report
from evidently.presets import DataDriftPreset

FEATURE_PREFIX = "model: "  # model features share names with raw columns: keep them apart


@dataclass(frozen=True)
class ColumnDrift:
    """Evidently's verdict on one column, with the model importance it carries (share of 1)."""

    column: str
    kind: str  # "raw" | "feature" | "score"
    method: str
    score: float
    threshold: float
    drifted: bool
    importance: float | None = None

    @property
    def severity(self) -> float:
        """How far past its threshold (1 = on it), comparable across methods.

        Distances drift when *above* the threshold; p-values (small samples) when *below*.
        """
        if not self.threshold:
            return 0.0
        if "p_value" in self.method:
            return self.threshold / max(self.score, 1e-12)
        return self.score / self.threshold


def sample_rows(frame: pd.DataFrame, rows: int, seed: int) -> pd.DataFrame:
    """At most ``rows`` rows, drawn with a fixed seed (keeps run time and HTML size bounded)."""
    if len(frame) <= rows:
        return frame.reset_index(drop=True)
    return frame.sample(rows, random_state=seed).reset_index(drop=True)


def _definition(frame: pd.DataFrame) -> DataDefinition:
    categorical = [
        c
        for c in frame.columns
        if isinstance(frame[c].dtype, pd.CategoricalDtype)
        or frame[c].dtype == object
        or pd.api.types.is_bool_dtype(frame[c])
    ]
    numerical = [c for c in frame.columns if c not in categorical]
    return DataDefinition(numerical_columns=numerical, categorical_columns=categorical)


def _usable_columns(reference: pd.DataFrame, current: pd.DataFrame) -> list[str]:
    """Columns present on both sides with at least one value on each (evidently needs data)."""
    shared = [c for c in reference.columns if c in current.columns]
    return [c for c in shared if reference[c].notna().any() and current[c].notna().any()]


def run_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    kinds: dict[str, str] | None = None,
    importances: dict[str, float] | None = None,
) -> tuple[Any, list[ColumnDrift]]:
    """Evidently snapshot plus one :class:`ColumnDrift` per column compared.

    ``kinds`` maps a column to "raw", "feature" or "score" (default "raw");
    ``importances`` maps a column to its share of the model's importance.
    """
    columns = _usable_columns(reference, current)
    if not columns:
        raise ValueError("the two data sets share no column with values on both sides.")
    reference, current = reference[columns], current[columns]
    for col in columns:  # evidently wants plain strings for categories
        if not pd.api.types.is_numeric_dtype(reference[col]) or not pd.api.types.is_numeric_dtype(
            current[col]
        ):
            reference = reference.assign(**{col: reference[col].astype("string").astype(object)})
            current = current.assign(**{col: current[col].astype("string").astype(object)})
    definition = _definition(pd.concat([reference.head(1), current.head(1)]))
    snapshot = Report([DataDriftPreset()], include_tests=True).run(
        Dataset.from_pandas(current, data_definition=definition),
        Dataset.from_pandas(reference, data_definition=definition),
    )
    return snapshot, parse_columns(snapshot.dict(), kinds or {}, importances or {})


def parse_columns(
    result: dict[str, Any], kinds: dict[str, str], importances: dict[str, float]
) -> list[ColumnDrift]:
    """Read per-column scores from the metrics and verdicts from the tests of a snapshot dict."""
    failed = {
        t["metric_config"]["metric_id"]
        for t in result.get("tests", [])
        if t.get("status") == "FAIL"
    }
    columns = []
    for metric in result["metrics"]:
        config = metric["config"]
        if not config.get("type", "").endswith("ValueDrift"):
            continue
        name = config["column"]
        columns.append(
            ColumnDrift(
                column=name,
                kind=kinds.get(name, "raw"),
                method=str(config.get("method")),
                score=float(metric["value"]),
                threshold=float(config.get("threshold") or 0.0),
                drifted=metric["id"] in failed,
                importance=importances.get(name),
            )
        )
    return columns


def _share(columns: list[ColumnDrift]) -> dict[str, Any]:
    drifted = [c.column for c in columns if c.drifted]
    return {
        "columns": len(columns),
        "drifted": len(drifted),
        "share": len(drifted) / len(columns) if columns else 0.0,
        "drifted_columns": drifted,
    }


def summarise(
    columns: list[ColumnDrift],
    *,
    weighted: bool,
    action_share: float,
    top: int = 10,
    unweighted_reason: str = "no champion model is registered",
) -> dict[str, Any]:
    """Shares of drifted columns per kind, importance-weighted drift and a one-line verdict.

    The weighted drift share is the part of the model's importance carried by
    drifted features: 0.02 means the features that moved explain 2% of what the
    model looks at. At or above ``action_share`` the verdict asks for action.
    """
    by_kind = {
        kind: _share([c for c in columns if c.kind == kind])
        for kind in ("raw", "feature", "score")
        if any(c.kind == kind for c in columns)
    }
    summary: dict[str, Any] = {"by_kind": by_kind, "weighted": weighted}
    features = [c for c in columns if c.kind == "feature" and c.importance is not None]
    if weighted and features:
        covered = sum(c.importance or 0.0 for c in features)
        moved = sum(c.importance or 0.0 for c in features if c.drifted)
        summary["importance_covered"] = covered
        summary["weighted_drift_share"] = moved / covered if covered else 0.0
        share = summary["weighted_drift_share"]
        level = "action" if share >= action_share else ("watch" if moved > 0 else "ok")
        summary["verdict"] = level
        summary["message"] = {
            "ok": "No feature that matters to the model has drifted.",
            "watch": (
                f"Drifted features carry {share:.0%} of the importance of the model's top "
                f"features (below the {action_share:.0%} alert level): watch the next reports."
            ),
            "action": (
                f"Drifted features carry {share:.0%} of the importance of the model's top "
                f"features (alert level {action_share:.0%}): check the score distribution "
                "and consider retraining on recent data."
            ),
        }[level]
    else:
        summary["importance_covered"] = None
        summary["weighted_drift_share"] = None
        raw = by_kind.get("raw", {"share": 0.0})
        summary["verdict"] = "watch" if raw["share"] > 0 else "ok"
        summary["message"] = (
            f"{raw['share']:.0%} of the raw columns drifted. Drift is not weighted "
            f"by importance: {unweighted_reason}, so whether it matters for the "
            "score is unknown."
        )
        summary["unweighted_reason"] = unweighted_reason
    ranked = sorted(
        columns, key=lambda c: ((c.importance or 0.0) * c.drifted, c.severity), reverse=True
    )
    summary["top_drifted"] = [asdict(c) for c in ranked if c.drifted][:top]
    summary["columns"] = [asdict(c) for c in columns]
    return summary


def _summary_html(summary: dict[str, Any]) -> str:
    colour = {"ok": "#2e7d32", "watch": "#ef6c00", "action": "#c62828"}[summary["verdict"]]
    kinds = "".join(
        f"<li>{html.escape(kind)}: {s['drifted']} of {s['columns']} columns drifted "
        f"({s['share']:.0%})</li>"
        for kind, s in summary["by_kind"].items()
    )
    rows = "".join(
        f"<tr><td>{html.escape(c['column'])}</td><td>{html.escape(c['kind'])}</td>"
        f"<td>{html.escape(c['method'])}</td><td>{c['score']:.3f}</td><td>{c['threshold']:.3f}</td>"
        f"<td>{'' if c['importance'] is None else format(c['importance'], '.1%')}</td></tr>"
        for c in summary["top_drifted"]
    )
    weighted = (
        f"not weighted ({summary.get('unweighted_reason', 'no champion model')})"
        if summary["weighted_drift_share"] is None
        else f"{summary['weighted_drift_share']:.1%} of the importance of the model's top "
        f"features (they carry {summary['importance_covered']:.0%} of all importance)"
    )
    return (
        '<section id="drift-summary" style="font-family:sans-serif;margin:16px;padding:16px;'
        f'border-left:6px solid {colour};background:#fafafa">'
        f"<h1>Data drift: {html.escape(str(summary.get('current', '')))} vs "
        f"{html.escape(str(summary.get('reference', '')))}</h1>"
        f"<p><b>Verdict: {summary['verdict']}.</b> {html.escape(summary['message'])}</p>"
        f"<p>Rows compared: reference {summary.get('rows', {}).get('reference', '?')}, current "
        f"{summary.get('rows', {}).get('current', '?')} (sampled to at most "
        f"{summary.get('rows', {}).get('sampled_to', '?')} each). Weighted drift: {weighted}.</p>"
        f"<ul>{kinds}</ul>"
        + (
            "<table border=1 cellpadding=4 style='border-collapse:collapse'><tr><th>column</th><th>kind"
            "</th><th>method</th><th>score</th><th>threshold</th><th>importance</th></tr>"
            f"{rows}</table>"
            if rows
            else "<p>No column drifted.</p>"
        )
        + "<p>Below: evidently's per-column tests and distributions.</p></section>"
    )


def write_report(snapshot: Any, summary: dict[str, Any], html_path: Path) -> Path:
    """Write the HTML (summary first, then evidently's widgets) and the JSON summary beside it."""
    html_path.parent.mkdir(parents=True, exist_ok=True)
    page = snapshot.get_html_str(as_iframe=False)
    marker = "<body>"
    at = page.find(marker)
    block = _summary_html(summary)
    page = page[: at + len(marker)] + block + page[at + len(marker) :] if at >= 0 else block + page
    tmp = html_path.with_suffix(".partial")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(html_path)
    json_path = html_path.with_suffix(".json")
    json_path.write_text(json.dumps(summary, indent=1, default=_jsonable), encoding="utf-8")
    return json_path


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    return str(value)
