"""Population statistics: from the maintained summary, or computed in the database.

``GET /population/stats`` describes the main features (:data:`POPULATION_FEATURES`) of
the clients a filter keeps. Reading every client per request does not hold at Kaggle
size (356,255 clients), so the statistics are served three ways, best first:

1. **summary** — :func:`summarize` (``credit-scoring db summarize``; ``db load`` and
   ``db score`` run it) computes, for each model version with stored scores (and for the
   population without scores), the statistics of *every* combination of the five filters
   (3 x 6 x 5 x 3 x 4 = 1,080 cells: the portfolio page combines them freely) and stores
   them in ``population_summary``. A request reads one row. Clients added since the
   summary (ids above the largest one it saw: new applicants) are counted in: the number
   of clients, counts, missing values, means and the default rate stay exact, their
   values are added to the histogram's bins; quantiles are those of the summary until the
   next build. A load deletes the summary in its transaction, a re-score of a version
   rebuilds that version's: a summary never describes clients that have changed.
2. **database** — without a summary (or with more new clients than :data:`NEW_CLIENTS`),
   counts, missing values, means and the default rate come from one SQL aggregate over
   the matching clients; when at most :data:`SAMPLE_SIZE` clients match, their values are
   read and everything is exact.
3. **sample** — beyond that, quantiles and histograms come from a deterministic sample
   of at most :data:`SAMPLE_SIZE` of the matching clients (ids divisible by a step chosen
   from the count, in id order), the histogram's counts scaled to the number of clients
   with a value. The response says so (``source``, ``sample_size``).
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
from sqlalchemy import Engine, and_, delete, func, insert, select
from sqlalchemy.orm import Session

from credit_scoring.db import models as m
from credit_scoring.db.client_filters import DIMENSIONS, ClientFilter, codes, conditions

log = logging.getLogger(__name__)

# Main features described by /population/stats: (column, unit, description en, description fr).
POPULATION_FEATURES = (
    ("age_years", "years", "Age", "Âge"),
    ("income_total", "currency", "Monthly income", "Revenu mensuel"),  # AMT_INCOME_TOTAL
    ("amount_credit", "currency", "Credit amount", "Montant du crédit"),
    ("years_employed", "years", "Years employed", "Ancienneté dans l'emploi"),
    ("children", "count", "Number of children", "Nombre d'enfants"),
    ("probability", "share", "Probability of default", "Probabilité de défaut"),
)
QUANTILES = {"p05": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}
BINS = 20  # histogram bins, between the 1st and 99th percentiles
SAMPLE_SIZE = 20_000  # at most this many clients' values read by a request
NEW_CLIENTS = 5_000  # clients added since the summary that a request counts in itself
UNSCORED = ""  # the summary's model_version for a population without stored scores
READ_CHUNK = 50_000

Progress = Callable[[int, int], None]  # (cells done, cells in all)
Source = Literal["summary", "database", "sample"]


@dataclass(frozen=True)
class FeatureStats:
    """One feature's distribution over the filtered clients (quantiles p05 ... p95)."""

    name: str
    description: str
    unit: str
    count: int
    missing: int
    mean: float | None
    quantiles: dict[str, float | None]
    bin_edges: list[float]
    counts: list[int]
    client_value: float | None


@dataclass(frozen=True)
class Population:
    """The filtered clients' statistics, and where they come from.

    ``source`` is ``summary`` (the maintained summary, built at ``built_at``),
    ``database`` (computed on every matching client now) or ``sample`` (quantiles and
    histograms from ``sample_size`` of them; counts, means and the default rate from all).
    """

    n_clients: int
    default_rate: float | None
    features: list[FeatureStats]
    source: Source = "database"
    sample_size: int | None = None
    built_at: datetime | None = None


@dataclass(frozen=True)
class _Figures:
    """What each path computes: a :class:`Population` whose features are plain dicts
    (:func:`distribution`'s, with their ``name``), before the descriptions and the
    client's own values are added."""

    n_clients: int
    default_rate: float | None
    features: list[dict[str, Any]]
    source: Source
    sample_size: int | None = None
    built_at: datetime | None = None


# --- one feature's statistics --------------------------------------------------------------


def distribution(present: np.ndarray, missing: int, bins: int = BINS) -> dict[str, Any]:
    """Count, missing, mean, quantiles and histogram of one feature's present values.

    The histogram spans the 1st to 99th percentiles, values beyond counted in the end
    bins (so that one extreme income does not squeeze the others into one bar).

    Parameters
    ----------
    present : ndarray of float
        The values that are not missing.
    missing : int
        How many clients have no value.
    bins : int, default=20
        Histogram bins.

    Returns
    -------
    dict
        ``count``, ``missing``, ``mean``, ``quantiles`` (p05 ... p95), ``bin_edges`` and
        ``counts`` (empty lists and None when no value is present).

    Examples
    --------
    >>> d = distribution(np.arange(101.0), missing=2, bins=4)
    >>> d["count"], d["missing"], d["mean"], d["quantiles"]["p50"], sum(d["counts"])
    (101, 2, 50.0, 50.0, 101)
    """
    quantiles: dict[str, float | None] = dict.fromkeys(QUANTILES)
    edges: list[float] = []
    counts: list[int] = []
    if len(present):
        values = np.quantile(present, [*QUANTILES.values(), 0.01, 0.99])
        for key, value in zip(quantiles, values[:-2], strict=True):
            quantiles[key] = float(value)
        low, high = float(values[-2]), float(values[-1])
        hist, edge = np.histogram(
            np.clip(present, low, high), bins=bins, range=(low, high if high > low else low + 1)
        )
        edges, counts = [float(e) for e in edge], [int(c) for c in hist]
    return {
        "count": len(present),
        "missing": int(missing),
        "mean": float(present.mean()) if len(present) else None,
        "quantiles": quantiles,
        "bin_edges": edges,
        "counts": counts,
    }


def _describe(columns: np.ndarray, bins: int) -> list[dict[str, Any]]:
    """:func:`distribution` of each column of a (clients x features) matrix, NaN missing."""
    out = []
    for j, (name, *_) in enumerate(POPULATION_FEATURES):
        column = columns[:, j]
        present = column[~np.isnan(column)]
        out.append({"name": name, **distribution(present, len(column) - len(present), bins)})
    return out


# --- building the summary ------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryReport:
    """What :func:`summarize` built: the model versions ("" for no scores), clients, cells."""

    versions: list[str]
    clients: int
    cells: int
    seconds: float


_CLIENT_COLUMNS = [name for name, *_ in POPULATION_FEATURES[:-1]]


def _read_clients(engine: Engine) -> dict[str, np.ndarray]:
    """Every client's id, filter columns, main features and outcome, in id order."""
    c = m.Client
    names = ["sk_id_curr", "gender", "contract_type", "target", *_CLIENT_COLUMNS]
    kinds = {"sk_id_curr": np.int64, "gender": object, "contract_type": object}
    stmt = select(*(getattr(c, name) for name in names)).order_by(c.sk_id_curr)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in names}
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True).execute(stmt)
        while rows := result.fetchmany(READ_CHUNK):
            for name, column in zip(names, zip(*rows, strict=True), strict=True):
                # None becomes NaN in a float array
                parts[name].append(np.asarray(column, dtype=kinds.get(name, float)))
    return {
        name: np.concatenate(chunks) if chunks else np.empty(0, dtype=kinds.get(name, float))
        for name, chunks in parts.items()
    }


def _read_scores(engine: Engine, version: str, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each client's probability and threshold under ``version``, NaN when not scored."""
    probability = np.full(len(ids), np.nan)
    threshold = np.full(len(ids), np.nan)
    if version == UNSCORED or not len(ids):
        return probability, threshold
    s = m.ClientScore
    stmt = select(s.sk_id_curr, s.probability, s.threshold).where(s.model_version == version)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True).execute(stmt)
        while rows := result.fetchmany(READ_CHUNK):
            got = np.asarray([r[0] for r in rows], dtype=np.int64)
            at = np.searchsorted(ids, got)
            found = (at < len(ids)) & (ids[np.minimum(at, len(ids) - 1)] == got)
            probability[at[found]] = np.asarray([r[1] for r in rows], dtype=float)[found]
            threshold[at[found]] = np.asarray([r[2] for r in rows], dtype=float)[found]
    return probability, threshold


def _cells(
    values: np.ndarray, target: np.ndarray, dims: dict[str, np.ndarray], bins: int
) -> list[dict[str, Any]]:
    """The statistics of every combination of the filters (each fixed or left open)."""
    names = list(DIMENSIONS)
    out = []
    for r in range(len(names) + 1):
        for fixed in itertools.combinations(names, r):
            valid = np.ones(len(values), dtype=bool)
            key = np.zeros(len(values), dtype=np.int64)
            for name in fixed:
                valid &= dims[name] >= 0
                key = key * len(DIMENSIONS[name]) + dims[name]
            rows = np.flatnonzero(valid)
            order = rows[np.argsort(key[rows], kind="stable")]
            sorted_keys = key[order]
            for choice in itertools.product(*(range(len(DIMENSIONS[n])) for n in fixed)):
                wanted = 0
                for name, code in zip(fixed, choice, strict=True):
                    wanted = wanted * len(DIMENSIONS[name]) + code
                lo, hi = np.searchsorted(sorted_keys, [wanted, wanted + 1])
                members = order[lo:hi]
                known = target[members]
                known = known[~np.isnan(known)]
                cell = ClientFilter(
                    **{n: DIMENSIONS[n][code] for n, code in zip(fixed, choice, strict=True)}
                ).cell()
                out.append(
                    {
                        "cell": cell,
                        "n_clients": len(members),
                        "n_targets": len(known),
                        "n_defaults": int((known == 1).sum()),
                        "features": _describe(values[members], bins),
                    }
                )
    return out


def summarize(
    engine: Engine,
    versions: Sequence[str] | None = None,
    *,
    bins: int = BINS,
    on_progress: Progress | None = None,
) -> SummaryReport:
    """Build the population summary of ``versions`` (default: all, and the unscored one).

    Reads every client once (their filter columns and main features, on the covering
    index) and each version's scores, computes every cell (:func:`_cells`) in memory
    (about 80 bytes per client) and replaces the version's rows in one transaction.

    Parameters
    ----------
    engine : Engine
        The database.
    versions : sequence of str, optional
        The model versions to summarise (``""``: the population without scores); default
        every version with stored scores, and ``""``.
    bins : int, default=20
        Histogram bins.
    on_progress : callable, optional
        Called with (cells done, cells in all) after each version.

    Returns
    -------
    SummaryReport
        The versions built, the number of clients and of cells written.
    """
    start = datetime.now(UTC)
    if versions is None:
        with engine.connect() as conn:
            scored = conn.execute(select(m.ClientScore.model_version).distinct()).scalars().all()
        versions = [UNSCORED, *sorted(scored)]
    clients = _read_clients(engine)
    ids = clients["sk_id_curr"]
    values = np.column_stack(
        [clients[name] for name in _CLIENT_COLUMNS] + [np.full(len(ids), np.nan)]
    ).reshape(len(ids), len(POPULATION_FEATURES))
    per_version = math.prod(len(v) + 1 for v in DIMENSIONS.values())
    total, done = per_version * len(versions), 0
    max_id = int(ids.max()) if len(ids) else None
    for version in versions:
        probability, threshold = _read_scores(engine, version, ids)
        values[:, -1] = probability
        dims = codes(
            gender=clients["gender"],
            age_years=clients["age_years"],
            income_total=clients["income_total"],
            contract_type=clients["contract_type"],
            probability=probability,
            threshold=threshold,
        )
        cells = _cells(values, clients["target"], dims, bins)
        built_at = datetime.now(UTC).replace(tzinfo=None)
        with engine.begin() as conn:
            table = m.PopulationSummary
            conn.execute(delete(table).where(table.model_version == version))
            conn.execute(
                insert(table),
                [
                    {
                        **cell,
                        "model_version": version,
                        "bins": bins,
                        "max_sk_id_curr": max_id,
                        "built_at": built_at,
                    }
                    for cell in cells
                ],
            )
        done += len(cells)
        if on_progress is not None:
            on_progress(done, total)
    seconds = (datetime.now(UTC) - start).total_seconds()
    return SummaryReport(list(versions), len(ids), done, seconds)


def remove_summary(engine: Engine, version: str | None = None) -> None:
    """Delete the summary of ``version`` (default: of every version)."""
    table = m.PopulationSummary
    with engine.begin() as conn:
        stmt = delete(table)
        if version is not None:
            stmt = stmt.where(table.model_version == version)
        conn.execute(stmt)


# --- serving ------------------------------------------------------------------------------


def summary_version(session: Session, model_version: str) -> str:
    """The summary that describes ``model_version``: its own, or the unscored one when it
    has no stored score (its probabilities are all missing then)."""
    scored = session.execute(
        select(m.ClientScore.sk_id_curr)
        .where(m.ClientScore.model_version == model_version)
        .limit(1)
    ).first()
    return model_version if scored is not None else UNSCORED


def _summary_row(
    session: Session, filters: ClientFilter, model_version: str
) -> m.PopulationSummary | None:
    key = (summary_version(session, model_version), filters.cell())
    return session.get(m.PopulationSummary, key)


def _value_columns(model_version: str) -> tuple[list[Any], Any]:
    """The main features' columns (probability under ``model_version``) and the join."""
    score = m.ClientScore
    columns = [getattr(m.Client, name) for name in _CLIENT_COLUMNS] + [score.probability]
    join = and_(score.sk_id_curr == m.Client.sk_id_curr, score.model_version == model_version)
    return columns, join


def _values(session: Session, stmt: Any) -> tuple[np.ndarray, np.ndarray]:
    """(clients x features) values and the outcomes of ``stmt``'s rows (NaN missing)."""
    rows = session.execute(stmt).all()
    data = np.array(
        [[np.nan if v is None else float(v) for v in r] for r in rows], dtype=np.float64
    ).reshape(len(rows), len(POPULATION_FEATURES) + 1)
    return data[:, :-1], data[:, -1]


def _rows(filters: ClientFilter, model_version: str, *where: Any) -> Any:
    columns, join = _value_columns(model_version)
    return (
        select(*columns, m.Client.target)
        .select_from(m.Client)
        .outerjoin(m.ClientScore, join)
        .where(*conditions(filters, model_version), *where)
    )


def new_clients(
    session: Session, filters: ClientFilter, model_version: str, after: int | None
) -> int:
    """How many clients ``filters`` keeps among those with an id above ``after``."""
    where = conditions(filters, model_version)
    if after is not None:
        where.append(m.Client.sk_id_curr > after)
    return int(
        session.execute(select(func.count()).select_from(m.Client).where(*where)).scalar_one()
    )


def count_clients(session: Session, filters: ClientFilter, model_version: str) -> int | None:
    """The number of clients ``filters`` keeps, from the summary (and the clients added
    since); None without a summary."""
    row = _summary_row(session, filters, model_version)
    if row is None:
        return None
    return row.n_clients + new_clients(session, filters, model_version, row.max_sk_id_curr)


def _from_summary(
    session: Session,
    row: m.PopulationSummary,
    filters: ClientFilter,
    model_version: str,
    bins: int,
) -> _Figures | None:
    """The summary's cell with the clients added since counted in; None when they are
    more than :data:`NEW_CLIENTS` (the summary is too old to patch)."""
    where = [] if row.max_sk_id_curr is None else [m.Client.sk_id_curr > row.max_sk_id_curr]
    stmt = _rows(filters, model_version, *where).limit(NEW_CLIENTS + 1)
    values, target = _values(session, stmt)
    if len(values) > NEW_CLIENTS:
        return None
    stored = {f["name"]: f for f in row.features}
    features = []
    for j, (name, *_) in enumerate(POPULATION_FEATURES):
        column = values[:, j]
        added = column[~np.isnan(column)]
        features.append(_merge(stored[name], added, len(column) - len(added), bins))
    known = target[~np.isnan(target)]
    n_targets = row.n_targets + len(known)
    defaults = row.n_defaults + int((known == 1).sum())
    return _Figures(
        n_clients=row.n_clients + len(values),
        default_rate=defaults / n_targets if n_targets else None,
        features=features,
        source="summary",
        built_at=row.built_at,
    )


def _merge(stored: dict[str, Any], added: np.ndarray, missing: int, bins: int) -> dict[str, Any]:
    """A summary's feature with values added since: exact counts, missing and mean; the
    new values in the histogram's bins (clipped to its range); the summary's quantiles."""
    if not len(added) and not missing:
        return stored
    if not stored["count"]:
        return {"name": stored["name"], **distribution(added, stored["missing"] + missing, bins)}
    count = stored["count"] + len(added)
    total = stored["mean"] * stored["count"] + float(added.sum())
    counts = list(stored["counts"])
    if len(added):
        edges = np.asarray(stored["bin_edges"])
        extra, _ = np.histogram(np.clip(added, edges[0], edges[-1]), bins=edges)
        counts = [int(a + b) for a, b in zip(counts, extra, strict=True)]
    return {
        **stored,
        "count": count,
        "missing": stored["missing"] + missing,
        "mean": total / count,
        "counts": counts,
    }


def _from_database(
    session: Session, filters: ClientFilter, model_version: str, bins: int
) -> _Figures:
    """Counts, missing, means and the default rate by one SQL aggregate; quantiles and
    histograms from the values of every matching client, or of a deterministic sample of
    :data:`SAMPLE_SIZE` of them."""
    columns, join = _value_columns(model_version)
    aggregate = (
        select(
            func.count(),
            *(func.count(c) for c in columns),
            *(func.avg(c) for c in columns),
            func.count(m.Client.target),
            func.sum(m.Client.target),
        )
        .select_from(m.Client)
        .outerjoin(m.ClientScore, join)
        .where(*conditions(filters, model_version))
    )
    n, *rest = session.execute(aggregate).one()
    k = len(columns)
    counts, means = rest[:k], rest[k : 2 * k]
    n_targets, defaults = int(rest[2 * k] or 0), float(rest[2 * k + 1] or 0)
    default_rate = defaults / n_targets if n_targets else None
    if n <= SAMPLE_SIZE:
        values, target = _values(session, _rows(filters, model_version))
        known = target[~np.isnan(target)]
        return _Figures(
            n_clients=len(values),
            default_rate=float(known.mean()) if len(known) else None,
            features=_describe(values, bins),
            source="database",
        )
    step = math.ceil(n / SAMPLE_SIZE)
    stmt = (
        _rows(filters, model_version, m.Client.sk_id_curr % step == 0)
        .order_by(m.Client.sk_id_curr)
        .limit(SAMPLE_SIZE)
    )
    sample, _ = _values(session, stmt)
    features = []
    for j, described in enumerate(_describe(sample, bins)):
        count = int(counts[j])
        described.update(
            count=count,
            missing=int(n - count),
            mean=None if means[j] is None else float(means[j]),
            counts=_scale(described["counts"], count),
        )
        features.append(described)
    return _Figures(
        n_clients=int(n),
        default_rate=default_rate,
        features=features,
        source="sample",
        sample_size=len(sample),
    )


def _scale(counts: list[int], total: int) -> list[int]:
    """A sample's histogram counts scaled to ``total`` clients (largest remainders).

    Examples
    --------
    >>> _scale([1, 1, 1], 10)
    [4, 3, 3]
    """
    sampled = sum(counts)
    if not sampled:
        return counts
    exact = np.asarray(counts, dtype=float) * total / sampled
    scaled = np.floor(exact).astype(int)
    order = np.argsort(-(exact - scaled), kind="stable")
    scaled[order[: total - int(scaled.sum())]] += 1
    return [int(c) for c in scaled]


_warned: set[str] = set()


def population_stats(
    session: Session,
    *,
    filters: ClientFilter,
    model_version: str,
    client_id: int | None,
    lang: str,
    bins: int = BINS,
) -> Population:
    """The main features' distributions over the clients ``filters`` keeps.

    From the summary when there is one for ``model_version`` (or for the population
    without scores, when the version has none), else computed in the database with
    bounded work (module docstring). ``client_id``'s own values come from its row.

    Parameters
    ----------
    session : Session
        The database session.
    filters : ClientFilter
        Which clients.
    model_version : str
        The version whose probabilities are described and filtered by score band.
    client_id : int, optional
        A client whose values are returned beside the distributions.
    lang : str
        ``fr`` or ``en``: the features' descriptions.
    bins : int, default=20
        Histogram bins (the summary has 20).

    Returns
    -------
    Population
        The number of clients, the default rate, each feature's distribution, and where
        they come from.
    """
    row = _summary_row(session, filters, model_version)
    population: _Figures | None = None
    if row is not None and row.bins == bins:
        population = _from_summary(session, row, filters, model_version, bins)
    if population is None:
        if model_version not in _warned:
            _warned.add(model_version)
            log.warning(
                "population statistics of model version %s computed in the database "
                "(no population summary, or too many clients added since): run "
                "`credit-scoring db summarize`",
                model_version,
            )
        population = _from_database(session, filters, model_version, bins)
    own: list[float | None] = [None] * len(POPULATION_FEATURES)
    if client_id is not None:
        columns, join = _value_columns(model_version)
        one = session.execute(
            select(*columns)
            .select_from(m.Client)
            .outerjoin(m.ClientScore, join)
            .where(m.Client.sk_id_curr == client_id)
        ).first()
        if one is not None:
            own = [None if v is None else float(v) for v in one]
    features = [
        FeatureStats(
            name=name,
            description=fr if lang == "fr" else en,
            unit=unit,
            count=stats["count"],
            missing=stats["missing"],
            mean=stats["mean"],
            quantiles=stats["quantiles"],
            bin_edges=stats["bin_edges"],
            counts=stats["counts"],
            client_value=value,
        )
        for (name, unit, en, fr), stats, value in zip(
            POPULATION_FEATURES,
            population.features,
            own,
            strict=True,
        )
    ]
    return Population(
        n_clients=population.n_clients,
        default_rate=population.default_rate,
        features=features,
        source=population.source,
        sample_size=population.sample_size,
        built_at=population.built_at,
    )
