"""``credit-scoring demo``: the product end to end on one machine.

Data (synthetic unless ``--data`` is given), checks, features, quick training,
database, demo users, then the API, the dashboard and the applicant space, which keep
running until Ctrl-C; it prints, for one loaded application, what its applicant types to
sign in (the application number, the birth date and a fresh personal code). Each step runs
as its own ``credit-scoring`` process, so its progress bars show and its memory is freed
before the next one starts; its wall time and the peak resident memory of its process tree
are measured (:mod:`credit_scoring.cli.measure`) and the run ends with a table of them, the
time to a ready dashboard last.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.table import Table

from credit_scoring.cli.common import console, err_console
from credit_scoring.cli.measure import GB, MeasuredStep, PeakWatch, run_measured
from credit_scoring.config import get_settings
from credit_scoring.core import formatting


def _run_step(title: str, *args: str) -> None:
    """Run ``credit-scoring ARGS`` as its own process (``deploy init``'s steps, unmeasured)."""
    console.rule(f"[bold]{title}")
    code = subprocess.call([sys.executable, "-m", "credit_scoring", *args])
    if code != 0:
        err_console.print(
            f"[bold red]error:[/] step '{title}' failed (exit {code}); "
            f"run `credit-scoring {' '.join(args)}` to see it alone."
        )
        raise typer.Exit(code)


class StepLog:
    """The measured steps of one run, for the summary table (the clock starts here)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.steps: list[MeasuredStep] = []

    def run(self, title: str, *args: str) -> None:
        """Run ``credit-scoring ARGS`` as its own process, measured; stop the demo if it fails."""
        console.rule(f"[bold]{title}")
        step = run_measured(title, [sys.executable, "-m", "credit_scoring", *args])
        self.steps.append(step)
        if step.code != 0:
            self.print_summary()
            err_console.print(
                f"[bold red]error:[/] step '{title}' failed (exit {step.code}); "
                f"run `credit-scoring {' '.join(args)}` to see it alone."
            )
            raise typer.Exit(step.code)
        console.print(
            f"{title}: {_seconds(step.seconds)}, peak memory {_gigabytes(step.peak_bytes)}."
        )

    def print_summary(self, *, ready: str | None = None) -> None:
        """Each step's wall time and peak memory; with ``ready``, the time to get there."""
        table = Table(title="Steps of this run")
        for col in ("step", "wall time", "peak memory"):
            table.add_column(col, justify="left" if col == "step" else "right")
        for step in self.steps:
            table.add_row(step.title, _seconds(step.seconds), _gigabytes(step.peak_bytes))
        total = time.perf_counter() - self.started
        peak = max((s.peak_bytes for s in self.steps), default=0)
        table.add_row(
            f"[bold]{ready or 'total'}", f"[bold]{_seconds(total)}", f"[bold]{_gigabytes(peak)}"
        )
        console.print(table)


def _seconds(value: float) -> str:
    minutes, seconds = divmod(value, 60)
    if minutes:
        return f"{formatting.number(minutes, 'en')} min {formatting.number(seconds, 'en')} s"
    return f"{formatting.number(seconds, 'en', 1)} s"


def _gigabytes(value: int) -> str:
    return f"{formatting.number(value / GB, 'en', 2)} GB"


def _has_champion() -> bool:
    from credit_scoring.registry import ModelNotReadyError, load_champion

    try:
        load_champion(get_settings())
    except ModelNotReadyError:
        return False
    return True


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"the {what} stopped at start (exit {proc.returncode}); see its output above."
            )
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the {what} did not answer on {url} within {seconds:.0f} s.")


@dataclass(frozen=True)
class DemoApplicant:
    """What the applicant of one loaded application types to open their space."""

    application_id: int
    birth_date: str
    code: str


def demo_applicant() -> DemoApplicant | None:
    """A fresh personal code for one loaded application, preferably a decided one.

    Issuing a code revokes the application's previous ones (only its hash is kept), so each
    ``make run`` prints a new one; None when the database holds no loaded application.
    """
    from sqlalchemy import case, select

    from credit_scoring.db.models import Application
    from credit_scoring.db.session import session_factory
    from credit_scoring.lending.applicant import birth_date_of, issue_code

    decided_first = case((Application.status == "decided", 0), else_=1)
    with session_factory(get_settings())() as session:  # issue_code commits
        app = session.scalars(
            select(Application)
            .where(Application.source == "load")
            .order_by(decided_first, Application.id)
            .limit(1)
        ).first()
        if app is None:
            return None
        birth = birth_date_of(session, app)
        code = issue_code(session, app.id, "cli:demo")
        # as the sign-in form reads it (day/month/year)
        return DemoApplicant(app.id, formatting.date(birth, "fr"), code)


def demo(
    data: Annotated[
        Path | None,
        typer.Option(
            help="Folder in Kaggle layout (e.g. ../shared/data/home-credit-sample); default: synthetic data."
        ),
    ] = None,
    clients: Annotated[int, typer.Option(min=500, help="Synthetic clients to generate.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic data.")] = 42,
    retrain: Annotated[bool, typer.Option(help="Train even if a champion model exists.")] = False,
    api_port: Annotated[int, typer.Option(help="Port of the API.")] = 8000,
    dashboard_port: Annotated[int, typer.Option(help="Port of the dashboard.")] = 8501,
    applicant_port: Annotated[int, typer.Option(help="Port of the applicant space.")] = 8502,
    serve: Annotated[
        bool, typer.Option(help="Start the API, the dashboard and the applicant space at the end.")
    ] = True,
) -> None:
    """Run the product end to end: data, features, model, database, users, API, dashboard
    and applicant space.

    Every step shows its progress; the run ends with each step's wall time and peak memory.
    """
    settings = get_settings()
    log = StepLog()
    if data is None:
        data = settings.data_dir / f"synthetic-{clients}-{seed}"
        if not (data / "application_train.csv").is_file():
            log.run(
                "Synthetic data",
                "data",
                "synth",
                "--out",
                str(data),
                "--clients",
                str(clients),
                "--seed",
                str(seed),
            )
        else:
            console.print(f"Synthetic data already in {data}.")
    log.run("Data checks", "data", "check", str(data))
    features = settings.features_dir / "features.parquet"
    log.run("Features", "features", "build", "--data", str(data), "--out", str(features))
    if retrain or not _has_champion():
        log.run("Model training (quick)", "train", "--data", str(data), "--quick")
    else:
        console.print("A champion model exists (pass --retrain to train again).")
    log.run("Database", "db", "load", "--data", str(data), "--features", str(features))
    log.run("Demo users", "demo-users")
    if not serve:
        log.print_summary(ready="ready database (total)")
        return
    api_url = f"http://127.0.0.1:{api_port}"
    dash_url = f"http://127.0.0.1:{dashboard_port}"
    api = subprocess.Popen(
        [sys.executable, "-m", "credit_scoring", "serve", "--port", str(api_port)]
    )
    dashboard = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "credit_scoring",
            "dashboard",
            "--port",
            str(dashboard_port),
            "--api-url",
            api_url,
        ]
    )
    applicant_url = f"http://127.0.0.1:{applicant_port}"
    applicant = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "credit_scoring",
            "applicant-space",
            "--port",
            str(applicant_port),
            "--api-url",
            api_url,
        ]
    )
    services = (api, dashboard, applicant)
    try:
        start = time.perf_counter()
        watches = [PeakWatch(p.pid) for p in services]
        _wait_until_up(f"{api_url}/health", api, "API")
        _wait_until_up(dash_url, dashboard, "dashboard")
        _wait_until_up(f"{applicant_url}/_stcore/health", applicant, "applicant space")
        log.steps.append(
            MeasuredStep(
                "API, dashboard and applicant space start",
                0,
                time.perf_counter() - start,
                sum(w.stop() for w in watches),
            )
        )
        log.print_summary(ready="ready dashboard (total)")
        who = demo_applicant()
        console.rule("[bold green]Running")
        console.print(
            f"Dashboard : {dash_url}  (log in with a user printed above: advisor, senior, analyst, admin)"
        )
        console.print(f"Applicant : {applicant_url}  (the applicant's own space)")
        if who is not None:
            console.print(
                f"            application {who.application_id}, birth date {who.birth_date}, "
                f"personal code {who.code}"
            )
        console.print(f"API       : {api_url}  (OpenAPI docs at {api_url}/docs)")
        console.print(
            f"MLflow UI : uv run mlflow ui --backend-store-uri {settings.resolved_mlflow_uri}"
        )
        console.print("Press Ctrl-C to stop.")
        while all(proc.poll() is None for proc in services):
            time.sleep(1)
        err_console.print("[bold red]error:[/] a service stopped; see its output above.")
        raise typer.Exit(1)
    except RuntimeError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    except KeyboardInterrupt:
        console.print("Stopping.")
    finally:
        for proc in services:
            if proc.poll() is None:
                proc.terminate()
        for proc in services:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
