"""JSON shapes of the scoring API: the dashboard is written against these.

Routes (every route except ``/health`` needs a bearer token from ``/auth/token``;
roles allowed in brackets, ``all`` = advisor, analyst, admin):

=======  ===================================  ============================  =====================
method   path                                 response                      roles
=======  ===================================  ============================  =====================
GET      /health                              HealthOut                     no login
POST     /auth/token   (OAuth2 form)          TokenOut                      no login
GET      /me                                  UserOut                       all
PUT      /me/language  (body LanguageIn)      UserOut                       all
GET      /clients?q=&gender=&age_band=...     ClientPage                    all
GET      /clients/{id}                        ClientDetail                  all
GET      /clients/{id}/score?lang=fr|en       ScoreOut                      all
GET      /clients/{id}/explanation?lang=      ExplanationOut                all
GET      /clients/{id}/similar?k=10           SimilarOut                    all
POST     /clients/{id}/what_if                WhatIfOut   (body WhatIfIn)   all
GET      /clients/{id}/decisions              list[DecisionOut]             all (advisor: own)
GET      /population/stats?<filters>&client_id=  PopulationStats            all
POST     /predict_default                     ScoreOut    (body PredictIn)  all
POST     /decisions                           410 Gone (decide on an app.)  advisor, admin
GET      /decisions?page=&page_size=          DecisionPage                  analyst, admin
GET      /model                               ModelOut                      all
GET      /metrics                             Prometheus text               analyst, admin
POST     /auth/logout                         204 (every token of the user)  all
GET      /users                               list[UserAdminOut]            admin
POST     /users        (body UserCreate)      UserChanged (password once)   admin
PATCH    /users/{username} (body UserPatch)   UserChanged                   admin
=======  ===================================  ============================  =====================

Errors: ``{"detail": "..."}`` with 401 (no/invalid/expired token, ended session,
failed login), 403 (wrong role), 404 (unknown client), 413 (body over
``max_body_bytes``), 422 (invalid input; FastAPI's list of problems, without the
values sent), 429 (too many failed logins: ``Retry-After``), 503 (database
unreachable, model not ready or too many logins at once; the detail says which and
what to do).

What-if choice: the dashboard calls ``POST /clients/{id}/what_if`` with the
changed amounts; the server rebuilds the application features from the
client's stored application and keeps the stored history features, so the
history never travels. ``POST /predict_default`` scores a brand-new
application (history optional, Kaggle column names).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    create_model,
    model_validator,
)

from credit_scoring.core.bands import AgeBand, IncomeBand
from credit_scoring.core.results import FinalDecision, ModelDecision, ScoreDecision
from credit_scoring.data._columns import COLUMNS

Role = Literal["advisor", "senior", "analyst", "admin"]
ROLES_ORDER: tuple[Role, ...] = ("advisor", "senior", "analyst", "admin")
Lang = Literal["fr", "en"]
LANGS: tuple[str, ...] = get_args(Lang)
DecisionValue = ModelDecision
ScoreBand = Literal["low", "medium", "high"]
Scalar = float | int | str | None
# Input limits (documented in docs/database-and-api.md): a body is at most
# Settings.max_body_bytes; within it, history lists, row widths and strings are capped.
MAX_HISTORY_ROWS = 2_000
MAX_ROW_COLUMNS = 64
MAX_STRING = 256
# Inputs refuse NaN and Infinity (JSON has neither) and over-long strings, everywhere.
INPUT_CONFIG = ConfigDict(extra="forbid", allow_inf_nan=False, str_max_length=MAX_STRING)


class ErrorOut(BaseModel):
    """Every error the API answers (``api/errors.py``)."""

    code: str = Field(description="stable, for programs: 'not_found', 'invalid', 'user_exists'...")
    message: str = Field(description="for a person, in the request's language: what to do")
    field: str | None = Field(None, description="the input at fault, if one is")
    detail: Any = Field(description="for programs: the route's text, or the validation problems")


class ThrottledOut(ErrorOut):
    """429 of ``POST /auth/token``: how long to wait (also in the ``Retry-After`` header)."""

    retry_after: int = Field(description="seconds to wait before the next attempt")


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    ready: bool = Field(description="True when both the model and the database are usable")
    model_name: str | None
    model_version: str | None
    model_error: str | None = Field(None, description="why the model is not loaded, if it is not")
    database: bool = Field(description="True when the database answered")
    database_error: str | None = Field(None, description="what to check, when it did not")
    feature_set_error: str | None = Field(
        None,
        description="why stored clients cannot be scored: no stored vectors of the champion's "
        "feature set (what to run), if so",
    )
    audit_backlog: int = Field(
        0,
        description="audit records on local disk not yet in the database (not ready past the bound)",
    )
    audit_dead_letters: int = Field(
        0,
        description="audit records the database refused since start (kept in the dead-letter file)",
    )
    challenger_version: str | None = Field(
        None, description="the challenger scoring in the shadow, when one is loaded"
    )
    shadow_dropped: int = Field(
        0, description="shadow scores dropped since start because the challenger fell behind"
    )


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds")
    role: Role
    language: Lang | None = Field(
        None, description="the dashboard language the user last chose; null: not chosen yet"
    )


class UserOut(BaseModel):
    username: str
    role: Role
    language: Lang | None = Field(
        None, description="the dashboard language the user last chose; null: not chosen yet"
    )


class LanguageIn(BaseModel):
    """``PUT /me/language``: the dashboard language the user chose."""

    language: Lang


Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")]


class UserAdminOut(BaseModel):
    """A user as administrators see it (never the password or its hash)."""

    username: str
    role: Role
    active: bool
    failed_logins: int = Field(description="failed logins since the last success")
    created_at: datetime
    last_login_at: datetime | None
    last_failed_at: datetime | None


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username = Field(description="2-64 letters, digits, '.', '_' or '-'")
    role: Role


class UserPatch(BaseModel):
    """What an administrator changes; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    active: bool | None = Field(None, description="false: disabled, every token refused")
    role: Role | None = None
    unlock: bool = Field(False, description="forget the failed logins from every address")
    reset_password: bool = Field(False, description="generate a new password (returned once)")


class UserChanged(BaseModel):
    user: UserAdminOut
    password: str | None = Field(
        None, description="the generated password, shown this once (never stored in clear)"
    )


# --- clients -----------------------------------------------------------------------------


class ClientFilters(BaseModel):
    """Filters shared by ``GET /clients`` and ``GET /population/stats`` (query parameters)."""

    gender: Literal["F", "M"] | None = None
    age_band: AgeBand | None = None
    income_band: IncomeBand | None = None
    contract_type: Literal["Cash loans", "Revolving loans"] | None = None
    score_band: ScoreBand | None = Field(
        None, description="low: p < threshold/2, medium: < threshold, high: >= threshold"
    )


class ClientSummary(BaseModel):
    sk_id_curr: int
    gender: str | None
    age_years: float | None
    income_total: float | None
    contract_type: str | None
    amount_credit: float | None
    target: int | None = Field(description="observed outcome when known (1 = payment difficulties)")
    probability: float | None = Field(description="last calibrated probability from the champion")
    score_band: ScoreBand | None


class ClientPage(BaseModel):
    items: list[ClientSummary]
    total: int
    page: int
    page_size: int


class PersonalInfo(BaseModel):
    gender: str | None
    age_years: float | None
    family_status: str | None
    children: int | None
    education: str | None
    income_type: str | None
    occupation: str | None
    income_total: float | None
    years_employed: float | None = Field(description="None when not employed (pensioners)")
    owns_car: bool | None
    owns_realty: bool | None


class LoanOut(BaseModel):
    source: Literal["application", "bureau", "previous"]
    loan_id: int
    contract_type: str | None
    status: str | None = Field(description="Active/Closed (bureau), Approved/Refused... (previous)")
    amount_credit: float | None
    amount_annuity: float | None
    days_start: float | None = Field(description="days before the current application (negative)")
    days_end: float | None


class MonthOut(BaseModel):
    """One month of history summarised per source (all the client's loans of that source)."""

    source: Literal["pos", "card", "installments", "bureau"]
    months_balance: int = Field(description="-1 = the month before the application")
    loans: int
    balance: float | None
    payment: float | None
    max_days_past_due: float | None


class PaymentSummary(BaseModel):
    months_observed: int
    months_late: int = Field(description="months with any payment past due")
    max_days_past_due: float | None
    total_paid: float | None


class ClientDetail(BaseModel):
    sk_id_curr: int
    target: int | None
    personal: PersonalInfo
    application: dict[str, Scalar] = Field(
        description="the stored application row, Kaggle column names (input of /predict_default)"
    )
    loans: list[LoanOut]
    payments: PaymentSummary
    history: list[MonthOut]


# --- scoring -------------------------------------------------------------------------------


class ReasonOut(BaseModel):
    group: str
    direction: Literal["against", "for"]
    contribution: float
    text: str
    features: list[str] = []
    value: float | str | None = None
    code: str = Field("", description="stable reason code of the catalogue")


class ScoreOut(BaseModel):
    sk_id_curr: int | None
    probability: float = Field(description="calibrated probability of default")
    decision: DecisionValue
    threshold: float
    model_name: str
    model_version: str
    lang: Lang
    reasons_against: list[ReasonOut]
    reasons_for: list[ReasonOut]
    grade: str | None = Field(None, description="rating grade of the master scale")
    points: float | None = Field(None, description="scorecard points (higher is safer)")


class ContributionOut(BaseModel):
    feature: str
    value: float | str | None
    contribution: float = Field(description="log-odds")
    description: str
    group: str
    source: str = Field(
        "application",
        description="the table the feature comes from: application, bureau, "
        "previous_application, POS_CASH_balance, credit_card_balance or installments_payments",
    )
    step: float | None = Field(
        None,
        description="change of the probability of default this feature makes, the features "
        "added largest log-odds first from the base probability (0.023 = 2.3 points)",
    )
    value_text: str = Field("", description="the value in words, in the explanation's language")


class ExplanationOut(BaseModel):
    sk_id_curr: int
    model_version: str
    bias: float
    contributions: list[ContributionOut] = Field(description="sorted by absolute contribution")
    base_probability: float | None = Field(
        None, description="probability of default at the bias (the model's average log-odds)"
    )
    probability: float | None = Field(
        None, description="the client's probability of default: base plus every step"
    )


class SimilarClientOut(BaseModel):
    sk_id_curr: int
    distance: float
    target: int | None
    age_band: int | None = Field(None, description="first year of the client's ten-year age band")
    income_monthly: float | None = Field(None, description="monthly income (AMT_INCOME_TOTAL)")
    contract_type: str | None = Field(None, description="Kaggle's NAME_CONTRACT_TYPE")
    amount_credit: float | None = None


class SimilarOut(BaseModel):
    sk_id_curr: int
    items: list[SimilarClientOut]
    default_rate: float | None = Field(description="share of similar clients with a known default")


class FeatureDistribution(BaseModel):
    name: str
    description: str
    unit: str
    count: int
    missing: int
    mean: float | None
    quantiles: dict[str, float | None] = Field(description="keys p05, p25, p50, p75, p95")
    bin_edges: list[float]
    counts: list[int]
    client_value: float | None = Field(None, description="the value of client_id, when given")


class PopulationStats(BaseModel):
    filters: ClientFilters
    n_clients: int
    default_rate: float | None
    features: list[FeatureDistribution]
    source: Literal["summary", "database", "sample"] = Field(
        "database",
        description="summary: the maintained population summary (as of summary_built_at; "
        "clients added since counted in, their values in the histograms, quantiles those of "
        "the summary); database: computed now on every matching client; sample: counts, "
        "missing values, means and the default rate on every matching client, quantiles and "
        "histograms on a deterministic sample of sample_size of them (counts scaled)",
    )
    sample_size: int | None = Field(None, description="clients in the sample, when sampled")
    summary_built_at: datetime | None = Field(None, description="when the summary was built")


def _application_model() -> type[BaseModel]:
    """Every Kaggle application column as an optional typed field; a few required and bounded."""
    types: dict[str, Any] = {"int": int | None, "float": float | None, "str": str | None}
    bounds: dict[str, dict[str, Any]] = {
        "AMT_INCOME_TOTAL": {"gt": 0, "le": 1e9},
        "AMT_CREDIT": {"gt": 0, "le": 1e9},
        "AMT_ANNUITY": {"gt": 0, "le": 1e8},
        "AMT_GOODS_PRICE": {"ge": 0, "le": 1e9},
        "DAYS_BIRTH": {"ge": -36_500, "le": -6_570},
        "DAYS_EMPLOYED": {"ge": -25_000, "le": 365_243},
        "CNT_CHILDREN": {"ge": 0, "le": 30},
        "CNT_FAM_MEMBERS": {"ge": 0, "le": 40},
        "EXT_SOURCE_1": {"ge": 0, "le": 1},
        "EXT_SOURCE_2": {"ge": 0, "le": 1},
        "EXT_SOURCE_3": {"ge": 0, "le": 1},
    }
    required = {
        "NAME_CONTRACT_TYPE",
        "CODE_GENDER",
        "AMT_INCOME_TOTAL",
        "AMT_CREDIT",
        "AMT_ANNUITY",
        "DAYS_BIRTH",
        "DAYS_EMPLOYED",
    }
    literal: dict[str, Any] = {
        "NAME_CONTRACT_TYPE": Literal["Cash loans", "Revolving loans"],
        "CODE_GENDER": Literal["F", "M", "XNA"],
    }
    fields: dict[str, Any] = {}
    for name, kind in COLUMNS["application_test"]:
        if name in required:
            annotation = literal.get(name, int if kind == "int" else float)
            if kind == "float" and name not in literal:
                annotation = float
            fields[name] = (annotation, Field(..., **bounds.get(name, {})))
        else:
            fields[name] = (types[kind], Field(None, **bounds.get(name, {})))
    return create_model("ApplicationIn", __config__=INPUT_CONFIG, **fields)


ApplicationIn: type[BaseModel] = _application_model()
"""A new application: Kaggle ``application_test`` columns; unknown names are refused (422)."""

HISTORY_KEYS = Literal[
    "bureau",
    "bureau_balance",
    "previous_application",
    "POS_CASH_balance",
    "installments_payments",
    "credit_card_balance",
]


HistoryRow = Annotated[
    dict[Annotated[str, StringConstraints(max_length=64)], Scalar],
    Field(max_length=MAX_ROW_COLUMNS),
]


class PredictIn(BaseModel):
    model_config = INPUT_CONFIG

    application: ApplicationIn  # type: ignore[valid-type]
    history: (
        dict[HISTORY_KEYS, Annotated[list[HistoryRow], Field(max_length=MAX_HISTORY_ROWS)]] | None
    ) = Field(
        None,
        description=f"optional history rows per Kaggle table, Kaggle column names (at most "
        f"{MAX_HISTORY_ROWS} rows per table, {MAX_ROW_COLUMNS} columns per row; key columns "
        "SK_ID_* must be whole numbers)",
        json_schema_extra={"maxProperties": 6},
    )
    lang: Lang = "fr"

    @model_validator(mode="after")
    def _keys_are_ids(self) -> PredictIn:
        for table, rows in (self.history or {}).items():
            for i, row in enumerate(rows):
                for column, value in row.items():
                    if column.startswith("SK_ID_") and not (
                        isinstance(value, int)
                        and not isinstance(value, bool)
                        and 0 <= value <= 2**53
                    ):
                        raise ValueError(
                            f"history.{table}[{i}].{column} is a key: it must be a whole "
                            "number from 0 to 2**53, not empty"
                        )
        return self


class WhatIfIn(BaseModel):
    """Changes to a stored client's application; anything left out keeps the stored value."""

    model_config = INPUT_CONFIG

    amount_credit: float | None = Field(None, gt=0, le=1e9)
    amount_annuity: float | None = Field(None, gt=0, le=1e8)
    term_months: int | None = Field(
        None,
        ge=1,
        le=600,
        description="when given without amount_annuity: annuity = credit / term_months",
    )
    amount_goods_price: float | None = Field(None, ge=0, le=1e9)
    income_total: float | None = Field(None, gt=0, le=1e9)
    lang: Lang = "fr"


class RuleOut(BaseModel):
    """A policy rule that fired on an application."""

    code: str
    outcome: Literal["refuse", "refer"]
    text: str = Field(description="for the advisor, in the request's language")


class OfferOut(BaseModel):
    """A loan the champion and the policy rules would both grant (lending.offers)."""

    amount_credit: float
    term_months: int
    monthly_annuity: float = Field(description="at the lender's rate")
    probability: float
    text: str = Field(description="the offer as the letter words it, in the request's language")


class WhatIfOut(BaseModel):
    baseline: ScoreOut
    scenario: ScoreOut
    changes: dict[str, float] = Field(description="Kaggle columns changed, with their new values")
    decision: ScoreDecision | None = Field(
        None,
        description="the scenario's decision after the policy rules (scenario.decision is the "
        "model's proposal alone)",
    )
    policy: list[RuleOut] = Field(default_factory=list, description="the rules that fired")
    offers: list[OfferOut] = Field(
        default_factory=list,
        description="for a scenario refused or referred: the nearest loans that would be "
        "granted, the same search as the letter's",
    )


# --- decisions -----------------------------------------------------------------------------


class DecisionOut(BaseModel):
    """A recorded decision; one on an application names the score the advisor saw."""

    id: int
    sk_id_curr: int
    username: str
    created_at: datetime
    decision: FinalDecision
    model_decision: ScoreDecision = Field(
        description="what the score shown said (after the policy rules, for an application)"
    )
    probability: float
    threshold: float
    model_version: str
    override: bool
    reason: str | None
    application_id: int | None = None
    score_id: int | None = None


class DecisionPage(BaseModel):
    items: list[DecisionOut]
    total: int
    page: int
    page_size: int


class ModelOut(BaseModel):
    model_name: str
    model_version: str
    threshold: float
    metrics: dict[str, Any]
    costs: dict[str, Any]
    comparison: list[dict[str, Any]]
    model_card_markdown: str
    fairness: dict[str, Any]
    grades: list[dict[str, Any]] = Field(
        default_factory=list, description="master scale with out-of-fold figures per grade"
    )
    ks_tables: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict, description="KS table by score decile, per candidate"
    )
    protected: dict[str, Any] = Field(
        default_factory=dict, description="AUC cost of leaving sex and family status out, gaps"
    )
    scorecard_points: list[dict[str, Any]] = Field(
        default_factory=list, description="the WoE scorecard challenger's points table"
    )
    points_scale: dict[str, Any] = Field(default_factory=dict, description="points scale")
