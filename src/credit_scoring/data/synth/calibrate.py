"""Derive the marginals the generator samples from, out of a real Kaggle-layout folder.

Only aggregate statistics are kept (missing shares, category frequencies, 101
quantiles), never rows. Run it again when a better sample is available::

    uv run python -m credit_scoring.data.synth.calibrate ../shared/data/home-credit-sample
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from credit_scoring.data.loading import locate_tables
from credit_scoring.data.schemas import SCHEMAS

MARGINALS_FILE = Path(__file__).with_name("marginals.json")
_MAX_LEVELS = 40  # integer columns with fewer distinct values are sampled as categories
_TOP_CATEGORIES = 60
# Percentiles 0..100, with the extremes pulled in to 0.1 % and 99.9 % so that one outlier
# (an income of 117 million) does not stretch the top percent of every draw.
_LEVELS = np.r_[0.001, np.linspace(0.01, 0.99, 99), 0.999]


def _round(x: float) -> float:
    return float(f"{x:.6g}")


def column_marginal(values: pd.Series, logical: str) -> dict[str, Any]:
    """Missing share plus either category frequencies or 101 quantiles (0.1 %, 1 %..99 %, 99.9 %) of the present values."""
    present = values.dropna()
    out: dict[str, Any] = {"missing": _round(1 - len(present) / max(len(values), 1))}
    if present.empty:
        out["levels"], out["probs"] = ([""] if logical == "str" else [0]), [1.0]
        return out
    if logical == "str" or (logical == "int" and present.nunique() <= _MAX_LEVELS):
        freq = present.value_counts(normalize=True).head(_TOP_CATEGORIES)
        levels = [str(v) if logical == "str" else int(v) for v in freq.index]
        probs = (freq / freq.sum()).round(6).tolist()
        out["levels"], out["probs"] = levels, probs
    else:
        q = np.quantile(present.to_numpy(dtype="float64"), _LEVELS)
        out["quantiles"] = [_round(v) for v in q]
        out["integer"] = bool(logical == "int" or np.all(present == np.round(present)))
    return out


def calibrate(data_dir: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Marginals of every schema column of every table found in ``data_dir``."""
    found = locate_tables(data_dir)
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for name, path in found.items():
        schema = SCHEMAS[name]
        frame = (
            pd.read_csv(path, low_memory=False)
            if path.suffix != ".parquet"
            else pd.read_parquet(path)
        )
        result[name] = {
            c: column_marginal(frame[c], t) for c, t in schema.columns.items() if c in frame.columns
        }
    return result


def main(argv: list[str]) -> None:
    data_dir = Path(argv[0])
    MARGINALS_FILE.write_text(json.dumps(calibrate(data_dir), separators=(",", ":")) + "\n")
    print(f"wrote {MARGINALS_FILE}")


if __name__ == "__main__":
    main(sys.argv[1:])
