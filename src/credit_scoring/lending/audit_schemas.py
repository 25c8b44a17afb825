"""Schemas of the audit routes (``/audit/...``, admin): records as stored, with their hashes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from credit_scoring.core.results import ModelDecision

AuditKind = Literal["decisions", "scores", "data-access", "auth-events"]


class AuditFilters(BaseModel):
    """Filters shared by every audit listing (each applies where the table has the column)."""

    username: str | None = Field(None, max_length=64)
    sk_id_curr: int | None = Field(None, ge=0, le=2**53)
    route: str | None = Field(None, max_length=64, description="scores and data access")
    event: str | None = Field(None, max_length=16, description="authentication events")
    decision: ModelDecision | None = Field(None, description="decisions and scores")
    date_from: datetime | None = Field(None, description="created at or after (UTC)")
    date_to: datetime | None = Field(None, description="created before (UTC)")


class _Record(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    username: str
    prev_hash: str | None
    row_hash: str | None


class DecisionRecord(_Record):
    sk_id_curr: int
    decision: str
    model_decision: str
    probability: float
    threshold: float
    model_version: str
    override: bool
    reason: str | None


class ScoreRecord(_Record):
    route: str
    sk_id_curr: int | None
    inputs_digest: str
    model_version: str
    threshold: float
    probability: float
    decision: str
    reasons: list[dict[str, Any]]
    features_sha: str | None


class DataAccessRecord(_Record):
    role: str
    route: str
    sk_id_curr: int | None


class AuthEventRecord(_Record):
    event: str
    actor: str | None
    client_address: str | None
    detail: str | None


class _Page(BaseModel):
    total: int
    page: int
    page_size: int


class DecisionRecordPage(_Page):
    items: list[DecisionRecord]


class ScoreRecordPage(_Page):
    items: list[ScoreRecord]


class DataAccessRecordPage(_Page):
    items: list[DataAccessRecord]


class AuthEventRecordPage(_Page):
    items: list[AuthEventRecord]


class ChainStatus(BaseModel):
    table: str
    records: int
    intact: bool
    first_break: str | None
