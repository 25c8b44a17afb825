"""Matured outcomes: which granted loans defaulted, loaded from a bank file or the API.

An outcome names an application (``application_id``) or a client (``SK_ID_CURR``: their
latest application), says whether the loan defaulted (``defaulted``, 0 or 1) and when that
was observed (``observed_on``, a date). Outcomes are facts the lender learns months after the
decision; they are appended to the chained, append-only ``outcomes`` table and never
changed: a correction is a new record observed later, and the back-test reads the latest.

Loading is all or nothing: every row is checked first, and one bad row refuses the whole
file, with each bad row named (its line, the column and what to fix), so nothing is ever
half-loaded. Loading the same file twice changes nothing: a row whose application already
has that very outcome (same ``defaulted`` and ``observed_on``) is skipped and counted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from credit_scoring.db import audit_chain
from credit_scoring.db import models as m
from credit_scoring.lending.errors import Invalid

MAX_PROBLEMS = 20  # bad rows named in the message; the count says how many in all
BATCH = 5_000


class OutcomeIn(BaseModel):
    """One outcome sent by a bank system (``POST /outcomes``)."""

    model_config = ConfigDict(extra="forbid")

    application_id: int | None = Field(None, ge=1, le=2**53, description="the application, or:")
    SK_ID_CURR: int | None = Field(
        None, ge=0, le=2**53, description="the client: their latest application"
    )
    defaulted: int = Field(ge=0, le=1, description="1 defaulted, 0 repaid (or still paying)")
    observed_on: date = Field(description="when the outcome was observed (not in the future)")


class OutcomesIn(BaseModel):
    """A batch of outcomes: all of them are appended, or none."""

    model_config = ConfigDict(extra="forbid")

    outcomes: list[OutcomeIn] = Field(min_length=1, max_length=10_000)


class OutcomesOut(BaseModel):
    """What a load did."""

    rows: int
    appended: int
    already_known: int


@dataclass(frozen=True)
class OutcomeRow:
    """One outcome, checked: the application it belongs to, and what was observed."""

    application_id: int
    sk_id_curr: int
    defaulted: bool
    observed_on: date


@dataclass
class OutcomesReport:
    """What a load did: rows read, outcomes appended, and rows already known (skipped)."""

    source: str
    rows: int = 0
    appended: int = 0
    already_known: int = 0
    problems: list[str] = field(default_factory=list)


class OutcomesError(Invalid):
    """The file or body cannot be loaded as it is; nothing of it was loaded."""

    def __init__(self, source: str, problems: list[str], total: int) -> None:
        shown = problems[:MAX_PROBLEMS]
        more = total - len(shown)
        tail_fr = f" (et {more} autre(s))" if more > 0 else ""
        tail_en = f" (and {more} more)" if more > 0 else ""
        super().__init__(
            "outcomes_invalid",
            f"{source} : {total} ligne(s) à corriger, rien n'a été chargé{tail_fr}. "
            + " ; ".join(shown),
            f"{source}: {total} row(s) to correct, nothing was loaded{tail_en}. "
            + "; ".join(shown),
        )
        self.source = source
        self.problems = problems


def read_outcomes_file(path: Path) -> pd.DataFrame:
    """The rows of a CSV or parquet outcomes file, as text-preserving columns.

    Parameters
    ----------
    path : Path
        A ``.csv`` (optionally ``.csv.gz``) or ``.parquet`` file.

    Returns
    -------
    DataFrame
        The file's rows; identifiers are read as text so that "12a" is reported, not lost.

    Raises
    ------
    OutcomesError
        If the file is missing, of another type, or unreadable.
    """
    name = path.name
    if not path.is_file():
        raise OutcomesError(name, [f"no such file: {path}"], 1)
    suffixes = "".join(path.suffixes).lower()
    try:
        if suffixes.endswith(".parquet"):
            return pd.read_parquet(path)
        if suffixes.endswith((".csv", ".csv.gz")):
            return pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # a truncated or malformed file: say so, load nothing
        problem = f"the file cannot be read ({type(exc).__name__}: {exc})"
        raise OutcomesError(name, [problem], 1) from exc
    raise OutcomesError(name, ["the file must be .csv, .csv.gz or .parquet"], 1)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _int(value: Any) -> int | None:
    text = _text(value)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() and number >= 0 else None


def _flag(value: Any) -> bool | None:
    text = _text(value).lower()
    return {"0": False, "1": True, "0.0": False, "1.0": True, "false": False, "true": True}.get(
        text
    )


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def check_rows(
    session: Session, records: Iterable[Mapping[str, Any]], *, source: str, today: date
) -> list[OutcomeRow]:
    """Every row checked against the database, or :class:`OutcomesError` naming the bad ones.

    Parameters
    ----------
    session : Session
        A database session (reads applications).
    records : iterable of mapping
        Rows with ``application_id`` or ``SK_ID_CURR``, ``defaulted`` and ``observed_on``.
    source : str
        The file's name (or ``"api"``) for the messages.
    today : date
        An outcome cannot be observed after today.

    Returns
    -------
    list of OutcomeRow
        The rows, in order, each tied to an application.

    Raises
    ------
    OutcomesError
        If a row has no valid key, an unknown application or client, a ``defaulted``
        other than 0 or 1, or a date that is missing, malformed or in the future.
    """
    rows = list(records)
    problems: list[str] = []
    if not rows:
        raise OutcomesError(source, ["the file holds no outcome"], 1)
    columns = set().union(*(r.keys() for r in rows))
    missing = [c for c in ("defaulted", "observed_on") if c not in columns]
    if not {"application_id", "SK_ID_CURR"} & columns:
        missing.insert(0, "application_id or SK_ID_CURR")
    if missing:
        raise OutcomesError(source, [f"missing column(s): {', '.join(missing)}"], 1)
    app_ids = {i for r in rows if (i := _int(r.get("application_id"))) is not None}
    client_ids = {i for r in rows if (i := _int(r.get("SK_ID_CURR"))) is not None}
    apps = _applications(session, app_ids)
    latest = _latest_by_client(session, client_ids)
    out: list[OutcomeRow] = []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        app_id, client = _int(row.get("application_id")), _int(row.get("SK_ID_CURR"))
        wrong: list[str] = []
        target: tuple[int, int] | None = None
        if app_id is not None:
            if app_id not in apps:
                wrong.append(f"application_id {_text(row.get('application_id'))} is unknown")
            elif client is not None and apps[app_id] != client:
                wrong.append(f"application {app_id} belongs to client {apps[app_id]}, not {client}")
            else:
                target = (app_id, apps[app_id])
        elif client is not None:
            if client not in latest:
                wrong.append(f"SK_ID_CURR {client} has no application")
            else:
                target = (latest[client], client)
        else:
            given = _text(row.get("application_id")) or _text(row.get("SK_ID_CURR"))
            wrong.append(
                f"'{given}' is not an application number or client id"
                if given
                else "no application_id nor SK_ID_CURR"
            )
        defaulted = _flag(row.get("defaulted"))
        if defaulted is None:
            wrong.append(f"defaulted must be 0 or 1, not '{_text(row.get('defaulted'))}'")
        observed = _day(row.get("observed_on"))
        if observed is None:
            wrong.append(
                f"observed_on must be a date as YYYY-MM-DD, not '{_text(row.get('observed_on'))}'"
            )
        elif observed > today:
            wrong.append(f"observed_on {observed.isoformat()} is in the future")
        if wrong:
            problems.append(f"line {line}: " + ", ".join(wrong))
        elif target is not None and defaulted is not None and observed is not None:
            out.append(OutcomeRow(target[0], target[1], defaulted, observed))
    if problems:
        raise OutcomesError(source, problems, len(problems))
    return out


def _applications(session: Session, ids: set[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    listed = sorted(ids)
    for start in range(0, len(listed), BATCH):
        chunk = listed[start : start + BATCH]
        query = select(m.Application.id, m.Application.sk_id_curr).where(
            m.Application.id.in_(chunk)
        )
        found.update({int(a): int(c) for a, c in session.execute(query)})
    return found


def _latest_by_client(session: Session, clients: set[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    listed = sorted(clients)
    for start in range(0, len(listed), BATCH):
        chunk = listed[start : start + BATCH]
        query = (
            select(m.Application.sk_id_curr, func.max(m.Application.id))
            .where(m.Application.sk_id_curr.in_(chunk))
            .group_by(m.Application.sk_id_curr)
        )
        found.update({int(c): int(a) for c, a in session.execute(query)})
    return found


def _known(session: Session, app_ids: list[int]) -> set[tuple[int, bool, date]]:
    known: set[tuple[int, bool, date]] = set()
    listed = sorted(set(app_ids))
    for start in range(0, len(listed), BATCH):
        chunk = listed[start : start + BATCH]
        query = select(m.Outcome.application_id, m.Outcome.defaulted, m.Outcome.observed_on).where(
            m.Outcome.application_id.in_(chunk)
        )
        known.update((int(a), bool(d), o) for a, d, o in session.execute(query))
    return known


def append_outcomes(
    session: Session, rows: list[OutcomeRow], *, source: str, username: str
) -> OutcomesReport:
    """Append the outcomes not already recorded, in the caller's transaction.

    Parameters
    ----------
    session : Session
        The session whose transaction the caller commits (all rows or none).
    rows : list of OutcomeRow
        Checked rows (:func:`check_rows`).
    source : str
        The file's name, ``"api"`` or ``"db load"``, recorded with each outcome.
    username : str
        Who loaded them.

    Returns
    -------
    OutcomesReport
        Rows given, appended, and already known (skipped).
    """
    report = OutcomesReport(source=source, rows=len(rows))
    known = _known(session, [r.application_id for r in rows])
    new: list[dict[str, Any]] = []
    for row in rows:
        key = (row.application_id, row.defaulted, row.observed_on)
        if key in known:
            report.already_known += 1
            continue
        known.add(key)
        new.append(
            {
                "application_id": row.application_id,
                "sk_id_curr": row.sk_id_curr,
                "defaulted": row.defaulted,
                "observed_on": row.observed_on,
                "source": source[:255],
                "username": username,
            }
        )
    for start in range(0, len(new), BATCH):
        audit_chain.append(session.connection(), "outcomes", new[start : start + BATCH])
    report.appended = len(new)
    return report


def load_outcomes_file(
    engine: Engine, path: Path, *, username: str, today: date | None = None
) -> OutcomesReport:
    """Check a whole outcomes file, then append it in one transaction (or nothing).

    Parameters
    ----------
    engine : Engine
        The operational database.
    path : Path
        The CSV or parquet file.
    username : str
        Who loads it (recorded with each outcome).
    today : date, optional
        The day of the load (default: today); later observation dates are refused.

    Returns
    -------
    OutcomesReport
        What was appended and what was already known.
    """
    frame = read_outcomes_file(path)
    records = frame.to_dict(orient="records")
    with Session(engine) as session, session.begin():
        rows = check_rows(session, records, source=path.name, today=today or date.today())
        return append_outcomes(session, rows, source=path.name, username=username)


def load_outcomes(
    engine: Engine, body: OutcomesIn, *, username: str, today: date | None = None
) -> OutcomesOut:
    """Check a batch sent by a bank system, then append it in one transaction (or nothing).

    Parameters
    ----------
    engine : Engine
        The operational database.
    body : OutcomesIn
        The outcomes.
    username : str
        The caller (recorded with each outcome).
    today : date, optional
        The day of the load (default: today).

    Returns
    -------
    OutcomesOut
        Rows given, appended, and already known.
    """
    records = [o.model_dump() for o in body.outcomes]
    with Session(engine) as session, session.begin():
        rows = check_rows(session, records, source="api", today=today or date.today())
        report = append_outcomes(session, rows, source="api", username=username)
    return OutcomesOut(
        rows=report.rows, appended=report.appended, already_known=report.already_known
    )


def record_loaded_targets(engine: Engine, *, username: str = "db load") -> OutcomesReport:
    """Record the ``TARGET`` of each loaded Kaggle train client as their application's outcome.

    A Kaggle train folder says, for every client, whether their loan defaulted: that is the
    outcome of the application ``db load`` made for them, so the demo's back-test has
    outcomes. The observation date is the day of the load. Idempotent: an application that
    already has an outcome with the same ``defaulted`` gets no other from a later load.

    Parameters
    ----------
    engine : Engine
        The operational database, loaded (clients and their applications).
    username : str, default="db load"
        Recorded with each outcome.

    Returns
    -------
    OutcomesReport
        The train clients found, outcomes appended and already known.
    """
    latest_load = (
        select(m.Application.sk_id_curr, func.max(m.Application.id).label("application_id"))
        .where(m.Application.source == "load")
        .group_by(m.Application.sk_id_curr)
        .subquery()
    )
    query = (
        select(latest_load.c.application_id, m.Client.sk_id_curr, m.Client.target)
        .join(m.Client, m.Client.sk_id_curr == latest_load.c.sk_id_curr)
        .where(m.Client.target.is_not(None))
    )
    today = date.today()
    with Session(engine) as session, session.begin():
        found = session.execute(query).all()
        report = OutcomesReport(source="db load", rows=len(found))
        ids = [int(a) for a, _, _ in found]
        known: set[tuple[int, bool]] = set()
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            known.update(
                (int(a), bool(d))
                for a, d in session.execute(
                    select(m.Outcome.application_id, m.Outcome.defaulted).where(
                        m.Outcome.application_id.in_(chunk)
                    )
                )
            )
        rows = [
            OutcomeRow(int(a), int(c), bool(t), today)
            for a, c, t in found
            if (int(a), bool(t)) not in known
        ]
        report = append_outcomes(session, rows, source="db load", username=username)
        report.rows = len(found)
        report.already_known = len(found) - len(rows)
    return report
