"""Every score served goes to ``score_log`` through a queue drained by one background thread.

The request only puts a dict on the queue (microseconds); the thread inserts in
batches. ``close()`` drains what is left, so nothing is lost on a clean shutdown.
If the database is down, batches are kept and retried (bounded memory).
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert

from credit_scoring.db.models import ScoreLog

log = logging.getLogger(__name__)
MAX_PENDING = 100_000


def digest(payload: Any) -> str:
    """SHA-256 of the inputs (JSON, sorted keys): proves what was scored without storing it."""
    raw = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


class ScoreLogger:
    def __init__(self, engine: Engine, *, batch: int = 500, interval: float = 0.5) -> None:
        self._engine = engine
        self._batch = batch
        self._interval = interval
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=MAX_PENDING)
        self._pending: list[dict[str, Any]] = []
        self._lock = threading.Lock()  # one writer at a time: the thread, or flush() at shutdown
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="score-log", daemon=True)
        self._thread.start()

    def log(self, **row: Any) -> None:
        row.setdefault("created_at", datetime.now(UTC).replace(tzinfo=None))
        try:
            self._queue.put_nowait(row)
        except queue.Full:
            log.error("score log queue full: a score record was dropped")

    def _wait(self, timeout: float) -> bool:
        """Wait for a first record; True when there is something to write."""
        try:
            first = self._queue.get(timeout=timeout)
        except queue.Empty:
            return bool(self._pending)
        with self._lock:
            self._pending.append(first)
        return True

    def flush(self) -> bool:
        """Write what is pending; False (and kept for later) when the database refuses."""
        with self._lock:
            return self._flush_locked()

    def _flush_locked(self) -> bool:
        while True:
            try:
                self._pending.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if not self._pending:
            return True
        try:
            with self._engine.begin() as conn:
                for start in range(0, len(self._pending), self._batch):
                    conn.execute(insert(ScoreLog), self._pending[start : start + self._batch])
        except Exception as exc:  # database down: keep the rows, retry on the next round
            log.warning(
                "score log not written yet (%s); %d rows kept",
                type(exc).__name__,
                len(self._pending),
            )
            return False
        self._pending.clear()
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._wait(self._interval) and not self.flush():
                self._stop.wait(self._interval)  # database down: do not spin

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.flush()
