"""Reasons in plain words: value formats, position in the population, grouping by source."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_scoring.explain.reasons import (
    format_value,
    group_matrix,
    percentile_of,
    population_quantiles,
    position_phrase,
    reason_text,
)
from credit_scoring.features.metadata import FeatureMeta

LATE = FeatureMeta(
    "LATE_12M",
    "previous",
    "Late payments on previous loans in the last year",
    "Retards de paiement sur les prêts précédents sur un an",
    "count",
    "late",
)
LATE_MAX = FeatureMeta(
    "LATE_MAX",
    "previous",
    "Longest delay on previous loans",
    "Plus long retard sur les prêts précédents",
    "days",
    "late",
)
INCOME = FeatureMeta("INCOME", "application", "Income", "Revenu", "currency", "income")
OWN_CAR = FeatureMeta("OWN_CAR", "application", "Owns a car", "Possède une voiture", "flag", "car")
METAS = {m.name: m for m in (LATE, LATE_MAX, INCOME, OWN_CAR)}


def test_values_are_formatted_by_unit() -> None:
    assert format_value(3.0, "count", "en") == "3"
    assert format_value(-12400.0, "days", "en") == "12,400 days"
    assert format_value(-12400.0, "days", "fr") == "12\u202f400\u00a0jours"
    assert format_value(1.0, "days", "fr") == "1\u00a0jour"  # Babel's plural forms
    assert format_value(0.35, "share", "fr") == "35\u00a0%"
    assert format_value(1.0, "flag", "fr") == "oui"
    assert format_value(float("nan"), "currency", "en") == "not provided"
    assert format_value("Cash loans", "category", "en") == "Cash loans"


def test_position_in_population() -> None:
    quantiles = np.percentile(np.arange(1000), np.linspace(0, 100, 101))
    assert percentile_of(950, quantiles) == pytest.approx(95, abs=0.6)
    assert position_phrase(95, "en") == "higher than 90% of clients"
    assert position_phrase(12, "fr") == "plus bas que 80 % des clients"
    assert position_phrase(50, "en") == "close to the median client"


def test_reason_text_reads_like_the_issue_example() -> None:
    population = pd.DataFrame({"LATE_12M": np.r_[np.zeros(900), np.ones(80), np.full(20, 5.0)]})
    quantiles = population_quantiles(population)["LATE_12M"]
    text = reason_text(LATE, 3.0, quantiles, "en")
    assert (
        text == "Late payments on previous loans in the last year: 3 (higher than 90% of clients)"
    )
    assert reason_text(OWN_CAR, 1.0, None, "fr") == "Possède une voiture: oui"


def test_group_matrix_groups_features_of_one_source() -> None:
    names = ["LATE_12M", "LATE_MAX", "INCOME", "OWN_CAR"]
    groups, matrix = group_matrix(names, METAS)
    assert groups == ["late", "income", "car"]
    assert matrix.tolist() == [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]
