"""Batch scoring: every row of ``application_test`` in a folder, with the champion."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from credit_scoring.core.grades import grades_of, points_of
from credit_scoring.modeling.contracts import Lang
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


def score_frame(
    scorer: ChampionScorer, features: pd.DataFrame, *, lang: Lang = "fr", top: int = REASONS
) -> pd.DataFrame:
    """``SK_ID_CURR, probability, decision, grade, points`` and the reasons (code and text,
    up to ``top`` against then ``top`` for), one row per client."""
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
    columns: dict[str, list[str]] = {name: [] for name in reason_columns(top)}
    for i in range(len(features)):
        against, favour = scorer.reasons(
            contrib[i, :-1], matrix[i], lang=lang, top=top, totals=totals[i], resolved=resolved[i]
        )
        for kind, reasons in (("against", against), ("for", favour)):
            for k in range(top):
                reason = reasons[k] if k < len(reasons) else None
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
