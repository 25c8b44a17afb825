"""How many training rows each candidate fits on: all, or a stratified subsample.

LightGBM always fits on the whole training part of each fold. A candidate that cannot take
a Kaggle-size table (307,511 clients x 900 features) on two cores within minutes — the
k-nearest neighbours, the random forest and, on large tables, the logistic regression and
the scorecard — declares a share of the time budget. The pipeline then sizes it:

1. a table whose folds train on at most ``PILOT_ROWS * PILOT_GROWTH`` rows runs whole,
   whatever the time left (:func:`is_small`);
2. otherwise the candidate is timed on a stratified pilot of ``PILOT_ROWS`` rows of the
   first fold's training part, predicting that fold's whole validation part; a table at
   most ``NEAR`` times larger whose folds would fit even at that pilot's cost per row (an
   upper bound when fixed costs dominate a small pilot) runs whole — the shared sample's
   case;
3. otherwise further pilots, ``PILOT_GROWTH`` times larger each, run while the next one is
   at most half the rows the last two point to (:func:`rows_within` extrapolates from
   them; the nearer the pilots to the size chosen, the less a cost that bends can
   surprise). When a second pilot could take half of the time left, the first alone
   decides, its cost taken in proportion to the rows;
4. the candidate gets the most rows whose folds fit in ``SAFETY`` of what is left of its
   share, rounded down to two significant digits so that a run's figures read plainly;
5. the rows are also bounded by memory: at most ``FIT_CELLS`` rows x columns, since the
   baselines' preprocessing makes several dense float64 copies of the matrix they fit on;
6. fewer than ``MIN_ROWS`` rows, or no time left at all: the candidate is skipped (the last
   resort), and the run's notes say so.

Each fold's training part is then subsampled to that size with a fixed seed, stratified on
the outcome (:func:`stratified_subsample`), and its validation part is predicted whole:
every candidate has an out-of-fold score for every client and is compared on the same rows.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

Folds = list[tuple[np.ndarray, np.ndarray]]
# Runs the candidate on one fold whose training part is a pilot of that many rows.
TimeFold = Callable[[int], None]

PILOT_ROWS = 2_000  # the first pilot: enough rows for the fixed costs to show
PILOT_GROWTH = 4  # the second pilot's size over the first's
SAFETY = 0.75  # plan on this part of the time left: costs grow a little faster than linearly
MIN_ROWS = 1_000  # fewer training rows per fold: the candidate is skipped
NEAR = 16  # the first pilot alone may clear a table up to this many times its rows
# Rows x columns a baseline fits on at most. Its preprocessing (median imputation with a
# missing-value indicator per column, scaling, one-hot) or the scorecard's ranking peaks at
# 5 to 6.5 times the float64 matrix (tracemalloc, 10,000 x 900 with 30% missing): 80 M cells
# keep that near 4 GB, within the 16 GB of the whole run.
FIT_CELLS = 80_000_000


@dataclass(frozen=True)
class RowPlan:
    """The training rows per fold one candidate fits on.

    Attributes
    ----------
    rows_used : int
        Training rows per fold the candidate fits on.
    rows_available : int
        Training rows of the smallest fold's training part.
    limit : str
        What set ``rows_used``: ``"all"`` (no limit), ``"time"`` (its share of the budget)
        or ``"memory"`` (:data:`FIT_CELLS`).
    """

    rows_used: int
    rows_available: int
    limit: str = "all"

    @property
    def subsampled(self) -> bool:
        """True when the candidate fits on fewer rows than each fold's training part."""
        return self.rows_used < self.rows_available


def available_rows(folds: Folds) -> int:
    """Training rows of the smallest fold's training part.

    Parameters
    ----------
    folds : list of (train_idx, valid_idx)
        The folds.

    Returns
    -------
    int
        The fewest training rows among the folds.
    """
    return min(len(train) for train, _ in folds)


def all_rows(folds: Folds) -> RowPlan:
    """The plan of a candidate that fits on every training row of each fold.

    Parameters
    ----------
    folds : list of (train_idx, valid_idx)
        The folds.

    Returns
    -------
    RowPlan
        ``rows_used == rows_available``, limit ``"all"``.
    """
    n = available_rows(folds)
    return RowPlan(n, n)


def stratified_subsample(rows: np.ndarray, y: np.ndarray, size: int, *, seed: int) -> np.ndarray:
    """``size`` of ``rows``, stratified on their outcomes, in their original order.

    Parameters
    ----------
    rows : ndarray of int
        Row positions to draw from.
    y : ndarray of shape (n_samples,)
        Outcomes of every row of the table (indexed by ``rows``).
    size : int
        Rows to keep; ``rows`` unchanged when it has no more than that.
    seed : int
        Seed of the draw.

    Returns
    -------
    ndarray of int
        Exactly ``min(size, len(rows))`` positions, each class in the proportion it has
        among ``rows`` (to one row), sorted.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0] * 90 + [1] * 10)
    >>> kept = stratified_subsample(np.arange(100), y, 50, seed=0)
    >>> len(kept), int(y[kept].sum())
    (50, 5)
    """
    if size >= len(rows):
        return rows
    kept, _ = train_test_split(rows, train_size=size, stratify=y[rows], random_state=seed)
    return np.sort(kept)


def capped_folds(folds: Folds, y: np.ndarray, plan: RowPlan, *, seed: int) -> Folds:
    """The folds with each training part subsampled to the plan; validation parts whole.

    Parameters
    ----------
    folds : list of (train_idx, valid_idx)
        The folds shared by every candidate.
    y : ndarray of shape (n_samples,)
        Outcomes (1 defaulted, 0 repaid), the strata.
    plan : RowPlan
        The candidate's rows; the folds unchanged when it is not subsampled.
    seed : int
        Seed of the draws (the same for every fold).

    Returns
    -------
    list of (train_idx, valid_idx)
        Training parts of ``plan.rows_used`` rows each (:func:`stratified_subsample`),
        the validation parts as they were.
    """
    if not plan.subsampled:
        return folds
    return [
        (stratified_subsample(train, y, plan.rows_used, seed=seed), valid) for train, valid in folds
    ]


def round_down(n: float) -> int:
    """``n`` rounded down to two significant digits.

    Parameters
    ----------
    n : float
        A number of rows.

    Returns
    -------
    int
        The rounded number (0 for anything below 1).

    Examples
    --------
    >>> round_down(23_456.7), round_down(1_234), round_down(987), round_down(0.5)
    (23000, 1200, 980, 0)
    """
    if n < 1:
        return 0
    step = 10 ** max(int(math.log10(n)) - 1, 0)
    return int(n // step * step)


def memory_rows(columns: int) -> int:
    """The most rows a baseline may fit on for a matrix of ``columns`` (:data:`FIT_CELLS`).

    Parameters
    ----------
    columns : int
        Columns of the training matrix.

    Returns
    -------
    int
        :data:`FIT_CELLS` over the columns, rounded down (:func:`round_down`).

    Examples
    --------
    >>> memory_rows(900)
    88000
    """
    return round_down(FIT_CELLS / max(columns, 1))


def is_small(rows: int) -> bool:
    """True for training parts a candidate always fits on whole: no larger than a pilot.

    Parameters
    ----------
    rows : int
        Training rows per fold (at most the memory bound).

    Returns
    -------
    bool
        ``rows <= PILOT_ROWS * PILOT_GROWTH``: timing pilots would cost about as much as
        the folds, so the candidate runs whole whatever the time left.
    """
    return rows <= PILOT_ROWS * PILOT_GROWTH


def plan_rows(
    time_fold: TimeFold,
    *,
    available: int,
    n_folds: int,
    seconds: float,
    max_rows: int,
    clock: Callable[[], float] = time.perf_counter,
) -> RowPlan | None:
    """Size a candidate's training rows per fold to its share of the budget and to memory.

    The steps are those of the module's description; each pilot's time counts against
    ``seconds``.

    Parameters
    ----------
    time_fold : callable
        ``time_fold(n)`` runs the candidate on one fold whose training part is a
        stratified pilot of ``n`` rows, predicting the whole validation part.
    available : int
        Training rows of the smallest fold (:func:`available_rows`).
    n_folds : int
        Number of folds the candidate will run.
    seconds : float
        The candidate's share of the budget, in seconds, from now.
    max_rows : int
        The most rows memory allows (:func:`memory_rows`).
    clock : callable, default=time.perf_counter
        Seconds, to time the pilots.

    Returns
    -------
    RowPlan or None
        The rows per fold; None when the candidate must be skipped (no time left, or
        fewer than :data:`MIN_ROWS` rows fit). A small table (:func:`is_small`) always runs
        whole.
    """
    ceiling, limit = (max_rows, "memory") if max_rows < available else (available, "all")
    if is_small(ceiling):
        return RowPlan(ceiling, available, limit)
    if seconds <= 0:
        return None

    def timed(n: int) -> float:
        start = clock()
        time_fold(n)
        return clock() - start

    small = (PILOT_ROWS, timed(PILOT_ROWS))
    spent = small[1]
    in_proportion = small[1] * ceiling / PILOT_ROWS  # an upper bound when fixed costs dominate
    if ceiling <= NEAR * PILOT_ROWS and in_proportion <= SAFETY * (seconds - spent) / n_folds:
        return RowPlan(ceiling, available, limit)
    if small[1] * PILOT_GROWTH > (seconds - spent) / 2:
        # a second pilot could take half of what is left: the first alone, its cost in
        # proportion to the rows (an upper bound when fixed costs dominate a small pilot)
        rows = PILOT_ROWS * max(SAFETY * (seconds - spent) / n_folds, 0.0) / max(small[1], 1e-9)
    else:
        large = (PILOT_ROWS * PILOT_GROWTH, timed(PILOT_ROWS * PILOT_GROWTH))
        spent += large[1]
        while True:
            target = SAFETY * (seconds - spent) / n_folds  # seconds one fold may take
            rows = rows_within(small, large, target)
            grown = large[0] * PILOT_GROWTH
            if 2 * grown > min(rows, ceiling):  # the next pilot would cost about a fold
                break
            small, large = large, (grown, timed(grown))
            spent += large[1]
    if rows >= ceiling:
        return RowPlan(ceiling, available, limit)
    used = round_down(rows)
    return RowPlan(used, available, "time") if used >= MIN_ROWS else None


def rows_within(small: tuple[int, float], large: tuple[int, float], seconds: float) -> float:
    """The training rows one fold can take in ``seconds``, from two pilots' (rows, seconds).

    A cost that grew faster than the rows between the pilots is extrapolated as the power
    of the rows it showed; otherwise as a line (the validation part's prediction and the
    other fixed costs do not grow with the rows), its slope at least half the larger
    pilot's mean cost per row, so that a slow first pilot cannot make the rows look free.

    Parameters
    ----------
    small, large : tuple of (int, float)
        The two largest pilots: rows and seconds, ``large`` with more rows.
    seconds : float
        What one fold may take.

    Returns
    -------
    float
        The rows (0 when not even the fixed costs fit).

    Examples
    --------
    >>> rows_within((2_000, 2.5), (8_000, 8.5), 14.5)  # 0.5 s + 1 ms per row
    14000.0
    >>> round(rows_within((2_000, 1.0), (8_000, 16.0), 64.0))  # the cost grows as rows squared
    16000
    """
    (n1, t1), (n2, t2) = small, large
    if seconds <= 0 or t2 <= 0:
        return 0.0 if seconds <= 0 else math.inf
    exponent = math.log(t2 / t1) / math.log(n2 / n1) if t1 > 0 else 1.0
    if exponent > 1:
        return n2 * (seconds / t2) ** (1 / exponent)
    slope = max((t2 - t1) / (n2 - n1), 0.5 * t2 / n2)
    return max(n2 + (seconds - t2) / slope, 0.0)
