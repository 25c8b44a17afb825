"""The back-test of the scores stored in the database against the outcomes loaded since.

:func:`backtest_frame` reads, for every application with a matured outcome, the score the
decision was made on (the latest score when it was never decided), the final decision, the
application's contract type and the client's age and sex (sex for fairness only), and the
application's latest outcome. :func:`backtest` turns that frame into the report: the
figures of :mod:`credit_scoring.monitoring.backtest` as one JSON-ready dict, with the alerts
a scheduler acts on (``credit-scoring backtest`` exits 1 when there is one).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from credit_scoring.config import Settings
from credit_scoring.core.bands import AGE_BANDS
from credit_scoring.db import models as m
from credit_scoring.monitoring import backtest as bt
from credit_scoring.training.review_pack import write_backtest_pack

COLUMNS = [
    "application_id",
    "sk_id_curr",
    "score_id",
    "scored_at",
    "model_version",
    "probability",
    "grade",
    "model_decision",
    "decision",
    "decided_at",
    "contract_type",
    "age_years",
    "sex",
    "defaulted",
]


def backtest_frame(
    engine: Engine,
    *,
    model_version: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> pd.DataFrame:
    """One row per application with a matured outcome and a score in the period.

    Parameters
    ----------
    engine : Engine
        The operational database.
    model_version : str, optional
        Only the scores of this model version (default: every version).
    start, end : datetime, optional
        Only scores made at or after ``start`` and before ``end``.

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`; ``decision`` is the final grant or refuse (missing while
        undecided), ``decided_at`` falls back on the score's time, ``defaulted`` is the
        application's latest outcome (0 or 1).
    """
    outcome_rank = (
        select(
            m.Outcome.application_id,
            m.Outcome.defaulted,
            func.row_number()
            .over(
                partition_by=m.Outcome.application_id,
                order_by=(m.Outcome.observed_on.desc(), m.Outcome.id.desc()),
            )
            .label("rank"),
        )
    ).subquery()
    latest_outcome = (
        select(outcome_rank.c.application_id, outcome_rank.c.defaulted)
        .where(outcome_rank.c.rank == 1)
        .subquery()
    )
    decision_rank = (
        select(
            m.Decision.application_id,
            m.Decision.score_id,
            m.Decision.decision,
            m.Decision.created_at,
            func.row_number()
            .over(partition_by=m.Decision.application_id, order_by=m.Decision.id.desc())
            .label("rank"),
        ).where(
            m.Decision.application_id.is_not(None), m.Decision.decision.in_(("grant", "refuse"))
        )
    ).subquery()
    final = select(decision_rank).where(decision_rank.c.rank == 1).subquery()
    latest_score = (
        select(m.Score.application_id, func.max(m.Score.id).label("score_id"))
        .group_by(m.Score.application_id)
        .subquery()
    )
    score_id = func.coalesce(final.c.score_id, latest_score.c.score_id)
    query = (
        select(
            m.Application.id.label("application_id"),
            m.Application.sk_id_curr,
            m.Score.id.label("score_id"),
            m.Score.created_at.label("scored_at"),
            m.Score.model_version,
            m.Score.probability,
            m.Score.grade,
            m.Score.decision.label("model_decision"),
            final.c.decision,
            final.c.created_at.label("decided_at"),
            m.Application.contract_type,
            m.Client.age_years,
            m.Client.gender.label("sex"),
            latest_outcome.c.defaulted,
        )
        .join(latest_outcome, latest_outcome.c.application_id == m.Application.id)
        .join(latest_score, latest_score.c.application_id == m.Application.id)
        .outerjoin(final, final.c.application_id == m.Application.id)
        .join(m.Score, m.Score.id == score_id)
        .outerjoin(m.Client, m.Client.sk_id_curr == m.Application.sk_id_curr)
    )
    if model_version is not None:
        query = query.where(m.Score.model_version == model_version)
    if start is not None:
        query = query.where(m.Score.created_at >= start)
    if end is not None:
        query = query.where(m.Score.created_at < end)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).fetchall(), columns=COLUMNS)
    frame["defaulted"] = frame["defaulted"].astype(int)
    frame["probability"] = frame["probability"].astype(float)
    frame["decided_at"] = pd.to_datetime(frame["decided_at"]).fillna(
        pd.to_datetime(frame["scored_at"])
    )
    return frame


def age_band(age_years: pd.Series) -> pd.Series:
    """The age band of each client (``core.bands.AGE_BANDS``), missing when unknown."""
    bands = pd.Series(pd.NA, index=age_years.index, dtype="object")
    for name, (low, high) in AGE_BANDS.items():
        bands[(age_years >= low) & (age_years < high)] = name
    return bands


def backtest(
    frame: pd.DataFrame,
    *,
    development_auc: float | None,
    auc_floor: float,
    boot: int = 200,
    seed: int = 0,
) -> dict[str, Any]:
    """The whole back-test of a frame of :func:`backtest_frame`, JSON-ready.

    Parameters
    ----------
    frame : DataFrame
        Scored applications with their outcome.
    development_auc : float or None
        The model's out-of-fold AUC at development (from the registry).
    auc_floor : float
        Below this AUC the back-test raises an alert.
    boot : int, default=200
        Bootstrap resamples of the intervals.
    seed : int, default=0
        Seed of the bootstrap.

    Returns
    -------
    dict
        ``clients``, ``defaults``, ``auc``, ``gini``, ``ks``, ``brier``, ``ece`` (values),
        ``intervals`` (each figure's bootstrap interval), ``development`` (the AUC against
        development), ``grades`` (rows with ``grade``, ``clients``, ``defaults``, ``pd``,
        ``observed``, ``jeffreys_p``, ``light``), ``portfolio``, ``herfindahl``,
        ``migration``, ``vintages``, ``stability``, ``segments``, ``overrides``,
        ``model_versions``, ``alerts`` (what a person must look at) and ``ok``.
    """
    y = frame["defaulted"].to_numpy(dtype=int)
    p = frame["probability"].to_numpy(dtype=float)
    figures = bt.metrics_with_intervals(y, p, boot=boot, seed=seed)
    grades = bt.grades_backtest(y, p)
    portfolio = grades[grades["grade"] == "portfolio"]
    per_grade = grades[grades["grade"] != "portfolio"]
    vintages = bt.vintage_table(frame) if len(frame) else pd.DataFrame()
    stability = (
        bt.gini_stability(vintages)
        if len(vintages)
        else bt.gini_stability(pd.DataFrame({"gini": []}))
    )
    segmented = frame.assign(age_band=age_band(frame["age_years"].astype(float)))
    segments = {
        name: bt.frame_records(bt.segment_table(segmented, name)) if len(frame) else []
        for name in ("contract_type", "age_band", "sex")
    }
    decided = frame.dropna(subset=["decision"])
    migration = bt.migration_matrix(
        frame.rename(columns={"sk_id_curr": "client"})[["client", "scored_at", "grade"]]
    )
    alerts: list[str] = []
    auc = figures["auc"]["value"]
    if np.isfinite(auc) and auc < auc_floor:
        alerts.append(f"AUC {auc:.4f} is below its floor {auc_floor:.4f}")
    for row in per_grade.itertuples():
        if row.light == "red":
            alerts.append(
                f"grade {row.grade}: {row.defaults} defaults of {row.clients} "
                f"({row.observed:.1%}) against a PD of {row.pd:.1%} (Jeffreys p {row.jeffreys_p:.2g})"
            )
    if not portfolio.empty and portfolio["light"].iloc[0] == "red":
        alerts.append("the portfolio's default rate is above its PD (red)")
    return {
        "clients": len(frame),
        "defaults": int(y.sum()),
        **{name: _number(f["value"]) for name, f in figures.items()},
        "intervals": {
            name: {"low": _number(f["low"]), "high": _number(f["high"])}
            for name, f in figures.items()
        },
        "development": {
            k: _number(v) for k, v in bt.auc_against_development(y, p, development_auc).items()
        },
        "grades": bt.frame_records(per_grade),
        "portfolio": bt.frame_records(portfolio)[0] if not portfolio.empty else None,
        "herfindahl": _number(bt.herfindahl(frame["grade"])),
        "migration": {
            str(k): {str(c): float(v) for c, v in row.items()} for k, row in migration.iterrows()
        },
        "vintages": bt.frame_records(vintages),
        "stability": {k: _number(v) for k, v in vars(stability).items()},
        "segments": segments,
        "overrides": bt.frame_records(bt.override_outcomes(decided)),
        "model_versions": sorted({str(v) for v in frame["model_version"]}),
        "alerts": alerts,
        "ok": not alerts,
    }


def _number(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def development_auc(settings: Settings, versions: list[str]) -> float | None:
    """The out-of-fold AUC the registry recorded for the one model version back-tested.

    Parameters
    ----------
    settings : Settings
        Where the registry is.
    versions : list of str
        The model versions found in the back-tested scores.

    Returns
    -------
    float or None
        The AUC at development, or None for several versions, an unknown version or a
        registry that cannot be read.
    """
    if len(versions) != 1:
        return None
    from credit_scoring import registry

    try:
        rows = registry.list_versions(settings)
    except Exception:  # the back-test does not need MLflow to run: the comparison is skipped
        return None
    for row in rows:
        if row["version"] == versions[0] and row.get("roc_auc"):
            try:
                return float(row["roc_auc"])
            except ValueError:
                return None
    return None


def run_backtest(
    settings: Settings,
    engine: Engine,
    *,
    model_version: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    development: float | None = None,
) -> dict[str, Any]:
    """Back-test the stored scores, store the result for the dashboard, and return it.

    The committee's review pack in ``<reports>/model`` is then redrawn with this back-test
    (:func:`credit_scoring.training.review_pack.write_backtest_pack`).

    Parameters
    ----------
    settings : Settings
        Thresholds (``backtest_auc_floor``, ``backtest_bootstrap``) and the reports folder.
    engine : Engine
        The operational database.
    model_version : str, optional
        Only this model version's scores.
    start, end : datetime, optional
        The period of the scores.
    development : float, optional
        The AUC at development (default: the registry's, for a single version).

    Returns
    -------
    dict
        :func:`backtest`'s report, with ``period``, ``created_at`` and ``model_version``.
    """
    frame = backtest_frame(engine, model_version=model_version, start=start, end=end)
    versions = sorted({str(v) for v in frame["model_version"]})
    dev = development if development is not None else development_auc(settings, versions)
    report = backtest(
        frame,
        development_auc=dev,
        auc_floor=settings.backtest_auc_floor,
        boot=settings.backtest_bootstrap,
    )
    report["period"] = {
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
    }
    report["model_version"] = model_version
    report["created_at"] = datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    folder = settings.reports_dir / "backtest"
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    (folder / "latest.json").write_text(text, encoding="utf-8")
    stamp = report["created_at"].replace(":", "").replace("-", "")
    (folder / f"backtest-{stamp}.json").write_text(text, encoding="utf-8")
    write_backtest_pack(report, settings.reports_dir)  # the committee's pack, with this back-test
    return report


def latest_report(settings: Settings) -> dict[str, Any] | None:
    """The last stored back-test (what the API serves), or None before the first one."""
    path = settings.reports_dir / "backtest" / "latest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
