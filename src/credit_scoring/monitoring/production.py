"""Production data: what the API scored over a period, compared with training.

The API logs every score it serves (``score_log``: time, client, model version,
probability, decision). The inputs of a logged client are its stored
application (``clients.application_json``). The training side is the training
clients of the same database and their *training scores*: the champion's
probabilities on ``application_train``, saved once per model version by
``credit-scoring monitor baseline`` (:func:`write_training_scores`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from credit_scoring.config import Settings
from credit_scoring.data.loading import DataError
from credit_scoring.monitoring.drift import drift_dir, source_features
from credit_scoring.monitoring.drift_report import run_drift, sample_rows, summarise, write_report
from credit_scoring.monitoring.stability import column_psi

SCORE_COLUMN = "probability"


def period(
    days: int | None = None, since: datetime | None = None, until: datetime | None = None
) -> tuple[datetime, datetime]:
    """A [since, until) window in naive UTC (how the database stores times); default: last N days."""
    end = (until or datetime.now(UTC)).replace(tzinfo=None)
    start = since.replace(tzinfo=None) if since else end - timedelta(days=days or 7)
    if start >= end:
        raise ValueError(
            f"the period is empty: {start:%Y-%m-%d %H:%M} is not before {end:%Y-%m-%d %H:%M}."
        )
    return start, end


def _engine(settings: Settings) -> Any:
    from credit_scoring.db.session import engine_for

    return engine_for(settings)


def logged_scores(settings: Settings, start: datetime, end: datetime) -> pd.DataFrame:
    """Scores served in [start, end): one row per score, with the client's segment columns."""
    from credit_scoring.db.models import Client, ScoreLog

    query = (
        select(
            ScoreLog.created_at,
            ScoreLog.sk_id_curr,
            ScoreLog.model_version,
            ScoreLog.probability,
            ScoreLog.threshold,
            ScoreLog.decision,
            ScoreLog.route,
            Client.gender,
            Client.age_years,
            Client.income_total,
            Client.contract_type,
        )
        .join(Client, Client.sk_id_curr == ScoreLog.sk_id_curr, isouter=True)
        .where(ScoreLog.created_at >= start, ScoreLog.created_at < end)
    )
    with _engine(settings).connect() as conn:
        return pd.read_sql(query, conn)


def logged_decisions(settings: Settings, start: datetime, end: datetime) -> pd.DataFrame:
    from credit_scoring.db.models import Decision

    query = select(
        Decision.created_at,
        Decision.decision,
        Decision.model_decision,
        Decision.override,
        Decision.model_version,
    ).where(Decision.created_at >= start, Decision.created_at < end)
    with _engine(settings).connect() as conn:
        return pd.read_sql(query, conn)


def client_applications(
    settings: Settings,
    *,
    train: bool | None = None,
    ids: list[int] | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Stored application rows (Kaggle columns) of the training clients, or of given clients."""
    from credit_scoring.db.models import Client

    query = select(Client.sk_id_curr, Client.application_json)
    if train is not None:
        query = query.where(Client.is_train == train)
    if ids is not None:
        query = query.where(Client.sk_id_curr.in_(ids))
    if limit:
        query = query.order_by(Client.sk_id_curr).limit(limit)
    with _engine(settings).connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame([json.loads(row.application_json) for row in rows])
    if not frame.empty and "SK_ID_CURR" not in frame.columns:
        frame.insert(0, "SK_ID_CURR", [row.sk_id_curr for row in rows])
    return frame


def baseline_path(settings: Settings, model_version: str) -> Path:
    return settings.reports_dir / "monitoring" / f"training_scores-v{model_version}.parquet"


def write_training_scores(settings: Settings, data_dir: Path) -> Path:
    """Score ``application_train`` of ``data_dir`` with the champion; save SK_ID_CURR, probability."""
    from credit_scoring import registry
    from credit_scoring.monitoring.drift import load_source

    scorer = registry.load_champion(settings)
    source = load_source(data_dir, role="reference", settings=settings)
    features = source_features(source)
    if features is None:
        raise DataError(
            data_dir,
            "model features could not be built.",
            hint="Check that `credit-scoring features build` works on this folder.",
        )
    probability = scorer.predict_proba(features[scorer.feature_names])
    out = baseline_path(settings, str(scorer.model_version))
    out.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        {
            "SK_ID_CURR": features["SK_ID_CURR"].astype("int64"),
            SCORE_COLUMN: np.asarray(probability, dtype=float),
        }
    ).to_parquet(out, index=False)
    return out


def training_scores(settings: Settings, model_version: str | None = None) -> pd.DataFrame | None:
    """The saved training scores of ``model_version`` (default: the newest baseline), or None."""
    folder = settings.reports_dir / "monitoring"
    if model_version is not None:
        path = baseline_path(settings, model_version)
        return pd.read_parquet(path) if path.is_file() else None
    found = sorted(folder.glob("training_scores-v*.parquet"), key=lambda p: p.stat().st_mtime)
    return pd.read_parquet(found[-1]) if found else None


def production_drift(
    settings: Settings,
    start: datetime,
    end: datetime,
    *,
    out: Path | None = None,
    sample: int | None = None,
    seed: int = 42,
    on_step: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Drift of the clients scored in [start, end) and of their scores, against training."""
    step = on_step or (lambda _: None)
    rows = sample or settings.drift_sample_rows
    step("Reading the score log")
    scores = logged_scores(settings, start, end)
    scores = scores[scores["sk_id_curr"].notna()]
    if scores.empty:
        raise DataError(
            "score_log",
            f"no score was logged between {start:%Y-%m-%d} and {end:%Y-%m-%d}.",
            hint="Choose another period (--since/--days) or check that the API is in use.",
        )
    latest = scores.sort_values("created_at").drop_duplicates("sk_id_curr", keep="last")
    latest = sample_rows(latest, rows, seed)
    step("Reading the applications of scored and training clients")
    current = client_applications(settings, ids=[int(i) for i in latest["sk_id_curr"]])
    current = current.merge(
        latest[["sk_id_curr", SCORE_COLUMN]].rename(columns={"sk_id_curr": "SK_ID_CURR"}),
        on="SK_ID_CURR",
        how="inner",
    )
    reference = sample_rows(client_applications(settings, train=True), rows, seed)
    if reference.empty:
        raise DataError(
            "clients",
            "no training client is stored in the database.",
            hint="Load the training data with `credit-scoring db load`.",
        )
    base = training_scores(settings, str(latest["model_version"].iloc[-1]))
    if base is None:
        base = training_scores(settings)
    kinds = {SCORE_COLUMN: "score"}
    if base is not None:
        reference = reference.merge(base, on="SK_ID_CURR", how="left")
    else:
        current = current.drop(columns=[SCORE_COLUMN])
    drop = [c for c in ("SK_ID_CURR", "TARGET") if c in reference.columns]
    step("Comparing distributions (evidently)")
    snapshot, columns = run_drift(
        reference.drop(columns=drop),
        current.drop(columns=[c for c in drop if c in current.columns]),
        kinds=kinds,
    )
    summary = summarise(columns, weighted=False, action_share=settings.drift_action_share)
    created = datetime.now(UTC)
    out = out or drift_dir(settings) / f"production-{created:%Y%m%dT%H%M%S%f}.html"
    summary.update(
        created_at=created.isoformat(timespec="seconds"),
        kind="production",
        reference="training clients (database)"
        + (" + training scores" if base is not None else ""),
        current=f"clients scored {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC",
        html=out.name,
        score_baseline=base is not None,
        score_psi=column_psi(reference, current, [SCORE_COLUMN])[0] if base is not None else None,
        rows={"reference": len(reference), "current": len(current), "sampled_to": rows},
    )
    if base is None:
        summary["message"] += (
            " Scores were not compared: no training scores saved; run "
            "`credit-scoring monitor baseline --data DIR`."
        )
    step("Writing the report")
    write_report(snapshot, summary, out)
    return summary
