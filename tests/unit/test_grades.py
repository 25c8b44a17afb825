"""Master scale grades, scorecard points, and the per-grade test table."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from credit_scoring.core.grades import (
    BASE_POINTS,
    MASTER_SCALE,
    PDO,
    grade_of,
    grades_of,
    point_of,
    points_of,
)
from credit_scoring.modeling.evaluate import grade_table, ks_table


def test_master_scale_is_contiguous_and_ordered() -> None:
    assert MASTER_SCALE[0].low == 0.0 and MASTER_SCALE[-1].high == 1.0
    for a, b in itertools.pairwise(MASTER_SCALE):
        assert a.high == b.low and a.name < b.name
    assert grade_of(0.001) == "A" and grade_of(0.5) == "H"
    assert list(grades_of(np.array([0.019, 0.02, np.nan]))) == ["A", "B", ""]


def test_points_follow_the_documented_scale() -> None:
    assert point_of(1 / 51) == BASE_POINTS  # odds 50:1
    # doubling the odds (50:1 -> 100:1) adds PDO points
    assert point_of(1 / 101) - point_of(1 / 51) == pytest.approx(PDO, abs=1)
    p = np.linspace(0.001, 0.999, 200)
    assert (np.diff(points_of(p)) <= 0).all()


def test_grade_table_tests_each_grade() -> None:
    rng = np.random.default_rng(0)
    p = rng.beta(1.2, 14, 20_000)
    y = (rng.random(p.size) < p).astype(int)
    table = grade_table(y, p)
    assert list(table["grade"]) == [g.name for g in MASTER_SCALE]
    assert table["clients"].sum() == p.size
    busy = table[table["clients"] >= 500]
    # calibrated by construction: observed rates near the predicted PD, tests do not reject
    assert ((busy["observed_default_rate"] - busy["predicted_pd"]).abs() < 0.02).all()
    assert (busy["jeffreys_p_value"] > 0.001).all() and (busy["binomial_p_value"] > 0.001).all()
    # a PD half the truth is flagged by the Jeffreys test
    low = grade_table(y, p / 2)
    assert (low[low["clients"] >= 500]["jeffreys_p_value"] < 0.05).any()


def test_ks_table_by_decile() -> None:
    rng = np.random.default_rng(1)
    p = rng.random(5_000)
    y = (rng.random(p.size) < p * 0.3).astype(int)
    table = ks_table(y, p)
    assert list(table["decile"]) == list(range(1, 11)) and table["clients"].sum() == 5_000
    assert table["default_rate"].iloc[0] > table["default_rate"].iloc[-1]
    assert table["cum_defaults_share"].iloc[-1] == pytest.approx(1.0)
    assert table["lift"].iloc[0] > 1.5
