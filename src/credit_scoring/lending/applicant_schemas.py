"""What the applicant space's routes take and answer (``/applicant/...``).

The applicant's own words: amounts in euros, texts in the request's language, never a
model's vocabulary. The contract is written in ``docs/applicant-space.md``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

ChangeKind = Literal["amount", "term", "down_payment", "external_score"]


class SignInIn(BaseModel):
    application_id: int = Field(ge=1, le=2**31 - 1)
    code: str = Field(min_length=1, max_length=64)
    birth_date: date


class SessionOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    application_id: int


class AccessCodeOut(BaseModel):
    """A code issued by an advisor without a letter (shown once)."""

    application_id: int
    code: str
    url: str


class MyApplicationOut(BaseModel):
    application_id: int
    entered_at: datetime
    status: str
    decision: Literal["grant", "refuse", "refer"] | None
    amount: float | None
    term_months: int | None


class ReasonOut(BaseModel):
    text: str
    direction: Literal["against", "for"]


class ReviewOut(BaseModel):
    requested_at: datetime
    due_on: date
    comment: str
    attachments: list[str]
    status: Literal["open", "closed"]


class MyDecisionOut(BaseModel):
    application_id: int
    status: str
    decision: Literal["grant", "refuse", "refer"] | None
    decided_at: datetime | None
    grade: str | None
    grade_sentence: str | None
    reasons: list[ReasonOut]
    amount: float | None
    term_months: int | None
    monthly_payment: float | None
    review: ReviewOut | None
    letter_available: bool


class DataItemOut(BaseModel):
    item: str
    label: str
    value: str
    source: str


class MyDataOut(BaseModel):
    """Flat lists; a loan's items share the ``item`` prefix ``bureau.<id>.`` or
    ``previous.<id>.`` (``application.<id>.`` for an earlier application here)."""

    form: list[DataItemOut]
    bureau: list[DataItemOut]
    previous: list[DataItemOut]


class RectificationIn(BaseModel):
    item: str = Field(min_length=1, max_length=64)
    comment: str = Field(min_length=1, max_length=2000)


class RectificationOut(BaseModel):
    id: int
    item: str
    created_at: datetime


class ChangeOut(BaseModel):
    kind: ChangeKind
    text: str
    amount: float
    term_months: int
    down_payment: float | None
    monthly_payment: float
    decision: Literal["grant"]


class ChangesOut(BaseModel):
    changes: list[ChangeOut]
    message: str | None = Field(
        description="why the list is empty (granted already, or nothing found), else null"
    )
    elapsed_ms: float


class GroupOut(BaseModel):
    label: str
    size: int


class FigureOut(BaseModel):
    item: str
    label: str
    value: float | None
    p10: float
    p25: float
    p50: float
    p75: float
    p90: float
    percentile: float | None


class ComparisonOut(BaseModel):
    group: GroupOut
    figures: list[FigureOut]
    too_small: bool
    message: str | None


class ReviewIn(BaseModel):
    comment: str = Field(min_length=1, max_length=2000)
    attachments: list[str] = Field(default_factory=list, max_length=10)


class StaffReviewOut(ReviewOut):
    """The review as the advisor sees it on the application."""


class StaffRectificationOut(BaseModel):
    item: str
    comment: str
    created_at: datetime
