"""The back-test's statistics on hand-made cases (issue 23): Jeffreys test and lights,
DeLong against scikit-learn and the bootstrap, vintages, migrations, overrides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from credit_scoring.monitoring import backtest as bt


def test_jeffreys_p_is_the_posterior_mass_below_the_pd() -> None:
    # 10 defaults of 100 at a PD of 10%: the PD is about right, p near one half
    assert bt.jeffreys_p(10, 100, 0.10) == pytest.approx(stats.beta.cdf(0.10, 10.5, 90.5))
    assert 0.4 < bt.jeffreys_p(10, 100, 0.10) < 0.6
    # far more defaults than the PD says: tiny p (PD too low)
    assert bt.jeffreys_p(30, 100, 0.10) < 1e-5
    # fewer defaults: p near 1 (a conservative PD is not flagged by a one-sided test)
    assert bt.jeffreys_p(2, 100, 0.10) > 0.99
    assert np.isnan(bt.jeffreys_p(0, 0, 0.1))


@pytest.mark.parametrize(
    ("defaults", "light"),
    [(10, "green"), (15, "green"), (17, "yellow"), (20, "yellow"), (25, "red")],
)
def test_the_light_follows_the_confidence_that_the_pd_is_too_low(defaults: int, light: str) -> None:
    p = bt.jeffreys_p(defaults, 100, 0.10)
    confidence = 1 - p
    expected = "red" if confidence >= 0.999 else "yellow" if confidence >= 0.95 else "green"
    assert expected == light
    assert bt.traffic_light(p) == light


def test_the_grade_table_counts_defaults_and_adds_the_portfolio() -> None:
    # grade A (PD 1%): 200 clients, 2 defaults; grade H (PD 40%): 50 clients, 35 defaults
    p = np.r_[np.full(200, 0.01), np.full(50, 0.40)]
    y = np.r_[np.ones(2), np.zeros(198), np.ones(35), np.zeros(15)].astype(int)
    table = bt.grades_backtest(y, p).set_index("grade")
    assert table.loc["A", ["clients", "defaults"]].tolist() == [200, 2]
    assert table.loc["A", "observed"] == pytest.approx(0.01)
    assert table.loc["A", "light"] == "green"
    assert table.loc["H", "observed"] == pytest.approx(0.7)
    assert table.loc["H", "light"] == "red"  # 70% observed against a PD of 40%
    assert table.loc["portfolio", "clients"] == 250 and table.loc["portfolio", "defaults"] == 37
    assert table.loc["portfolio", "pd"] == pytest.approx(p.mean())
    assert table.loc["C", "clients"] == 0 and table.loc["C", "light"] == "green"


def test_delong_matches_scikit_learn_and_the_bootstrap() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 2000)
    p = np.clip(0.25 * y + rng.random(2000) * 0.75, 0, 1)
    aucs, cov = bt.delong(y, p)
    assert aucs[0] == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    boots = []
    for _ in range(300):
        i = rng.integers(0, len(y), len(y))
        boots.append(roc_auc_score(y[i], p[i]))
    assert np.sqrt(cov[0, 0]) == pytest.approx(np.std(boots), rel=0.2)


def test_the_paired_test_sees_a_better_challenger_and_not_a_copy() -> None:
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 3000)
    weak = 0.1 * y + rng.random(3000)
    strong = 0.6 * y + rng.random(3000)
    better = bt.paired_auc_test(y, weak, strong)
    assert better["difference"] > 0 and better["p_value"] < 1e-6
    same = bt.paired_auc_test(y, weak, weak + 1e-9 * rng.random(3000))
    assert abs(same["difference"]) < 1e-3


def test_the_auc_against_development_flags_a_fall() -> None:
    rng = np.random.default_rng(8)
    y = rng.integers(0, 2, 4000)
    p = 0.2 * y + rng.random(4000)
    now = bt.auc_against_development(y, p, development_auc=0.80)
    assert now["auc"] < 0.70 and now["z"] < -5 and now["p_value"] < 1e-6
    held = bt.auc_against_development(y, p, development_auc=now["auc"])
    assert held["z"] == pytest.approx(0.0) and held["p_value"] == pytest.approx(0.5)
    single = bt.auc_against_development(np.zeros(10, dtype=int), np.ones(10), 0.7)
    assert np.isnan(single["auc"])


def test_intervals_contain_the_value_and_single_class_has_none() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 800)
    p = np.clip(0.3 * y + 0.7 * rng.random(800), 0, 1)
    figures = bt.metrics_with_intervals(y, p, boot=60)
    for name in ("auc", "gini", "ks", "brier", "ece"):
        f = figures[name]
        assert f["low"] <= f["value"] <= f["high"], name
    assert figures["gini"]["value"] == pytest.approx(2 * figures["auc"]["value"] - 1)
    flat = bt.metrics_with_intervals(np.zeros(20, dtype=int), np.full(20, 0.1), boot=10)
    assert np.isnan(flat["auc"]["value"]) and flat["brier"]["value"] == pytest.approx(0.01)


def test_herfindahl_and_the_migration_matrix() -> None:
    assert bt.herfindahl(["A"] * 8) == 1.0
    assert bt.herfindahl(list("ABCDEFGH")) == pytest.approx(1 / 8)
    scores = pd.DataFrame(
        {
            "client": [1, 1, 2, 2, 3, 3, 4],
            "scored_at": pd.to_datetime(
                [
                    "2026-01-01",
                    "2026-03-01",
                    "2026-01-01",
                    "2026-02-01",
                    "2026-01-05",
                    "2026-02-05",
                    "2026-01-01",
                ]
            ),
            "grade": ["A", "B", "A", "A", "C", "C", "H"],
        }
    )
    matrix = bt.migration_matrix(scores)
    assert matrix.loc["A", "B"] == pytest.approx(0.5) and matrix.loc["A", "A"] == pytest.approx(0.5)
    assert matrix.loc["C", "C"] == 1.0
    assert "H" not in matrix.index  # client 4 was scored once
    assert bt.migration_matrix(scores[scores.client == 4]).empty


def test_vintages_on_a_hand_made_multi_month_log() -> None:
    rng = np.random.default_rng(2)
    months = np.repeat(["2026-01-15", "2026-02-15", "2026-03-15"], 400)
    y = rng.integers(0, 2, 1200)
    noise = np.r_[np.full(400, 0.2), np.full(400, 0.6), np.full(400, 1.0)]  # weaker each month
    p = np.clip(0.3 * y + noise * rng.random(1200), 0, 1) / 1.3
    frame = pd.DataFrame({"decided_at": pd.to_datetime(months), "defaulted": y, "probability": p})
    table = bt.vintage_table(frame)
    assert table["vintage"].tolist() == ["2026-01", "2026-02", "2026-03"]
    assert table["clients"].tolist() == [400, 400, 400]
    assert table["gini"].is_monotonic_decreasing
    stability = bt.gini_stability(table)
    assert stability.months == 3 and stability.slope < 0
    assert stability.score < stability.mean_gini  # a falling Gini is penalised
    assert np.isnan(bt.gini_stability(table.head(1)).slope)


def test_segments_group_by_the_column_given() -> None:
    frame = pd.DataFrame(
        {
            "contract": ["cash"] * 4 + ["revolving"] * 2,
            "defaulted": [1, 0, 0, 0, 1, 1],
            "probability": [0.6, 0.1, 0.2, 0.1, 0.5, 0.4],
        }
    )
    table = bt.segment_table(frame, "contract").set_index("contract")
    assert table.loc["cash", "clients"] == 4 and table.loc["cash", "auc"] == 1.0
    assert np.isnan(table.loc["revolving", "auc"])  # one class only


def test_overrides_on_a_hand_made_log() -> None:
    log = pd.DataFrame(
        {
            "model_decision": ["grant", "refuse", "refuse", "refuse", "grant", "grant"],
            "decision": ["grant", "grant", "grant", "refuse", "refuse", "grant"],
            "defaulted": [0, 1, 0, np.nan, np.nan, 1],
        }
    )
    table = bt.override_outcomes(log).set_index("kind")
    assert table.loc["granted_against_advice"].tolist() == [2, 2, 1, 0.5]
    assert table.loc["followed_grant", "decisions"] == 2
    assert table.loc["followed_grant", "default_rate"] == 0.5
    assert table.loc["refused_against_advice", "outcomes"] == 0
    assert np.isnan(table.loc["refused_against_advice", "default_rate"])


def test_records_are_json_ready() -> None:
    records = bt.frame_records(pd.DataFrame({"a": [np.int64(1), 2], "b": [np.nan, 0.5]}))
    assert records == [{"a": 1, "b": None}, {"a": 2, "b": 0.5}]


def test_delong_with_a_single_client_of_a_class_gives_a_finite_variance() -> None:
    aucs, cov = bt.delong(np.array([1, 0, 0, 0]), np.array([0.9, 0.1, 0.2, 0.3]))
    assert aucs[0] == 1.0 and np.isfinite(cov).all()
