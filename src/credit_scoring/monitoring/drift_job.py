"""A drift report made in the background, one at a time, with its progress.

The API starts ``credit-scoring drift``'s work (:func:`~credit_scoring.monitoring.drift.build_drift_report`)
in a thread so that the request returns at once; the dashboard's *Data drift* page then
reads the progress (steps done of the total, time elapsed) until the report is written.
A second start while one runs is refused (:class:`DriftRunning`): two reports on the same
data would only compete for the machine.

>>> import threading
>>> started, gate = threading.Event(), threading.Event()
>>> def work(step):
...     step("Reading the reference")
...     started.set()
...     gate.wait(5)
...     return {"verdict": "ok"}
>>> job = DriftJob()
>>> run = job.start(work, started_by="ana")
>>> started.wait(5), job.current().step
(True, 'reference')
>>> try:
...     job.start(work, started_by="bob")
... except DriftRunning as busy:
...     busy.run.started_by
'ana'
>>> gate.set(); job.wait(5)
True
>>> job.current().state, job.current().done == job.current().total
('done', True)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from credit_scoring.monitoring.drift import STEPS

log = logging.getLogger(__name__)
State = Literal["running", "done", "failed"]
Work = Callable[[Callable[[str], None]], dict[str, Any]]
STEP_KEY = {label: key for key, label in STEPS}


@dataclass(frozen=True)
class DriftRun:
    """One report being made or made: who started it, where it is, how it ended.

    ``error`` is the technical cause of a failure (for the log and the operator);
    ``error_kind`` says which kind it is: ``"data"`` (a data set could not be read or
    checked) or ``"unexpected"``.
    """

    started_by: str
    started_at: datetime
    total: int
    state: State = "running"
    done: int = 0
    step: str | None = None
    finished_at: datetime | None = None
    report: str | None = None  # the HTML file's name once written
    error: str | None = None
    error_kind: str | None = None
    started_monotonic: float = 0.0
    seconds_taken: float | None = None

    def elapsed(self, now: float | None = None) -> float:
        """Seconds since the start (until the end once finished)."""
        if self.seconds_taken is not None:
            return self.seconds_taken
        return max(0.0, (time.monotonic() if now is None else now) - self.started_monotonic)


class DriftRunning(Exception):
    """A report is already being made; ``run`` is that one."""

    def __init__(self, run: DriftRun) -> None:
        super().__init__(f"a drift report started by {run.started_by} is still running")
        self.run = run


class DriftJob:
    """The one background drift report of a process, and the last one's outcome."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._run: DriftRun | None = None
        self._thread: threading.Thread | None = None

    def current(self) -> DriftRun | None:
        """The running report, else the last one made since start-up (None if none)."""
        with self._lock:
            return self._run

    def start(self, work: Work, *, started_by: str) -> DriftRun:
        """Run ``work(step)`` in a thread; refuse with :class:`DriftRunning` if one runs.

        ``work`` calls ``step`` with the labels of :data:`~credit_scoring.monitoring.drift.STEPS`
        and returns the report's summary.
        """
        with self._lock:
            if self._run is not None and self._run.state == "running":
                raise DriftRunning(self._run)
            self._run = DriftRun(
                started_by=started_by,
                started_at=datetime.now(UTC),
                total=len(STEPS),
                started_monotonic=time.monotonic(),
            )
            run = self._run
            self._thread = threading.Thread(
                target=self._work, args=(work,), name="drift-report", daemon=True
            )
            self._thread.start()
        return run

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the running report (tests, shutdown); True when none is running."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    def _step(self, label: str) -> None:
        key = STEP_KEY.get(label, label)
        with self._lock:
            assert self._run is not None
            keys = [k for k, _ in STEPS]
            done = keys.index(key) if key in keys else self._run.done
            self._run = replace(self._run, step=key, done=max(done, self._run.done))

    def _finish(self, state: State, **changes: Any) -> None:
        with self._lock:
            assert self._run is not None
            taken = time.monotonic() - self._run.started_monotonic
            self._run = replace(
                self._run,
                state=state,
                finished_at=datetime.now(UTC),
                seconds_taken=taken,
                **changes,
            )

    def _work(self, work: Work) -> None:
        from credit_scoring.data.loading import DataError

        try:
            summary = work(self._step)
        except (DataError, ValueError, OSError) as exc:
            log.warning("drift report failed: %s", exc)
            self._finish("failed", error=str(exc)[:500], error_kind="data")
        except Exception as exc:  # the thread must record why, whatever it is
            log.exception("drift report failed")
            self._finish(
                "failed", error=f"{type(exc).__name__}: {exc}"[:500], error_kind="unexpected"
            )
        else:
            self._finish("done", done=len(STEPS), report=str(summary.get("html") or ""))
