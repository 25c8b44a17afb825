"""Wall time and peak memory of a child process and its descendants (Linux ``/proc``).

``resource.getrusage(RUSAGE_CHILDREN)`` gives the largest single process ever waited for,
across all steps, not the memory of one step's tree (Spark's JVM plus its Python workers);
so a thread polls the resident memory of the whole tree while the step runs.

Examples
--------
>>> import subprocess, sys
>>> step = run_measured("noop", [sys.executable, "-c", "pass"])
>>> step.code, step.seconds > 0
(0, True)
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

GB = 1024**3


def tree_rss(root: int) -> int:
    """Resident bytes of process ``root`` and all its descendants (0 when ``/proc`` is absent)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return 0
    page = os.sysconf("SC_PAGE_SIZE")
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir(proc):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:  # the process ended between the listing and the read
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])  # after the command: state, ppid, ...
        rss[pid] = int(fields[21]) * page  # stat field 24, resident pages
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return sum(rss.get(pid, 0) for pid in tree)


class PeakWatch:
    """Polls the resident memory of a process tree from a thread until :meth:`stop`."""

    def __init__(self, pid: int, *, every: float = 0.2) -> None:
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-rss", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._stop.wait(self.every)

    def stop(self) -> int:
        """Stop polling; the peak in bytes."""
        self._stop.set()
        self._thread.join()
        return self.peak


@dataclass(frozen=True)
class MeasuredStep:
    """One step run as its own process: exit code, wall time, peak memory of its tree."""

    title: str
    code: int
    seconds: float
    peak_bytes: int
    output: str = ""

    @property
    def peak_gb(self) -> float:
        return self.peak_bytes / GB


def run_measured(
    title: str,
    command: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    capture: bool = False,
) -> MeasuredStep:
    """Run ``command`` and measure it; with ``capture`` its output is also echoed and kept."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(command),
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE if capture else None,
        text=capture,
    )
    watch = PeakWatch(proc.pid)
    lines: list[str] = []
    if capture and proc.stdout is not None:
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            lines.append(line)
    code = proc.wait()
    return MeasuredStep(title, code, time.perf_counter() - start, watch.stop(), "".join(lines))
