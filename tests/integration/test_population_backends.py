"""Migration 0011 (population summary, search indexes) on SQLite, MariaDB and PostgreSQL
(integration).

A database at ``0010_applicant_space`` with clients upgrades in place: the summary table
and the covering index appear, the single-column filter indexes go. Scores are added, the
summary is built and read back (its JSON, ids and floats through each driver), and the
statistics and search counts it serves equal the ones computed in the database, score
bands and the bands' edges included. The migration goes down to 0010 and up again.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from backends import BACKENDS, drop_everything, reachable_engine
from sqlalchemy import Engine, MetaData, Table, insert, inspect
from sqlalchemy.orm import Session

from credit_scoring.db import migrate, population, repo
from credit_scoring.db import models as m
from credit_scoring.db.client_filters import ClientFilter
from credit_scoring.db.population import UNSCORED, summarize

pytestmark = pytest.mark.integration

BEFORE = "0010_applicant_space"
P = m.TABLE_PREFIX
FILTER_INDEXES = {
    f"ix_{P}clients_{c}" for c in ("gender", "age_years", "income_total", "contract_type")
}


@pytest.fixture(params=list(BACKENDS))
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    url = BACKENDS[request.param] or f"sqlite:///{tmp_path_factory.mktemp('pop') / 'db.sqlite'}"
    made = reachable_engine(request.param, url)
    drop_everything(made)
    yield made
    drop_everything(made)
    made.dispose()


def _clients(n: int) -> list[dict]:
    rng = np.random.default_rng(4)
    edges = {0: 30.0, 1: 60.0, 2: 18.0}  # ages on the bands' edges
    incomes = {3: 100_000.0, 4: 300_000.0, 5: 200_000.0}
    return [
        {
            "sk_id_curr": 200_000 + 3 * i,
            "is_train": i % 4 != 0,
            "target": None if i % 4 == 0 else int(rng.random() < 0.2),
            "gender": ("F", "M", "XNA")[i % 3],
            "age_years": edges.get(
                i, None if i % 17 == 0 else round(float(rng.uniform(19, 70)), 2)
            ),
            "income_total": incomes.get(i, round(float(np.exp(rng.normal(11.9, 0.6))), 1)),
            "contract_type": ("Cash loans", "Revolving loans")[i % 2],
            "amount_credit": round(float(rng.uniform(1e4, 1e6)), 1),
            "years_employed": None if i % 5 == 0 else round(float(rng.exponential(6)), 2),
            "children": int(rng.poisson(0.5)),
            "application_json": "{}",
        }
        for i in range(n)
    ]


def _indexes(engine: Engine, table: str) -> set[str]:
    return {ix["name"] for ix in inspect(engine).get_indexes(f"{P}{table}")}


def test_migration_0011_and_the_summary(engine: Engine) -> None:
    migrate.upgrade(engine, BEFORE)
    clients = _clients(240)
    old = Table(f"{P}clients", MetaData(), autoload_with=engine)  # as revision 0010 left it
    with engine.begin() as conn:
        conn.execute(insert(old), clients)
    assert _indexes(engine, "clients") >= FILTER_INDEXES

    migrate.upgrade(engine)
    assert f"{P}population_summary" in inspect(engine).get_table_names()
    assert f"ix_{P}clients_population" in _indexes(engine, "clients")
    assert not FILTER_INDEXES & _indexes(engine, "clients")
    assert {f"ix_{P}applications_entered", f"ix_{P}applications_status_count"} <= _indexes(
        engine, "applications"
    )
    assert f"ix_{P}decisions_application" in _indexes(engine, "decisions")

    # scores on the threshold and on its half, where a band starts
    rows = []
    for n, c in enumerate(clients[: len(clients) * 3 // 4]):
        probability = (0.25, 0.125, round(0.05 + (n % 37) / 80, 4))[n % 3]
        rows.append(
            {
                "sk_id_curr": c["sk_id_curr"],
                "model_version": "3",
                "probability": probability,
                "threshold": 0.25,
            }
        )
    with engine.begin() as conn:
        conn.execute(insert(m.ClientScore), rows)
    report = summarize(engine)
    assert report.versions == [UNSCORED, "3"] and report.clients == len(clients)

    filters = [
        ClientFilter(),
        ClientFilter(gender="F"),
        ClientFilter(age_band="30-39", income_band="100k-200k"),
        ClientFilter(age_band="60+", contract_type="Cash loans"),
        ClientFilter(income_band="300k+"),
        ClientFilter(score_band="high"),
        ClientFilter(score_band="medium", gender="M"),
        ClientFilter(score_band="low", income_band="200k-300k"),
    ]
    with Session(engine) as session:
        for f in filters:
            row = session.get(m.PopulationSummary, ("3", f.cell()))
            assert row is not None and row.max_sk_id_curr == clients[-1]["sk_id_curr"]
            summary = population._from_summary(session, row, f, "3", population.BINS)
            direct = population._from_database(session, f, "3", population.BINS)
            assert summary is not None
            assert (summary.n_clients, summary.default_rate) == (
                direct.n_clients,
                direct.default_rate,
            )
            for a, b in zip(summary.features, direct.features, strict=True):
                assert (a["count"], a["missing"], a["counts"]) == (
                    b["count"],
                    b["missing"],
                    b["counts"],
                )
                assert a["quantiles"] == b["quantiles"], (f, a["name"])
                assert a["mean"] == pytest.approx(b["mean"], rel=1e-9)
            total, items = repo.search_clients(
                session, q=None, filters=f, page=1, page_size=10, model_version="3"
            )
            counted, _ = repo.search_clients(
                session, q="2", filters=f, page=1, page_size=10, model_version="3"
            )  # every id starts with 2: counted in the database
            assert total == counted == direct.n_clients
            assert [i.sk_id_curr for i in items] == sorted(i.sk_id_curr for i in items)
        high = population.population_stats(
            session,
            filters=ClientFilter(score_band="high"),
            model_version="3",
            client_id=None,
            lang="fr",
        )
    expected = sum(1 for r in rows if r["probability"] >= r["threshold"])
    assert high.source == "summary" and high.n_clients == expected > len(rows) // 3

    migrate.downgrade(engine, BEFORE)
    assert f"{P}population_summary" not in inspect(engine).get_table_names()
    assert _indexes(engine, "clients") >= FILTER_INDEXES
    assert f"ix_{P}clients_population" not in _indexes(engine, "clients")
    assert f"ix_{P}applications_status_count" not in _indexes(engine, "applications")
    migrate.upgrade(engine)
    assert f"ix_{P}clients_population" in _indexes(engine, "clients")
