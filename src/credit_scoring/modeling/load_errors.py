"""Errors of loading the champion whose messages are written for people (safe to show).

``/health`` shows the message of these as it is; any other exception is reported
without its text (it may hold paths, URLs or internals), and logged instead.
"""

from __future__ import annotations


class ModelLoadError(RuntimeError):
    """The champion could not be loaded; the message says what to do."""


class ModelNotReadyError(ModelLoadError):
    """No model holds the champion alias yet."""


class ModelIntegrityError(ModelLoadError):
    """The champion's files do not match the SHA-256 recorded with its MLflow run."""
