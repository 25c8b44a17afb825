"""The applicant space's "what would change it" search: its time on the shared sample.

Self-contained: takes the first ``--clients`` clients of the shared sample's
``application_train`` with their whole history (bureau, previous applications, POS, cards),
builds their features, trains the tests' tiny real LightGBM champion on them
(``tests/unit/tiny_champion.py``), loads them into a temporary SQLite database with their
applications and scores (as ``db load`` does), then runs the search the applicant's
``GET /applicant/applications/{id}/changes`` runs (``lending.applicant.changes.changes``)
on ``--samples`` applications the model refuses or the rules refer, and prints the median
and p99 of its time (what the route reports as ``elapsed_ms``) and how many found a change::

    uv run python bench/bench_applicant_changes.py --clients 4000 --samples 200

Target: under 1 s per search. Run it on a quiet machine for figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import warnings
from pathlib import Path

import pandas as pd
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "unit"))
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "home-credit-sample"

from tiny_champion import tiny_champion  # noqa: E402

from credit_scoring.api.app import create_app  # noqa: E402
from credit_scoring.config import Settings  # noqa: E402
from credit_scoring.data.loading import prepare  # noqa: E402
from credit_scoring.db import applications as repo  # noqa: E402
from credit_scoring.db import migrate  # noqa: E402
from credit_scoring.db import models as m  # noqa: E402
from credit_scoring.db.load import load_prepared  # noqa: E402
from credit_scoring.db.session import get_engine  # noqa: E402
from credit_scoring.features.batch import build_feature_table  # noqa: E402
from credit_scoring.lending.applicant.changes import changes  # noqa: E402
from credit_scoring.lending.loaded import load_applications  # noqa: E402
from credit_scoring.lending.policy import Policy  # noqa: E402

with warnings.catch_warnings():  # starlette prefers httpx2, which is not in the lock file
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

HISTORY = {
    "bureau.csv.gz": "SK_ID_CURR",
    "previous_application.csv.gz": "SK_ID_CURR",
    "POS_CASH_balance.csv.gz": "SK_ID_CURR",
    "credit_card_balance.csv.gz": "SK_ID_CURR",
}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def subset(source: Path, target: Path, clients: int) -> None:
    """The first ``clients`` train clients of ``source`` and their history, in ``target``."""
    target.mkdir(parents=True)
    train = pd.read_csv(source / "application_train.csv.gz").head(clients)
    train.to_csv(target / "application_train.csv.gz", index=False)
    ids = set(train["SK_ID_CURR"])
    bureau_ids: set[int] = set()
    for name, key in HISTORY.items():
        path = source / name
        if not path.exists():
            continue
        table = pd.read_csv(path)
        table = table[table[key].isin(ids)]
        if name == "bureau.csv.gz":
            bureau_ids = set(table["SK_ID_BUREAU"])
        table.to_csv(target / name, index=False)
    balance = source / "bureau_balance.csv.gz"
    if balance.exists():
        table = pd.read_csv(balance)
        table[table["SK_ID_BUREAU"].isin(bureau_ids)].to_csv(
            target / "bureau_balance.csv.gz", index=False
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--clients", type=int, default=4000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        subset(args.data, home / "data", args.clients)
        settings = Settings(
            home=home,
            environment="test",
            secret_key="bench-secret-that-is-long-enough-for-hs256-0123456789",
            database_url=f"sqlite:///{home / 'bank.db'}",
        )  # type: ignore[call-arg]
        prepared = prepare(home / "data", settings.cache_dir)
        features = build_feature_table(prepared)
        scorer = tiny_champion(features)
        engine = get_engine(settings.resolved_database_url)
        migrate.upgrade(engine)
        load_prepared(engine, prepared, features)
        load_applications(engine, scorer, policy=Policy.load())
        app = create_app(settings, load_scorer=lambda _s: scorer)
        times: list[float] = []
        found = 0
        with TestClient(app):
            service = app.state.applications
            with app.state.sessions() as session:
                apps = session.execute(select(m.Application).order_by(m.Application.id)).scalars()
                chosen = []
                for application in apps:
                    score = repo.latest_score(session, application.id)
                    if score is not None and score.decision in ("refuse", "refer"):
                        chosen.append(application)
                    if len(chosen) >= args.samples:
                        break
                changes(service, session, chosen[0], "en")  # warm-up: the stored features
                for application in chosen:
                    out = changes(service, session, application, "en")
                    times.append(out.elapsed_ms)
                    found += bool(out.changes)
    print(
        f"what would change it: median {statistics.median(times):.1f} ms, "
        f"p99 {quantile(times, 0.99):.1f} ms over {len(times)} refused or referred "
        f"applications of {args.clients} clients; {found} with at least one change "
        "(target: under 1 s)"
    )


if __name__ == "__main__":
    main()
