"""Reuse the feature table ``features build`` wrote when its inputs have not changed.

``make run`` builds the feature table, then trains: at Kaggle size the second build took
as long as the first (49 s) for the same bytes. ``features build`` writes a fingerprint
beside the table (``features.fingerprint.json`` for ``features.parquet``): every input file's resolved path, size
and modification time, whether orphans were dropped, and a hash of the feature code (the
source of :mod:`credit_scoring.features`). Training and scoring read the table back when
the fingerprint of their folder is the same, and build it otherwise.

Examples
--------
>>> len(code_version()) == 16
True
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

import credit_scoring.features as features_package
from credit_scoring.data.loading import locate_tables


def code_version() -> str:
    """A hash of the source files of :mod:`credit_scoring.features` (any edit changes it)."""
    digest = hashlib.sha256()
    for path in sorted(Path(features_package.__file__).parent.rglob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def inputs_fingerprint(data_dir: Path, *, drop_orphans: bool = False) -> dict[str, object]:
    """What the feature table of ``data_dir`` depends on: its files and the feature code."""
    files = {}
    for name, path in sorted(locate_tables(Path(data_dir)).items()):
        stat = path.stat()
        files[name] = [str(path.resolve()), stat.st_size, stat.st_mtime_ns]
    return {"files": files, "drop_orphans": drop_orphans, "code": code_version()}


def fingerprint_path(table: Path) -> Path:
    """``features.fingerprint.json`` beside ``features.parquet``."""
    return Path(table).with_suffix(".fingerprint.json")


def forget(table: Path) -> None:
    """Remove the fingerprint of ``table`` (before it is rewritten: a crash leaves none)."""
    fingerprint_path(table).unlink(missing_ok=True)


def write_fingerprint(table: Path, data_dir: Path, *, drop_orphans: bool = False) -> Path:
    """Record beside ``table`` the fingerprint of the folder it was built from."""
    path = fingerprint_path(table)
    fingerprint = inputs_fingerprint(data_dir, drop_orphans=drop_orphans)
    path.write_text(json.dumps(fingerprint, indent=1), encoding="utf-8")
    return path


def reusable_table(table: Path, data_dir: Path) -> pd.DataFrame | None:
    """The table at ``table`` if it was built from ``data_dir`` as it is now, else None.

    Parameters
    ----------
    table : Path
        A feature table written by ``features build`` (its fingerprint beside it).
    data_dir : Path
        The folder the caller would build the table from.

    Returns
    -------
    DataFrame or None
        The stored table; None when it or its fingerprint is missing or unreadable, or
        when any input file, the orphan setting or the feature code differs.
    """
    path = fingerprint_path(table)
    if not Path(table).is_file() or not path.is_file():
        return None
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    expected = json.loads(json.dumps(inputs_fingerprint(data_dir)))  # lists, as read back
    if recorded != expected:
        return None
    return pd.read_parquet(table)
