"""``python -m credit_scoring`` runs the CLI (used by ``demo`` to run each step in its own process)."""

from credit_scoring.cli import app

app(prog_name="credit-scoring")
