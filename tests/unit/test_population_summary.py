"""The population summary against the clients it describes (issue 26).

A small SQLite database with every awkward value the filters meet (missing values, a
gender and a contract outside the filters, values on the bands' edges, a probability
equal to the threshold or to half of it, per-client thresholds, a version scoring only
part of the clients) is summarised; every cell is compared with a filter written here
independently, the statistics with the database path, and the paths a request takes
without a summary (computed in the database, sampled), with clients added since, after
a re-score and after a load are checked.
"""

from __future__ import annotations

import itertools
import math
import typing
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from credit_scoring.core.bands import AGE_BANDS, INCOME_BANDS
from credit_scoring.db import migrate, population, repo
from credit_scoring.db import models as m
from credit_scoring.db.client_filters import DIMENSIONS, ClientFilter
from credit_scoring.db.population import UNSCORED, summarize
from credit_scoring.db.session import get_engine
from credit_scoring.lending.schemas import ClientFilters

N = 600
FIRST_ID = 100_000
VERSIONS = ("7", "8")
COLUMNS = ("age_years", "income_total", "amount_credit", "years_employed", "children")


def _clients(rng: np.random.Generator) -> list[dict[str, Any]]:
    ages = [*rng.uniform(15, 75, N - 12), 18.0, 30.0, 40.0, 50.0, 60.0, 29.999, *[None] * 6]
    incomes = [*np.exp(rng.normal(11.9, 0.6, N - 10)), 0.0, 1e5, 2e5, 3e5, 99_999.5, *[None] * 5]
    rng.shuffle(ages)
    rng.shuffle(incomes)
    rows = []
    for i in range(N):
        rows.append(
            {
                "sk_id_curr": FIRST_ID + 2 * i,  # gaps: ids are not a range
                "is_train": bool(i % 5),
                "target": None if i % 5 == 0 else int(rng.random() < 0.15),
                "gender": ("F", "M", "F", "XNA", None, "M")[i % 6],
                "age_years": ages[i],
                "income_total": None if incomes[i] is None else float(incomes[i]),
                "contract_type": ("Cash loans", "Revolving loans", None, "Cash loans")[i % 4],
                "amount_credit": None if i % 11 == 0 else float(rng.uniform(1e4, 1e6)),
                "years_employed": None if i % 7 == 0 else float(rng.exponential(6)),
                "children": None if i % 13 == 0 else int(rng.poisson(0.6)),
                "application_json": "{}",
            }
        )
    return rows


def _scores(rng: np.random.Generator, ids: list[int]) -> dict[str, dict[int, tuple[float, float]]]:
    """Version 7 scores 80% of the clients (edges on the threshold and its half, two
    thresholds); version 8 half of them."""
    out: dict[str, dict[int, tuple[float, float]]] = {"7": {}, "8": {}}
    for n, sk_id in enumerate(ids):
        threshold = 0.2 if n % 3 else 0.3
        if n % 5:
            p = (threshold, threshold / 2, float(rng.beta(1.5, 8)))[n % 3]
            out["7"][sk_id] = (p, threshold)
        if n % 2:
            out["8"][sk_id] = (float(rng.beta(2, 6)), 0.25)
    return out


class Bank(typing.NamedTuple):
    engine: Engine
    clients: list[dict[str, Any]]
    scores: dict[str, dict[int, tuple[float, float]]]


def _make_bank(path: Path, seed: int = 3) -> Bank:
    rng = np.random.default_rng(seed)
    engine = get_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    clients = _clients(rng)
    scores = _scores(rng, [c["sk_id_curr"] for c in clients])
    with engine.begin() as conn:
        conn.execute(insert(m.Client), clients)
        conn.execute(
            insert(m.ClientScore),
            [
                {"sk_id_curr": i, "model_version": v, "probability": p, "threshold": t}
                for v, rows in scores.items()
                for i, (p, t) in rows.items()
            ],
        )
    return Bank(engine, clients, scores)


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    """Summarised once; the tests that change it work on a bank of their own."""
    made = _make_bank(tmp_path_factory.mktemp("population") / "bank.db")
    summarize(made.engine)
    return made


# --- the filters, written again independently --------------------------------------------


def _keeps(client: dict[str, Any], f: ClientFilter, score: tuple[float, float] | None) -> bool:
    if f.gender and client["gender"] != f.gender:
        return False
    if f.contract_type and client["contract_type"] != f.contract_type:
        return False
    for name, bands, column in (
        ("age_band", AGE_BANDS, "age_years"),
        ("income_band", INCOME_BANDS, "income_total"),
    ):
        band = getattr(f, name)
        if band:
            value = client[column]
            low, high = bands[band]
            if value is None or not low <= value < high:
                return False
    if f.score_band:
        if score is None:
            return False
        p, t = score
        band = "high" if p >= t else "medium" if p >= t / 2 else "low"
        if band != f.score_band:
            return False
    return True


def _every_filter() -> list[ClientFilter]:
    return [
        ClientFilter(**{n: v for n, v in zip(DIMENSIONS, values, strict=True) if v})
        for values in itertools.product(*((None, *v) for v in DIMENSIONS.values()))
    ]


def _kept(bank: Bank, f: ClientFilter, version: str) -> list[dict[str, Any]]:
    scores = bank.scores.get(version, {})
    return [c for c in bank.clients if _keeps(c, f, scores.get(c["sk_id_curr"]))]


def _stats(engine: Engine, f: ClientFilter, version: str, **kw: Any) -> population.Population:
    with Session(engine) as session:
        return population.population_stats(
            session, filters=f, model_version=version, client_id=None, lang="en", **kw
        )


def _close(a: Any, b: Any) -> bool:
    """Equal, floats to 1e-12 (relative): a mean sums its values in another order."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if a is None or b is None:
        return a is b
    return bool(a == pytest.approx(b, rel=1e-12))


def _same(a: population.Population, b: population.Population) -> None:
    """The same statistics (means to rounding)."""
    assert a.n_clients == b.n_clients
    assert _close(a.default_rate, b.default_rate)
    for fa, fb in zip(a.features, b.features, strict=True):
        assert (fa.name, fa.count, fa.missing, fa.counts) == (
            fb.name,
            fb.count,
            fb.missing,
            fb.counts,
        )
        assert _close(fa.mean, fb.mean), fa.name
        assert _close(fa.quantiles, fb.quantiles), fa.name
        assert _close(fa.bin_edges, fb.bin_edges), fa.name


# --- the summary ---------------------------------------------------------------------------


def test_the_filter_values_are_the_apis() -> None:
    fields = ClientFilters.model_fields
    for name, values in DIMENSIONS.items():
        allowed = typing.get_args(typing.get_args(fields[name].annotation)[0])
        assert tuple(allowed) == values, name


def test_every_cell_holds_the_clients_its_filters_keep(bank: Bank) -> None:
    with Session(bank.engine) as session:
        rows = session.execute(select(m.PopulationSummary)).scalars().all()
    cells = {(r.model_version, r.cell): r for r in rows}
    every = _every_filter()
    assert len(every) == math.prod(len(v) + 1 for v in DIMENSIONS.values()) == 1080
    assert set(cells) == {(v, f.cell()) for v in (UNSCORED, *VERSIONS) for f in every}
    for version in (UNSCORED, *VERSIONS):
        for f in every:
            kept = _kept(bank, f, version)
            row = cells[(version, f.cell())]
            targets = [c["target"] for c in kept if c["target"] is not None]
            assert (row.n_clients, row.n_targets, row.n_defaults) == (
                len(kept),
                len(targets),
                sum(targets),
            ), (version, f)
            ages = [c["age_years"] for c in kept if c["age_years"] is not None]
            age = next(x for x in row.features if x["name"] == "age_years")
            assert age["count"] == len(ages) == sum(age["counts"])
            assert age["missing"] == len(kept) - len(ages)
    # some cells are empty, some hold nearly everyone: the test covers both
    sizes = [cells[("7", f.cell())].n_clients for f in every]
    assert min(sizes) == 0 and max(sizes) == N


@pytest.mark.parametrize("version", [UNSCORED, *VERSIONS])
def test_the_summary_equals_the_statistics_computed_in_the_database(
    bank: Bank, version: str
) -> None:
    every = _every_filter()
    with Session(bank.engine) as session:
        for f in [every[0], *every[1::9]]:  # the unfiltered cell and 120 others
            row = session.get(m.PopulationSummary, (version, f.cell()))
            assert row is not None
            summary = population._from_summary(session, row, f, version, population.BINS)
            direct = population._from_database(session, f, version, population.BINS)
            assert summary is not None and summary.source == "summary"
            assert direct.source == "database"
            kept = _kept(bank, f, version)
            values = np.array(
                [[np.nan if c[k] is None else c[k] for k in COLUMNS] for c in kept]
            ).reshape(len(kept), len(COLUMNS))
            for j in range(len(COLUMNS)):
                present = values[:, j][~np.isnan(values[:, j])]
                expected = population.distribution(present, len(kept) - len(present))
                got = summary.features[j]
                assert got["counts"] == expected["counts"] and got["count"] == expected["count"]
                assert _close(got["quantiles"], expected["quantiles"])
            assert summary.n_clients == direct.n_clients == len(kept)
            _same(_public(summary), _public(direct))


def _public(figures: population._Figures) -> population.Population:
    return population.Population(
        n_clients=figures.n_clients,
        default_rate=figures.default_rate,
        features=[
            population.FeatureStats(description="", unit="", client_value=None, **f)
            for f in figures.features
        ],
    )


def test_a_request_reads_the_summary_and_the_clients_own_row(bank: Bank) -> None:
    f = ClientFilter(gender="F", score_band="low")
    client = next(c for c in _kept(bank, f, "7") if c["age_years"] is not None)
    with Session(bank.engine) as session:
        stats = population.population_stats(
            session, filters=f, model_version="7", client_id=client["sk_id_curr"], lang="fr"
        )
    assert stats.source == "summary" and stats.built_at is not None
    assert stats.n_clients == len(_kept(bank, f, "7"))
    age = stats.features[0]
    assert (age.description, age.client_value) == ("Âge", client["age_years"])
    assert stats.features[-1].client_value == bank.scores["7"][client["sk_id_curr"]][0]


def test_a_version_without_scores_is_described_by_the_unscored_summary(bank: Bank) -> None:
    stats = _stats(bank.engine, ClientFilter(gender="M"), "99")
    assert stats.source == "summary"
    assert stats.n_clients == len(_kept(bank, ClientFilter(gender="M"), UNSCORED))
    assert stats.features[-1].count == 0 and stats.features[-1].missing == stats.n_clients
    assert _stats(bank.engine, ClientFilter(score_band="high"), "99").n_clients == 0


# --- client search reads the summary's counts ------------------------------------------------


@pytest.mark.parametrize(
    "f",
    [
        ClientFilter(),
        ClientFilter(gender="F", age_band="30-39"),
        ClientFilter(score_band="medium", contract_type="Cash loans"),
        ClientFilter(income_band="300k+", score_band="high"),
        ClientFilter(gender="M", age_band="60+", income_band="<100k", contract_type="Cash loans"),
    ],
)
def test_search_counts_and_pages_in_id_order(bank: Bank, f: ClientFilter) -> None:
    kept = sorted(c["sk_id_curr"] for c in _kept(bank, f, "7"))
    with Session(bank.engine) as session:
        assert population.count_clients(session, f, "7") == len(kept)
        seen = []
        for page in (1, 2, 3):
            total, rows = repo.search_clients(
                session, q=None, filters=f, page=page, page_size=7, model_version="7"
            )
            assert total == len(kept)
            seen += [r.sk_id_curr for r in rows]
        prefix = str(FIRST_ID)[:4]
        with_q, _ = repo.search_clients(
            session, q=prefix, filters=f, page=1, page_size=7, model_version="7"
        )
    assert seen == kept[:21]
    assert with_q == sum(1 for i in kept if str(i).startswith(prefix))
    scores = bank.scores["7"]
    for r in rows:
        assert r.probability == (scores[r.sk_id_curr][0] if r.sk_id_curr in scores else None)


# --- without a summary, and clients added since ---------------------------------------------


def test_without_a_summary_the_database_answers_the_same(
    bank: Bank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = _make_bank(tmp_path / "fresh.db")  # same seed: the same clients, no summary
    for f in [ClientFilter(), ClientFilter(age_band="40-49", score_band="medium")]:
        direct = _stats(fresh.engine, f, "7")
        assert direct.source == "database"
        _same(direct, _stats(bank.engine, f, "7"))
    # more clients than a request reads: quantiles and histograms from a sample
    monkeypatch.setattr(population, "SAMPLE_SIZE", 150)
    exact = _stats(bank.engine, ClientFilter(), "7")
    sampled = _stats(fresh.engine, ClientFilter(), "7")
    assert sampled.source == "sample" and 100 <= (sampled.sample_size or 0) <= 150
    assert (sampled.n_clients, sampled.default_rate) == (exact.n_clients, exact.default_rate)
    for s, e in zip(sampled.features, exact.features, strict=True):
        assert (s.count, s.missing) == (e.count, e.missing)
        assert s.mean == pytest.approx(e.mean, rel=1e-9)
        assert sum(s.counts) == s.count  # scaled to every client with a value
        spread = (e.quantiles["p95"] or 0) - (e.quantiles["p05"] or 0)
        assert abs((s.quantiles["p50"] or 0) - (e.quantiles["p50"] or 0)) < 0.25 * spread
    # the sample is the same at every request
    assert _stats(fresh.engine, ClientFilter(), "7") == sampled


def test_another_bin_count_is_computed_in_the_database(bank: Bank) -> None:
    stats = _stats(bank.engine, ClientFilter(gender="F"), "7", bins=5)
    assert stats.source == "database" and len(stats.features[0].counts) == 5


def test_clients_added_since_the_summary_are_counted_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _make_bank(tmp_path / "bank.db")
    summarize(made.engine)
    before = _stats(made.engine, ClientFilter(gender="F"), "7")
    new = [
        {**made.clients[0], "sk_id_curr": m.NEW_CLIENT_BASE + i, "gender": "F", "target": None}
        for i in range(3)
    ]
    new[0]["age_years"] = 200.0  # beyond the histogram: counted in its last bin
    with made.engine.begin() as conn:
        conn.execute(insert(m.Client), new)
    after = _stats(made.engine, ClientFilter(gender="F"), "7")
    assert after.source == "summary" and after.n_clients == before.n_clients + 3
    assert after.default_rate == before.default_rate  # no outcome known for them
    age = after.features[0]
    assert age.count == before.features[0].count + 3 == sum(age.counts)
    assert age.counts[-1] == before.features[0].counts[-1] + 1
    assert age.quantiles == before.features[0].quantiles  # the summary's, until rebuilt
    direct = population._from_database(
        Session(made.engine), ClientFilter(gender="F"), "7", population.BINS
    )
    assert age.mean == pytest.approx(direct.features[0]["mean"], rel=1e-12)
    assert after.features[-1].missing == before.features[-1].missing + 3  # not scored
    with Session(made.engine) as session:
        total, _ = repo.search_clients(
            session,
            q=None,
            filters=ClientFilter(gender="F"),
            page=1,
            page_size=5,
            model_version="7",
        )
    assert total == after.n_clients
    # too many to count in at each request: computed in the database, until summarised
    monkeypatch.setattr(population, "NEW_CLIENTS", 2)
    assert _stats(made.engine, ClientFilter(gender="F"), "7").source == "database"
    summarize(made.engine)
    rebuilt = _stats(made.engine, ClientFilter(gender="F"), "7")
    assert rebuilt.source == "summary" and rebuilt.n_clients == after.n_clients


def test_one_version_is_summarised_and_removed_alone(tmp_path: Path) -> None:
    made = _make_bank(tmp_path / "bank.db")
    report = summarize(made.engine, ["7", UNSCORED])
    assert report.versions == ["7", UNSCORED] and report.cells == 2 * 1080
    assert report.clients == N
    population.remove_summary(made.engine, "7")
    with Session(made.engine) as session:
        left = session.execute(
            select(m.PopulationSummary.model_version, func.count()).group_by(
                m.PopulationSummary.model_version
            )
        ).all()
    assert dict(left) == {UNSCORED: 1080}
    assert _stats(made.engine, ClientFilter(), "7").source == "database"
    assert _stats(made.engine, ClientFilter(), "99").source == "summary"  # no scores: unscored
