"""Building blocks of the generator: calibrated marginals, copula sampling, column collection.

Every generated value is drawn from a marginal calibrated on the real sample
(``marginals.json``) through its inverse CDF. A column that should carry risk
signal gets a uniform correlated with the client's latent risk (a Gaussian
copula): the marginal stays realistic and the correlation moves the right way.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from scipy.special import ndtr

from credit_scoring.data.schemas import SCHEMAS

Marginal = dict[str, Any]
_ARROW = {"int": pa.int64(), "float": pa.float64(), "str": pa.string()}
NO_DATE = 365243  # Kaggle's "no date" marker in DAYS_* columns


@cache
def marginals() -> dict[str, dict[str, Marginal]]:
    """Marginals per table and column, calibrated on the real sample (see ``calibrate.py``)."""
    data: dict[str, dict[str, Marginal]] = json.loads(
        Path(__file__).with_name("marginals.json").read_text()
    )
    # Kaggle's train file has four XNA genders; keep the rare level even if a sample lacks it.
    gender = data["application_train"]["CODE_GENDER"]
    if "XNA" not in gender["levels"]:
        gender["levels"].append("XNA")
        gender["probs"].append(2e-5)
    return data


def marginal(table: str, column: str) -> Marginal:
    return marginals()[table][column]


def correlated_uniform(rng: np.random.Generator, *terms: tuple[float, np.ndarray]) -> np.ndarray:
    """Uniforms whose normal score is sum(w * driver) plus independent noise (unit variance).

    Drivers are (near) independent standard normals, so ``w`` is the correlation with each.
    """
    n = len(terms[0][1])
    weight = sum(w * w for w, _ in terms)
    score = sum(w * d for w, d in terms) + np.sqrt(max(1.0 - weight, 0.0)) * rng.standard_normal(n)
    return ndtr(score)


def inverse_cdf(m: Marginal, u: np.ndarray, order: list[str] | None = None) -> np.ndarray:
    """Values for uniforms ``u``: codes into ``m["levels"]`` (or ``order``) or numbers."""
    if "quantiles" in m:
        values = np.interp(u * 100.0, np.arange(101.0), np.asarray(m["quantiles"]))
        return np.rint(values) if m.get("integer") else values
    levels = list(m["levels"])
    probs = np.asarray(m["probs"], dtype="float64")
    if order is not None:  # ordinal text: sort the levels so that u moves along the order
        rank = [order.index(lv) if lv in order else len(order) for lv in levels]
        idx = np.argsort(rank, kind="stable")
    elif isinstance(levels[0], str):
        idx = np.arange(len(levels))
    else:
        idx = np.argsort(np.asarray(levels), kind="stable")
    cum = np.cumsum(probs[idx])
    cum /= cum[-1]
    pos = idx[np.minimum(np.searchsorted(cum, u, side="right"), len(idx) - 1)]
    return pos if isinstance(levels[0], str) else np.asarray(levels)[pos]


def without(m: Marginal, *levels: str) -> Marginal:
    """The same marginal with ``levels`` made impossible (codes keep their meaning)."""
    probs = [0.0 if lv in levels else p for lv, p in zip(m["levels"], m["probs"], strict=True)]
    return {**m, "probs": probs}


class Columns:
    """Columns of one generated table chunk, turned into a typed arrow table in schema order."""

    def __init__(self, table: str, n: int):
        self.schema = SCHEMAS[table]
        self.table = table
        self.n = n
        self.values: dict[str, pa.Array] = {}

    def put(
        self,
        name: str,
        values: np.ndarray,
        missing: np.ndarray | None = None,
        levels: list[str] | None = None,
    ) -> None:
        """Store a column; text columns come as codes into ``levels``; ``missing`` marks nulls."""
        kind = self.schema.columns[name]
        mask = None if missing is None or not missing.any() else missing
        if kind == "str":
            assert levels is not None, name
            codes = pa.array(np.asarray(values, dtype="int32"), mask=mask)
            self.values[name] = pa.array(levels, pa.string()).take(codes)
        elif kind == "int":
            self.values[name] = pa.array(np.rint(values).astype("int64"), mask=mask)
        else:  # six decimals: enough for every Kaggle float, and CSV files stay small
            self.values[name] = pa.array(
                np.round(np.asarray(values, dtype="float64"), 6), mask=mask
            )

    def put_marginal(
        self,
        name: str,
        u: np.ndarray,
        missing: np.ndarray | None = None,
        order: list[str] | None = None,
        m: Marginal | None = None,
    ) -> np.ndarray:
        """Store a column drawn from its calibrated marginal at uniforms ``u``; returns the values."""
        m = m or marginal(self.table, name)
        values = inverse_cdf(m, u, order)
        self.put(name, values, missing, levels=m.get("levels") if "levels" in m else None)
        return values

    def fill_rest(
        self, rng: np.random.Generator, groups: dict[str, tuple[str, ...]] | None = None
    ) -> None:
        """Draw every column not yet set from its marginal; columns of a group go missing together.

        A group shares one uniform for missingness (so the rarer columns are missing whenever
        the commoner are) and one for values of columns with the same stem.
        """
        table = marginals()[self.table]
        group_of = {c: g for g, cols in (groups or {}).items() for c in cols}
        miss_u: dict[str, np.ndarray] = {}
        value_u: dict[str, np.ndarray] = {}
        for name in self.schema.columns:
            if name in self.values or name not in table:
                continue
            m = table[name]
            group = group_of.get(name)
            if group is not None:
                stem = name.rsplit("_", 1)[0] if name.endswith(("_AVG", "_MODE", "_MEDI")) else name
                if group not in miss_u:
                    miss_u[group] = rng.random(self.n)
                if stem not in value_u:
                    value_u[stem] = rng.random(self.n)
                gu, u = miss_u[group], value_u[stem]
            else:
                gu, u = rng.random(self.n), rng.random(self.n)
            missing = gu < m["missing"] if m["missing"] > 0 else None
            values = inverse_cdf(m, u)
            self.put(name, values, missing, levels=m.get("levels") if "levels" in m else None)

    def to_arrow(self) -> pa.Table:
        absent = [c for c in self.schema.columns if c not in self.values]
        if absent:
            raise RuntimeError(f"generator left {self.table} columns unset: {absent}")
        return pa.table(
            [self.values[c] for c in self.schema.columns], schema=arrow_schema(self.table)
        )


def arrow_schema(table: str) -> pa.Schema:
    """Arrow types of a table's schema columns, in schema order."""
    return pa.schema([(c, _ARROW[t]) for c, t in SCHEMAS[table].columns.items()])


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For per-parent row counts: the parent index of each child row and its rank within the parent."""
    counts = counts.astype("int64")
    parent = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    rank = np.arange(counts.sum(), dtype="int64") - starts[parent]
    return parent, rank


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))
