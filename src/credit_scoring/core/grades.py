"""Rating grades (the master scale) and scorecard points, for every probability of default.

The **master scale** cuts the probability of default (PD) into eight grades, A (safest) to H,
at fixed PD bounds: a grade means the same risk whatever the model or the month. The bounds
are roughly geometric (each grade about 1.5 to 2 times the risk of the one before) so that
every grade holds clients on the Home Credit population (8% defaulters; the out-of-fold
table per grade is in the model card).

**Points** follow the usual scorecard scale: ``BASE_POINTS`` at odds of ``BASE_ODDS`` good
clients to one defaulter, and ``PDO`` more points each time those odds double:
``points = BASE_POINTS + PDO / ln 2 * ln(odds / BASE_ODDS)`` with ``odds = (1 - PD) / PD``.
Higher is safer; 600 points is a PD of 1/51 (about 2%), 580 a PD of about 3.8%.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

BASE_POINTS = 600.0
BASE_ODDS = 50.0
PDO = 20.0
FACTOR = PDO / math.log(2.0)
OFFSET = BASE_POINTS - FACTOR * math.log(BASE_ODDS)
_EPS = 1e-6  # a PD of exactly 0 or 1 would have infinite points


@dataclass(frozen=True)
class Grade:
    """One grade of the master scale: clients with ``low <= PD < high``."""

    name: str
    low: float
    high: float


# upper bounds of A..G; H is everything from 30% up
_UPPER = (0.02, 0.035, 0.05, 0.075, 0.11, 0.17, 0.30)
GRADE_NAMES = ("A", "B", "C", "D", "E", "F", "G", "H")
MASTER_SCALE: tuple[Grade, ...] = tuple(
    Grade(name, low, high)
    for name, low, high in zip(GRADE_NAMES, (0.0, *_UPPER), (*_UPPER, 1.0), strict=True)
)
_BOUNDS = np.asarray(_UPPER)


def grades_of(pd_values: np.ndarray) -> np.ndarray:
    """The grade letter of each PD (array of str; a missing PD gets "")."""
    p = np.asarray(pd_values, dtype=float)
    index = np.searchsorted(_BOUNDS, p, side="right")
    out = np.asarray(GRADE_NAMES, dtype=object)[np.minimum(index, len(GRADE_NAMES) - 1)]
    return np.where(np.isnan(p), "", out).astype(str)


def grade_of(pd_value: float) -> str:
    return str(grades_of(np.asarray([pd_value]))[0])


def points_of(pd_values: np.ndarray) -> np.ndarray:
    """Scorecard points of each PD on the documented scale, rounded to whole points."""
    p = np.clip(np.asarray(pd_values, dtype=float), _EPS, 1.0 - _EPS)
    return np.round(OFFSET + FACTOR * np.log((1.0 - p) / p))


def point_of(pd_value: float) -> float:
    return float(points_of(np.asarray([pd_value]))[0])


def scale_description(lang: str = "en") -> str:
    """One sentence describing the points scale, for notes and pages."""
    if lang == "fr":
        return (
            f"{BASE_POINTS:.0f} points pour une cote de {BASE_ODDS:.0f} bons clients contre un "
            f"défaillant, {PDO:.0f} points de plus chaque fois que cette cote double "
            "(plus de points = moins de risque)."
        )
    return (
        f"{BASE_POINTS:.0f} points at odds of {BASE_ODDS:.0f} good clients to one defaulter, "
        f"{PDO:.0f} more points each time the odds double (more points = less risk)."
    )
