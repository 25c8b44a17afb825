"""Write the eight Kaggle tables for N synthetic clients, chunk by chunk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rich.progress import Progress

from credit_scoring.data.loading import SUFFIXES, DataError
from credit_scoring.data.schemas import TABLE_NAMES
from credit_scoring.data.synth._base import arrow_schema
from credit_scoring.data.synth.application import generate_applications
from credit_scoring.data.synth.bureau import FIRST_BUREAU_ID, generate_bureau
from credit_scoring.data.synth.monthly import generate_cards, generate_installments, generate_pos
from credit_scoring.data.synth.previous import FIRST_PREV_ID, generate_previous
from credit_scoring.data.synth.writers import FORMATS, TableWriter

DEFAULT_TEST_SHARE = 48744 / 356255  # Kaggle's share of test applications (0.137)
CHUNK_CLIENTS = 25_000  # fixed: the bytes written must not depend on the machine


def _rng(seed: int, chunk: int, step: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, chunk, step]))


def _check_arguments(out_dir: Path, clients: int, fmt: str, test_share: float) -> None:
    if fmt not in FORMATS:
        raise DataError(
            out_dir, f"unknown format {fmt!r}.", hint=f"Use one of {', '.join(FORMATS)}."
        )
    if clients < 1:
        raise DataError(out_dir, f"cannot generate {clients} clients.", hint="Ask for at least 1.")
    if not 0.0 <= test_share < 1.0:
        raise DataError(
            out_dir, f"test share {test_share} is not in [0, 1).", hint="Kaggle's share is 0.137."
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise DataError(out_dir, "exists and is not a folder.", hint="Choose another --out.")
    for name in TABLE_NAMES:
        for suffix in SUFFIXES:
            other = out_dir / f"{name}{suffix}"
            if suffix != FORMATS[fmt] and other.exists():
                raise DataError(
                    other,
                    f"would shadow or be shadowed by the new {fmt} tables.",
                    hint="Write to an empty folder, or remove the old files first.",
                )


def generate(
    out_dir: Path,
    *,
    clients: int,
    seed: int,
    fmt: str = "csv",
    test_share: float = DEFAULT_TEST_SHARE,
    progress: Progress | None = None,
) -> dict[str, Path]:
    """Generate ``clients`` applications (train and test) with their histories into ``out_dir``.

    The same ``seed`` gives the same bytes; files appear only once complete.
    Returns the path of every table written.
    """
    out_dir = Path(out_dir)
    _check_arguments(out_dir, clients, fmt, test_share)
    out_dir.mkdir(parents=True, exist_ok=True)
    writers = {name: TableWriter(out_dir, name, arrow_schema(name), fmt) for name in TABLE_NAMES}
    chunks = range(0, clients, CHUNK_CLIENTS)
    task = progress.add_task("Generating", total=len(chunks)) if progress is not None else None
    bureau_id, prev_id = FIRST_BUREAU_ID, FIRST_PREV_ID
    done = False
    try:
        for number, first in enumerate(chunks):
            n = min(CHUNK_CLIENTS, clients - first)
            where = f"clients {first + 1:,}-{first + n:,} of {clients:,}"

            def step(table: str, where: str = where) -> None:
                if progress is not None and task is not None:
                    progress.update(task, description=f"{table} ({where})")

            step("application")
            people, train, test = generate_applications(_rng(seed, number, 0), first, n, test_share)
            writers["application_train"].write(train)
            writers["application_test"].write(test)
            step("bureau")
            bureau, balance = generate_bureau(_rng(seed, number, 1), people, bureau_id)
            bureau_id += bureau.num_rows
            writers["bureau"].write(bureau)
            writers["bureau_balance"].write(balance)
            del bureau, balance
            step("previous_application")
            previous, loans = generate_previous(_rng(seed, number, 2), people, prev_id)
            prev_id += previous.num_rows
            writers["previous_application"].write(previous)
            step("POS_CASH_balance")
            writers["POS_CASH_balance"].write(generate_pos(_rng(seed, number, 3), people, loans))
            step("installments_payments")
            writers["installments_payments"].write(
                generate_installments(_rng(seed, number, 4), people, loans)
            )
            step("credit_card_balance")
            writers["credit_card_balance"].write(
                generate_cards(_rng(seed, number, 5), people, loans)
            )
            if progress is not None and task is not None:
                progress.advance(task)
        done = True
    finally:
        for writer in writers.values():
            writer.close(keep=done)
    return {name: writer.path for name, writer in writers.items()}
