"""The challenger in the shadow: every score the champion stores is also computed by the challenger.

When a model holds the ``challenger`` alias, :class:`ShadowScorer` scores each application
the champion has just scored (intake, rescore, ``db load``) and appends the result to the
chained ``shadow_scores`` table beside the champion's ``scores`` row. It is never shown and
never decides. In the API it runs off the request's hot path: one background thread reads a
bounded queue; when the queue is full the work is dropped, counted and logged, and the
request never waits. ``db load`` calls :func:`shadow_rows` in its own batch instead.

The standard library's :mod:`queue` and :mod:`threading` are all this needs: a task queue
library (Celery, RQ) would add a broker to operate for one in-process worker.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session, sessionmaker

from credit_scoring.core.grades import grades_of
from credit_scoring.db import audit_chain
from credit_scoring.db import models as m
from credit_scoring.modeling.contracts import Scorer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShadowJob:
    """One champion's score to shadow: the application, its score row and the features scored."""

    application_id: int
    score_id: int
    features: pd.DataFrame


def shadow_rows(
    scorer: Scorer, features: pd.DataFrame, application_ids: list[int], score_ids: list[int]
) -> list[dict[str, Any]]:
    """The ``shadow_scores`` rows of the challenger's scores of feature rows.

    Parameters
    ----------
    scorer : Scorer
        The challenger.
    features : DataFrame
        One feature row per application, in the order of ``application_ids``.
    application_ids, score_ids : list of int
        The applications and the champion's score each row shadows.

    Returns
    -------
    list of dict
        Column -> value of ``shadow_scores``: probability, threshold, the model's decision
        at its own threshold (refuse at or above) and grade of the master scale.
    """
    p = np.asarray(scorer.predict_proba(features), dtype=float)
    grades = grades_of(p)
    return [
        {
            "application_id": int(a),
            "score_id": int(s),
            "model_name": scorer.model_name,
            "model_version": str(scorer.model_version),
            "probability": float(pi),
            "threshold": float(scorer.threshold),
            "model_decision": "refuse" if pi >= scorer.threshold else "grant",
            "grade": str(g) if g else None,
        }
        for a, s, pi, g in zip(application_ids, score_ids, p, grades, strict=True)
    ]


def shadow_loaded(
    conn: Connection, scorer: Scorer, features: pd.DataFrame, application_ids: list[int]
) -> int:
    """Shadow the scores ``db load`` just appended, in its transaction; rows written.

    Parameters
    ----------
    conn : Connection
        The load's connection, after its ``scores`` were appended (the chain's head stays
        locked until it commits, so each application's latest score is the one just written).
    scorer : Scorer
        The challenger.
    features : DataFrame
        The feature rows the champion scored, in the order of ``application_ids``.
    application_ids : list of int
        The applications scored.

    Returns
    -------
    int
        Shadow scores appended; 0 when the challenger cannot score these feature rows
        (it needs columns the stored feature set lacks: logged).
    """
    if not application_ids:
        return 0
    latest = dict(
        conn.execute(
            select(m.Score.application_id, func.max(m.Score.id))
            .where(m.Score.application_id.in_(application_ids))
            .group_by(m.Score.application_id)
        ).all()
    )
    try:
        rows = shadow_rows(
            scorer, features, application_ids, [int(latest[a]) for a in application_ids]
        )
    except Exception as exc:  # the champion's scores stand: only the shadow is skipped
        log.warning(
            "the challenger %s did not score this batch (%s): loaded without shadow scores",
            scorer.model_version,
            type(exc).__name__,
        )
        return 0
    audit_chain.append(conn, "shadow_scores", rows)
    return len(rows)


class ShadowScorer:
    """One background worker scoring the champion's applications with the challenger.

    Parameters
    ----------
    scorer : Scorer
        The challenger.
    sessions : sessionmaker
        Sessions of the operational database (the worker commits its own).
    maxsize : int, default=1000
        Jobs waiting at most; past it, new jobs are dropped (counted in :attr:`dropped`).

    Attributes
    ----------
    stored, dropped, failed : int
        Shadow scores written, jobs dropped because the queue was full, jobs that failed
        (logged with the application's number).
    """

    def __init__(
        self, scorer: Scorer, sessions: sessionmaker[Session], *, maxsize: int = 1000
    ) -> None:
        self.scorer = scorer
        self.sessions = sessions
        self.jobs: queue.Queue[ShadowJob | None] = queue.Queue(maxsize=maxsize)
        self.stored = 0
        self.dropped = 0
        self.failed = 0
        self._thread: threading.Thread | None = None

    @property
    def model_version(self) -> str:
        """The challenger's version."""
        return str(self.scorer.model_version)

    def start(self) -> None:
        """Start the worker thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="shadow-scorer", daemon=True)
            self._thread.start()

    def submit(self, application_id: int, score_id: int, features: pd.DataFrame) -> bool:
        """Queue a champion's score for the challenger; never blocks.

        Parameters
        ----------
        application_id, score_id : int
            The application and the champion's ``scores`` row.
        features : DataFrame
            The feature row the champion scored.

        Returns
        -------
        bool
            False when the queue was full and the job was dropped (counted and logged).
        """
        try:
            self.jobs.put_nowait(ShadowJob(application_id, score_id, features))
        except queue.Full:
            self.dropped += 1
            log.warning(
                "shadow score of application %s dropped: %s jobs waiting (%s dropped since "
                "start); the challenger is slower than the traffic",
                application_id,
                self.jobs.maxsize,
                self.dropped,
            )
            return False
        return True

    def run_one(self, job: ShadowJob) -> None:
        """Score one job with the challenger and append its row (errors logged, counted)."""
        try:
            rows = shadow_rows(self.scorer, job.features, [job.application_id], [job.score_id])
            with self.sessions() as session, session.begin():
                audit_chain.append(session.connection(), "shadow_scores", rows)
            self.stored += 1
        except Exception as exc:  # the champion's work is done: the shadow must never fail it
            self.failed += 1
            log.warning(
                "shadow score of application %s not stored: %s",
                job.application_id,
                type(exc).__name__,
            )

    def _run(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                if job is None:
                    return
                self.run_one(job)
            finally:
                self.jobs.task_done()

    def close(self, timeout: float = 10.0) -> None:
        """Finish the jobs waiting, then stop the worker (at most ``timeout`` seconds)."""
        if self._thread is None:
            return
        try:
            self.jobs.put(None, timeout=timeout)
        except queue.Full:
            log.warning("shadow scorer stopped with %s jobs not done", self.jobs.qsize())
            return
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning(
                "shadow scorer still busy after %ss: left to stop with the process", timeout
            )
        self._thread = None
