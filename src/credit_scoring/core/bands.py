"""Age and income bands of the portfolio filters and the production monitoring segments."""

from __future__ import annotations

from typing import Literal

AgeBand = Literal["18-29", "30-39", "40-49", "50-59", "60+"]
IncomeBand = Literal["<100k", "100k-200k", "200k-300k", "300k+"]

AGE_BANDS: dict[str, tuple[float, float]] = {
    "18-29": (18, 30),
    "30-39": (30, 40),
    "40-49": (40, 50),
    "50-59": (50, 60),
    "60+": (60, 200),
}
INCOME_BANDS: dict[str, tuple[float, float]] = {
    "<100k": (0, 100_000),
    "100k-200k": (100_000, 200_000),
    "200k-300k": (200_000, 300_000),
    "300k+": (300_000, float("inf")),
}
