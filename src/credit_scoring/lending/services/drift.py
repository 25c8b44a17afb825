"""The drift report behind the *Data drift* page: start it, follow it, read the latest.

:class:`DriftReports` checks what a report needs before it starts (the reference data, the
champion model) and refuses in words an analyst can act on; it runs the report in the
background (:class:`~credit_scoring.monitoring.drift_job.DriftJob`, one at a time), records
who started it in the audit log, and gives the latest report with its columns described in
the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from credit_scoring.config import Settings
from credit_scoring.data.loading import DataError, locate_tables
from credit_scoring.features.metadata import FeatureMeta
from credit_scoring.lending.errors import Conflict, NotFound
from credit_scoring.monitoring import drift
from credit_scoring.monitoring.drift_job import DriftJob, DriftRun, DriftRunning

AuditWrite = Callable[[Iterable[tuple[str, Mapping[str, Any]]]], None]
START_ROUTE = "drift_start"  # the audit log's name for "started a drift report"


@dataclass(frozen=True)
class DriftProgress:
    """Where the report stands, for the page: state, steps done of the total, time elapsed."""

    state: str  # running | done | failed
    started_by: str
    started_at: datetime
    finished_at: datetime | None
    steps_done: int
    steps_total: int
    step: str | None
    elapsed_seconds: float
    report: str | None
    error_code: str | None
    error: str | None  # the message for a person, in the request's language

    @classmethod
    def of(cls, run: DriftRun, lang: str) -> DriftProgress:
        """The progress of ``run``, its failure (if any) worded in ``lang``."""
        code, message = _failure(run, lang)
        return cls(
            state=run.state,
            started_by=run.started_by,
            started_at=run.started_at,
            finished_at=run.finished_at,
            steps_done=run.done,
            steps_total=run.total,
            step=run.step,
            elapsed_seconds=round(run.elapsed(), 1),
            report=run.report or None,
            error_code=code,
            error=message,
        )


def _failure(run: DriftRun, lang: str) -> tuple[str | None, str | None]:
    if run.state != "failed":
        return None, None
    if run.error_kind == "data":
        fr = (
            f"Le rapport n'a pas pu être fait : les données n'ont pas pu être lues ({run.error}). "
            "Corrigez le fichier indiqué, puis relancez le rapport."
        )
        en = (
            f"The report could not be made: the data could not be read ({run.error}). "
            "Fix the file named, then start the report again."
        )
        return "drift_data_error", fr if lang == "fr" else en
    fr = (
        "Le rapport n'a pas pu être fait à cause d'une erreur inattendue. Relancez-le ; si "
        f"l'erreur revient, transmettez ce détail à l'exploitation : {run.error}"
    )
    en = (
        "The report could not be made because of an unexpected error. Start it again; if it "
        f"happens again, give this detail to operations: {run.error}"
    )
    return "drift_failed", fr if lang == "fr" else en


class DriftReports:
    """Start, follow and read drift reports of the folder ``settings.data_dir``.

    Parameters
    ----------
    settings : Settings
        Where the data and the reports are.
    audit : callable
        Writes audit records (the API's ``audit.write``): every start is recorded with the
        user who asked.
    job : DriftJob, optional
        The background runner (one per process).
    """

    def __init__(self, settings: Settings, audit: AuditWrite, job: DriftJob | None = None):
        self.settings = settings
        self.audit = audit
        self.job = job or DriftJob()

    def check_reference(self) -> Path:
        """The data folder, or :class:`NotFound` saying how to provide one."""
        folder = self.settings.data_dir
        try:
            locate_tables(folder)
        except DataError:
            raise NotFound(
                "no_reference_data",
                f"Aucune donnée de référence : le dossier {folder} ne contient pas les "
                "demandes d'entraînement (application_train). Déposez-y les tables au format "
                "Kaggle, ou demandez à l'exploitation de lancer « credit-scoring data synth » "
                "pour une démonstration, puis relancez le rapport.",
                f"No reference data: the folder {folder} holds no training applications "
                "(application_train). Put the Kaggle-layout tables there, or ask operations to "
                "run 'credit-scoring data synth' for a demonstration, then start the report "
                "again.",
            ) from None
        return folder

    def start(
        self, *, username: str, role: str, champion: Any | None, model_error: str | None
    ) -> DriftRun:
        """Start a report in the background, after checking it can be made; audit the start.

        Returns
        -------
        DriftRun
            The report just started.

        Raises
        ------
        NotFound
            No reference data, or no champion model (``model_error`` says why).
        Conflict
            A report is already being made (who started it, and when).
        """
        folder = self.check_reference()
        if champion is None:
            why = (model_error or "").rstrip(". ")
            raise NotFound(
                "no_model",
                "Aucun modèle champion n'est chargé : le rapport de dérive pèse chaque "
                "variable par son importance pour le modèle. Un data scientist doit "
                "entraîner et promouvoir un modèle (« credit-scoring train »), puis relancez "
                f"le rapport. Détail : {why or 'aucun champion'}.",
                "No champion model is loaded: the drift report weighs each feature by its "
                "importance to the model. A data scientist must train and promote a model "
                "('credit-scoring train'), then start the report again. Detail: "
                f"{why or 'no champion'}.",
            )

        def work(step: Callable[[str], None]) -> dict[str, Any]:
            return drift.build_drift_report(
                str(folder), str(folder), settings=self.settings, on_step=step, champion=champion
            )

        try:
            run = self.job.start(work, started_by=username)
        except DriftRunning as busy:
            since = busy.run.started_at.strftime("%H:%M")
            raise Conflict(
                "drift_running",
                f"Un rapport de dérive est déjà en cours (lancé par {busy.run.started_by} à "
                f"{since} UTC) : attendez qu'il se termine, il s'affichera ici.",
                f"A drift report is already being made (started by {busy.run.started_by} at "
                f"{since} UTC): wait for it to finish, it will show here.",
            ) from None
        self.audit(
            [
                (
                    "data_access_events",
                    {"username": username, "role": role, "route": START_ROUTE, "sk_id_curr": None},
                )
            ]
        )
        return run

    def progress(self, lang: str) -> DriftProgress:
        """The running report's progress, else how the last one ended."""
        run = self.job.current()
        if run is None:
            raise NotFound(
                "no_drift_run",
                "Aucun rapport de dérive n'a été lancé depuis le démarrage du service.",
                "No drift report has been started since the service started.",
            )
        return DriftProgress.of(run, lang)

    def latest(self, lang: str, metas: Mapping[str, FeatureMeta]) -> tuple[Path, dict[str, Any]]:
        """The newest report (HTML path, summary), its columns described in ``lang``.

        Each column gains ``label``: the feature's description when the model knows it
        (a model feature or a raw column that is also a model input), else its name.

        Returns
        -------
        html : Path
            The full evidently report.
        summary : dict
            Its JSON summary, columns labelled.

        Raises
        ------
        NotFound
            No report has been written yet.
        """
        found = drift.latest_report(self.settings)
        if found is None:
            raise NotFound(
                "no_drift_report",
                "Aucun rapport de dérive n'a encore été produit : lancez-le depuis cette page "
                "(bouton « Produire le rapport »).",
                "No drift report has been produced yet: start one from this page ('Make the "
                "report' button).",
            )
        html, summary = found
        for key in ("columns", "top_drifted"):
            for column in summary.get(key) or []:
                if isinstance(column, dict) and "column" in column:
                    column["label"] = column_label(str(column["column"]), metas, lang)
        return html, summary


def column_label(column: str, metas: Mapping[str, FeatureMeta], lang: str) -> str:
    """A report column in words: its feature's description when known, else its name.

    A raw column is described by the model feature of the same name, else by an
    application feature derived from it alone (its ``group``).

    Returns
    -------
    str
        The description in ``lang``, or the column's name.

    Examples
    --------
    >>> from credit_scoring.features.metadata import FeatureMeta
    >>> meta = FeatureMeta("AMT_CREDIT", "application", "Credit amount", "Montant du crédit",
    ...                    "currency", "AMT_CREDIT")
    >>> column_label("model: AMT_CREDIT", {"AMT_CREDIT": meta}, "fr")
    'Montant du crédit'
    >>> column_label("FLAG_X", {}, "en")
    'FLAG_X'
    """
    name = column.removeprefix(drift.FEATURE_PREFIX)
    meta = metas.get(name) or next(
        (m for m in metas.values() if m.group == name and m.source.startswith("application")),
        None,
    )
    return meta.description(lang) if meta is not None else name
