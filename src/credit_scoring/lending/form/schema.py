"""The form's Pydantic models: the applicant and the loan, in the bank's terms."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from credit_scoring.lending.form.codes import (
    ContractType,
    Education,
    EmployerType,
    FamilyStatus,
    Housing,
    IncomeType,
    Occupation,
    Score,
    Sex,
)

# --- The form --------------------------------------------------------------------------------

_FORM_CONFIG = ConfigDict(extra="forbid", str_strip_whitespace=True)
# The largest amount the form takes (credit, price, payment, income), as the what-if does: a
# mistyped figure is named, not scored.
MAX_AMOUNT = 1e9


class Applicant(BaseModel):
    """The applicant as the bank form states them (dates, yes/no, snake_case codes)."""

    model_config = _FORM_CONFIG

    birth_date: date = Field(description="date of birth (YYYY-MM-DD)")
    sex: Sex = Field(description="recorded for fairness monitoring only, never a model input")
    family_status: FamilyStatus
    children: int = Field(ge=0, le=20, description="number of dependent children")
    education: Education = Field(description="highest education level")
    income_type: IncomeType = Field(description="main source of income")
    income_yearly: float = Field(gt=0, le=MAX_AMOUNT, description="total yearly income")
    employed_since: date | None = Field(
        default=None, description="start of the current employment; or set not_employed"
    )
    not_employed: bool = Field(default=False, description="true when there is no current job")
    occupation: Occupation | None = None
    employer_type: EmployerType | None = Field(default=None, description="employer's sector")
    housing: Housing
    owns_car: bool
    owns_property: bool = Field(description="owns a house or an apartment")
    region_rating: Literal[1, 2, 3] = Field(
        default=2, description="lender's rating of the region of residence (1 best, 3 worst)"
    )
    ext_source_1: Score | None = Field(default=None, description="external bureau score 1")
    ext_source_2: Score | None = Field(default=None, description="external bureau score 2")
    ext_source_3: Score | None = Field(default=None, description="external bureau score 3")
    id_document_issued_on: date | None = Field(
        default=None, description="issue date of the identity document shown"
    )
    address_since: date | None = Field(
        default=None, description="registered at the current address since"
    )
    mobile_phone: bool | None = Field(default=None, description="gave a mobile phone number")
    work_phone: bool | None = Field(default=None, description="gave a work phone number")
    home_phone: bool | None = Field(default=None, description="gave a home phone number")
    email: bool | None = Field(default=None, description="gave an e-mail address")

    @model_validator(mode="after")
    def _employment_stated_once(self) -> Applicant:
        if (self.employed_since is None) == (not self.not_employed):
            raise PydanticCustomError(
                "exactly_one",
                "Give exactly one of {first} and {second}",
                {"first": "employed_since", "second": "not_employed"},
            )
        return self


class Loan(BaseModel):
    """The loan asked for; at least one of the term and the monthly payment."""

    model_config = _FORM_CONFIG

    contract_type: ContractType = Field(
        description="cash: personal loan (Kaggle 'Cash loans'); revolving: revolving credit"
    )
    amount: float = Field(gt=0, le=MAX_AMOUNT, description="credit amount")
    goods_price: float | None = Field(
        default=None, gt=0, le=MAX_AMOUNT, description="price of the goods financed, if any"
    )
    term_months: int | None = Field(default=None, ge=1, description="term in months")
    monthly_annuity: float | None = Field(
        default=None, gt=0, le=MAX_AMOUNT, description="monthly payment"
    )

    @model_validator(mode="after")
    def _term_or_annuity(self) -> Loan:
        if self.term_months is None and self.monthly_annuity is None:
            raise PydanticCustomError(
                "at_least_one",
                "Give at least one of {first} and {second}",
                {"first": "term_months", "second": "monthly_annuity"},
            )
        return self


class ApplicationForm(BaseModel):
    """Body of ``POST /applications``: a new applicant or a known client, and the loan."""

    model_config = _FORM_CONFIG

    applicant: Applicant | None = Field(default=None, description="a new applicant")
    client_id: int | None = Field(default=None, gt=0, description="SK_ID_CURR of a known client")
    loan: Loan

    @model_validator(mode="after")
    def _applicant_or_client(self) -> ApplicationForm:
        if (self.applicant is None) == (self.client_id is None):
            raise PydanticCustomError(
                "exactly_one",
                "Give exactly one of {first} and {second}",
                {"first": "applicant", "second": "client_id"},
            )
        return self
