"""Settings read from the environment (prefix ``CREDIT_SCORING_``) or an ``.env`` file.

All state lives under one home folder (``CREDIT_SCORING_HOME``, default ``var/``)
unless a specific URL overrides a part (database, MLflow tracking store).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

from limits import parse_many
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"  # refused outside development, see below
MIN_SECRET_BYTES = 32  # HS256 wants a key of at least the hash's size (RFC 7518, 3.2)
MAX_TOKEN_MINUTES = 720  # a stolen token is usable for at most one working day


class ImportTimeSettings(BaseSettings):
    """The settings read once, when the package is imported (table names, DuckDB's memory).

    :class:`Settings` has them too; they are read apart so that importing the table
    definitions never validates (or fails on) the rest, e.g. a production secret.
    """

    model_config = SettingsConfigDict(
        env_prefix="CREDIT_SCORING_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    table_prefix: str = Field(
        default="",
        pattern=r"^[a-z0-9_]{0,16}$",
        description="prefix of every table name (several installations in one database)",
    )
    duckdb_memory: str = Field(
        default="4GB",
        pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$",
        description="memory limit of DuckDB when it builds features",
    )
    spark_memory: str = Field(
        default="2g",
        pattern=r"^\d+[kmgt]?$",
        description="memory of Spark's driver (local mode) when it builds features",
    )


class Settings(ImportTimeSettings):
    """Every setting of the platform; documented one by one in ``.env.example``."""

    model_config = SettingsConfigDict(
        env_prefix="CREDIT_SCORING_",
        env_file=".env",
        extra="ignore",
        validate_default=True,
        # A validation error must never print the values it was given (secrets, database URLs).
        hide_input_in_errors=True,
    )

    environment: Literal["development", "test", "production"] = "development"
    home: Path = Path("var")

    database_url: str | None = None
    mlflow_tracking_uri: str | None = None
    api_url: str = "http://127.0.0.1:8000"

    secret_key: str = PLACEHOLDER_SECRET
    token_expire_minutes: int = Field(default=60, ge=1, le=MAX_TOKEN_MINUTES)
    auth_cache_seconds: float = Field(
        default=5.0, ge=0, le=30, description="how long a user's active flag and role are cached"
    )
    # Failed logins, throttled with growing windows (``limits`` notation, ";"-separated).
    login_limits_per_user: str = Field(
        default="5/minute;10/15 minutes;30/day",
        description="failures of one username from one client address",
    )
    login_limits_per_address: str = Field(
        default="20/minute;100/hour;500/day",
        description="failures from one client address, whatever the usernames",
    )
    login_limits_storage: str = Field(
        default="memory://", description="limits storage URI (memory://, redis://...)"
    )
    max_concurrent_logins: int = Field(
        default=4, ge=1, le=64, description="password hashes computed at once (64 MiB each)"
    )
    login_queue_seconds: float = Field(
        default=2.0, ge=0, le=30, description="wait for a hashing slot before answering 503"
    )
    trusted_proxies: str = Field(
        default="", description="comma-separated addresses or networks of reverse proxies"
    )

    # The applicant's own space (issue 22): its address on the letter, the applicant's
    # short-lived token, wrong codes throttled and counted, the comparison's smallest group.
    applicant_url: str = Field(
        default="http://127.0.0.1:8502",
        description="the applicant space's address, printed on the letter",
    )
    applicant_token_minutes: int = Field(default=15, ge=1, le=120)
    applicant_limits_per_application: str = Field(
        default="5/minute;10/hour;20/day",
        description="failed sign-ins on one application from one client address",
    )
    applicant_limits_per_address: str = Field(
        default="20/minute;60/hour;200/day",
        description="failed sign-ins from one client address, whatever the applications",
    )
    applicant_max_failures: int = Field(
        default=20, ge=3, le=1000, description="wrong codes in all before the code is revoked"
    )
    applicant_min_group_size: int = Field(
        default=20, ge=5, le=100_000, description="smallest group an applicant is compared with"
    )

    # Resource limits of the API.
    max_body_bytes: int = Field(default=262_144, ge=1024, le=64 * 1024 * 1024)

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

    # The lender's offer, used to complete and check a loan application (lending/form/).
    lender_rate_yearly: float = Field(
        default=0.12,
        ge=0,
        le=1,
        description="nominal yearly interest rate of new loans (0.12 = 12 %; monthly = /12)",
    )
    loan_min_term_months: int = Field(
        default=6, ge=1, le=600, description="shortest term offered, in months"
    )
    loan_max_term_months: int = Field(
        default=120, ge=1, le=600, description="longest term offered, in months"
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
    backtest_auc_floor: float = Field(
        default=0.70, gt=0.5, lt=1, description="back-test alert below this AUC on outcomes"
    )
    backtest_bootstrap: int = Field(
        default=200, ge=0, le=5000, description="bootstrap resamples of the back-test intervals"
    )

    @field_validator("audit_spool_dir", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator(
        "login_limits_per_user",
        "login_limits_per_address",
        "applicant_limits_per_application",
        "applicant_limits_per_address",
    )
    @classmethod
    def _parse_limits(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                "not a list of rate limits: write e.g. '5/minute;10/15 minutes;30/day'"
            ) from None
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _parse_proxies(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise ValueError(
                    "not an IP address or network: write e.g. '10.0.0.5,172.16.0.0/12'"
                ) from None
        return value

    @model_validator(mode="after")
    def _terms_in_order(self) -> Settings:
        if self.loan_min_term_months > self.loan_max_term_months:
            raise ValueError(
                "CREDIT_SCORING_LOAN_MIN_TERM_MONTHS is above CREDIT_SCORING_LOAN_MAX_TERM_MONTHS"
            )
        return self

    @model_validator(mode="after")
    def _refuse_weak_secret(self) -> Settings:
        # The messages name the setting, never its value (nor any other setting's).
        if self.environment == "development":
            return self
        hint = "(for example `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
        if self.secret_key == PLACEHOLDER_SECRET:
            raise ValueError(
                "CREDIT_SCORING_SECRET_KEY is still the placeholder: set a long random value "
                + hint
            )
        if len(self.secret_key.encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                f"CREDIT_SCORING_SECRET_KEY is shorter than {MIN_SECRET_BYTES} bytes: "
                "set a long random value " + hint
            )
        return self

    @property
    def proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        parts = (p.strip() for p in self.trusted_proxies.split(","))
        return tuple(ipaddress.ip_network(p, strict=False) for p in parts if p)

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
