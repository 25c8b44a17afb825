"""Audit records are durable before the response leaves: a local fsync'd spool, then the database.

Why a spool rather than the request's transaction: a cached score is served in well under
a millisecond without touching the database, and it must keep being served (and audited)
while the database is briefly away. So every score log and data-access record is first
appended to a local spool segment and ``fdatasync``'d; only then does the request return.
Concurrent requests share one sync (group commit: whoever syncs takes everything queued
while the previous sync ran), so the cost is one disk sync per batch, not per request. A
route in the thread pool syncs in its own thread (``write``: no thread hop when nothing
else is syncing); the event loop hands its records to a writer thread (``awrite``).

A shipper thread copies the spool to the database in order, in batches, each batch in
one transaction that also moves the segment's position in ``audit_spool_progress`` (so a
crash never ships a record twice, nor skips one) and extends the tables' hash chains
(``db.audit_chain``). While the database is down records wait in the spool (on disk,
not in memory); they are shipped when it answers again and at the next start.
A record the database refuses while it answers (bad value, constraint) goes to
``dead-letter.jsonl`` in the spool folder with the error, and the others carry on.

Each process owns one segment (``<host>-<pid>-<ns>.spool``, locked with ``flock``); a
segment whose owner died (kill -9) is adopted and replayed by the next process that
starts on the same spool folder. ``/health`` reports the backlog and is not ready past
``audit_backlog_max`` records.

Decisions (and other records whose id the response returns) are not spooled: they are
written in the request's transaction through ``db.audit_chain.append``.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, Table, delete, insert, select, text, update

from credit_scoring.db import audit_chain
from credit_scoring.db.models import AuditSpoolProgress

log = logging.getLogger(__name__)
DEAD_LETTER = "dead-letter.jsonl"
ROTATE_BYTES = 32 * 1024 * 1024
_READ_CHUNK = 4 * 1024 * 1024
Record = tuple[str, Mapping[str, Any]]  # (audit table without prefix, row)


class AuditWriteError(RuntimeError):
    """The audit record could not be made durable (disk full, spool folder unwritable)."""


def digest(payload: Any) -> str:
    """SHA-256 of the inputs (JSON, sorted keys): proves what was scored without storing it."""
    raw = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def encode(table: str, row: Mapping[str, Any]) -> bytes:
    """One spool line: the table and the row (times as ISO text), newline-terminated."""
    values = dict(row)
    values.setdefault("created_at", _utcnow())
    return (
        json.dumps({"t": table, "r": values}, default=_iso, separators=(",", ":")) + "\n"
    ).encode()


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    return str(value)


class _Waiter:
    """Released by the writer thread once the lines are synced (or failed)."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.error: BaseException | None = None
        self.finished = False
        self._loop = loop
        self._event = threading.Event() if loop is None else None
        self.future: asyncio.Future[None] | None = loop.create_future() if loop else None

    def done(self, error: BaseException | None) -> None:
        self.error = error
        self.finished = True
        if self._event is not None:
            self._event.set()
        elif self._loop is not None and self.future is not None:
            self._loop.call_soon_threadsafe(self._resolve)

    def _resolve(self) -> None:
        assert self.future is not None
        if not self.future.done():
            self.future.set_result(None)

    def wait(self) -> None:
        assert self._event is not None
        self._event.wait()


class _Segment:
    """One spool file: ``durable`` bytes are synced; ``shipped`` bytes are in the database."""

    def __init__(self, path: Path, lock_fd: int, *, own: bool) -> None:
        self.path = path
        self.name = path.name
        self.lock_fd = lock_fd
        self.own = own
        self.durable = 0
        self.records_durable = 0
        self.shipped: int | None = None  # unknown until read from the database
        self.records_shipped = 0

    @classmethod
    def create(cls, folder: Path) -> _Segment:
        name = f"{socket.gethostname()}-{os.getpid()}-{time.time_ns()}.spool"
        path = folder / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_EXCL, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _sync_folder(folder)
        segment = cls(path, fd, own=True)
        segment.shipped = 0
        return segment

    @classmethod
    def adopt(cls, path: Path) -> _Segment | None:
        """The segment of a process that is gone (its lock is free), or None."""
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        segment = cls(path, fd, own=False)
        with open(path, "rb") as handle:
            data = handle.read()
        end = data.rfind(b"\n") + 1  # a torn last line was never acknowledged: ignored
        segment.durable = end
        segment.records_durable = data.count(b"\n", 0, end)
        return segment

    @property
    def pending(self) -> int:
        return self.records_durable - self.records_shipped

    def read(self, limit: int) -> tuple[list[bytes], int]:
        """Up to ``limit`` whole lines after the shipped position, and where they end."""
        assert self.shipped is not None
        with open(self.path, "rb") as handle:
            handle.seek(self.shipped)
            data = handle.read(min(_READ_CHUNK, self.durable - self.shipped))
        lines: list[bytes] = []
        offset = self.shipped
        for line in data.splitlines(keepends=True):
            if not line.endswith(b"\n") or len(lines) >= limit:
                break
            lines.append(line)
            offset += len(line)
        return lines, offset

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.lock_fd)


def _progress() -> Table:
    return cast(Table, AuditSpoolProgress.__table__)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _schema_problem(exc: Exception) -> bool:
    """A missing table or chain head (migrations not run): every record would fail alike."""
    if isinstance(exc, audit_chain.ChainError):
        return True
    text_ = str(exc).lower()
    return any(s in text_ for s in ("no such table", "doesn't exist", "does not exist"))


def _spool_order(path: Path) -> tuple[int, str]:
    stamp = path.stem.rsplit("-", 1)[-1]
    return (int(stamp) if stamp.isdigit() else 0, path.name)


class AuditSpool:
    """Durable audit writer: ``log(**row)`` / ``await alog(**row)`` return once on disk."""

    def __init__(
        self,
        engine: Engine,
        folder: Path,
        *,
        batch: int = 1_000,
        interval: float = 0.2,
        retry: float = 1.0,
        backlog_max: int = 10_000,
    ) -> None:
        self._engine = engine
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._batch = batch
        self._interval = interval
        self._retry = retry
        self.backlog_max = backlog_max
        self._segment = _Segment.create(folder)
        self._others: list[_Segment] = []  # adopted orphans, then retired own segments
        self._queue: list[tuple[bytes, int, _Waiter]] = []
        self._cond = threading.Condition()
        self._writing = False  # one thread at a time writes and syncs the queue
        self._ship_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._closed = False
        self._last_scan = 0.0
        self.dead_letters = 0
        self.last_error: str | None = None
        self._adopt_orphans()
        self._writer = threading.Thread(target=self._write_loop, name="audit-spool", daemon=True)
        self._shipper = threading.Thread(target=self._ship_loop, name="audit-ship", daemon=True)
        self._writer.start()
        self._shipper.start()

    # --- appending (request side) ----------------------------------------------------------
    def _enqueue(self, records: Iterable[Record], waiter: _Waiter) -> None:
        lines = [encode(table, row) for table, row in records]
        with self._cond:
            if self._closed:
                raise AuditWriteError("the audit spool is closed (the server is stopping)")
            self._queue.append((b"".join(lines), len(lines), waiter))
            if waiter.future is not None:  # the event loop must not block: the writer syncs
                self._cond.notify_all()

    def write(self, records: Iterable[Record]) -> None:
        """Append records and return once they are synced to disk (blocking: for threads).

        The calling thread syncs the queue itself unless a sync is running, in which case it
        waits for that one or takes the next (group commit without a thread hop).
        """
        waiter = _Waiter()
        self._enqueue(records, waiter)
        with self._cond:
            while not waiter.finished:
                if self._writing:
                    self._cond.wait()
                else:
                    self._flush_queue()
        if waiter.error is not None:
            raise AuditWriteError(f"audit record not stored: {waiter.error}") from waiter.error

    async def awrite(self, records: Iterable[Record]) -> None:
        """Append records and return once they are synced to disk (for the event loop)."""
        waiter = _Waiter(asyncio.get_running_loop())
        self._enqueue(records, waiter)
        assert waiter.future is not None
        await waiter.future
        if waiter.error is not None:
            raise AuditWriteError(f"audit record not stored: {waiter.error}") from waiter.error

    def log(self, **row: Any) -> None:
        """A score log record, durable when this returns."""
        self.write([("score_log", row)])

    async def alog(self, **row: Any) -> None:
        await self.awrite([("score_log", row)])

    def _write_loop(self) -> None:
        """Syncs what the event loop queued (``awrite``); threads sync their own (``write``)."""
        with self._cond:
            while True:
                while (not self._queue or self._writing) and not self._stop.is_set():
                    self._cond.wait()
                if self._queue and not self._writing:
                    self._flush_queue()
                elif self._stop.is_set() and not self._writing:
                    return

    def _flush_queue(self) -> None:
        """Write and sync everything queued; called holding ``_cond``, released meanwhile."""
        self._writing = True
        batch, self._queue = self._queue, []
        self._cond.release()
        try:
            self._sync(batch)
        finally:
            self._cond.acquire()
            self._writing = False
            self._cond.notify_all()

    def _sync(self, batch: list[tuple[bytes, int, _Waiter]]) -> None:
        """Append ``batch`` to the segment and sync it; every waiter of it is released, with
        the error when the records are not on disk (never told "stored" when they are not)."""
        segment = self._segment
        data = b"".join(chunk for chunk, _, _ in batch)
        error: BaseException | None = None
        synced = False
        try:
            self._maybe_rotate()
            segment = self._segment
            view = memoryview(data)
            while view:
                written = os.write(segment.lock_fd, view)
                view = view[written:]
            os.fdatasync(segment.lock_fd)
            segment.durable += len(data)
            segment.records_durable += sum(n for _, n, _ in batch)
            synced = True
        except OSError as exc:  # disk full, folder gone: refuse, never pretend
            error = exc
            log.error("audit spool write failed: %s", exc)
            with contextlib.suppress(OSError):
                os.ftruncate(segment.lock_fd, segment.durable)
        finally:
            failed = error or AuditWriteError("the audit spool writer failed")
            for _, _, waiter in batch:
                waiter.done(None if synced else failed)
        if segment.pending >= self._batch:  # else the shipper's next round takes them
            self._wake.set()

    def _maybe_rotate(self) -> None:
        segment = self._segment
        if segment.durable < ROTATE_BYTES or not self._ship_lock.acquire(blocking=False):
            return
        try:
            if segment.shipped == segment.durable:
                self._segment = _Segment.create(self.folder)
                self._others.append(segment)  # removed by the next ship round
        finally:
            self._ship_lock.release()

    # --- shipping (database side) ----------------------------------------------------------
    @property
    def backlog(self) -> int:
        """Records not yet in the database (on disk or being synced)."""
        with self._cond:
            queued = sum(n for _, n, _ in self._queue)
        return queued + self._segment.pending + sum(s.pending for s in list(self._others))

    def _adopt_orphans(self) -> None:
        self._last_scan = time.monotonic()
        known = {self._segment.name, *(s.name for s in self._others)}
        for path in sorted(self.folder.glob("*.spool"), key=_spool_order):
            if path.name not in known and (segment := _Segment.adopt(path)) is not None:
                log.warning("replaying audit spool %s left by a stopped process", path.name)
                self._others.append(segment)

    def flush(self) -> bool:
        """Ship everything durable now; True when the database has every record."""
        return self.ship(scan=True)

    def ship(self, *, scan: bool = False) -> bool:
        with self._ship_lock:
            if scan or time.monotonic() - self._last_scan > 5:
                self._adopt_orphans()
            for segment in [*self._others, self._segment]:
                if not self._ship_segment(segment):
                    return False
                if segment is not self._segment and segment.shipped == segment.durable:
                    self._retire(segment)
            self.last_error = None
            return self.backlog == 0

    def _ship_segment(self, segment: _Segment) -> bool:
        try:
            if segment.shipped is None:
                self._load_progress(segment)
            assert segment.shipped is not None
            while segment.shipped < segment.durable:
                lines, end = segment.read(self._batch)
                if not lines:
                    return True
                if not self._ship_batch(segment, lines, end):
                    return False
        except Exception as exc:  # database down: the records wait in the spool
            self._down(exc)
            return False
        return True

    def _load_progress(self, segment: _Segment) -> None:
        table = _progress()
        with self._engine.connect() as conn:
            row = conn.execute(
                select(table.c.shipped_bytes, table.c.shipped_records).where(
                    table.c.segment == segment.name
                )
            ).first()
        segment.shipped = int(row[0]) if row else 0
        segment.records_shipped = int(row[1]) if row else 0
        if not segment.own and row:  # the lines after the position are what is left
            with open(segment.path, "rb") as handle:
                data = handle.read(segment.durable)
            segment.records_durable = segment.records_shipped + data.count(
                b"\n", segment.shipped, segment.durable
            )

    def _ship_batch(self, segment: _Segment, lines: list[bytes], end: int) -> bool:
        records = [json.loads(line) for line in lines]
        try:
            with self._engine.begin() as conn:
                self._append(conn, records)
                self._set_progress(conn, segment, end, len(records))
        except Exception as exc:
            if not self._database_answers():
                self._down(exc)
                return False
            return self._ship_one_by_one(segment, lines)  # some record is refused
        segment.shipped, segment.records_shipped = end, segment.records_shipped + len(records)
        return True

    def _ship_one_by_one(self, segment: _Segment, lines: list[bytes]) -> bool:
        assert segment.shipped is not None
        for line in lines:
            end = segment.shipped + len(line)
            record = json.loads(line)
            try:
                with self._engine.begin() as conn:
                    self._append(conn, [record])
                    self._set_progress(conn, segment, end, 1)
            except Exception as exc:
                if _schema_problem(exc) or not self._database_answers():
                    self._down(exc)  # not this record's fault: it waits, in order
                    return False
                self._dead_letter(segment, line, exc)
                with self._engine.begin() as conn:
                    self._set_progress(conn, segment, end, 1)
            segment.shipped, segment.records_shipped = end, segment.records_shipped + 1
        return True

    @staticmethod
    def _append(conn: Any, records: list[dict[str, Any]]) -> None:
        by_table: dict[str, list[dict[str, Any]]] = {}
        for record in records:
            by_table.setdefault(record["t"], []).append(record["r"])
        for table, rows in by_table.items():
            audit_chain.append(conn, table, rows)

    @staticmethod
    def _set_progress(conn: Any, segment: _Segment, end: int, added: int) -> None:
        table = _progress()
        values = {"shipped_bytes": end, "shipped_records": segment.records_shipped + added}
        done = conn.execute(update(table).where(table.c.segment == segment.name).values(values))
        if done.rowcount == 0:
            conn.execute(insert(table).values(segment=segment.name, **values))

    def _dead_letter(self, segment: _Segment, line: bytes, exc: Exception) -> None:
        entry = {
            "segment": segment.name,
            "offset": segment.shipped,
            "error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:500]}",
            "record": json.loads(line),
        }
        path = self.folder / DEAD_LETTER
        with open(path, "ab") as handle:
            handle.write((json.dumps(entry, default=str) + "\n").encode())
            handle.flush()
            os.fsync(handle.fileno())
        self.dead_letters += 1
        log.error("audit record refused by the database, kept in %s: %s", path, entry["error"])

    def _database_answers(self) -> bool:
        try:
            with self._engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # any driver error: down
            return False

    def _down(self, exc: Exception) -> None:
        self.last_error = type(exc).__name__
        log.warning(
            "audit records not shipped yet (%s); %d wait in %s",
            type(exc).__name__,
            self.backlog,
            self.folder,
        )
        with contextlib.suppress(Exception):
            self._engine.dispose()  # fresh connections next round: recovers when it returns

    def _retire(self, segment: _Segment) -> None:
        """A fully shipped segment that is not written any more: removed, with its position."""
        table = _progress()
        try:
            with self._engine.begin() as conn:
                conn.execute(delete(table).where(table.c.segment == segment.name))
        except Exception as exc:  # removed on a later round
            self._down(exc)
            return
        segment.path.unlink(missing_ok=True)
        segment.close()
        self._others.remove(segment)

    def _ship_loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._interval)
            self._wake.clear()
            if not self.ship() and self.last_error:
                self._stop.wait(self._retry)  # database down: do not spin

    def close(self) -> None:
        """Sync what is queued, ship what can be, and leave the rest for the next start."""
        with self._cond:
            self._closed = True
            self._stop.set()
            self._cond.notify_all()
        self._writer.join(timeout=10)
        self._wake.set()
        self._shipper.join(timeout=10)
        if self.ship():
            with contextlib.suppress(Exception):
                self._others.append(self._segment)
                with self._ship_lock:
                    self._retire(self._segment)
        for segment in [self._segment, *self._others]:
            segment.close()
