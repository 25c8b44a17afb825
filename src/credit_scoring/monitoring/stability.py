"""Population stability in the field's terms: PSI of the score, CSI of each feature, by month.

The population stability index of a current sample against a reference is
``sum((c_i - r_i) * ln(c_i / r_i))`` over bins, with ``r_i`` and ``c_i`` the shares of each
sample in bin ``i``; on one of the model's features it is called the characteristic
stability index (CSI). The usual verdicts are *stable* below 0.10, *watch* from 0.10 to
0.25 and *action* above 0.25.

The divergence itself is optbinning's ``jeffrey`` — the function its
``ScorecardMonitoring`` uses for its system PSI. ``ScorecardMonitoring`` itself cannot be
used: it needs a fitted optbinning ``Scorecard`` to score both samples, and the champion is
a calibrated LightGBM whose scores are already stored. So the bins are made here, as the
quantiles of the reference (the training population), and optbinning turns their shares
into the index.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

Verdict = Literal["stable", "watch", "action"]

WATCH = 0.10
ACTION = 0.25
#: Smallest share given to an empty bin, so that the logarithm stays finite.
EPSILON = 1e-4


def psi(reference: ArrayLike, current: ArrayLike, bins: int = 10) -> float:
    """Population stability index of ``current`` against ``reference``.

    Parameters
    ----------
    reference : array-like of float
        The reference sample (the training population); missing values are ignored.
    current : array-like of float
        The sample compared with it.
    bins : int, default=10
        Number of quantile bins of the reference (fewer when the reference has ties).

    Returns
    -------
    float
        The index (0 for identical shares); an empty bin counts as a share of
        :data:`EPSILON`.

    Raises
    ------
    ValueError
        When either side has no value.
    """
    from optbinning.binning.metrics import jeffrey

    ref, cur = np.asarray(reference, dtype=float), np.asarray(current, dtype=float)
    ref, cur = ref[~np.isnan(ref)], cur[~np.isnan(cur)]
    if ref.size == 0 or cur.size == 0:
        raise ValueError(
            "PSI needs values on both sides: "
            f"{ref.size} reference and {cur.size} current values are not missing."
        )
    inner = np.quantile(ref, np.linspace(0, 1, bins + 1))[1:-1]
    edges = np.unique(np.concatenate([[-np.inf], inner, [np.inf]]))
    ref_share = np.histogram(ref, edges)[0] / ref.size
    cur_share = np.histogram(cur, edges)[0] / cur.size
    ref_share, cur_share = np.clip(ref_share, EPSILON, None), np.clip(cur_share, EPSILON, None)
    return float(jeffrey(cur_share, ref_share, return_sum=True))


def verdict(value: float | None) -> Verdict | None:
    """``stable`` below 0.10, ``watch`` from 0.10 to 0.25, ``action`` above 0.25."""
    if value is None or not np.isfinite(value):
        return None
    if value < WATCH:
        return "stable"
    return "watch" if value <= ACTION else "action"


def stability_table(
    reference_frame: pd.DataFrame,
    current_frame: pd.DataFrame,
    month_column: str,
    columns: Iterable[str],
    *,
    bins: int = 10,
) -> pd.DataFrame:
    """PSI (or CSI) of each column for each month of the current frame against the reference.

    Parameters
    ----------
    reference_frame : DataFrame
        The reference population (training), with ``columns``.
    current_frame : DataFrame
        The population followed, with ``columns`` and ``month_column``.
    month_column : str
        A date or time column of ``current_frame``; rows are grouped by its calendar month.
    columns : iterable of str
        The numeric columns compared (the score first, then the model's features).
    bins : int, default=10
        Quantile bins of the reference.

    Returns
    -------
    DataFrame
        One row per month and column: ``month`` (``YYYY-MM``), ``variable``, ``rows``
        (current values that are not missing), ``psi`` and ``verdict``; ``psi`` and
        ``verdict`` are missing where one side has no value.
    """
    out_columns = ["month", "variable", "rows", "psi", "verdict"]
    columns = list(columns)
    if current_frame.empty or not columns:
        return pd.DataFrame(columns=out_columns)
    months = pd.to_datetime(current_frame[month_column]).dt.strftime("%Y-%m")
    rows = []
    for month, group in current_frame.groupby(months, sort=True):
        for column in columns:
            ref = pd.to_numeric(reference_frame[column], errors="coerce").to_numpy(float)
            cur = pd.to_numeric(group[column], errors="coerce").to_numpy(float)
            present = int(np.count_nonzero(~np.isnan(cur)))
            value = psi(ref, cur, bins) if present and np.count_nonzero(~np.isnan(ref)) else None
            rows.append(
                {
                    "month": str(month),
                    "variable": column,
                    "rows": present,
                    "psi": value,
                    "verdict": verdict(value),
                }
            )
    return pd.DataFrame(rows, columns=out_columns)


def column_psi(
    reference: pd.DataFrame, current: pd.DataFrame, columns: Iterable[str], *, bins: int = 10
) -> list[dict[str, Any]]:
    """PSI (CSI) of each numeric column of ``current`` against ``reference``, as records.

    Parameters
    ----------
    reference, current : DataFrame
        The two samples, with ``columns``.
    columns : iterable of str
        The columns compared; a categorical or text column, or one with no value on a side,
        gets ``psi`` and ``verdict`` None (evidently's drift tests cover those).
    bins : int, default=10
        Quantile bins of the reference.

    Returns
    -------
    list of dict
        ``variable``, ``psi``, ``verdict``, largest index first.
    """
    rows: list[dict[str, Any]] = []
    for column in columns:
        ref, cur = reference[column], current[column]
        numeric = pd.api.types.is_numeric_dtype(ref) and pd.api.types.is_numeric_dtype(cur)
        value = None
        if numeric and ref.notna().any() and cur.notna().any():
            value = psi(ref.to_numpy(float), cur.to_numpy(float), bins)
        rows.append({"variable": column, "psi": value, "verdict": verdict(value)})
    return sorted(rows, key=lambda r: -1.0 if r["psi"] is None else float(r["psi"]), reverse=True)
