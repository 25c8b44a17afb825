"""Outcomes loading (issue 23): bad files named and refused whole, twice changes nothing,
chained and append-only, the command line's exit codes."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from credit_scoring.db import audit_chain, migrate
from credit_scoring.db import models as m
from credit_scoring.lending.outcomes import OutcomesError, load_outcomes_file

TODAY = date(2026, 12, 7)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{tmp_path / 'bank.db'}")
    migrate.upgrade(engine)
    with Session(engine) as session, session.begin():
        for app_id, client in ((1, 100002), (2, 100003), (3, 100003)):
            session.add(
                m.Application(
                    id=app_id,
                    sk_id_curr=client,
                    source="load",
                    new_client=False,
                    declared={},
                    application_row={},
                    entered_by="load",
                    entered_at=datetime(2026, 1, 5),
                    status="decided",
                )
            )
    return engine


def _csv(path: Path, text_: str) -> Path:
    path.write_text(text_, encoding="utf-8")
    return path


def _outcomes(engine: Engine) -> pd.DataFrame:
    return pd.read_sql(select(m.Outcome), engine)


def test_a_file_is_loaded_once_and_a_client_means_their_latest_application(
    engine: Engine, tmp_path: Path
) -> None:
    file = _csv(
        tmp_path / "outcomes.csv",
        "application_id,SK_ID_CURR,defaulted,observed_on\n1,,1,2026-06-30\n,100003,0,2026-07-31\n",
    )
    report = load_outcomes_file(engine, file, username="analyst", today=TODAY)
    assert (report.rows, report.appended, report.already_known) == (2, 2, 0)
    rows = _outcomes(engine).sort_values("application_id")
    assert rows["application_id"].tolist() == [1, 3]  # client 100003's latest is n° 3
    assert rows["defaulted"].tolist() == [True, False]
    assert rows["source"].unique().tolist() == ["outcomes.csv"]
    again = load_outcomes_file(engine, file, username="analyst", today=TODAY)
    assert (again.appended, again.already_known) == (0, 2)
    assert len(_outcomes(engine)) == 2
    report = {r.table: r for r in audit_chain.verify(engine)}["outcomes"]
    assert report.ok and report.records == 2


def test_a_correction_is_a_new_record(engine: Engine, tmp_path: Path) -> None:
    first = _csv(tmp_path / "a.csv", "application_id,defaulted,observed_on\n1,0,2026-03-31\n")
    later = _csv(tmp_path / "b.csv", "application_id,defaulted,observed_on\n1,1,2026-09-30\n")
    load_outcomes_file(engine, first, username="a", today=TODAY)
    load_outcomes_file(engine, later, username="a", today=TODAY)
    assert _outcomes(engine)["observed_on"].tolist() == [date(2026, 3, 31), date(2026, 9, 30)]


def test_bad_rows_are_named_and_nothing_is_loaded(engine: Engine, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "bad.csv",
        "application_id,SK_ID_CURR,defaulted,observed_on\n"
        "1,,1,2026-06-30\n"  # good, but the file is refused whole
        "99,,0,2026-06-30\n"  # unknown application
        "2,,yes,2026-06-30\n"  # not 0/1
        "2,,1,30/06/2026\n"  # not ISO
        ",555,1,2026-06-30\n"  # client without application
        "1,100003,1,2026-06-30\n"  # application of another client
        "abc,,1,2026-06-30\n"  # not an id
        "2,,1,2027-01-01\n",  # in the future
    )
    with pytest.raises(OutcomesError) as caught:
        load_outcomes_file(engine, file, username="a", today=TODAY)
    message = caught.value.message("en")
    assert "7 row(s) to correct, nothing was loaded" in message
    for expected in (
        "line 3: application_id 99 is unknown",
        "line 4: defaulted must be 0 or 1, not 'yes'",
        "line 5: observed_on must be a date as YYYY-MM-DD, not '30/06/2026'",
        "line 6: SK_ID_CURR 555 has no application",
        "line 7: application 1 belongs to client 100002, not 100003",
        "line 8: 'abc' is not an application number or client id",
        "line 9: observed_on 2027-01-01 is in the future",
    ):
        assert expected in message
    assert "rien n'a été chargé" in caught.value.message("fr")
    assert _outcomes(engine).empty


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("no-key.csv", "defaulted,observed_on\n1,2026-01-01\n", "application_id or SK_ID_CURR"),
        ("no-date.csv", "application_id,defaulted\n1,1\n", "missing column(s): observed_on"),
        ("empty.csv", "application_id,defaulted,observed_on\n", "holds no outcome"),
        ("outcomes.xlsx", "x", "must be .csv, .csv.gz or .parquet"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(
    engine: Engine, tmp_path: Path, name: str, content: str, problem: str
) -> None:
    with pytest.raises(OutcomesError, match=None) as caught:
        load_outcomes_file(engine, _csv(tmp_path / name, content), username="a", today=TODAY)
    assert problem in caught.value.message("en")


def test_parquet_with_real_types(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "outcomes.parquet"
    pd.DataFrame(
        {"SK_ID_CURR": [100002], "defaulted": [1], "observed_on": [pd.Timestamp("2026-05-31")]}
    ).to_parquet(path)
    assert load_outcomes_file(engine, path, username="a", today=TODAY).appended == 1


def test_outcomes_are_append_only(engine: Engine, tmp_path: Path) -> None:
    file = _csv(tmp_path / "o.csv", "application_id,defaulted,observed_on\n1,1,2026-06-30\n")
    load_outcomes_file(engine, file, username="a", today=TODAY)
    for sql in ("UPDATE {t} SET defaulted = 0", "DELETE FROM {t}"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql.format(t=f"{m.TABLE_PREFIX}outcomes")))
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(m.Outcome)) == 1


def test_the_command_line_loads_and_exits_2_on_a_bad_file(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credit_scoring.cli import app
    from credit_scoring.config import get_settings

    monkeypatch.setenv("CREDIT_SCORING_DATABASE_URL", str(engine.url))
    get_settings.cache_clear()
    try:
        good = _csv(tmp_path / "g.csv", "application_id,defaulted,observed_on\n2,0,2026-06-30\n")
        result = CliRunner().invoke(app, ["outcomes", "load", str(good), "--user", "analyst"])
        assert result.exit_code == 0, result.output
        assert "1 outcome(s) appended, 0 already known" in result.output
        bad = _csv(tmp_path / "b.csv", "application_id,defaulted,observed_on\n2,2,2026-06-30\n")
        result = CliRunner().invoke(app, ["outcomes", "load", str(bad)])
        assert result.exit_code == 2
        assert "defaulted must be 0 or 1" in " ".join(result.output.split())
    finally:
        get_settings.cache_clear()
