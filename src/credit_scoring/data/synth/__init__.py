"""Synthetic Home Credit data: all eight Kaggle tables, realistic and with a risk signal.

``generate(out_dir, clients=..., seed=...)`` writes them; see ``generator.py``.
"""

from credit_scoring.data.synth.generator import CHUNK_CLIENTS, DEFAULT_TEST_SHARE, generate

__all__ = ["CHUNK_CLIENTS", "DEFAULT_TEST_SHARE", "generate"]
