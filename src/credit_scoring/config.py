"""Settings read from the environment (prefix ``CREDIT_SCORING_``) or an ``.env`` file.

All state lives under one home folder (``CREDIT_SCORING_HOME``, default ``var/``)
unless a specific URL overrides a part (database, MLflow tracking store).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"  # refused outside development, see below


class Settings(BaseSettings):
    """Every setting of the platform; documented one by one in ``.env.example``."""

    model_config = SettingsConfigDict(
        env_prefix="CREDIT_SCORING_", env_file=".env", extra="ignore", validate_default=True
    )

    environment: Literal["development", "test", "production"] = "development"
    home: Path = Path("var")

    database_url: str | None = None
    mlflow_tracking_uri: str | None = None
    api_url: str = "http://127.0.0.1:8000"

    secret_key: str = PLACEHOLDER_SECRET
    token_expire_minutes: int = Field(default=60, ge=1)
    max_failed_logins: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)

    cost_fn: float = Field(default=10.0, gt=0, description="cost of accepting a defaulter")
    cost_fp: float = Field(default=1.0, gt=0, description="cost of refusing a good client")

    # Durable audit: score log and data-access records are synced to a local spool before the
    # response, then shipped to the database (docs/operations.md, "Durable audit").
    audit_spool_dir: Path | None = Field(
        default=None, description="spool folder; default <home>/audit-spool"
    )
    audit_backlog_max: int = Field(
        default=10_000, ge=1, description="records waiting for the database: past it, not ready"
    )

    model_name: str = "credit-default"
    model_alias: str = "champion"

    # Monitoring: drift reports and the scheduled checks of `credit-scoring monitor`.
    drift_sample_rows: int = Field(
        default=5000, ge=100, description="rows per side in a drift report"
    )
    drift_action_share: float = Field(
        default=0.3, gt=0, le=1, description="importance-weighted drift share that asks for action"
    )
    monitor_window_days: int = Field(default=7, ge=1, description="period the checks look back on")
    monitor_min_scores: int = Field(
        default=50, ge=1, description="fewer scores: checks are skipped"
    )
    monitor_psi_max: float = Field(default=0.2, gt=0, description="score PSI vs training scores")
    monitor_approval_gap_max: float = Field(
        default=0.15,
        gt=0,
        le=1,
        description="largest gap of a segment's approval rate to the overall",
    )
    monitor_override_share_max: float = Field(
        default=0.2, gt=0, le=1, description="share of decisions overriding the model"
    )

    @field_validator("audit_spool_dir", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.environment != "development" and self.secret_key == PLACEHOLDER_SECRET:
            raise ValueError(
                "CREDIT_SCORING_SECRET_KEY is still the placeholder: set a long random value "
                "(for example `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
            )
        return self

    # Folders under the home; created on first use by the code that writes there.
    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def features_dir(self) -> Path:
        return self.home / "features"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def resolved_audit_spool_dir(self) -> Path:
        return self.audit_spool_dir or self.home / "audit-spool"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'credit_scoring.db').resolve()}"

    @property
    def resolved_mlflow_uri(self) -> str:
        if self.mlflow_tracking_uri:
            return self.mlflow_tracking_uri
        return f"sqlite:///{(self.home / 'mlflow.db').resolve()}"

    @property
    def mlflow_artifacts_dir(self) -> Path:
        return self.home / "mlruns"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after changing the env."""
    return Settings()
