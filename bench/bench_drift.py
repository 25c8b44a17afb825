"""Drift report on the real Home Credit sample: wall time and HTML size.

    uv run python bench/bench_drift.py [--data DIR] [--sample ROWS]

Runs ``build_drift_report`` (application_train vs application_test, the defaults of
``credit-scoring drift``) in a fresh home folder, so no champion is registered and the
report covers the raw columns; with ``--home`` pointing to a home with a champion, the
model's top features are built and weighted too. Targets: under 60 s on 2 cores, HTML
under 20 MB.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from credit_scoring.config import Settings
from credit_scoring.monitoring.drift import build_drift_report

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/home-credit-sample"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--sample", type=int, default=None, help="rows per side (default: settings)"
    )
    parser.add_argument("--home", type=Path, default=None, help="home with a champion (optional)")
    args = parser.parse_args()
    if not (args.data / "application_train.csv.gz").is_file() and not args.data.is_dir():
        raise SystemExit(f"real sample not found at {args.data}: pass --data DIR")
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or Path(tmp)
        settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
        out = Path(tmp) / "drift.html"
        steps: list[tuple[str, float]] = []
        start = time.perf_counter()
        summary = build_drift_report(
            args.data,
            args.data,
            settings=settings,
            out=out,
            sample=args.sample,
            on_step=lambda s: steps.append((s, time.perf_counter())),
        )
        total = time.perf_counter() - start
        size = out.stat().st_size
    for (label, at), (_, nxt) in zip(steps, [*steps[1:], ("end", start + total)], strict=True):
        print(f"  {label:<40} {nxt - at:6.1f} s")
    raw = summary["by_kind"]["raw"]
    print(
        f"drift report: {total:.1f} s wall, HTML {size / 1e6:.1f} MB, "
        f"rows {summary['rows']}, raw columns drifted {raw['drifted']}/{raw['columns']}, "
        f"weighted: {summary['weighted']}, verdict {summary['verdict']}"
    )
    print(
        f"targets: time < 60 s {'OK' if total < 60 else 'MISSED'}, "
        f"HTML < 20 MB {'OK' if size < 20e6 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
