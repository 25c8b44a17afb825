"""Population stability (PSI/CSI) on hand-made distributions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from credit_scoring.monitoring.stability import column_psi, psi, stability_table, verdict


def test_psi_of_identical_samples_is_zero() -> None:
    values = np.arange(1000.0)
    assert psi(values, values) == pytest.approx(0.0, abs=1e-12)
    rng = np.random.default_rng(0)
    assert psi(rng.beta(2, 20, 5000), rng.beta(2, 20, 5000)) < 0.01


def test_psi_of_a_known_shift_is_the_value_computed_by_hand() -> None:
    reference = np.arange(1000.0)  # two bins of the reference: below and above 499.5
    current = np.concatenate([np.full(750, 100.0), np.full(250, 900.0)])
    by_hand = (0.75 - 0.5) * math.log(0.75 / 0.5) + (0.25 - 0.5) * math.log(0.25 / 0.5)
    assert psi(reference, current, bins=2) == pytest.approx(by_hand, rel=1e-12)
    assert by_hand == pytest.approx(0.274653, abs=1e-6)
    # ten deciles, all the current sample in the first one: shares 1 and 1e-4 (empty bins)
    one_bin = 0.9 * math.log(1 / 0.1) + 9 * (1e-4 - 0.1) * math.log(1e-4 / 0.1)
    assert psi(reference, np.zeros(10), bins=10) == pytest.approx(one_bin, rel=1e-9)


def test_psi_ignores_missing_values_and_refuses_an_empty_side() -> None:
    reference = np.arange(100.0)
    assert psi(np.append(reference, np.nan), reference) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="both sides"):
        psi(reference, np.array([np.nan]))


def test_verdict_thresholds() -> None:
    assert verdict(0.0) == "stable"
    assert verdict(0.0999) == "stable"
    assert verdict(0.10) == "watch"
    assert verdict(0.25) == "watch"
    assert verdict(0.2501) == "action"
    assert verdict(None) is None
    assert verdict(float("nan")) is None


def test_stability_table_is_one_row_per_month_and_variable() -> None:
    reference = pd.DataFrame({"score": np.arange(1000.0), "income": np.arange(1000.0)})
    current = pd.DataFrame(
        {
            "applied_at": pd.to_datetime(["2026-01-05"] * 1000 + ["2026-02-10"] * 1000),
            "score": np.concatenate([np.arange(1000.0), np.full(1000, 10.0)]),
            "income": np.concatenate([np.arange(1000.0), np.full(1000, np.nan)]),
        }
    )
    table = stability_table(reference, current, "applied_at", ["score", "income"])
    assert list(table.columns) == ["month", "variable", "rows", "psi", "verdict"]
    rows = {(r.month, r.variable): r for r in table.itertuples()}
    assert set(rows) == {
        ("2026-01", "score"),
        ("2026-01", "income"),
        ("2026-02", "score"),
        ("2026-02", "income"),
    }
    assert rows["2026-01", "score"].psi == pytest.approx(0.0, abs=1e-12)
    assert rows["2026-01", "score"].verdict == "stable"
    assert rows["2026-02", "score"].psi == pytest.approx(
        psi(np.arange(1000.0), np.full(1000, 10.0))
    )
    assert rows["2026-02", "score"].verdict == "action"
    assert rows["2026-02", "income"].rows == 0
    assert pd.isna(rows["2026-02", "income"].psi) and rows["2026-02", "income"].verdict is None
    empty = stability_table(reference, current.iloc[:0], "applied_at", ["score"])
    assert empty.empty


def test_column_psi_ranks_numeric_columns_and_leaves_the_others_unmeasured() -> None:
    reference = pd.DataFrame(
        {"a": np.arange(1000.0), "b": np.arange(1000.0), "kind": ["x", "y"] * 500}
    )
    current = reference.assign(b=np.concatenate([np.full(750, 100.0), np.full(250, 900.0)]))
    rows = column_psi(reference, current, ["a", "kind", "b"])
    assert [r["variable"] for r in rows] == ["b", "a", "kind"]
    assert rows[0]["psi"] == pytest.approx(psi(reference["b"], current["b"]))
    assert rows[1]["psi"] == pytest.approx(0.0, abs=1e-12) and rows[1]["verdict"] == "stable"
    assert rows[2]["psi"] is None and rows[2]["verdict"] is None
