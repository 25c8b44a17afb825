"""The filters of client search and population statistics, in SQL and on arrays.

One definition of each filter, written twice side by side: as SQL conditions on
``clients`` (client search, the statistics computed in the database) and as codes of a
client's values (the population summary, :mod:`credit_scoring.db.population`), so that a
cell of the summary holds exactly the clients the same filter finds in the database.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from typing import Any

import numpy as np
from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from credit_scoring.core.bands import AGE_BANDS, INCOME_BANDS
from credit_scoring.db import models as m

# Every filter and its values, in the order a cell's key lists them. The API's
# ``ClientFilters`` offers the same values (a test checks it).
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "gender": ("F", "M"),
    "age_band": tuple(AGE_BANDS),
    "income_band": tuple(INCOME_BANDS),
    "contract_type": ("Cash loans", "Revolving loans"),
    "score_band": ("low", "medium", "high"),
}


@dataclass(frozen=True)
class ClientFilter:
    """Filters of client search and population statistics; ``None`` keeps every client.

    ``age_band`` and ``income_band`` are keys of ``core.bands``; ``score_band`` is low
    (p < threshold/2), medium (< threshold) or high (>= threshold)."""

    gender: str | None = None
    age_band: str | None = None
    income_band: str | None = None
    contract_type: str | None = None
    score_band: str | None = None

    def cell(self) -> str:
        """The key of this combination in the population summary: ``""`` for everyone.

        Examples
        --------
        >>> ClientFilter().cell(), ClientFilter(score_band="high", gender="F").cell()
        ('', 'gender=F&score_band=high')
        """
        return "&".join(
            f"{f.name}={value}"
            for f, value in zip(fields(self), astuple(self), strict=True)
            if value
        )


def score_condition(band: str, version: str) -> Any:
    """The clients whose probability under ``version`` is in ``band`` (an EXISTS).

    An EXISTS rather than a join, so that the database walks ``clients`` (in id order,
    on the covering index) and looks each client's score up, instead of reading every
    score of the version and sorting what it finds.
    """
    score = aliased(m.ClientScore)  # not the one a statement may also join for its values
    p, t = score.probability, score.threshold
    band_condition = {
        "high": p >= t,
        "medium": and_(p < t, p >= t / 2),
        "low": p < t / 2,
    }[band]
    return (
        select(score.sk_id_curr)
        .where(
            score.sk_id_curr == m.Client.sk_id_curr,
            score.model_version == version,
            band_condition,
        )
        .correlate(m.Client)
        .exists()
    )


def conditions(filters: ClientFilter, version: str) -> list[Any]:
    """The SQL conditions on ``clients`` of ``filters`` (the score band's under ``version``)."""
    client = m.Client
    where: list[Any] = []
    if filters.gender:
        where.append(client.gender == filters.gender)
    if filters.contract_type:
        where.append(client.contract_type == filters.contract_type)
    if filters.age_band:
        low, high = AGE_BANDS[filters.age_band]
        where += [client.age_years >= low, client.age_years < high]
    if filters.income_band:
        low, high = INCOME_BANDS[filters.income_band]
        where.append(client.income_total >= low)
        if high != float("inf"):
            where.append(client.income_total < high)
    if filters.score_band:
        where.append(score_condition(filters.score_band, version))
    return where


def _band_codes(values: np.ndarray, bands: dict[str, tuple[float, float]]) -> np.ndarray:
    codes = np.full(len(values), -1, dtype=np.int16)
    with np.errstate(invalid="ignore"):
        for code, (low, high) in enumerate(bands.values()):
            inside = values >= low
            if high != float("inf"):
                inside &= values < high
            codes[inside] = code
    return codes


def codes(
    *,
    gender: np.ndarray,
    age_years: np.ndarray,
    income_total: np.ndarray,
    contract_type: np.ndarray,
    probability: np.ndarray,
    threshold: np.ndarray,
) -> dict[str, np.ndarray]:
    """Each client's value of each filter, as its index in :data:`DIMENSIONS` (-1: none).

    The same rules as :func:`conditions`: a missing age, income or score, a gender or
    contract other than the filter's values, is in no value of that filter.

    Parameters
    ----------
    gender, contract_type : ndarray of object
        The clients' text columns (None where missing).
    age_years, income_total, probability, threshold : ndarray of float
        The clients' numbers, NaN where missing (no score: NaN probability and threshold).

    Returns
    -------
    dict of str to ndarray of int16
        One array per dimension, in the clients' order.
    """
    out = {
        "gender": _text_codes(gender, DIMENSIONS["gender"]),
        "age_band": _band_codes(age_years, AGE_BANDS),
        "income_band": _band_codes(income_total, INCOME_BANDS),
        "contract_type": _text_codes(contract_type, DIMENSIONS["contract_type"]),
    }
    score = np.full(len(probability), -1, dtype=np.int16)
    with np.errstate(invalid="ignore"):
        score[probability < threshold / 2] = 0
        score[(probability < threshold) & (probability >= threshold / 2)] = 1
        score[probability >= threshold] = 2
    out["score_band"] = score
    return out


def _text_codes(values: np.ndarray, choices: tuple[str, ...]) -> np.ndarray:
    codes = np.full(len(values), -1, dtype=np.int16)
    for code, choice in enumerate(choices):
        codes[values == choice] = code
    return codes
