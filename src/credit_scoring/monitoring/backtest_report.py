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
import logging
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from credit_scoring.config import Settings
from credit_scoring.core.bands import AGE_BANDS
from credit_scoring.db import models as m
from credit_scoring.modeling.cost import cost_per_applicant
from credit_scoring.monitoring import backtest as bt
from credit_scoring.monitoring.stability import stability_table
from credit_scoring.training.review_pack import write_backtest_pack

log = logging.getLogger(__name__)

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
    population: dict[str, Any] | None = None,
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
    population : dict, optional
        The :func:`population_stability` section (default: skipped, no training scores).

    Returns
    -------
    dict
        ``clients``, ``defaults``, ``auc``, ``gini``, ``ks``, ``brier``, ``ece`` (values),
        ``intervals`` (each figure's bootstrap interval), ``development`` (the AUC against
        development), ``grades`` (rows with ``grade``, ``clients``, ``defaults``, ``pd``,
        ``observed``, ``jeffreys_p``, ``light``), ``portfolio``, ``herfindahl``,
        ``migration``, ``vintages``, ``stability`` (of the Gini), ``population_stability``
        (score PSI and feature CSI by month), ``segments``, ``overrides``,
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
    if population is None:
        population = population_stability(frame, None)
    migration = bt.migration_matrix(
        frame.rename(columns={"sk_id_curr": "client"})[["client", "scored_at", "grade"]]
    )
    alerts: list[str] = []
    # The same alerts as figures, for pages that word them in their reader's language.
    alert_items: list[dict[str, Any]] = []
    auc = figures["auc"]["value"]
    if np.isfinite(auc) and auc < auc_floor:
        alerts.append(f"AUC {auc:.4f} is below its floor {auc_floor:.4f}")
        alert_items.append({"code": "auc_floor", "auc": float(auc), "floor": float(auc_floor)})
    for row in per_grade.itertuples():
        if row.light == "red":
            alerts.append(
                f"grade {row.grade}: {row.defaults} defaults of {row.clients} "
                f"({row.observed:.1%}) against a PD of {row.pd:.1%} (Jeffreys p {row.jeffreys_p:.2g})"
            )
            alert_items.append(
                {
                    "code": "grade_red",
                    "grade": str(row.grade),
                    "defaults": int(row.defaults),
                    "clients": int(row.clients),
                    "observed": float(row.observed),
                    "pd": float(row.pd),
                    "jeffreys_p": float(row.jeffreys_p),
                }
            )
    if not portfolio.empty and portfolio["light"].iloc[0] == "red":
        alerts.append("the portfolio's default rate is above its PD (red)")
        alert_items.append({"code": "portfolio_red"})
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
        "population_stability": population,
        "segments": segments,
        "overrides": bt.frame_records(bt.override_outcomes(decided)),
        "model_versions": sorted({str(v) for v in frame["model_version"]}),
        "alerts": alerts,
        "alert_items": alert_items,
        "ok": not alerts,
    }


def population_stability(
    frame: pd.DataFrame,
    training: pd.DataFrame | None,
    *,
    features: list[str] | None = None,
    reference_rows: pd.DataFrame | None = None,
    current_rows: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """PSI of the score and CSI of the model's top features, by month, against training.

    Parameters
    ----------
    frame : DataFrame
        A frame of :func:`backtest_frame`; the month is the month of the score (made when
        the application was scored).
    training : DataFrame or None
        The champion's training scores (``probability``), saved by
        ``credit-scoring monitor baseline``; None skips the whole section.
    features : list of str, optional
        The model's top features by importance (the training report's ``top_features``).
    reference_rows, current_rows : DataFrame, optional
        Stored application rows (Kaggle columns, ``SK_ID_CURR``) of the training clients
        and of the back-tested clients. A feature is compared when both carry it; the
        others are built from other tables and are compared by ``credit-scoring drift``.

    Returns
    -------
    dict
        ``available``, ``message`` (a sentence), ``score`` (rows ``month``, ``rows``,
        ``psi``, ``verdict``), ``features`` (the same with ``variable``), ``compared`` and
        ``not_stored`` (feature names), ``worst`` (the largest feature CSI row or None).
    """
    empty: dict[str, Any] = {
        "available": False,
        "score": [],
        "features": [],
        "compared": [],
        "not_stored": [],
        "worst": None,
    }
    if training is None:
        return {
            **empty,
            "message": "Population stability skipped: no training scores are saved for this "
            "model; run `credit-scoring monitor baseline --data DIR`.",
        }
    if frame.empty:
        return {**empty, "message": "Population stability skipped: no scored application."}
    score = stability_table(
        training.rename(columns={"probability": "score"}),
        frame.rename(columns={"probability": "score"}),
        "scored_at",
        ["score"],
    ).drop(columns="variable")
    features = list(features or [])
    stored = (
        [f for f in features if f in reference_rows.columns and f in current_rows.columns]
        if reference_rows is not None and current_rows is not None
        else []
    )
    csi = pd.DataFrame(columns=["month", "variable", "rows", "psi", "verdict"])
    if stored:
        assert current_rows is not None and reference_rows is not None
        current = frame[["sk_id_curr", "scored_at"]].merge(
            current_rows[["SK_ID_CURR", *stored]], left_on="sk_id_curr", right_on="SK_ID_CURR"
        )
        csi = stability_table(reference_rows, current, "scored_at", stored)
    ranked = csi.dropna(subset=["psi"]).sort_values("psi", ascending=False)
    worst = bt.frame_records(ranked.head(1))[0] if len(ranked) else None
    not_stored = [f for f in features if f not in stored]
    message = f"Score PSI over {len(score)} month(s) against {len(training)} training scores"
    message += (
        f"; CSI of {len(stored)} of the model's top {len(features)} features"
        if features
        else "; no feature list (the champion's training report could not be read)"
    )
    if not_stored:
        message += (
            f" ({len(not_stored)} are built from other tables and not stored with the "
            "application: `credit-scoring drift` compares them)"
        )
    return {
        "available": True,
        "message": message + ".",
        "score": bt.frame_records(score),
        "features": bt.frame_records(csi),
        "compared": stored,
        "not_stored": not_stored,
        "worst": worst,
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


def _population_stability(
    settings: Settings, frame: pd.DataFrame, versions: list[str]
) -> dict[str, Any]:
    """:func:`population_stability` with what is saved: training scores, report, applications."""
    from credit_scoring.monitoring.production import client_applications, training_scores

    training = training_scores(settings, versions[0]) if len(versions) == 1 else None
    if training is None:
        training = training_scores(settings)
    if training is None or frame.empty:
        return population_stability(frame, training)
    from credit_scoring import registry

    try:
        features = list(registry.champion_report(settings).get("top_features") or {})[:20]
    except Exception:  # no champion or no report: the score PSI is still worth having
        features = []
    reference = current = None
    if features:
        reference = client_applications(settings, train=True, limit=settings.drift_sample_rows)
        rows = settings.drift_sample_rows  # read and parse at most this many stored rows
        ids = frame["sk_id_curr"].drop_duplicates()
        ids = ids.sample(rows, random_state=0) if len(ids) > rows else ids
        chunks = [ids.iloc[i : i + 5000] for i in range(0, len(ids), 5000)]  # SQL IN limits
        current = pd.concat(
            [client_applications(settings, ids=[int(i) for i in chunk]) for chunk in chunks]
        )
    section = population_stability(
        frame, training, features=features, reference_rows=reference, current_rows=current
    )
    section["labels"] = feature_labels(settings, features)
    return section


def feature_labels(settings: Settings, names: list[str]) -> dict[str, dict[str, str]]:
    """The features' descriptions in French and English, from the newest training's metadata.

    Parameters
    ----------
    settings : Settings
        Where the reports are (``<reports>/model/features.json``).
    names : list of str
        The features compared.

    Returns
    -------
    dict
        ``{name: {"fr": ..., "en": ...}}`` for the features described; empty without metadata.
    """
    from credit_scoring.features.metadata import load_metadata

    path = settings.reports_dir / "model" / "features.json"
    try:
        metas = load_metadata(path) if path.is_file() else {}
    except (OSError, ValueError, TypeError) as exc:
        log.warning("feature descriptions not read from %s: %s", path, exc)
        metas = {}
    return {
        n: {"fr": metas[n].description("fr"), "en": metas[n].description("en")}
        for n in names
        if n in metas
    }


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
        population=_population_stability(settings, frame, versions),
    )
    report["period"] = {
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
    }
    report["model_version"] = model_version
    report["challenger"] = challenger_comparison(
        frame,
        shadow_frame(engine, frame["score_id"].tolist()),
        cost_fn=settings.cost_fn,
        cost_fp=settings.cost_fp,
    )
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


SHADOW_COLUMNS = [
    "score_id",
    "champion_threshold",
    "challenger_version",
    "challenger_probability",
    "challenger_threshold",
    "challenger_grade",
    "shadow_at",
]


def shadow_frame(engine: Engine, score_ids: list[int]) -> pd.DataFrame:
    """The challenger's shadow scores of the champion's scores ``score_ids``.

    Parameters
    ----------
    engine : Engine
        The operational database.
    score_ids : list of int
        The champion's scores back-tested (``backtest_frame``'s ``score_id``).

    Returns
    -------
    DataFrame
        Columns :data:`SHADOW_COLUMNS`, one row per shadow score (a score may have one per
        challenger version), with the champion's threshold of the score shadowed.
    """
    rows: list[Any] = []
    with engine.connect() as conn:
        for start in range(0, len(score_ids), 1000):
            chunk = [int(i) for i in score_ids[start : start + 1000]]
            query = (
                select(
                    m.ShadowScore.score_id,
                    m.Score.threshold,
                    m.ShadowScore.model_version,
                    m.ShadowScore.probability,
                    m.ShadowScore.threshold,
                    m.ShadowScore.grade,
                    m.ShadowScore.created_at,
                )
                .join(m.Score, m.Score.id == m.ShadowScore.score_id)
                .where(m.ShadowScore.score_id.in_(chunk))
            )
            rows.extend(conn.execute(query).fetchall())
    return pd.DataFrame(rows, columns=SHADOW_COLUMNS)


def _cost(
    y: np.ndarray, p: np.ndarray, thresholds: pd.Series, cost_fn: float, cost_fp: float
) -> float:
    """The cost per applicant of each score's decision at the threshold it was scored with."""
    t = thresholds.to_numpy(dtype=float)
    total = 0.0
    for value in np.unique(t):  # one threshold per model version scored
        rows = t == value
        total += rows.sum() * cost_per_applicant(
            y[rows], p[rows], float(value), cost_fn=cost_fn, cost_fp=cost_fp
        )
    return float(total / len(y))


def _lights(grades: pd.DataFrame) -> dict[str, int]:
    per_grade = grades[grades["grade"] != "portfolio"]
    return {light: int((per_grade["light"] == light).sum()) for light in ("green", "yellow", "red")}


def challenger_comparison(
    frame: pd.DataFrame,
    shadow: pd.DataFrame,
    *,
    cost_fn: float,
    cost_fp: float,
    version: str | None = None,
    alpha: float = 0.05,
) -> dict[str, Any] | None:
    """Champion against challenger on the same applications with matured outcomes.

    Parameters
    ----------
    frame : DataFrame
        :func:`backtest_frame` (the champion's scores and the outcomes).
    shadow : DataFrame
        :func:`shadow_frame` of the same scores.
    cost_fn, cost_fp : float
        The business cost of accepting a defaulter and of refusing a good client
        (``Settings.cost_fn``, ``Settings.cost_fp``), per applicant.
    version : str, optional
        The challenger version to compare (default: the one that shadowed last).
    alpha : float, default=0.05
        Level of DeLong's paired test.

    Returns
    -------
    dict or None
        None when no back-tested score has a shadow score. Else ``challenger_version``,
        ``champion_versions``, ``clients``, ``defaults``, ``auc`` (DeLong's paired test:
        ``champion``, ``challenger``, ``difference`` challenger - champion, ``z``,
        ``p_value``), ``cost`` and ``threshold`` (each model at its own threshold),
        ``grades`` and ``lights`` (each model's Jeffreys table and count of lights),
        ``lost`` (lower AUC with p < ``alpha``, or a higher cost) and ``won``.
    """
    if shadow.empty or frame.empty:
        return None
    if version is None:
        version = str(shadow.sort_values("shadow_at")["challenger_version"].iloc[-1])
    mine = shadow[shadow["challenger_version"].astype(str) == str(version)]
    mine = mine.sort_values("shadow_at").drop_duplicates("score_id", keep="last")
    paired = frame.merge(mine, on="score_id", how="inner")
    if paired.empty:
        return None
    y = paired["defaulted"].to_numpy(dtype=int)
    champion = paired["probability"].to_numpy(dtype=float)
    challenger = paired["challenger_probability"].to_numpy(dtype=float)
    both_classes = 0 < y.sum() < len(y)
    if both_classes:
        test = bt.paired_auc_test(y, champion, challenger)
        auc = {
            "champion": _number(test["auc_first"]),
            "challenger": _number(test["auc_second"]),
            "difference": _number(test["difference"]),
            "z": _number(test["z"]),
            "p_value": _number(test["p_value"]),
        }
    else:
        auc = dict.fromkeys(("champion", "challenger", "difference", "z", "p_value"))
    champion_cost = _cost(y, champion, paired["champion_threshold"], cost_fn, cost_fp)
    challenger_cost = _cost(y, challenger, paired["challenger_threshold"], cost_fn, cost_fp)
    champion_grades = bt.grades_backtest(y, champion)
    challenger_grades = bt.grades_backtest(y, challenger)
    worse_auc = (
        auc["difference"] is not None
        and auc["p_value"] is not None
        and auc["difference"] < 0
        and auc["p_value"] < alpha
    )
    better_auc = (
        auc["difference"] is not None
        and auc["p_value"] is not None
        and auc["difference"] > 0
        and auc["p_value"] < alpha
    )
    lost = bool(worse_auc or challenger_cost > champion_cost)
    return {
        "challenger_version": str(version),
        "champion_versions": sorted({str(v) for v in paired["model_version"]}),
        "clients": len(paired),
        "defaults": int(y.sum()),
        "auc": auc,
        "cost": {"champion": champion_cost, "challenger": challenger_cost},
        "threshold": {
            "champion": _number(float(paired["champion_threshold"].mean())),
            "challenger": _number(float(paired["challenger_threshold"].mean())),
        },
        "grades": {
            "champion": bt.frame_records(champion_grades[champion_grades["grade"] != "portfolio"]),
            "challenger": bt.frame_records(
                challenger_grades[challenger_grades["grade"] != "portfolio"]
            ),
        },
        "lights": {"champion": _lights(champion_grades), "challenger": _lights(challenger_grades)},
        "lost": lost,
        "won": bool(not lost and (better_auc or challenger_cost < champion_cost)),
    }


def compare_challenger(settings: Settings, engine: Engine, version: str) -> dict[str, Any] | None:
    """:func:`challenger_comparison` of ``version`` on every matured outcome in the database.

    Parameters
    ----------
    settings : Settings
        The business costs.
    engine : Engine
        The operational database.
    version : str
        The challenger version.

    Returns
    -------
    dict or None
        The comparison, or None when the version shadowed no score with a matured outcome.
    """
    frame = backtest_frame(engine)
    return challenger_comparison(
        frame,
        shadow_frame(engine, frame["score_id"].tolist()),
        cost_fn=settings.cost_fn,
        cost_fp=settings.cost_fp,
        version=version,
    )
