"""Batch scoring: every row of ``application_test`` in a folder, with the champion."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from credit_scoring.core.grades import grades_of, points_of
from credit_scoring.core.results import Lang, Reason
from credit_scoring.modeling.scorer import ChampionScorer

CHUNK = 5_000
REASONS = 4  # reasons against and for per client in a scores file


@dataclass
class BatchResult:
    rows: int
    seconds: float
    out: Path

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


def reason_columns(top: int = REASONS) -> list[str]:
    """The reason columns of a scores file: code then text of each reason, against then for."""
    return [
        name
        for kind in ("against", "for")
        for i in range(top)
        for name in (f"reason_{kind}_{i + 1}_code", f"reason_{kind}_{i + 1}")
    ]


SCORE_COLUMNS = ["SK_ID_CURR", "probability", "decision", "grade", "points"]


def score_reasons(
    scorer: ChampionScorer, features: pd.DataFrame, *, lang: Lang = "fr", top: int = REASONS
) -> tuple[pd.DataFrame, list[tuple[list[Reason], list[Reason]]]]:
    """The one batch scoring path: ``SK_ID_CURR, probability, decision, grade, points`` per
    client, and each client's reasons (up to ``top`` against, then up to ``top`` for).

    Parameters
    ----------
    scorer : ChampionScorer
        The champion (its booster's contributions give the probability and the reasons).
    features : pandas.DataFrame
        Feature rows with ``SK_ID_CURR`` and the model's columns.
    lang : {"fr", "en"}
        Language of the reason texts.
    top : int
        Most reasons kept in each direction.

    Returns
    -------
    tuple
        The scores frame (``decision`` is the model's, by the threshold) and, in the same
        order, ``(against, for)`` lists of :class:`~credit_scoring.core.results.Reason`.
    """
    matrix = scorer.matrix(features)
    contrib = np.asarray(
        scorer.booster.predict(matrix, pred_contrib=True, num_threads=scorer.num_threads)
    )
    raw = 1.0 / (1.0 + np.exp(-contrib.sum(axis=1)))
    probability = scorer.calibrator.predict(raw)
    out = pd.DataFrame(
        {
            "SK_ID_CURR": features["SK_ID_CURR"].to_numpy(dtype=np.int64),
            "probability": probability,
            "decision": np.where(probability >= scorer.threshold, "refuse", "grant"),
            "grade": grades_of(probability),
            "points": points_of(probability),
        }
    )
    # the sums per fact for the whole chunk at once; only the texts are made per client
    totals, resolved = scorer.reason_builder.by_code(contrib[:, :-1], matrix)
    reasons = [
        scorer.reasons(
            contrib[i, :-1], matrix[i], lang=lang, top=top, totals=totals[i], resolved=resolved[i]
        )
        for i in range(len(features))
    ]
    return out, reasons


def reason_records(against: list[Reason], favour: list[Reason]) -> list[dict[str, Any]]:
    """Reasons as stored with a score, against then for: ``code, text, direction, group,
    contribution, features, value`` each (the keys of the API's reasons), plain Python
    values ready for a JSON column."""
    return [
        {
            "code": r.code,
            "text": r.text,
            "direction": r.direction,
            "group": r.group,
            "contribution": float(r.contribution),
            "features": list(r.features),
            "value": _plain(r.value),
        }
        for r in [*against, *favour]
    ]


def _plain(value: float | str | None) -> float | str | None:
    """A reason's quoted value for JSON: a finite float, a string, or None."""
    if value is None or isinstance(value, str):
        return value
    number = float(value)
    return number if np.isfinite(number) else None


def score_frame(
    scorer: ChampionScorer, features: pd.DataFrame, *, lang: Lang = "fr", top: int = REASONS
) -> pd.DataFrame:
    """``SK_ID_CURR, probability, decision, grade, points`` and the reasons (code and text,
    up to ``top`` against then ``top`` for), one row per client."""
    out, reasons = score_reasons(scorer, features, lang=lang, top=top)
    columns: dict[str, list[str]] = {name: [] for name in reason_columns(top)}
    for against, favour in reasons:
        for kind, chosen in (("against", against), ("for", favour)):
            for k in range(top):
                reason = chosen[k] if k < len(chosen) else None
                columns[f"reason_{kind}_{k + 1}_code"].append(reason.code if reason else "")
                columns[f"reason_{kind}_{k + 1}"].append(reason.text if reason else "")
    return pd.concat([out, pd.DataFrame(columns)], axis=1)


def score_features(
    scorer: ChampionScorer,
    features: pd.DataFrame,
    out: Path,
    *,
    lang: Lang = "fr",
    on_chunk: Callable[[int], None] | None = None,
) -> BatchResult:
    """Score in chunks, write the CSV (atomically), and time it."""
    start = time.perf_counter()
    parts = []
    for begin in range(0, len(features), CHUNK):
        chunk = features.iloc[begin : begin + CHUNK]
        parts.append(score_frame(scorer, chunk, lang=lang))
        if on_chunk:
            on_chunk(len(chunk))
    result = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=[*SCORE_COLUMNS, *reason_columns()])
    )
    out = write_scores(result, out)
    return BatchResult(rows=len(result), seconds=time.perf_counter() - start, out=out)


def write_scores(result: pd.DataFrame, out: Path | str) -> Path:
    """Write the scores CSV whole or not at all (a crash leaves no half-written file)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".partial")
    result.to_csv(tmp, index=False)
    tmp.replace(out)
    return out
