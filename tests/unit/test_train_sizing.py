"""Rows per candidate: stratified subsamples sized to the budget and memory, LightGBM whole,
every candidate scored out of fold on every client."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_scoring.modeling import crossval, sizing


def _outcomes(n: int, rate: float, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).random(n) < rate).astype(int)


def test_a_capped_fold_keeps_exactly_its_rows_with_both_classes_in_proportion() -> None:
    y = _outcomes(20_000, 0.08)
    folds = crossval.make_folds(y, n_splits=5)
    plan = sizing.RowPlan(rows_used=3_000, rows_available=sizing.available_rows(folds))
    capped = sizing.capped_folds(folds, y, plan, seed=42)
    for (train, valid), (sub, sub_valid) in zip(folds, capped, strict=True):
        assert len(sub) == plan.rows_used
        assert np.isin(sub, train).all() and len(np.unique(sub)) == len(sub)
        # stratified: the fold's share of defaulters, to one row
        assert abs(y[sub].sum() - y[train].mean() * len(sub)) <= 1
        assert 0 < y[sub].sum() < len(sub)
        np.testing.assert_array_equal(sub_valid, valid)  # predicted whole
    again = sizing.capped_folds(folds, y, plan, seed=42)  # a fixed seed: the same draw
    assert all(np.array_equal(a, b) for (a, _), (b, _) in zip(capped, again, strict=True))
    whole = sizing.all_rows(folds)
    assert not whole.subsampled and sizing.capped_folds(folds, y, whole, seed=42) is folds


class _Clock:
    """A clock that only moves when a pilot runs: a pilot of n rows costs ``fixed + per_row * n``."""

    def __init__(self, fixed: float, per_row: float) -> None:
        self.now = 0.0
        self.fixed, self.per_row = fixed, per_row
        self.pilots: list[int] = []

    def __call__(self) -> float:
        return self.now

    def cost(self, n: int) -> float:
        return self.fixed + self.per_row * n

    def run(self, n: int) -> None:
        self.pilots.append(n)
        self.now += self.cost(n)


def _plan(
    clock: _Clock, *, seconds: float, available: int = 200_000, max_rows: int = 10**9
) -> sizing.RowPlan | None:
    return sizing.plan_rows(
        clock.run,
        available=available,
        n_folds=5,
        seconds=seconds,
        max_rows=max_rows,
        clock=clock,
    )


def test_pilots_grow_toward_the_rows_whose_folds_fit_in_the_share() -> None:
    clock = _Clock(fixed=0.5, per_row=0.001)
    seconds = 1_000.0
    plan = _plan(clock, seconds=seconds)
    assert plan is not None and plan.subsampled and plan.limit == "time"
    first, growth = sizing.PILOT_ROWS, sizing.PILOT_GROWTH
    assert clock.pilots == [first, first * growth, first * growth**2]
    allowed = sizing.SAFETY * (seconds - clock.now)  # what is left after the pilots
    assert 5 * clock.cost(plan.rows_used) <= allowed
    most = (allowed / 5 - clock.fixed) / clock.per_row  # the most rows that would fit
    assert plan.rows_used >= 0.8 * most
    assert sizing.round_down(plan.rows_used) == plan.rows_used >= sizing.MIN_ROWS


def test_a_cost_growing_faster_than_the_rows_stays_within_the_share() -> None:
    class Convex(_Clock):
        def cost(self, n: int) -> float:
            return 1e-4 * n + 1e-9 * n**2

    clock = Convex(fixed=0.0, per_row=0.0)
    seconds = 100.0
    plan = _plan(clock, seconds=seconds)
    assert plan is not None and plan.limit == "time"
    assert len(clock.pilots) >= 3  # grown near the rows chosen, where the curve bends
    assert 5 * clock.cost(plan.rows_used) <= seconds - clock.now


def test_every_row_when_the_pilots_show_they_fit() -> None:
    clock = _Clock(fixed=0.0, per_row=1e-6)
    assert _plan(clock, seconds=100.0) == sizing.RowPlan(200_000, 200_000, "all")
    assert max(clock.pilots) * sizing.PILOT_GROWTH * 2 > 200_000  # grown as far as useful


def test_a_table_near_the_first_pilot_is_cleared_by_it_alone() -> None:
    clock = _Clock(fixed=0.5, per_row=1e-4)
    near = sizing.NEAR * sizing.PILOT_ROWS
    assert _plan(clock, seconds=100.0, available=near) == sizing.RowPlan(near, near, "all")
    assert clock.pilots == [sizing.PILOT_ROWS]


def test_memory_bounds_the_rows_even_when_time_would_allow_them() -> None:
    clock = _Clock(fixed=0.0, per_row=1e-6)
    ceiling = sizing.memory_rows(900)
    assert ceiling * 900 <= sizing.FIT_CELLS
    plan = _plan(clock, seconds=600.0, available=245_000, max_rows=ceiling)
    assert plan == sizing.RowPlan(ceiling, 245_000, "memory")


def test_small_tables_run_whole_and_the_skip_is_the_last_resort() -> None:
    clock = _Clock(fixed=0.0, per_row=1.0)  # a second per row: nothing large would fit
    small = sizing.PILOT_ROWS * sizing.PILOT_GROWTH
    whole = _plan(clock, seconds=0.0, available=small)
    assert whole == sizing.RowPlan(small, small, "all") and clock.pilots == []
    for seconds in (0.0, 100.0):  # no time left; too little for MIN_ROWS rows
        assert _plan(clock, seconds=seconds) is None
    assert clock.pilots == [sizing.PILOT_ROWS]  # the first pilot was enough to know


def test_each_candidate_fits_its_rows_lightgbm_every_row_and_all_score_every_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The memory bound, shrunk for a small table, subsamples every baseline the same way."""
    from credit_scoring.config import Settings
    from credit_scoring.modeling.evaluate import comparison_table
    from credit_scoring.modeling.train import TrainConfig, compare_candidates, rows_in_words
    from credit_scoring.training.steps import run_params

    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.normal(size=(3_000, 4)), columns=list("abcd"))
    y = (rng.random(3_000) < 1 / (1 + np.exp(-(X.a * 1.5 - 2.0)))).astype(int)
    config = TrainConfig(folds=3, max_trials=1, n_threads=1, budget_minutes=10)
    folds = crossval.make_folds(y, n_splits=config.n_folds)
    available = sizing.available_rows(folds)
    # pilots of 250 and 500 rows (more than the neighbours' 200); at most 1,200 rows of 4 columns
    monkeypatch.setattr(sizing, "PILOT_ROWS", 250)
    monkeypatch.setattr(sizing, "PILOT_GROWTH", 2)
    monkeypatch.setattr(sizing, "FIT_CELLS", 1_200 * X.shape[1])
    notes: list[str] = []
    results, extras = compare_candidates(
        X,
        y,
        folds,
        settings=Settings(environment="development"),
        config=config,
        budget=crossval.Budget(config.budget_minutes),
        step=lambda _: None,
        notes=notes,
    )
    by_name = {r.name: r for r in results}
    capped = {"logistic_regression", "knn", "random_forest", "scorecard"}
    assert capped <= set(by_name)
    for r in results:
        assert r.rows_available == available
        assert r.rows_used == (1_200 if r.name in capped else available), r.name
        assert extras["rows"][r.name].rows_used == r.rows_used
        # out of fold on every client, whatever it was fitted on
        assert np.isfinite(r.oof_raw).all() and np.isfinite(r.oof_probability).all(), r.name
    assert {r.family for r in results if r.rows_used == available} == {"sklearn", "lightgbm"}
    assert all(by_name[n].rows_used == available for n in by_name if n.startswith("lightgbm"))
    for name in capped:
        assert any(note.startswith(f"{name} fitted on a stratified subsample") for note in notes)
        assert f"{name} on 1,200 of {available:,} training rows per fold" in rows_in_words(results)
    table = comparison_table(results)
    assert (table.set_index("candidate")["rows_used"] < available).sum() == len(capped)
    winner = next(r for r in results if r.family == "lightgbm")
    params = run_params(
        winner, X, {}, settings=Settings(), config=config, version="v", results=results
    )
    assert params["rows_used_knn"] == 1_200 and params["rows_available_knn"] == available
    assert params["rows_used_lightgbm_none"] == available
