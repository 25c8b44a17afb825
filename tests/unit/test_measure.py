"""Each step's wall time and peak memory: the process tree is measured, grandchildren too."""

from __future__ import annotations

import os
import sys

import pytest
import typer

from credit_scoring.cli.demo import StepLog
from credit_scoring.cli.measure import run_measured, tree_rss

HOLD_200_MB = "b = bytearray(200 * 1024 * 1024); import time; time.sleep(1.5)"


def test_a_childs_memory_counts_in_the_peak() -> None:
    step = run_measured("alloc", [sys.executable, "-c", HOLD_200_MB])
    assert step.code == 0
    assert step.seconds >= 1.5
    assert step.peak_bytes >= 200 * 1024 * 1024


def test_a_grandchilds_memory_counts_too() -> None:
    """Spark's JVM and its Python workers are grandchildren of the command."""
    spawn = (
        "import subprocess, sys; "
        f"subprocess.run([sys.executable, '-c', {HOLD_200_MB!r}], check=True)"
    )
    step = run_measured("spawn", [sys.executable, "-c", spawn])
    assert step.code == 0
    assert step.peak_bytes >= 200 * 1024 * 1024


def test_a_failing_command_keeps_its_exit_code_and_output() -> None:
    step = run_measured(
        "fail", [sys.executable, "-c", "print('hello'); raise SystemExit(3)"], capture=True
    )
    assert step.code == 3
    assert step.output == "hello\n"


def test_tree_rss_of_this_process_is_its_memory() -> None:
    assert tree_rss(os.getpid()) > 10 * 1024**2


def test_demo_prints_each_steps_time_and_memory(capsys: pytest.CaptureFixture[str]) -> None:
    log = StepLog()
    log.run("Help", "--help")
    log.print_summary(ready="ready database (total)")
    out = capsys.readouterr().out
    assert "Help:" in out and "peak memory" in out
    assert "Steps of this run" in out
    assert "ready database (total)" in out
    assert " GB" in out and " s" in out


def test_a_failed_demo_step_stops_the_run_with_its_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = StepLog()
    with pytest.raises(typer.Exit) as stopped:
        log.run("Broken", "no-such-command")
    assert stopped.value.exit_code == 2
    assert "Steps of this run" in capsys.readouterr().out
