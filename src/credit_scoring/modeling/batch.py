"""Batch scoring: every row of ``application_test`` in a folder, with the champion.

Made of the champion's one scoring path (:meth:`ChampionScorer.score_block
<credit_scoring.modeling.scorer.ChampionScorer.score_block>`, which also scores one
client online), over blocks of :data:`CHUNK` clients with TreeSHAP on the cores available.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from credit_scoring.core.results import Lang, Reason
from credit_scoring.modeling.scorer import ChampionScorer, ScoredBlock

CHUNK = 16_384  # clients per block: large enough for the TreeSHAP kernel to share tree patterns
REASONS = 4  # reasons against and for per client in a scores file


@dataclass
class BatchResult:
    """What a batch scoring run wrote, and how fast.

    Attributes
    ----------
    rows : int
        Clients scored (rows of the scores file).
    seconds : float
        Wall-clock time of the run, writing included.
    out : Path
        The scores CSV written.
    """

    rows: int
    seconds: float
    out: Path

    @property
    def rows_per_second(self) -> float:
        """Clients scored per second (infinite for a run that took no measurable time)."""
        return self.rows / self.seconds if self.seconds else float("inf")


def reason_columns(top: int = REASONS) -> list[str]:
    """The reason columns of a scores file: code then text of each reason, against then for.

    Parameters
    ----------
    top : int, default=REASONS
        Reasons in each direction.

    Returns
    -------
    list of str
        ``reason_against_1_code, reason_against_1, ...`` then the same for ``for``.

    Examples
    --------
    >>> reason_columns(1)
    ['reason_against_1_code', 'reason_against_1', 'reason_for_1_code', 'reason_for_1']
    """
    return [
        name
        for kind in ("against", "for")
        for i in range(top)
        for name in (f"reason_{kind}_{i + 1}_code", f"reason_{kind}_{i + 1}")
    ]


SCORE_COLUMNS = ["SK_ID_CURR", "probability", "decision", "grade", "points"]


def batch_threads() -> int:
    """LightGBM threads for batch scoring: the cores this process may use.

    The online path keeps one thread.

    Returns
    -------
    int
        The CPUs of this process's affinity mask (the machine's count where there is none),
        at least 1.
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def score_block(
    scorer: ChampionScorer,
    features: pd.DataFrame,
    *,
    lang: Lang = "fr",
    top: int = REASONS,
    num_threads: int | None = None,
) -> ScoredBlock:
    """A block of clients scored by the champion's one scoring path.

    That is :meth:`~credit_scoring.modeling.scorer.ChampionScorer.score_block`, the same as
    online, with TreeSHAP on ``num_threads`` threads (default :func:`batch_threads`).

    Parameters
    ----------
    scorer : ChampionScorer
        The champion.
    features : pandas.DataFrame
        Feature rows with the model's columns.
    lang : {"fr", "en"}, default="fr"
        Language of the reason texts.
    top : int, default=REASONS
        Most reasons kept in each direction.
    num_threads : int, optional
        LightGBM threads (default: :func:`batch_threads`).

    Returns
    -------
    ScoredBlock
        The scores and reasons of each row, in the rows' order.
    """
    threads = batch_threads() if num_threads is None else num_threads
    return scorer.score_block(features, lang=lang, top=top, num_threads=threads)


def _scores(features: pd.DataFrame, block: ScoredBlock) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "SK_ID_CURR": features["SK_ID_CURR"].to_numpy(dtype=np.int64),
            "probability": block.probability,
            "decision": block.decision,
            "grade": block.grade,
            "points": block.points,
        }
    )


def score_reasons(
    scorer: ChampionScorer,
    features: pd.DataFrame,
    *,
    lang: Lang = "fr",
    top: int = REASONS,
    num_threads: int | None = None,
) -> tuple[pd.DataFrame, list[tuple[list[Reason], list[Reason]]]]:
    """``SK_ID_CURR, probability, decision, grade, points`` per client, and the reasons.

    Each client's reasons are up to ``top`` against, then up to ``top`` for.

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
    num_threads : int, optional
        LightGBM threads (default: the cores available).

    Returns
    -------
    tuple
        The scores frame (``decision`` is the model's, by the threshold) and, in the same
        order, ``(against, for)`` lists of :class:`~credit_scoring.core.results.Reason`.
    """
    block = score_block(scorer, features, lang=lang, top=top, num_threads=num_threads)
    reasons = [block.reasons.reasons(i) for i in range(len(block))]
    return _scores(features, block), reasons


def reason_records(against: list[Reason], favour: list[Reason]) -> list[dict[str, Any]]:
    """Reasons as stored with a score, against then for.

    Each has ``code, text, direction, group, contribution, features, value`` (the keys of
    the API's reasons), as plain Python values ready for a JSON column.

    Parameters
    ----------
    against : list of Reason
        The reasons against the client.
    favour : list of Reason
        The reasons for the client.

    Returns
    -------
    list of dict
        One record per reason, ``against`` first; a quoted value that is not a finite number
        or a string is None.
    """
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
    scorer: ChampionScorer,
    features: pd.DataFrame,
    *,
    lang: Lang = "fr",
    top: int = REASONS,
    num_threads: int | None = None,
) -> pd.DataFrame:
    """``SK_ID_CURR, probability, decision, grade, points`` and the reasons, one row per client.

    The reasons are a code and a text each, ``top`` against then ``top`` for (empty strings
    where a client has fewer).

    Parameters
    ----------
    scorer : ChampionScorer
        The champion.
    features : pandas.DataFrame
        Feature rows with ``SK_ID_CURR`` and the model's columns.
    lang : {"fr", "en"}, default="fr"
        Language of the reason texts.
    top : int, default=REASONS
        Reasons in each direction.
    num_threads : int, optional
        LightGBM threads (default: :func:`batch_threads`).

    Returns
    -------
    pandas.DataFrame
        The scores then :func:`reason_columns` of ``top``, in the order of ``features``
        (with a fresh index).
    """
    block = score_block(scorer, features, lang=lang, top=top, num_threads=num_threads)
    codes, texts = block.reasons.code_names(), block.reasons.text
    columns: dict[str, np.ndarray] = {}
    for d, kind in enumerate(("against", "for")):
        for k in range(top):
            columns[f"reason_{kind}_{k + 1}_code"] = codes[:, d, k]
            columns[f"reason_{kind}_{k + 1}"] = texts[:, d, k]
    return pd.concat([_scores(features, block), pd.DataFrame(columns)], axis=1)


def score_features(
    scorer: ChampionScorer,
    features: pd.DataFrame,
    out: Path,
    *,
    lang: Lang = "fr",
    on_chunk: Callable[[int], None] | None = None,
    num_threads: int | None = None,
    finish: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> BatchResult:
    """Score in chunks, write the CSV (atomically), and time it.

    Chunks of :data:`CHUNK` clients go through :func:`score_frame` with :data:`REASONS`
    reasons in each direction, then ``finish`` (the CLI passes the credit committee's
    rules, :func:`credit_scoring.lending.batch.apply_policy`: the policy lives above this
    layer); the file is written by :func:`write_scores`.

    Parameters
    ----------
    scorer : ChampionScorer
        The champion.
    features : pandas.DataFrame
        Feature rows with ``SK_ID_CURR`` and the model's columns.
    out : Path
        The scores CSV to write.
    lang : {"fr", "en"}, default="fr"
        Language of the reason texts.
    on_chunk : callable, optional
        Called with the number of clients of each chunk once it is scored (progress).
    num_threads : int, optional
        LightGBM threads (default: :func:`batch_threads`).
    finish : callable, optional
        Applied to each chunk's scores (and to the empty frame when there are no clients)
        before they are written; timed with the rest.

    Returns
    -------
    BatchResult
        The rows written, the time taken and the file.
    """
    start = time.perf_counter()
    threads = batch_threads() if num_threads is None else num_threads
    done = finish or (lambda frame: frame)
    parts = []
    for begin in range(0, len(features), CHUNK):
        chunk = features.iloc[begin : begin + CHUNK]
        parts.append(done(score_frame(scorer, chunk, lang=lang, num_threads=threads)))
        if on_chunk:
            on_chunk(len(chunk))
    result = (
        pd.concat(parts, ignore_index=True)
        if parts
        else done(pd.DataFrame(columns=[*SCORE_COLUMNS, *reason_columns()]))
    )
    out = write_scores(result, out)
    return BatchResult(rows=len(result), seconds=time.perf_counter() - start, out=out)


def write_scores(result: pd.DataFrame, out: Path | str) -> Path:
    """Write the scores CSV whole or not at all (a crash leaves no half-written file).

    The CSV is written beside ``out`` as ``<name>.partial``, then renamed over ``out``;
    the folder is created if needed.

    Parameters
    ----------
    result : pandas.DataFrame
        The scores, written without their index.
    out : Path or str
        The file to write.

    Returns
    -------
    Path
        ``out`` as a :class:`~pathlib.Path`.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".partial")
    result.to_csv(tmp, index=False)
    tmp.replace(out)
    return out
