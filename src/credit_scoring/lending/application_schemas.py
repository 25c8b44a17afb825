"""Request and response bodies of the application routes (``/applications``, ``/policy``).

The names are a contract other systems rely on: an application score has
``application_id``, ``score_id``, ``probability``, ``decision`` (``grant``, ``refuse`` or
``refer``), ``threshold``, ``model_version``, ``policy`` (the rules that fired, each with
``code`` and ``text``), ``reasons_against`` and ``reasons_for`` (each with ``code`` and
``text``); a decision body has ``score_id``, ``decision``, ``reason`` and, for a refusal,
``reason_category`` (:mod:`credit_scoring.lending.form.refusal`). The request body of
``POST /applications`` is :class:`credit_scoring.lending.form.ApplicationForm`
(the bank's form, translated to the model's columns in that one module).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from credit_scoring.core.results import FinalDecision, ModelDecision, ScoreDecision
from credit_scoring.lending.form.refusal import RefusalCategory
from credit_scoring.lending.schemas import Lang, ReasonOut, RuleOut

# review: decided, then sent back to the advisors by the applicant's request for a review
Status = Literal["scored", "referred", "decided", "withdrawn", "review"]


class FieldErrorOut(BaseModel):
    field: str = Field(description="where, e.g. 'applicant.income_yearly'")
    code: str = Field(description="stable error code, e.g. 'not_allowed', 'annuity_above_income'")
    message: str = Field(description="what is wrong and what is allowed, in the request's language")


class FormErrorsOut(BaseModel):
    """422 of ``POST /applications``: every wrong field at once, in the request's language."""

    detail: str
    errors: list[FieldErrorOut]


class ApplicationScoreOut(BaseModel):
    """One stored score of an application: exactly what the advisor is shown."""

    application_id: int
    score_id: int
    sk_id_curr: int
    created_at: datetime
    scored_by: str
    probability: float = Field(description="calibrated probability of default")
    decision: ScoreDecision = Field(
        description="after the policy rules: refer means a senior decides"
    )
    model_decision: ModelDecision = Field(description="the model alone, by the threshold")
    threshold: float
    model_name: str
    model_version: str
    feature_set: str | None
    inputs_digest: str = Field(description="SHA-256 of the application row and feature set scored")
    grade: str | None
    points: float | None
    policy_version: str | None
    policy: list[RuleOut]
    reasons_against: list[ReasonOut]
    reasons_for: list[ReasonOut]
    lang: Lang


class ApplicationCreatedOut(ApplicationScoreOut):
    """201 of ``POST /applications`` (and the first result again for a repeated key)."""

    status: Status
    new_client: bool = Field(description="no history with the lender: scored on the form alone")
    notes: list[str] = Field(
        default_factory=list, description="what the server computed, e.g. the monthly annuity"
    )


class ApplicationDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    score_id: int = Field(ge=1, le=2**31, description="the score the advisor saw")
    decision: FinalDecision
    reason: str | None = Field(
        None,
        max_length=2000,
        description="required for an override of the score's decision, a referral or a withdrawal",
    )
    reason_category: RefusalCategory | None = Field(
        None,
        description="a refusal's category (lending.form.refusal): required when refusing what "
        "the model would grant; the letter gives its applicant text, never the model's factors",
    )

    @model_validator(mode="after")
    def _strip(self) -> ApplicationDecisionIn:
        if self.reason is not None:
            self.reason = self.reason.strip() or None
        return self


class ApplicationDecisionOut(BaseModel):
    id: int
    application_id: int
    score_id: int
    username: str
    created_at: datetime
    decision: FinalDecision
    score_decision: ScoreDecision
    override: bool
    reason: str | None
    reason_category: RefusalCategory | None = None


class ReviewOut(BaseModel):
    """The applicant's request for a human review (GDPR Art. 22(3)) of the decision."""

    requested_at: datetime
    due_on: date = Field(description="the answer is due by this day (30 days after the request)")
    comment: str = Field(description="the applicant's point of view, in their words")
    attachments: list[str] = Field(description="names of the documents they will bring")
    status: Literal["open", "closed"] = Field(description="closed by the next decision")


class RectificationOut(BaseModel):
    """An applicant's "this is wrong" on one item of their data (GDPR Art. 16)."""

    item: str
    comment: str
    created_at: datetime


class ApplicationOut(BaseModel):
    """An application with its latest stored score and its decision history."""

    application_id: int
    sk_id_curr: int
    source: Literal["intake", "load"]
    new_client: bool
    status: Status
    entered_by: str
    entered_at: datetime
    decided_at: datetime | None
    contract_type: str | None
    amount_credit: float | None
    amount_goods_price: float | None
    term_months: int | None
    monthly_annuity: float | None
    declared: dict[str, Any] = Field(description="the form as entered, in the bank's terms")
    score: ApplicationScoreOut | None
    scores: int = Field(description="how many scores the application has had")
    decisions: list[ApplicationDecisionOut]
    review: ReviewOut | None = Field(None, description="the latest review the applicant asked")
    rectifications: list[RectificationOut] = Field(default_factory=list)
    applicant_views: int = Field(0, description="accesses of the applicant to their space")
    applicant_seen_at: datetime | None = Field(
        None, description="the applicant's last access, or null"
    )


class ApplicationSummaryOut(BaseModel):
    application_id: int
    sk_id_curr: int
    status: Status
    source: Literal["intake", "load"]
    entered_by: str
    entered_at: datetime
    contract_type: str | None
    amount_credit: float | None
    decision: ScoreDecision | None = Field(description="of the latest score")
    probability: float | None
    grade: str | None
    score_id: int | None
    final_decision: FinalDecision | None = Field(
        None, description="the latest decision recorded on the application, if any"
    )
    decided_by: str | None = Field(None, description="who recorded that decision")
    decided_at: datetime | None = Field(None, description="when that decision was recorded")
    review_due: date | None = Field(
        None, description="an open review's due day (the review=requested queue)"
    )


class ApplicationPage(BaseModel):
    items: list[ApplicationSummaryOut]
    total: int
    page: int
    page_size: int


class PolicyRuleOut(BaseModel):
    code: str
    outcome: Literal["refuse", "refer"]
    when: str = Field(description="the rule's condition over the application's facts")
    text_fr: str
    text_en: str


class PolicyOut(BaseModel):
    version: str
    rules: list[PolicyRuleOut]
