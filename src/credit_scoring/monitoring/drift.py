"""Data drift between the training applications and new clients, raw columns and model features.

``build_drift_report`` compares a reference (default: the folder's
``application_train``) with a current data set (default: ``application_test``)
on the raw application columns and, when a champion model is registered, on
the model's top features, weighted by their importance (mean absolute exact
TreeSHAP contribution on the current sample). Reports go to
``<home>/reports/drift/`` as an HTML page and a JSON summary; the API serves
the latest one through :func:`latest_report`.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd

from credit_scoring.config import Settings
from credit_scoring.data.loading import (
    DataError,
    PreparedData,
    convert_table,
    locate_tables,
    prepare,
)
from credit_scoring.data.schemas import SCHEMAS
from credit_scoring.monitoring.drift_report import (
    FEATURE_PREFIX,
    run_drift,
    sample_rows,
    summarise,
    write_report,
)
from credit_scoring.monitoring.stability import column_psi

log = logging.getLogger(__name__)
Role = Literal["reference", "current"]
DEFAULT_TABLE: dict[Role, str] = {"reference": "application_train", "current": "application_test"}
ID_COLUMNS = ("SK_ID_CURR", "TARGET")
# The steps of a report, in order: (key, what the CLI's progress bar says). The key names the
# step for the dashboard, which words it in the reader's language (``drift_job``).
STEPS: tuple[tuple[str, str], ...] = (
    ("reference", "Reading the reference"),
    ("current", "Reading the current data"),
    ("model", "Loading the champion model"),
    ("features", "Building the model's features"),
    ("compare", "Comparing distributions (evidently)"),
    ("write", "Writing the report"),
)
STEP_LABEL = dict(STEPS)


@dataclass
class Source:
    """One side of the comparison: raw application rows, and where they came from."""

    label: str
    frame: pd.DataFrame
    folder: Path | None = None  # Kaggle folder: the model's features are built with its history
    cache_dir: Path | None = None

    def prepared(self) -> PreparedData | None:
        """The whole folder converted and checked (only needed to build the model's features)."""
        if self.folder is None or self.cache_dir is None:
            return None
        prepared = prepare(self.folder, self.cache_dir)
        prepared.raise_for_errors()
        return prepared


def drift_dir(settings: Settings) -> Path:
    return settings.reports_dir / "drift"


def load_source(spec: str | Path, *, role: Role, settings: Settings) -> Source:
    """Raw application rows from a Kaggle-layout folder, a table file, or ``db:TABLE``.

    A folder gives its ``application_train`` for the reference and its
    ``application_test`` for the current side (the other one if absent).
    """
    text = str(spec)
    if text.startswith("db:"):
        return _load_db_table(text[3:], settings)
    path = Path(text)
    if path.is_dir():
        # Only the application table is converted here: history tables matter for features only.
        found = locate_tables(path)
        wanted = DEFAULT_TABLE[role]
        table = (
            wanted
            if wanted in found
            else next(t for t in ("application_train", "application_test") if t in found)
        )
        parquet = convert_table(found[table], SCHEMAS[table], settings.cache_dir)
        return Source(f"{path.name}/{table}", pd.read_parquet(parquet), path, settings.cache_dir)
    if path.is_file():
        name = path.name
        try:
            if name.endswith(".parquet"):
                frame = pd.read_parquet(path)
            elif name.endswith((".csv", ".csv.gz")):
                frame = pd.read_csv(path, low_memory=False)
            else:
                raise DataError(
                    path,
                    "is neither .parquet nor .csv(.gz).",
                    hint="Give a Kaggle-layout folder or an application table file.",
                )
        except (OSError, ValueError) as exc:
            raise DataError(path, f"cannot be read ({exc}).") from exc
        return Source(name, frame)
    raise DataError(
        path,
        "does not exist.",
        hint="Give a Kaggle-layout folder, a .parquet/.csv file or db:TABLE.",
    )


def _load_db_table(table: str, settings: Settings) -> Source:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(settings.resolved_database_url)
    try:
        if not inspect(engine).has_table(table):
            raise DataError(
                f"db:{table}",
                "no such table in the operational database.",
                hint="Check CREDIT_SCORING_DATABASE_URL and the table name.",
            )
        frame = pd.read_sql_table(table, engine)
    finally:
        engine.dispose()
    if "application_json" in frame.columns:  # the clients table keeps the Kaggle row as JSON
        frame = pd.DataFrame([json.loads(v) for v in frame["application_json"]])
    return Source(f"db:{table}", frame)


def subset_prepared(prepared: PreparedData, ids: set[int], dest: Path) -> PreparedData:
    """The same folder cut to the clients ``ids`` (history included), written under ``dest``.

    Features of a client depend only on its own rows, so building them on the subset gives
    the same values as on the whole folder, in a fraction of the time.
    """
    dest.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.register("wanted", pd.DataFrame({"SK_ID_CURR": sorted(ids)}, dtype="int64"))
        keep = "SK_ID_CURR IN (SELECT SK_ID_CURR FROM wanted)"
        parquet = {}
        for name, path in prepared.parquet.items():
            src = f"read_parquet('{path.as_posix()}')"
            if name == "bureau_balance" and "bureau" in prepared.parquet:
                bureau = f"read_parquet('{prepared.parquet['bureau'].as_posix()}')"
                where = f"SK_ID_BUREAU IN (SELECT SK_ID_BUREAU FROM {bureau} WHERE {keep})"
            else:
                where = keep
            parquet[name] = dest / f"{name}.parquet"
            con.execute(
                f"COPY (SELECT * FROM {src} WHERE {where}) TO '{parquet[name].as_posix()}' "
                "(FORMAT parquet)"
            )
    finally:
        con.close()
    return PreparedData(
        source_dir=prepared.source_dir, parquet=parquet, originals=prepared.originals
    )


def source_features(
    source: Source, cache: dict[Path, pd.DataFrame] | None = None, *, only: set[int] | None = None
) -> pd.DataFrame | None:
    """The model's feature rows for the clients of a source (None if features cannot be built).

    A folder's feature table is built once per run (``cache``), on the clients ``only`` when
    given (e.g. the sampled clients of both sides), then cut to the source's clients.
    """
    try:
        from credit_scoring.features import batch, online
    except ImportError:
        return None
    if source.folder is not None:
        cache = {} if cache is None else cache
        key = source.folder.resolve()
        if key not in cache:
            prepared = source.prepared()
            assert prepared is not None
            if only is not None:
                with tempfile.TemporaryDirectory() as tmp:
                    cache[key] = batch.build_feature_table(
                        subset_prepared(prepared, only, Path(tmp))
                    )
            else:
                cache[key] = batch.build_feature_table(prepared)
        table = cache[key]
        ids = set(source.frame["SK_ID_CURR"].astype("int64"))
        return table[table["SK_ID_CURR"].isin(ids)].reset_index(drop=True)
    return online.build_features_for_frames({"application": source.frame})


def load_champion_or_none(settings: Settings) -> tuple[Any | None, str]:
    """The champion Scorer, or None and why not (drift is then not weighted)."""
    if not settings.mlflow_tracking_uri and not (settings.home / "mlflow.db").is_file():
        # No local model store yet: do not create an empty one just to look.
        return None, "no champion model is registered"
    try:
        from credit_scoring import registry

        return registry.load_champion(settings), ""
    except Exception as exc:  # no champion yet, or the model store is unreachable: say so, go on
        log.info("drift not weighted: %s", exc)
        if type(exc).__name__ == "ModelNotReadyError":
            return None, "no champion model is registered"
        return None, f"the champion could not be loaded ({type(exc).__name__}: {str(exc)[:200]})"


def champion_importances(scorer: Any, features: pd.DataFrame, rows: int = 2000) -> dict[str, float]:
    """Share of importance per model feature (sums to 1).

    Importance is the mean absolute exact TreeSHAP contribution on (a sample of)
    ``features``, so it reflects the population being monitored.
    """
    sample = features[list(scorer.feature_names)].head(rows)
    contrib = scorer.contributions(sample).drop(columns=["bias"], errors="ignore").abs().mean()
    total = float(contrib.sum())
    return {str(k): float(v) / total for k, v in contrib.items()} if total > 0 else {}


def _with_derived(scorer: Any, features: pd.DataFrame | None) -> pd.DataFrame | None:
    """The feature table with the columns the champion derives itself (estimated loan terms,
    filled external scores), which its importances and top features may name."""
    if features is None or not hasattr(scorer, "with_derived"):
        return features
    return scorer.with_derived(features)


def build_drift_report(
    reference: str | Path,
    current: str | Path,
    *,
    settings: Settings,
    out: Path | None = None,
    sample: int | None = None,
    top_features: int = 20,
    seed: int = 42,
    on_step: Callable[[str], None] | None = None,
    champion: Any | None = None,
) -> dict[str, Any]:
    """Compare two data sets, write ``out`` (HTML) and its JSON summary; return the summary.

    ``champion`` is a Scorer already loaded (the API's); without it the champion is loaded
    from the registry, and the report is not weighted when there is none.
    """
    step = on_step or (lambda _: None)
    rows = sample or settings.drift_sample_rows
    step(STEP_LABEL["reference"])
    ref = load_source(reference, role="reference", settings=settings)
    step(STEP_LABEL["current"])
    cur = load_source(current, role="current", settings=settings)
    raw_cols = [c for c in ref.frame.columns if c in cur.frame.columns and c not in ID_COLUMNS]
    ref_raw, cur_raw = sample_rows(ref.frame, rows, seed), sample_rows(cur.frame, rows, seed)
    ref_all, cur_all = ref_raw[raw_cols], cur_raw[raw_cols]
    kinds = dict.fromkeys(raw_cols, "raw")
    importances: dict[str, float] = {}
    csi: list[dict[str, Any]] = []
    model = None
    step(STEP_LABEL["model"])
    scorer, unweighted = (champion, "") if champion is not None else load_champion_or_none(settings)
    if scorer is not None:
        step(STEP_LABEL["features"])
        cache: dict[Path, pd.DataFrame] = {}
        problems: list[str] = []
        only = {
            int(i)
            for frame in (ref_raw, cur_raw)
            if "SK_ID_CURR" in frame
            for i in frame["SK_ID_CURR"]
        }
        ref_feat = _with_derived(scorer, _features_for(ref, ref_raw, cache, problems, only))
        cur_feat = _with_derived(scorer, _features_for(cur, cur_raw, cache, problems, only))
        shares = (
            {} if ref_feat is None or cur_feat is None else champion_importances(scorer, cur_feat)
        )
        unweighted = "the model's features could not be built" + (
            f" ({problems[0]})" if problems else ""
        )
        if shares:
            assert ref_feat is not None and cur_feat is not None
            model = {"name": scorer.model_name, "version": str(scorer.model_version)}
            top = sorted(shares, key=lambda k: shares[k], reverse=True)[:top_features]
            named = {f"{FEATURE_PREFIX}{f}": f for f in top}
            ref_all = pd.concat([ref_all, ref_feat[top].set_axis(list(named), axis=1)], axis=1)
            cur_all = pd.concat([cur_all, cur_feat[top].set_axis(list(named), axis=1)], axis=1)
            kinds.update(dict.fromkeys(named, "feature"))
            importances = {col: shares[f] for col, f in named.items()}
            csi = column_psi(ref_feat, cur_feat, top)
    step(STEP_LABEL["compare"])
    snapshot, columns = run_drift(ref_all, cur_all, kinds=kinds, importances=importances)
    summary = summarise(
        columns,
        weighted=bool(importances),
        action_share=settings.drift_action_share,
        unweighted_reason=unweighted,
    )
    created = datetime.now(UTC)
    out = out or drift_dir(settings) / f"drift-{created:%Y%m%dT%H%M%S%f}.html"
    summary.update(
        created_at=created.isoformat(timespec="seconds"),
        reference=ref.label,
        current=cur.label,
        model=model,
        csi=csi,
        html=out.name,
        rows={"reference": len(ref.frame), "current": len(cur.frame), "sampled_to": rows},
    )
    step(STEP_LABEL["write"])
    write_report(snapshot, summary, out)
    return summary


def _features_for(
    source: Source,
    sampled: pd.DataFrame,
    cache: dict[Path, pd.DataFrame],
    problems: list[str],
    only: set[int],
) -> pd.DataFrame | None:
    try:
        table = source_features(
            Source(source.label, sampled, source.folder, source.cache_dir), cache, only=only
        )
    except Exception as exc:  # the raw-column report is still worth writing: say why, go on
        log.warning("model features not built for %s: %s", source.label, exc)
        problems.append(f"{type(exc).__name__}: {exc}"[:300])
        return None
    if table is None:
        return None
    if "SK_ID_CURR" in sampled.columns and "SK_ID_CURR" in table.columns:
        table = table.set_index("SK_ID_CURR").reindex(sampled["SK_ID_CURR"].astype("int64"))
    return table.reset_index(drop=True)


def latest_report(settings: Settings) -> tuple[Path, dict[str, Any]] | None:
    """The newest drift report under ``<home>/reports/drift/``: (HTML path, summary), or None."""
    folder = drift_dir(settings)
    candidates = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for json_path in candidates:
        html_path = json_path.with_suffix(".html")
        if not html_path.is_file():
            continue
        try:
            return html_path, json.loads(json_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
    return None
