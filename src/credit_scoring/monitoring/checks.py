"""Scheduled checks on what the API served: score and feature shift, approval gaps, overrides.

``run_checks`` returns one :class:`Check` per rule; ``credit-scoring monitor``
prints them and exits non-zero when one crosses its threshold (set in the
settings, ``CREDIT_SCORING_MONITOR_*``), so a scheduler (cron, Kubernetes
CronJob, CI) can alert on the exit code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import pandas as pd

from credit_scoring.config import Settings
from credit_scoring.core.bands import AGE_BANDS, INCOME_BANDS
from credit_scoring.monitoring.stability import psi, verdict

__all__ = ["Check", "evaluate", "feature_stability", "psi", "run_checks"]

Status = Literal["ok", "alert", "skipped"]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    value: float | None
    threshold: float
    detail: str


def _band(values: pd.Series, bands: dict[str, tuple[float, float]]) -> pd.Series:
    out = pd.Series(pd.NA, index=values.index, dtype="object")
    for name, (low, high) in bands.items():
        out[(values >= low) & (values < high)] = name
    return out


def segments(scores: pd.DataFrame) -> dict[str, pd.Series]:
    """Segment labels per logged score: gender, age band, income band, contract type."""
    return {
        "gender": scores["gender"],
        "age band": _band(scores["age_years"], AGE_BANDS),
        "income band": _band(scores["income_total"], INCOME_BANDS),
        "contract type": scores["contract_type"],
    }


def score_shift(scores: pd.DataFrame, training: pd.DataFrame | None, settings: Settings) -> Check:
    limit = settings.monitor_psi_max
    if training is None:
        return Check(
            "score PSI vs training",
            "skipped",
            None,
            limit,
            "no training scores saved: run `credit-scoring monitor baseline --data DIR`.",
        )
    value = psi(training["probability"].to_numpy(), scores["probability"].to_numpy())
    status: Status = "alert" if value > limit else "ok"
    return Check(
        "score PSI vs training",
        status,
        value,
        limit,
        f"{verdict(value)} (PSI < 0.10 stable, 0.10-0.25 watch, > 0.25 action); "
        f"{len(scores)} scores served vs {len(training)} training scores "
        f"(mean {scores['probability'].mean():.3f} vs {training['probability'].mean():.3f}).",
    )


def feature_stability(
    reference_rows: pd.DataFrame | None,
    current_rows: pd.DataFrame | None,
    features: list[str],
    settings: Settings,
) -> Check:
    """CSI of each of the model's top features stored with the application; the worst one.

    Parameters
    ----------
    reference_rows, current_rows : DataFrame or None
        Stored application rows (Kaggle columns) of the training clients and of the clients
        scored in the period.
    features : list of str
        The model's top features by importance (the training report's ``top_features``).
    settings : Settings
        ``monitor_psi_max`` is the alert level of the worst CSI, as for the score.

    Returns
    -------
    Check
        ``feature CSI vs training``: the worst CSI, with how many features are stable,
        to watch or to act on; skipped without a feature list or a stored feature.
    """
    limit, name = settings.monitor_psi_max, "feature CSI vs training"
    if not features:
        return Check(
            name, "skipped", None, limit, "no champion report to name the model's top features."
        )
    stored = (
        [f for f in features if f in reference_rows.columns and f in current_rows.columns]
        if reference_rows is not None and current_rows is not None
        else []
    )
    values: dict[str, float] = {}
    for feature in stored:
        assert reference_rows is not None and current_rows is not None
        ref = pd.to_numeric(reference_rows[feature], errors="coerce")
        cur = pd.to_numeric(current_rows[feature], errors="coerce")
        if ref.notna().any() and cur.notna().any():
            values[feature] = psi(ref.to_numpy(float), cur.to_numpy(float))
    if not values:
        return Check(
            name,
            "skipped",
            None,
            limit,
            f"none of the model's top {len(features)} features is stored with the applications "
            "(they are built from other tables): `credit-scoring drift --production` compares them.",
        )
    counts = {v: 0 for v in ("stable", "watch", "action")}
    for value in values.values():
        counts[str(verdict(value))] += 1
    worst = max(values, key=lambda k: values[k])
    status: Status = "alert" if values[worst] > limit else "ok"
    return Check(
        name,
        status,
        values[worst],
        limit,
        f"{len(values)} of the top {len(features)} features compared: "
        f"{counts['stable']} stable, {counts['watch']} watch, {counts['action']} action; "
        f"worst {worst} ({verdict(values[worst])}).",
    )


def approval_gaps(scores: pd.DataFrame, settings: Settings, min_rows: int = 30) -> Check:
    """Largest gap between a segment's approval rate and the overall rate (segments of >= min_rows)."""
    limit = settings.monitor_approval_gap_max
    granted = scores["decision"].eq("grant")
    overall = float(granted.mean())
    worst: tuple[float, str] = (0.0, "")
    parts = []
    for dimension, labels in segments(scores).items():
        rates = granted.groupby(labels.astype("object")).agg(["mean", "size"])
        rates = rates[rates["size"] >= min_rows]
        for label, row in rates.iterrows():
            gap = abs(float(row["mean"]) - overall)
            parts.append(f"{dimension}={label}: {row['mean']:.0%}")
            if gap > worst[0]:
                worst = (gap, f"{dimension}={label}")
    if not parts:
        return Check(
            "approval rate per segment",
            "skipped",
            None,
            limit,
            f"no segment has {min_rows} scores or more in the period.",
        )
    status: Status = "alert" if worst[0] > limit else "ok"
    detail = f"overall {overall:.0%}; largest gap {worst[1] or '-'}; " + ", ".join(parts)
    return Check("approval rate per segment", status, worst[0], limit, detail)


def override_share(decisions: pd.DataFrame, settings: Settings) -> Check:
    limit = settings.monitor_override_share_max
    if decisions.empty:
        return Check(
            "share of overrides", "skipped", None, limit, "no decision recorded in the period."
        )
    value = float(decisions["override"].astype(bool).mean())
    status: Status = "alert" if value > limit else "ok"
    return Check(
        "share of overrides",
        status,
        value,
        limit,
        f"{int(decisions['override'].astype(bool).sum())} of {len(decisions)} decisions "
        "differ from the model's.",
    )


def evaluate(
    scores: pd.DataFrame,
    decisions: pd.DataFrame,
    training: pd.DataFrame | None,
    settings: Settings,
    *,
    features: list[str] | None = None,
    reference_rows: pd.DataFrame | None = None,
    current_rows: pd.DataFrame | None = None,
) -> list[Check]:
    """All checks on frames already read (see :func:`run_checks` for the database).

    The feature CSI check is made when ``features`` is given (the model's top features),
    on the stored application rows of the training clients and of the scored clients.
    """
    if len(scores) < settings.monitor_min_scores:
        why = (
            f"only {len(scores)} scores in the period (fewer than "
            f"CREDIT_SCORING_MONITOR_MIN_SCORES={settings.monitor_min_scores})."
        )
        checks = [
            Check("score PSI vs training", "skipped", None, settings.monitor_psi_max, why),
            Check(
                "approval rate per segment", "skipped", None, settings.monitor_approval_gap_max, why
            ),
        ]
        if features is not None:
            checks.insert(
                1, Check("feature CSI vs training", "skipped", None, settings.monitor_psi_max, why)
            )
    else:
        checks = [score_shift(scores, training, settings), approval_gaps(scores, settings)]
        if features is not None:
            checks.insert(1, feature_stability(reference_rows, current_rows, features, settings))
    return [*checks, override_share(decisions, settings)]


def run_checks(settings: Settings, start: datetime, end: datetime) -> list[Check]:
    """Read the period's scores and decisions from the database and evaluate every check."""
    from credit_scoring import registry
    from credit_scoring.monitoring.production import (
        client_applications,
        logged_decisions,
        logged_scores,
        training_scores,
    )

    scores = logged_scores(settings, start, end)
    versions = scores["model_version"].dropna()
    training = training_scores(settings, str(versions.iloc[-1])) if len(versions) else None
    try:
        features = list(registry.champion_report(settings).get("top_features") or {})[:20]
    except Exception:  # no champion, no report: the CSI line says it was skipped
        features = []
    reference = current = None
    ids = scores["sk_id_curr"].dropna().drop_duplicates()
    if features and len(ids) >= settings.monitor_min_scores:
        rows = settings.drift_sample_rows  # read and parse at most this many stored rows
        ids = ids.sample(rows, random_state=0) if len(ids) > rows else ids
        reference = client_applications(settings, train=True, limit=rows)
        current = pd.concat(
            [
                client_applications(settings, ids=[int(i) for i in ids.iloc[k : k + 5000]])
                for k in range(0, len(ids), 5000)  # SQL IN lists have limits
            ]
        )
    return evaluate(
        scores,
        logged_decisions(settings, start, end),
        training,
        settings,
        features=features,
        reference_rows=reference,
        current_rows=current,
    )
