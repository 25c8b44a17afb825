"""Reasons in plain words (French and English) from feature metadata and contributions.

A reason is a group of features sharing a source column (``FeatureMeta.group``);
its text is the description of the group member that pushes hardest in the group's
direction (up for a reason against the client, down for one in favour), the client's value
formatted by unit, and where that value stands among the training population.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from credit_scoring.core.results import Lang, Reason
from credit_scoring.features.metadata import FeatureMeta

QUANTILE_LEVELS = np.linspace(0, 100, 101)
_UNITS = {
    "days": ("days", "jours"),
    "years": ("years", "ans"),
    "months": ("months", "mois"),
    "hour": ("h", "h"),
}
_MISSING = {"en": "not provided", "fr": "non renseigné"}
_YES_NO = {"en": ("no", "yes"), "fr": ("non", "oui")}


def population_quantiles(X: pd.DataFrame) -> dict[str, np.ndarray]:
    """Percentiles 0..100 of every numeric feature (missing values ignored)."""
    out: dict[str, np.ndarray] = {}
    for name in X.columns:
        if pd.api.types.is_numeric_dtype(X[name]):
            values = X[name].to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            if values.size:
                out[name] = np.percentile(values, QUANTILE_LEVELS)
    return out


def percentile_of(value: float, quantiles: np.ndarray) -> float:
    """Share of the population (in %) below ``value``: interpolated, ties counted half."""
    last = len(quantiles) - 1
    low = int(np.searchsorted(quantiles, value, side="left"))
    high = int(np.searchsorted(quantiles, value, side="right"))
    if high > low:  # the value is one of the percentiles (e.g. the many zeros of a count)
        return 100.0 * (low + high - 1) / 2 / last
    if low == 0:
        return 0.0
    if low > last:
        return 100.0
    step = (value - quantiles[low - 1]) / (quantiles[low] - quantiles[low - 1])
    return float(100.0 * (low - 1 + step) / last)


def _number(value: float, lang: Lang, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def format_value(value: object, unit: str, lang: Lang = "fr") -> str:
    """The client's value in words fit for its unit (e.g. '12 400 jours', '35 %', 'oui')."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _MISSING[lang]
    if isinstance(value, str) or unit == "category":
        return str(value)
    number = float(value)  # type: ignore[arg-type]
    if unit == "flag":
        return _YES_NO[lang][int(number != 0)]
    if unit in ("days", "years", "months"):
        word = _UNITS[unit][lang == "fr"]
        magnitude = abs(number)  # Kaggle counts days back from the application as negatives
        return f"{_number(magnitude, lang, 0 if unit == 'days' or magnitude >= 10 else 1)} {word}"
    if unit == "hour":
        return f"{int(number)} h"
    if unit == "share":
        return f"{_number(100 * number, lang)} %" if lang == "fr" else f"{100 * number:,.0f}%"
    if unit == "currency":
        return _number(number, lang)
    if unit in ("ratio", "score"):
        return _number(number, lang, 2)
    if unit == "count":
        return _number(number, lang)
    return _number(number, lang, 0 if abs(number) >= 100 or number == int(number) else 2)


def position_phrase(percentile: float, lang: Lang = "fr") -> str:
    """Where a value stands: 'higher than 90% of clients', 'close to the median client'..."""
    if percentile >= 60:
        share = int(percentile // 10 * 10)
        return (
            f"plus élevé que {share} % des clients"
            if lang == "fr"
            else f"higher than {share}% of clients"
        )
    if percentile <= 40:
        share = int((100 - percentile) // 10 * 10)
        return (
            f"plus bas que {share} % des clients"
            if lang == "fr"
            else f"lower than {share}% of clients"
        )
    return "proche du client médian" if lang == "fr" else "close to the median client"


def reason_text(
    meta: FeatureMeta, value: object, quantiles: np.ndarray | None, lang: Lang = "fr"
) -> str:
    """'Description: value (position)', e.g. 'Late payments: 3 (higher than 90% of clients)'."""
    text = f"{meta.description(lang)}: {format_value(value, meta.unit, lang)}"
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    if (
        quantiles is not None
        and not missing
        and meta.unit not in ("flag", "category")
        and not isinstance(value, str)
        and quantiles[0] < quantiles[-1]
    ):
        text += f" ({position_phrase(percentile_of(float(value), quantiles), lang)})"  # type: ignore[arg-type]
    return text


def group_matrix(
    feature_names: Sequence[str], metas: dict[str, FeatureMeta]
) -> tuple[list[str], np.ndarray]:
    """(group names, 0/1 matrix features x groups) to add contributions up by group."""
    groups: list[str] = []
    index: dict[str, int] = {}
    for name in feature_names:
        group = metas[name].group if name in metas else name
        if group not in index:
            index[group] = len(groups)
            groups.append(group)
    matrix = np.zeros((len(feature_names), len(groups)))
    for i, name in enumerate(feature_names):
        matrix[i, index[metas[name].group if name in metas else name]] = 1.0
    return groups, matrix


def _fallback_meta(name: str) -> FeatureMeta:
    return FeatureMeta(
        name=name, source="", description_en=name, description_fr=name, unit="number", group=name
    )


def row_reasons(
    contrib: np.ndarray,
    values: Sequence[object] | np.ndarray,
    *,
    feature_names: Sequence[str],
    metas: dict[str, FeatureMeta],
    groups: list[str],
    matrix: np.ndarray,
    quantiles: dict[str, np.ndarray],
    lang: Lang = "fr",
    top: int = 4,
    members: Sequence[np.ndarray] | None = None,
    by_group: np.ndarray | None = None,
) -> tuple[list[Reason], list[Reason]]:
    """Top ``top`` groups raising the risk (against) and lowering it (for) for one client.

    ``members`` (feature indices per group) and ``by_group`` (contributions summed per
    group) may be given precomputed, for speed.
    """
    if by_group is None:
        by_group = contrib @ matrix
    order = np.argsort(by_group)
    chosen = {
        "against": [g for g in order[::-1][:top] if by_group[g] > 0],
        "for": [g for g in order[:top] if by_group[g] < 0],
    }
    out: dict[str, list[Reason]] = {"against": [], "for": []}
    for direction, group_ids in chosen.items():
        for g in group_ids:
            idx = members[g] if members is not None else np.flatnonzero(matrix[:, g])
            # quote the member pushing hardest the way the group does: with mixed signs, the
            # member largest in absolute value may argue the other way
            sign = 1.0 if direction == "against" else -1.0
            lead = int(idx[np.argmax(sign * contrib[idx])])
            name = feature_names[lead]
            meta = metas.get(name) or _fallback_meta(name)
            value = values[lead]
            if isinstance(value, float | np.floating):
                value = float(value)
            out[direction].append(
                Reason(
                    group=groups[g],
                    direction=direction,  # type: ignore[arg-type]
                    contribution=float(by_group[g]),
                    text=reason_text(meta, value, quantiles.get(name), lang),
                    features=tuple(feature_names[int(i)] for i in idx),
                    value=None if isinstance(value, float) and math.isnan(value) else value,  # type: ignore[arg-type]
                )
            )
    return out["against"], out["for"]
