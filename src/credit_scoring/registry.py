"""The only module that talks to MLflow: log runs, register models, move the champion alias.

Models are registered under ``Settings.model_name`` (``credit-default``) and addressed by
alias (``models:/credit-default@champion``), never by stage. The tracking store defaults to
SQLite under the home folder, artefacts to ``<home>/mlruns``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd

with warnings.catch_warnings():  # mlflow.pyfunc warns at import about its own type hints
    warnings.filterwarnings("ignore", message=".*type hint is inferred as AnyType.*")
    import mlflow
    import mlflow.pyfunc
    from mlflow.exceptions import MlflowException
    from mlflow.models import ModelSignature
    from mlflow.tracking import MlflowClient
    from mlflow.types import ColSpec, Schema

from credit_scoring.config import Settings, get_settings
from credit_scoring.modeling.load_errors import ModelIntegrityError, ModelNotReadyError
from credit_scoring.modeling.scorer import ChampionScorer

log = logging.getLogger(__name__)
EXPERIMENT = "credit-scoring"
# Run tag: JSON {path inside the model folder: SHA-256} of the files the API loads.
HASH_TAG = "artifact_sha256"
HASHED_FILES = ("artifacts/scorer.joblib", "artifacts/report.json")
CHALLENGER_ALIAS = "challenger"  # scored in the shadow beside the champion, never deciding
FORCED_TAG = "forced_promotion"  # on a version promoted over a lost comparison: who, when, why
HISTORY_TAG = "champion_history"  # comma-separated versions that held the alias, oldest first
MAX_ECE = 0.02
REQUIREMENTS = ["lightgbm", "scikit-learn", "pandas", "numpy", "joblib"]


__all__ = ["ModelIntegrityError", "ModelNotReadyError"]  # re-exported for the CLI


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ChampionPyfunc(mlflow.pyfunc.PythonModel):  # type: ignore[name-defined]
    """pyfunc wrapper: takes the feature table, returns calibrated probabilities of default."""

    def load_context(self, context: Any) -> None:
        self.scorer: ChampionScorer = joblib.load(context.artifacts["scorer"])

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> np.ndarray:
        return self.scorer.predict_proba(model_input)


ScorerModel = ChampionPyfunc  # the name that models logged before the rename import


def model_signature(scorer: ChampionScorer) -> ModelSignature:
    """The pyfunc's input and output: the feature table's columns (categorical ones as
    strings, the others as doubles; any may be missing) and the probability of default."""
    columns: list[Any] = [
        ColSpec("string" if name in scorer.categories else "double", name, required=False)
        for name in scorer.feature_names
    ]
    return ModelSignature(
        inputs=Schema(columns), outputs=Schema([ColSpec("double", "probability")])
    )


@contextlib.contextmanager
def _quiet_environment_capture() -> Iterator[None]:
    """MLflow's notes on the environment it records (uv project found, lock file copied,
    pip absent from a uv environment) are for MLflow's developers, not the user: the
    requirements are given explicitly (``REQUIREMENTS``), and so is the signature."""
    names = ("mlflow.utils.environment", "mlflow.utils.uv_utils")
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            # the signature is given explicitly (model_signature): an example adds nothing
            warnings.filterwarnings("ignore", message=".*input example was not provided.*")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


@dataclass
class RegistrationResult:
    run_id: str
    version: str
    promoted: bool
    reasons: list[str] = field(default_factory=list)


def _client(settings: Settings) -> MlflowClient:
    settings.home.mkdir(parents=True, exist_ok=True)
    uri = settings.resolved_mlflow_uri
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def _experiment_id(client: MlflowClient, settings: Settings) -> str:
    experiment = client.get_experiment_by_name(EXPERIMENT)
    if experiment is not None:
        return str(experiment.experiment_id)
    location = settings.mlflow_artifacts_dir.resolve()
    location.mkdir(parents=True, exist_ok=True)
    return str(client.create_experiment(EXPERIMENT, artifact_location=location.as_uri()))


def promotion_decision(
    candidate: dict[str, float], champion: dict[str, float] | None
) -> tuple[bool, list[str]]:
    """Quality gates and the champion comparison; returns (promote?, reasons in words)."""
    reasons = []
    if not candidate.get("roc_auc", 0.0) > candidate.get("baseline_roc_auc", math.inf):
        reasons.append(
            f"ROC AUC {candidate.get('roc_auc', float('nan')):.4f} does not beat the "
            f"logistic-regression baseline {candidate.get('baseline_roc_auc', float('nan')):.4f}"
        )
    if not candidate.get("ece", math.inf) < MAX_ECE:
        reasons.append(
            f"calibration error {candidate.get('ece', float('nan')):.4f} is not below {MAX_ECE}"
        )
    if champion is not None and not (
        candidate.get("cost_per_applicant", math.inf) < champion.get("cost_per_applicant", math.inf)
    ):
        reasons.append(
            f"cost per applicant {candidate.get('cost_per_applicant', float('nan')):.4f} "
            f"does not beat the champion's {champion.get('cost_per_applicant', float('nan')):.4f}"
        )
    return not reasons, reasons


def _finite(metrics: dict[str, float]) -> dict[str, float]:
    return {
        k: float(v)
        for k, v in metrics.items()
        if isinstance(v, int | float | np.floating) and math.isfinite(float(v))
    }


def _champion_version(
    client: MlflowClient, settings: Settings, alias: str | None = None
) -> Any | None:
    try:
        return client.get_model_version_by_alias(settings.model_name, alias or settings.model_alias)
    except MlflowException:
        return None


def _version_metrics(client: MlflowClient, version: Any) -> dict[str, float]:
    return {k: float(v) for k, v in client.get_run(version.run_id).data.metrics.items()}


def _set_champion(
    client: MlflowClient, settings: Settings, version: str, *, record: bool = True
) -> None:
    client.set_registered_model_alias(settings.model_name, settings.model_alias, version)
    if record:
        model = client.get_registered_model(settings.model_name)
        history = [v for v in model.tags.get(HISTORY_TAG, "").split(",") if v]
        client.set_registered_model_tag(
            settings.model_name, HISTORY_TAG, ",".join([*history, version])
        )


def log_and_register(
    *,
    scorer: ChampionScorer,
    params: dict[str, Any],
    metrics: dict[str, float],
    artifacts: list[Path],
    report: dict[str, Any],
    tags: dict[str, str] | None = None,
    settings: Settings | None = None,
) -> RegistrationResult:
    """Log one training run, register its model, and promote it if it passes the gates."""
    settings = settings or get_settings()
    client = _client(settings)
    experiment_id = _experiment_id(client, settings)
    champion = _champion_version(client, settings)
    champion_metrics = _version_metrics(client, champion) if champion else None
    with (
        tempfile.TemporaryDirectory() as tmp,
        mlflow.start_run(experiment_id=experiment_id, tags=tags or {}) as run,
    ):
        mlflow.log_params({k: str(v)[:500] for k, v in params.items()})
        mlflow.log_metrics(_finite(metrics))
        for path in artifacts:
            mlflow.log_artifact(
                str(path), artifact_path="plots" if path.suffix == ".png" else "reports"
            )
        scorer_path = Path(tmp) / "scorer.joblib"
        joblib.dump(scorer, scorer_path, compress=3)
        report_path = Path(tmp) / "report.json"
        report_path.write_text(
            json.dumps(report, default=str, ensure_ascii=False), encoding="utf-8"
        )
        # Recorded with the run, checked before every load (registry._champion_dir).
        mlflow.set_tag(
            HASH_TAG,
            json.dumps(
                {
                    "artifacts/scorer.joblib": sha256_file(scorer_path),
                    "artifacts/report.json": sha256_file(report_path),
                }
            ),
        )
        with _quiet_environment_capture():
            info = mlflow.pyfunc.log_model(
                name="model",
                python_model=str(Path(__file__).with_name("mlflow_model.py")),
                pip_requirements=REQUIREMENTS,
                artifacts={"scorer": str(scorer_path), "report": str(report_path)},
                signature=model_signature(scorer),
                registered_model_name=settings.model_name,
            )
        run_id = run.info.run_id
    version = str(info.registered_model_version)
    for key in ("roc_auc", "cost_per_applicant", "ece", "threshold"):
        if key in metrics:
            client.set_model_version_tag(settings.model_name, version, key, f"{metrics[key]:.6f}")
    client.set_model_version_tag(
        settings.model_name, version, "feature_set_version", scorer.feature_set_version
    )
    promoted, reasons = promotion_decision(metrics, champion_metrics)
    if promoted:
        _set_champion(client, settings, version)
    client.set_model_version_tag(
        settings.model_name, version, "gate", "passed" if promoted else "; ".join(reasons)[:4000]
    )
    return RegistrationResult(run_id=run_id, version=version, promoted=promoted, reasons=reasons)


class RegistryUnreachableError(RuntimeError):
    """The MLflow server refused a request (unreachable, or its host check said no)."""


def check_server(settings: Settings) -> None:
    """Ask the tracking server for something real; raise when it refuses.

    Parameters
    ----------
    settings : Settings
        Where the server is (``mlflow_tracking_uri``).

    Raises
    ------
    RegistryUnreachableError
        With the first line of the server's answer (it may quote the URI: scrub before
        showing it).
    """
    try:
        MlflowClient(tracking_uri=settings.mlflow_tracking_uri).search_experiments(max_results=1)
    except MlflowException as exc:
        raise RegistryUnreachableError(str(exc).strip().splitlines()[0][:400]) from exc


def list_versions(settings: Settings | None = None) -> list[dict[str, Any]]:
    """Every registered version, newest first, with its key metrics and aliases."""
    settings = settings or get_settings()
    if _no_store(settings):
        return []
    client = _client(settings)
    try:
        versions = client.search_model_versions(f"name='{settings.model_name}'")
        aliases = dict(client.get_registered_model(settings.model_name).aliases or {})
    except MlflowException:
        return []
    rows = []
    for v in sorted(versions, key=lambda v: int(v.version), reverse=True):
        rows.append(
            {
                "version": str(v.version),
                "run_id": v.run_id,
                "aliases": sorted(a for a, n in aliases.items() if str(n) == str(v.version)),
                "created": pd.Timestamp(v.creation_timestamp, unit="ms").isoformat(),
                **{k: v.tags.get(k, "") for k in ("roc_auc", "cost_per_applicant", "ece", "gate")},
            }
        )
    return rows


def promote(version: str, settings: Settings | None = None, *, alias: str | None = None) -> None:
    """Give the champion alias (or ``alias``) to ``version`` (no gates: a person decided).

    Parameters
    ----------
    version : str
        The registered version.
    settings : Settings, optional
        Where the registry is.
    alias : str, optional
        ``"challenger"`` to have the version scored in the shadow beside the champion
        (refused for the champion itself); default the champion alias. A challenger made
        champion loses the challenger alias: a model does not shadow itself.
    """
    settings = settings or get_settings()
    client = _client(settings)
    try:
        client.get_model_version(settings.model_name, str(version))
    except MlflowException as exc:
        raise ModelNotReadyError(
            f"model {settings.model_name} has no version {version}: "
            "see `credit-scoring model list`."
        ) from exc
    if alias in (None, settings.model_alias):
        _set_champion(client, settings, str(version))
        challenger = _champion_version(client, settings, CHALLENGER_ALIAS)
        if challenger is not None and str(challenger.version) == str(version):
            client.delete_registered_model_alias(settings.model_name, CHALLENGER_ALIAS)
        return
    if alias != CHALLENGER_ALIAS:
        raise ModelNotReadyError(
            f"unknown alias '{alias}': use '{settings.model_alias}' or '{CHALLENGER_ALIAS}'."
        )
    champion = _champion_version(client, settings)
    if champion is not None and str(champion.version) == str(version):
        raise ModelNotReadyError(
            f"version {version} is the champion: a challenger must be another version "
            "(see `credit-scoring model list`)."
        )
    client.set_registered_model_alias(settings.model_name, CHALLENGER_ALIAS, str(version))


def alias_version(alias: str, settings: Settings | None = None) -> str | None:
    """The version holding ``alias`` (``"champion"``, ``"challenger"``), or None.

    Parameters
    ----------
    alias : str
        The alias.
    settings : Settings, optional
        Where the registry is.

    Returns
    -------
    str or None
        The version, or None when no version holds it or there is no model store yet.
    """
    settings = settings or get_settings()
    if _no_store(settings):
        return None
    found = _champion_version(_client(settings), settings, alias)
    return None if found is None else str(found.version)


def record_forced_promotion(
    version: str, record: dict[str, Any], settings: Settings | None = None
) -> None:
    """Record on ``version`` why it was made champion against a lost comparison.

    The record (who, when, the reason, the comparison it overrode) is kept as the
    version's ``forced_promotion`` tag in the model registry, next to the model it is about.

    Parameters
    ----------
    version : str
        The promoted version.
    record : dict
        JSON-ready facts of the promotion.
    settings : Settings, optional
        Where the registry is.
    """
    settings = settings or get_settings()
    client = _client(settings)
    client.set_model_version_tag(
        settings.model_name, str(version), FORCED_TAG, json.dumps(record, sort_keys=True)
    )


def rollback(settings: Settings | None = None) -> str:
    """Give the alias back to the previous champion; returns the version that holds it now."""
    settings = settings or get_settings()
    client = _client(settings)
    try:
        model = client.get_registered_model(settings.model_name)
    except MlflowException as exc:
        raise ModelNotReadyError(
            f"no model {settings.model_name} registered yet: run `credit-scoring train` first."
        ) from exc
    history = [v for v in model.tags.get(HISTORY_TAG, "").split(",") if v]
    if len(history) < 2:
        raise ModelNotReadyError("no previous champion to roll back to.")
    history.pop()
    client.set_registered_model_alias(settings.model_name, settings.model_alias, history[-1])
    client.set_registered_model_tag(settings.model_name, HISTORY_TAG, ",".join(history))
    return history[-1]


def _no_store(settings: Settings) -> bool:
    """True when the default local store does not exist yet (and must not be created to look)."""
    return not settings.mlflow_tracking_uri and not (settings.home / "mlflow.db").is_file()


def _recorded_hashes(client: MlflowClient, run_id: str) -> dict[str, str]:
    raw = client.get_run(run_id).data.tags.get(HASH_TAG)
    if not raw:
        raise ModelIntegrityError(
            f"run {run_id} of the champion has no SHA-256 of its files recorded (it was "
            "registered by an older version): retrain with `credit-scoring train` and promote "
            "the new version; the API does not load a model it cannot check."
        )
    hashes = json.loads(raw)
    return {name: str(hashes[name]) for name in HASHED_FILES}


def _mismatches(folder: Path, hashes: dict[str, str]) -> list[str]:
    return [
        name
        for name, expected in hashes.items()
        if not (folder / name).is_file() or sha256_file(folder / name) != expected
    ]


def _download(settings: Settings, version: str, target: Path, hashes: dict[str, str]) -> None:
    """Download the model next to ``target``, check it, then rename it into place."""
    # MLflow's per-file progress bar floods logs and CLI output for a handful of files.
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".download-") as tmp:
        dst = Path(tmp) / "download"
        dst.mkdir()
        local = Path(
            mlflow.artifacts.download_artifacts(
                artifact_uri=f"models:/{settings.model_name}/{version}", dst_path=str(dst)
            )
        )
        bad = _mismatches(local, hashes)
        if bad:
            raise ModelIntegrityError(
                f"the files of {settings.model_name} v{version} in the model store do not "
                f"match the SHA-256 recorded with their run ({', '.join(bad)}): the store was "
                "changed or damaged; promote another version (`credit-scoring model promote`)."
            )
        if target.exists():  # a corrupt copy (the caller checked): moved aside, then removed
            target.rename(Path(tmp) / "corrupt")
        try:
            os.replace(local, target)  # atomic on one file system: readers see old or new
        except OSError:
            if _mismatches(target, hashes):  # another process won the race with a good copy?
                raise


def _champion_dir(settings: Settings, alias: str | None = None) -> tuple[str, Path]:
    """The champion's version and its checked local copy, downloaded when absent or corrupt.

    The copy lives in ``<home>/models/<name>-<run id>`` (a run's files never change); each
    file is checked against the SHA-256 recorded with the run before it is used.
    """
    if _no_store(settings):
        raise ModelNotReadyError(
            f"no model store at {settings.home / 'mlflow.db'} yet: run "
            "`credit-scoring train --data DIR` first (or set CREDIT_SCORING_MLFLOW_TRACKING_URI)."
        )
    client = _client(settings)
    champion = _champion_version(client, settings, alias)
    if champion is None:
        raise ModelNotReadyError(
            f"no model holds the alias '{alias or settings.model_alias}' of '{settings.model_name}' in "
            f"{settings.resolved_mlflow_uri}: run `credit-scoring train --data DIR` (or "
            "`credit-scoring model promote VERSION`)."
        )
    version = str(champion.version)
    hashes = _recorded_hashes(client, champion.run_id)
    target = settings.models_dir / f"{settings.model_name}-{champion.run_id}"
    if target.exists() and not _mismatches(target, hashes):
        return version, target
    if target.exists():
        log.warning(
            "cached model %s does not match its recorded SHA-256: downloading again", target
        )
    _download(settings, version, target, hashes)
    return version, target


def load_champion(settings: Settings | None = None) -> ChampionScorer:
    """The champion as a :class:`~credit_scoring.modeling.contracts.Scorer`."""
    settings = settings or get_settings()
    version, folder = _champion_dir(settings)
    scorer: ChampionScorer = joblib.load(folder / "artifacts" / "scorer.joblib")
    scorer.model_version = version
    scorer.num_threads = 1
    return scorer


def load_challenger(settings: Settings | None = None) -> ChampionScorer | None:
    """The challenger (the ``challenger`` alias), checked like the champion, or None.

    Parameters
    ----------
    settings : Settings, optional
        Where the registry is.

    Returns
    -------
    ChampionScorer or None
        None when no version holds the alias; a version that cannot be loaded raises.
    """
    settings = settings or get_settings()
    if alias_version(CHALLENGER_ALIAS, settings) is None:
        return None
    version, folder = _champion_dir(settings, CHALLENGER_ALIAS)
    scorer: ChampionScorer = joblib.load(folder / "artifacts" / "scorer.joblib")
    scorer.model_version = version
    scorer.num_threads = 1
    return scorer


def champion_report(settings: Settings | None = None) -> dict[str, Any]:
    """Metrics, threshold, costs, comparison rows, model card and fairness of the champion."""
    settings = settings or get_settings()
    version, folder = _champion_dir(settings)
    report = json.loads((folder / "artifacts" / "report.json").read_text(encoding="utf-8"))
    return {
        **report,
        "model_name": settings.model_name,
        "model_version": version,
        "alias": settings.model_alias,
    }
