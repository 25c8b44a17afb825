"""``POST /outcomes`` (a bank system sends matured outcomes) and the back-test
(``GET /backtest``: the latest stored; ``POST /backtest``: run it now)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.concurrency import run_in_threadpool

from credit_scoring.api.deps import AnalystUser, SettingsDep
from credit_scoring.lending.errors import NotFound
from credit_scoring.lending.outcomes import OutcomesIn, OutcomesOut, load_outcomes
from credit_scoring.lending.schemas import ErrorOut

router = APIRouter(
    tags=["outcomes"], responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}}
)


@router.post("/outcomes", status_code=status.HTTP_201_CREATED, responses={422: {"model": ErrorOut}})
async def post_outcomes(request: Request, body: OutcomesIn, user: AnalystUser) -> OutcomesOut:
    """Append matured outcomes (all or none; the ones already recorded are skipped)."""
    engine = request.app.state.engine
    return await run_in_threadpool(load_outcomes, engine, body, username=user.username)


@router.get("/backtest", responses={404: {"model": ErrorOut}})
def get_backtest(user: AnalystUser, settings: SettingsDep) -> dict[str, Any]:
    """The latest back-test of the served scores against matured outcomes."""
    from credit_scoring.monitoring.backtest_report import latest_report

    report = latest_report(settings)
    if report is None:
        raise NotFound(
            "no_backtest",
            "Aucun back-test n'a encore été fait : lancez-le depuis la page Performance "
            "ou avec « credit-scoring backtest ».",
            "No back-test has been made yet: run it from the Performance page or with "
            "'credit-scoring backtest'.",
        )
    return report


@router.post("/backtest", status_code=status.HTTP_201_CREATED)
async def run_backtest_now(request: Request, user: AnalystUser, settings: SettingsDep) -> dict:
    """Back-test the stored scores against the outcomes loaded so far, store and return it."""
    from credit_scoring.monitoring.backtest_report import run_backtest

    return await run_in_threadpool(run_backtest, settings, request.app.state.engine)
