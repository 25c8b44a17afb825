"""The ``credit-scoring`` command: thin Typer wrappers over the package's functions.

Each area registers its commands from its own module, listed in ``_AREAS``.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="credit-scoring",
    help="Credit scoring platform: data, features, training, scoring, database, API, dashboard.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

_AREAS = (
    "credit_scoring.cli.data",
    "credit_scoring.cli.db",
    "credit_scoring.cli.audit",
    "credit_scoring.cli.outcomes",
    "credit_scoring.cli.backtest",
    "credit_scoring.cli.monitor",
    "credit_scoring.cli.dashboard",
    "credit_scoring.cli.applicant_space",
    "credit_scoring.cli.model",
    "credit_scoring.cli.features",
    "credit_scoring.cli.demo",
    "credit_scoring.cli.deploy",
)

for _module in _AREAS:
    importlib.import_module(_module).register(app)
