"""Model quality on the real sample: out-of-fold AUC, business cost, calibration, time.

    uv run python bench/bench_model_quality.py [--quick] [--budget-minutes 15]

Trains with the project's pipeline (features, candidates, imbalance, calibration,
threshold) into a temporary home folder (or ``--home DIR``, kept), registers the model
there, and prints the comparison table and the champion's figures.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from credit_scoring.config import Settings
from credit_scoring.modeling.evaluate import to_markdown
from credit_scoring.modeling.train import TrainConfig
from credit_scoring.training.pipeline import run_training

SAMPLE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "home-credit-sample"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SAMPLE)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--budget-minutes", type=float, default=15.0)
    parser.add_argument(
        "--bagging-seeds", type=int, default=1, help="also try the best LightGBM over N seeds"
    )
    parser.add_argument(
        "--home",
        type=Path,
        default=None,
        help="keep the trained home folder here (for bench_reasons / bench_api); "
        "default: a temporary folder, deleted",
    )
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"real sample not found at {args.data}: pass --data DIR", file=sys.stderr)
        return 2
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        home = args.home or Path(scratch)
        settings = Settings(home=home, mlflow_tracking_uri=None)
        run = run_training(
            args.data,
            settings=settings,
            config=TrainConfig(
                quick=args.quick,
                budget_minutes=args.budget_minutes,
                bagging_seeds=args.bagging_seeds,
            ),
            step=lambda m: print(f"[{time.perf_counter() - start:7.1f}s] {m}", flush=True),
        )
        seconds = time.perf_counter() - start
        m = run.outcome.metrics
        print(to_markdown(run.outcome.table))
        print(
            f"\nmode: {'quick' if args.quick else 'full'}; winner {run.outcome.winner.name}; "
            f"{len(run.outcome.scorer.model_columns)} features; {int(m['n_train']):,} clients"
        )
        print(f"OOF ROC AUC {m['roc_auc']:.4f} (logistic regression {m['baseline_roc_auc']:.4f})")
        print(
            f"cost per applicant {m['cost_per_applicant']:.4f} at threshold {m['threshold']:.4f}; "
            f"{m['cost_at_half']:.4f} at 0.5; {m['cost_accept_all']:.4f} accepting everyone "
            f"({m['saving_vs_accept_all']:.1%} below accept-all)"
        )
        print(
            f"ECE {m['ece']:.4f} (raw {m['ece_raw']:.4f}); Brier {m['brier']:.4f} "
            f"(raw {m['brier_raw']:.4f}); calibration {run.outcome.winner.calibration}"
        )
        print(
            f"training {run.outcome.seconds:.0f} s; whole run with features and MLflow {seconds:.0f} s"
        )
        for note in run.outcome.notes:
            print(f"note: {note}")
        if run.registration:
            print(
                f"registered version {run.registration.version}, promoted: {run.registration.promoted}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
