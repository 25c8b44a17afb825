"""Training reuses the feature table `features build` wrote when nothing it depends on changed."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from credit_scoring.cli import app
from credit_scoring.config import Settings, get_settings
from credit_scoring.data.synth import generate
from credit_scoring.training import feature_reuse
from credit_scoring.training.pipeline import load_features


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small folder and its feature table, written by the command as `make run` does."""
    root = tmp_path_factory.mktemp("reuse")
    data = root / "data"
    generate(data, clients=600, seed=3, fmt="parquet")
    home = root / "home"
    os.environ["CREDIT_SCORING_HOME"] = str(home)
    get_settings.cache_clear()
    try:
        done = CliRunner().invoke(app, ["features", "build", "--data", str(data)])
    finally:
        del os.environ["CREDIT_SCORING_HOME"]
        get_settings.cache_clear()
    assert done.exit_code == 0, done.output
    return data, home


def _load(data: Path, home: Path) -> tuple[pd.DataFrame, list[str]]:
    said: list[str] = []
    _, table, _ = load_features(data, Settings(home=home), said.append)
    return table, said


def test_the_stored_table_is_reused_and_is_the_built_one(built: tuple[Path, Path]) -> None:
    data, home = built
    stored = home / "features" / "features.parquet"
    assert feature_reuse.fingerprint_path(stored).is_file()
    table, said = _load(data, home)
    assert any(s.startswith("Reusing the feature table") for s in said)
    fresh = feature_reuse.reusable_table(stored, data)
    assert fresh is not None
    from credit_scoring.data.loading import prepare
    from credit_scoring.features.batch import build_feature_table

    rebuilt = build_feature_table(prepare(data, home / "cache"))
    pd.testing.assert_frame_equal(table, rebuilt)


def test_a_changed_input_file_means_a_rebuild(built: tuple[Path, Path], tmp_path: Path) -> None:
    data, home = built
    copy = tmp_path / "data"
    copy.mkdir()
    for f in data.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    _, said = _load(copy, home)  # other files (paths): not the stored table's inputs
    assert any(s.startswith("Building features") for s in said)

    stored = home / "features" / "features.parquet"
    assert feature_reuse.reusable_table(stored, data) is not None
    bureau = data / "bureau.parquet"
    stat = bureau.stat()
    os.utime(bureau, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    try:
        assert feature_reuse.reusable_table(stored, data) is None
    finally:
        os.utime(bureau, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert feature_reuse.reusable_table(stored, data) is not None


def test_other_feature_code_or_no_fingerprint_means_a_rebuild(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data, home = built
    stored = home / "features" / "features.parquet"
    monkeypatch.setattr(feature_reuse, "code_version", lambda: "another-version")
    assert feature_reuse.reusable_table(stored, data) is None
    monkeypatch.undo()
    lone = tmp_path / "features.parquet"
    lone.write_bytes(stored.read_bytes())
    assert feature_reuse.reusable_table(lone, data) is None
