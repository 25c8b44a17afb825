"""What the ``/applicant`` routes answer, as the applicant space reads it.

The app keeps its own copy of the agreed contract (``docs/applicant-space.md``) rather
than importing the API's: it is deployed apart, on the public side, and must not pull the
lending package in. Unknown fields are ignored, so the API may add some without breaking it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SessionOut(_Model):
    """A signed-in applicant's short-lived token."""

    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    application_id: int


class ApplicationItem(_Model):
    """One of the applicant's applications, in the list."""

    application_id: int
    entered_at: datetime | None = None
    status: str
    decision: str | None = None
    amount: float | None = None
    term_months: int | None = None


class Reason(_Model):
    """A reason of the decision, in the letter's words."""

    text: str
    direction: str | None = None


class Review(_Model):
    """The applicant's request for a human review."""

    requested_at: datetime | None = None
    due_on: date | None = None
    comment: str | None = None
    attachments: list[str] = Field(default_factory=list)
    status: str = "open"


class ApplicationView(_Model):
    """The decision on one application and its reasons."""

    application_id: int
    status: str
    decision: str | None = None
    decided_at: datetime | None = None
    grade: str | None = None
    grade_sentence: str | None = None
    reasons: list[Reason] = Field(default_factory=list)
    amount: float | None = None
    term_months: int | None = None
    monthly_payment: float | None = None
    review: Review | None = None
    letter_available: bool = False


class DataItem(_Model):
    """One item of the applicant's data as the lender holds it, with where it comes from."""

    item: str
    label: str
    value: Any = None
    source: str = ""


class MyData(_Model):
    """The applicant's data: the form, the credit bureau's loans, previous applications."""

    form: list[DataItem] = Field(default_factory=list)
    bureau: list[DataItem] = Field(default_factory=list)
    previous: list[DataItem] = Field(default_factory=list)


class Rectification(_Model):
    """A rectification request as recorded."""

    id: int | str
    item: str
    created_at: datetime | None = None


class Change(_Model):
    """A change the model and the policy would grant."""

    kind: str
    text: str
    amount: float | None = None
    term_months: int | None = None
    down_payment: float | None = None
    monthly_payment: float | None = None
    decision: str | None = None


class Changes(_Model):
    """The nearest changes that would be granted; a sentence when there is none."""

    changes: list[Change] = Field(default_factory=list)
    elapsed_ms: float | None = None
    sentence: str | None = Field(
        default=None, validation_alias=AliasChoices("sentence", "message", "text")
    )


class Group(_Model):
    """The applicants one is compared with."""

    label: str
    size: int


class Figure(_Model):
    """One figure of the applicant beside the spread of their group."""

    item: str
    label: str
    value: float | None = None
    p10: float | None = None
    p25: float | None = None
    p50: float | None = None
    p75: float | None = None
    p90: float | None = None
    percentile: float | None = None


class Comparison(_Model):
    """The applicant's figures against applicants of the same age band and contract type."""

    group: Group
    figures: list[Figure] = Field(default_factory=list)
    too_small: bool = False
    message: str | None = None  # the API's sentence when the group is too small
