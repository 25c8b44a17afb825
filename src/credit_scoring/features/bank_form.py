"""Loan applications as a bank form states them, and their one translation to Kaggle columns.

Why this module exists
----------------------
The model was trained on the Home Credit ``application_train`` layout: ages and
employment as negative day counts before the application (``DAYS_BIRTH``,
``DAYS_EMPLOYED``), 365243 in ``DAYS_EMPLOYED`` for "not employed", ``Y``/``N``
flags and Kaggle's own category strings (``"Secondary / secondary special"``,
``"Cash loans"``...). An advisor, the API and the dashboard speak bank-form language
instead: dates, yes/no, English snake_case codes with French and English labels.
This module is the only place that translates one into the other, so nothing
upstream ever sees a negative day count or a Kaggle string, and the encodings the
model depends on are written (and tested) once.

What it offers
--------------
- :class:`ApplicationForm` (:class:`Applicant`, :class:`Loan`): the Pydantic models of
  a request body, with :data:`CHOICES` (field -> code -> ``{"fr", "en"}`` labels) for
  select boxes.
- :func:`pydantic_errors`: Pydantic's (or FastAPI's) validation errors as
  :class:`FieldError` messages in French or English that name the field in words.
- :func:`check_form`: the impossible combinations a valid body can still hold, all
  reported at once.
- :func:`complete_loan`: the missing one of term and monthly payment, from the
  lender's rate (:class:`LenderTerms`, read from the settings by :func:`lender_terms`).
- :func:`to_application_row` / :func:`from_application_row`: the Kaggle row and back.

Decisions
---------
- Goods price below the credit is an error for a revolving credit only: in Kaggle a
  revolving line finances the goods (its goods price equals the limit), while a cash
  loan's credit often exceeds the goods price (insurance and fees are financed too;
  about 70 % of Kaggle's cash loans).
- Without a goods price, ``AMT_GOODS_PRICE`` is the credit amount: Kaggle never leaves
  it missing for a cash loan and sets it to the credit when nothing else is financed.
- The lender's yearly rate is nominal: the monthly rate is ``yearly_rate / 12``.
- Sex is recorded for fairness monitoring only; it is written to ``CODE_GENDER`` for
  the fairness report, and the model drops it (``features.metadata.PROTECTED_ATTRIBUTES``).
- Columns the form does not ask for (documents, phones, building...) are left out;
  the feature builder reads an absent column as missing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

if TYPE_CHECKING:
    from credit_scoring.config import Settings

__all__ = [
    "CHOICES",
    "EMPLOYED_PLACEHOLDER",
    "Applicant",
    "ApplicationForm",
    "CompletedLoan",
    "FieldError",
    "FormErrors",
    "LenderTerms",
    "Loan",
    "annuity",
    "check_form",
    "complete_loan",
    "from_application_row",
    "lender_terms",
    "pydantic_errors",
    "to_application_row",
]

EMPLOYED_PLACEHOLDER = 365243  # Kaggle's DAYS_EMPLOYED for pensioners and the unemployed
NOT_EMPLOYED_ORGANIZATION = "XNA"  # Kaggle's ORGANIZATION_TYPE when not employed
MIN_AGE_YEARS = 18
MIN_WORKING_AGE_YEARS = 16
ANNUITY_TOLERANCE = 0.05  # a given monthly payment may differ this much from the term's
_WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


# --- Enumerations: code -> (Kaggle value, French label, English label) ----------------------

_Entry = tuple[str, str, str]

_NUMBERED_SECTORS: dict[str, _Entry] = {
    **{
        f"business_entity_type_{i}": (
            f"Business Entity Type {i}",
            f"Entreprise, type {i}",
            f"Business entity, type {i}",
        )
        for i in range(1, 4)
    },
    **{
        f"industry_type_{i}": (f"Industry: type {i}", f"Industrie, type {i}", f"Industry, type {i}")
        for i in range(1, 14)
    },
    **{
        f"trade_type_{i}": (f"Trade: type {i}", f"Commerce, type {i}", f"Trade, type {i}")
        for i in range(1, 8)
    },
    **{
        f"transport_type_{i}": (
            f"Transport: type {i}",
            f"Transport, type {i}",
            f"Transport, type {i}",
        )
        for i in range(1, 5)
    },
}

_TABLE: dict[str, dict[str, _Entry]] = {
    "sex": {
        "female": ("F", "Femme", "Woman"),
        "male": ("M", "Homme", "Man"),
    },
    "family_status": {
        "married": ("Married", "Marié(e)", "Married"),
        "civil_marriage": ("Civil marriage", "Union civile (PACS)", "Civil partnership"),
        "single": ("Single / not married", "Célibataire", "Single"),
        "separated": ("Separated", "Séparé(e) ou divorcé(e)", "Separated or divorced"),
        "widowed": ("Widow", "Veuf ou veuve", "Widowed"),
    },
    "education": {
        "lower_secondary": ("Lower secondary", "Collège (premier cycle)", "Lower secondary"),
        "secondary": (
            "Secondary / secondary special",
            "Secondaire ou professionnel (lycée, CAP, BEP)",
            "Secondary or vocational",
        ),
        "incomplete_higher": (
            "Incomplete higher",
            "Études supérieures non terminées",
            "Incomplete higher education",
        ),
        "higher": ("Higher education", "Enseignement supérieur", "Higher education"),
        "academic_degree": (
            "Academic degree",
            "Doctorat ou diplôme de recherche",
            "Academic degree",
        ),
    },
    "income_type": {
        "working": ("Working", "Salarié(e)", "Employee"),
        "commercial_associate": (
            "Commercial associate",
            "Associé(e) commercial(e)",
            "Commercial associate",
        ),
        "state_servant": ("State servant", "Fonctionnaire", "Civil servant"),
        "businessman": ("Businessman", "Chef d'entreprise", "Business owner"),
        "pensioner": ("Pensioner", "Retraité(e)", "Pensioner"),
        "unemployed": ("Unemployed", "Sans emploi", "Unemployed"),
        "student": ("Student", "Étudiant(e)", "Student"),
        "maternity_leave": ("Maternity leave", "Congé maternité", "Maternity leave"),
    },
    "housing": {
        "house_apartment": ("House / apartment", "Maison ou appartement", "House or apartment"),
        "rented_apartment": ("Rented apartment", "Locataire", "Rented"),
        "with_parents": ("With parents", "Chez les parents", "With parents"),
        "municipal_apartment": ("Municipal apartment", "Logement social", "Municipal housing"),
        "office_apartment": ("Office apartment", "Logement de fonction", "Company housing"),
        "coop_apartment": ("Co-op apartment", "Logement coopératif", "Cooperative housing"),
    },
    "occupation": {
        "laborers": ("Laborers", "Ouvrier ou ouvrière", "Laborer"),
        "low_skill_laborers": ("Low-skill Laborers", "Ouvrier non qualifié", "Low-skill laborer"),
        "sales_staff": ("Sales staff", "Vente", "Sales staff"),
        "core_staff": ("Core staff", "Employé(e) de bureau", "Office staff"),
        "managers": ("Managers", "Cadre, manager", "Manager"),
        "drivers": ("Drivers", "Chauffeur", "Driver"),
        "high_skill_tech_staff": (
            "High skill tech staff",
            "Technicien(ne) hautement qualifié(e)",
            "High-skill technician",
        ),
        "accountants": ("Accountants", "Comptable", "Accountant"),
        "medicine_staff": ("Medicine staff", "Personnel médical", "Medical staff"),
        "security_staff": ("Security staff", "Agent de sécurité", "Security staff"),
        "cooking_staff": ("Cooking staff", "Cuisine", "Cooking staff"),
        "cleaning_staff": ("Cleaning staff", "Agent d'entretien", "Cleaning staff"),
        "private_service_staff": (
            "Private service staff",
            "Services à la personne",
            "Private service staff",
        ),
        "secretaries": ("Secretaries", "Secrétariat", "Secretary"),
        "waiters_barmen_staff": (
            "Waiters/barmen staff",
            "Serveur ou barman",
            "Waiter or bartender",
        ),
        "realty_agents": ("Realty agents", "Agent immobilier", "Real-estate agent"),
        "hr_staff": ("HR staff", "Ressources humaines", "HR staff"),
        "it_staff": ("IT staff", "Informatique", "IT staff"),
    },
    "employer_type": {
        "self_employed": ("Self-employed", "Travailleur indépendant", "Self-employed"),
        "government": ("Government", "Administration", "Government"),
        "military": ("Military", "Armée", "Military"),
        "police": ("Police", "Police", "Police"),
        "security_ministries": (
            "Security Ministries",
            "Ministères de la sécurité",
            "Security ministries",
        ),
        "emergency": ("Emergency", "Services d'urgence", "Emergency services"),
        "medicine": ("Medicine", "Santé", "Medicine"),
        "school": ("School", "École", "School"),
        "kindergarten": ("Kindergarten", "Crèche ou maternelle", "Kindergarten"),
        "university": ("University", "Université", "University"),
        "bank": ("Bank", "Banque", "Bank"),
        "insurance": ("Insurance", "Assurance", "Insurance"),
        "construction": ("Construction", "Bâtiment", "Construction"),
        "housing": ("Housing", "Logement", "Housing"),
        "realtor": ("Realtor", "Immobilier", "Real estate"),
        "agriculture": ("Agriculture", "Agriculture", "Agriculture"),
        "electricity": ("Electricity", "Électricité", "Electricity"),
        "telecom": ("Telecom", "Télécommunications", "Telecommunications"),
        "mobile": ("Mobile", "Téléphonie mobile", "Mobile telephony"),
        "postal": ("Postal", "Poste", "Postal services"),
        "restaurant": ("Restaurant", "Restauration", "Restaurant"),
        "hotel": ("Hotel", "Hôtellerie", "Hotel"),
        "services": ("Services", "Services", "Services"),
        "cleaning": ("Cleaning", "Nettoyage", "Cleaning"),
        "security": ("Security", "Sécurité privée", "Security"),
        "legal_services": ("Legal Services", "Services juridiques", "Legal services"),
        "advertising": ("Advertising", "Publicité", "Advertising"),
        "culture": ("Culture", "Culture", "Culture"),
        "religion": ("Religion", "Religion", "Religion"),
        **_NUMBERED_SECTORS,
        "other": ("Other", "Autre", "Other"),
    },
    "contract_type": {
        "cash": ("Cash loans", "Prêt personnel", "Personal (cash) loan"),
        "revolving": ("Revolving loans", "Crédit renouvelable", "Revolving credit"),
    },
}

CHOICES: dict[str, dict[str, dict[str, str]]] = {
    field: {code: {"fr": fr, "en": en} for code, (_k, fr, en) in codes.items()}
    for field, codes in _TABLE.items()
}
"""Field -> code -> ``{"fr": label, "en": label}``, in display order, for select boxes."""

_KAGGLE_COLUMN = {
    "sex": "CODE_GENDER",
    "family_status": "NAME_FAMILY_STATUS",
    "education": "NAME_EDUCATION_TYPE",
    "income_type": "NAME_INCOME_TYPE",
    "housing": "NAME_HOUSING_TYPE",
    "occupation": "OCCUPATION_TYPE",
    "employer_type": "ORGANIZATION_TYPE",
    "contract_type": "NAME_CONTRACT_TYPE",
}
_FROM_KAGGLE = {
    field: {kaggle: code for code, (kaggle, _fr, _en) in codes.items()}
    for field, codes in _TABLE.items()
}
# The model reads "not employed" from DAYS_EMPLOYED; these income types contradict it.
_EMPLOYED_INCOME = frozenset({"working", "commercial_associate", "state_servant", "businessman"})


def _kaggle(field: str, code: str) -> str:
    return _TABLE[field][code][0]


def _choice(field: str) -> AfterValidator:
    codes = _TABLE[field]

    def check(value: str) -> str:
        if value not in codes:
            raise PydanticCustomError(
                "enum",
                "Input should be {expected}",
                {"expected": ", ".join(repr(c) for c in codes)},
            )
        return value

    return AfterValidator(check)


def _schema(field: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": list(_TABLE[field])})


Sex = Annotated[str, _choice("sex"), _schema("sex")]
FamilyStatus = Annotated[str, _choice("family_status"), _schema("family_status")]
Education = Annotated[str, _choice("education"), _schema("education")]
IncomeType = Annotated[str, _choice("income_type"), _schema("income_type")]
Housing = Annotated[str, _choice("housing"), _schema("housing")]
Occupation = Annotated[str, _choice("occupation"), _schema("occupation")]
EmployerType = Annotated[str, _choice("employer_type"), _schema("employer_type")]
ContractType = Annotated[str, _choice("contract_type"), _schema("contract_type")]
Score = Annotated[float, Field(ge=0, le=1)]


# --- The form --------------------------------------------------------------------------------

_FORM_CONFIG = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Applicant(BaseModel):
    """The applicant as the bank form states them (dates, yes/no, snake_case codes)."""

    model_config = _FORM_CONFIG

    birth_date: date = Field(description="date of birth (YYYY-MM-DD)")
    sex: Sex = Field(description="recorded for fairness monitoring only, never a model input")
    family_status: FamilyStatus
    children: int = Field(ge=0, le=20, description="number of dependent children")
    education: Education = Field(description="highest education level")
    income_type: IncomeType = Field(description="main source of income")
    income_yearly: float = Field(gt=0, description="total yearly income")
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
    amount: float = Field(gt=0, description="credit amount")
    goods_price: float | None = Field(
        default=None, gt=0, description="price of the goods financed, if any"
    )
    term_months: int | None = Field(default=None, ge=1, description="term in months")
    monthly_annuity: float | None = Field(default=None, gt=0, description="monthly payment")

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


# --- Errors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldError:
    """One problem of a form, for one field.

    Attributes
    ----------
    field : str
        Dotted path in the body, e.g. ``"applicant.income_yearly"`` (``""`` for the body).
    code : str
        Stable machine code (``"required"``, ``"choice"``, ``"under_18"``...).
    message : str
        The problem in the requested language, naming the field in words.
    """

    field: str
    code: str
    message: str


class FormErrors(Exception):
    """Raised with every :class:`FieldError` of a form at once."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    def as_dicts(self) -> list[dict[str, str]]:
        """The errors as ``{"field", "code", "message"}`` dicts (e.g. a 422 response body)."""
        return [asdict(e) for e in self.errors]


_WORDS: dict[str, tuple[str, str]] = {
    "applicant": ("demandeur", "applicant"),
    "client_id": ("numéro de client", "client number"),
    "loan": ("prêt", "loan"),
    "birth_date": ("date de naissance", "birth date"),
    "sex": ("sexe", "sex"),
    "family_status": ("situation familiale", "family status"),
    "children": ("nombre d'enfants", "number of children"),
    "education": ("niveau d'études", "education"),
    "income_type": ("type de revenu", "income type"),
    "income_yearly": ("revenu annuel", "yearly income"),
    "employed_since": ("date d'embauche", "employment start date"),
    "not_employed": ("sans emploi", "not employed"),
    "occupation": ("profession", "occupation"),
    "employer_type": ("secteur de l'employeur", "employer's sector"),
    "housing": ("logement", "housing"),
    "owns_car": ("propriétaire d'une voiture", "owns a car"),
    "owns_property": ("propriétaire de son logement", "owns real estate"),
    "region_rating": ("note de la région", "region rating"),
    "ext_source_1": ("score externe 1", "external bureau score 1"),
    "ext_source_2": ("score externe 2", "external bureau score 2"),
    "ext_source_3": ("score externe 3", "external bureau score 3"),
    "id_document_issued_on": (
        "date de délivrance de la pièce d'identité",
        "identity document issue date",
    ),
    "address_since": ("date d'installation à l'adresse", "at the current address since"),
    "mobile_phone": ("téléphone mobile", "mobile phone"),
    "work_phone": ("téléphone professionnel", "work phone"),
    "home_phone": ("téléphone fixe", "home phone"),
    "email": ("adresse e-mail", "e-mail address"),
    "contract_type": ("type de contrat", "contract type"),
    "amount": ("montant du crédit", "credit amount"),
    "goods_price": ("prix du bien", "goods price"),
    "term_months": ("durée en mois", "term in months"),
    "monthly_annuity": ("mensualité", "monthly payment"),
}
_MODELS: tuple[type[BaseModel], ...] = (Applicant, Loan, ApplicationForm)


def _lang(lang: str) -> str:
    code = lang.lower()[:2]
    if code not in ("fr", "en"):
        raise ValueError(f"lang must be 'fr' or 'en', not {lang!r}")
    return code


def _words(field: str, lang: str) -> str:
    fr, en = _WORDS.get(field, (field, field))
    return fr if lang == "fr" else en


def _say(lang: str, field: str, fr: str, en: str) -> str:
    """``"<Field in words> : <detail>"`` (French spacing) or ``"<Field>: <detail>"``."""
    name = _words(field, lang)
    if not name:  # the body itself
        detail = fr if lang == "fr" else en
        return detail[:1].upper() + detail[1:]
    name = name[:1].upper() + name[1:]
    return f"{name}\u00a0: {fr}" if lang == "fr" else f"{name}: {en}"


def _number(value: float, lang: str, decimals: int = 2) -> str:
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        return text.replace(",", "\u00a0").replace(".", ",")
    return text


def _money(value: float, lang: str, decimals: int = 2) -> str:
    amount = _number(value, lang, decimals)
    return f"{amount}\u00a0€" if lang == "fr" else f"€{amount}"


def _percent(rate: float, lang: str) -> str:
    return f"{_number(rate * 100, lang, 1)}\u00a0%" if lang == "fr" else f"{rate * 100:.1f}%"


def _plain(value: float, lang: str) -> str:
    """A bound as written on a form: no decimals when whole."""
    return _number(value, lang, 0) if float(value).is_integer() else _number(value, lang, 2)


@cache
def _bounds(field: str) -> tuple[float | None, float | None, bool, bool]:
    """(low, high, low is strict, high is strict) declared on the form's field ``field``.

    Read from the models' JSON schema, which also holds the bounds of optional fields.
    """
    for model in _MODELS:
        prop = model.model_json_schema()["properties"].get(field)
        if prop is None:
            continue
        for part in (prop, *prop.get("anyOf", ())):
            if any(
                k in part for k in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")
            ):
                low = part.get("exclusiveMinimum", part.get("minimum"))
                high = part.get("exclusiveMaximum", part.get("maximum"))
                return low, high, "exclusiveMinimum" in part, "exclusiveMaximum" in part
        break
    return None, None, False, False


def _range_text(field: str, lang: str) -> tuple[str, str] | None:
    low, high, low_strict, high_strict = _bounds(field)
    if low is not None and high is not None and not low_strict and not high_strict:
        return (
            f"doit être compris entre {_plain(low, 'fr')} et {_plain(high, 'fr')}",
            f"must be between {_plain(low, 'en')} and {_plain(high, 'en')}",
        )
    parts_fr, parts_en = [], []
    if low is not None:
        parts_fr.append(f"{'supérieur à' if low_strict else 'au moins'} {_plain(low, 'fr')}")
        parts_en.append(f"{'greater than' if low_strict else 'at least'} {_plain(low, 'en')}")
    if high is not None:
        parts_fr.append(f"{'inférieur à' if high_strict else 'au plus'} {_plain(high, 'fr')}")
        parts_en.append(f"{'less than' if high_strict else 'at most'} {_plain(high, 'en')}")
    if not parts_fr:
        return None
    return "doit être " + " et ".join(parts_fr), "must be " + " and ".join(parts_en)


def _allowed(field: str, lang: str) -> str:
    if field == "region_rating":
        return "1, 2, 3"
    labels = CHOICES.get(field, {})
    return ", ".join(f"{code} ({names[lang]})" for code, names in labels.items())


_NUMBER_TYPES = frozenset(
    {"int_parsing", "int_type", "int_from_float", "float_parsing", "float_type", "finite_number"}
)
_DATE_TYPES = frozenset(
    {"date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact"}
)
_RANGE_TYPES = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})


def _one_error(error: Mapping[str, Any], lang: str) -> FieldError:
    loc = [str(p) for p in error.get("loc", ())]
    if loc and loc[0] == "body":
        loc = loc[1:]
    kind = str(error.get("type", ""))
    ctx = dict(error.get("ctx") or {})
    if kind in ("exactly_one", "at_least_one"):
        first, second = str(ctx["first"]), str(ctx["second"])
        path = ".".join([*loc, first])
        fr_a, fr_b = _words(first, "fr"), _words(second, "fr")
        en_a, en_b = _words(first, "en"), _words(second, "en")
        if kind == "exactly_one":
            message = _say(
                lang,
                first,
                f"renseignez soit « {fr_a} », soit « {fr_b} », l'un des deux exactement",
                f"give either '{en_a}' or '{en_b}', exactly one of the two",
            )
        else:
            message = _say(
                lang,
                first,
                f"renseignez « {fr_a} » ou « {fr_b} » (au moins l'une des deux)",
                f"give '{en_a}' or '{en_b}' (at least one of the two)",
            )
        return FieldError(path, "exclusive" if kind == "exactly_one" else "required", message)
    path = ".".join(loc)
    field = next((p for p in reversed(loc) if not p.isdigit()), "")
    if kind == "missing":
        return FieldError(path, "required", _say(lang, field, "obligatoire", "required"))
    if kind in ("enum", "literal_error"):
        allowed = _allowed(field, lang)
        return FieldError(
            path,
            "choice",
            _say(
                lang,
                field,
                f"valeur non reconnue ; valeurs possibles : {allowed}",
                f"not a known value; allowed values: {allowed}",
            ),
        )
    if kind in _RANGE_TYPES or kind in _NUMBER_TYPES:
        bounds = _range_text(field, lang)
        integer = kind.startswith("int") or _is_int_field(field)
        if kind in _NUMBER_TYPES:
            fr = "doit être un nombre entier" if integer else "doit être un nombre"
            en = "must be a whole number" if integer else "must be a number"
            if bounds:
                fr = f"{fr}, {bounds[0].removeprefix('doit être ')}"
                en = f"{en}, {bounds[1].removeprefix('must be ')}"
        else:
            fr, en = bounds or ("hors des limites", "out of bounds")
        code = "range" if kind in _RANGE_TYPES else "type"
        return FieldError(path, code, _say(lang, field, fr, en))
    if kind in _DATE_TYPES:
        return FieldError(
            path,
            "type",
            _say(lang, field, "doit être une date (AAAA-MM-JJ)", "must be a date (YYYY-MM-DD)"),
        )
    if kind in ("bool_parsing", "bool_type"):
        return FieldError(
            path,
            "type",
            _say(lang, field, "oui ou non (true ou false)", "yes or no (true or false)"),
        )
    if kind == "extra_forbidden":
        return FieldError(
            path,
            "unknown_field",
            _say(lang, field, "champ inconnu du formulaire", "not a field of the form"),
        )
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return FieldError(
            path, "type", _say(lang, field, "doit être un objet", "must be an object")
        )
    if kind == "json_invalid":
        return FieldError(
            path,
            "invalid",
            "Le corps de la requête n'est pas du JSON lisible"
            if lang == "fr"
            else "The request body is not readable JSON",
        )
    detail = str(error.get("msg", ""))
    return FieldError(path, "invalid", _say(lang, field, f"valeur invalide ({detail})", detail))


def _is_int_field(field: str) -> bool:
    for model in _MODELS:
        info = model.model_fields.get(field)
        if info is not None:
            return info.annotation in (int, int | None)
    return False


def pydantic_errors(errors: Sequence[Mapping[str, Any]], lang: str) -> list[FieldError]:
    """Pydantic validation errors as messages for an advisor.

    Parameters
    ----------
    errors : sequence of mappings
        ``ValidationError.errors()``, or FastAPI's ``RequestValidationError.errors()``
        (whose ``loc`` starts with ``"body"``, dropped here).
    lang : {"fr", "en"}
        Language of the messages.

    Returns
    -------
    list of FieldError
        One per error, in order. The message names the field in words and says what is
        allowed: the codes and labels of an enumeration, the bounds of a number,
        "required" for a missing field.
    """
    code = _lang(lang)
    return [_one_error(e, code) for e in errors]


# --- Lender terms and the loan's missing figure ----------------------------------------------


@dataclass(frozen=True)
class LenderTerms:
    """The lender's offer: nominal yearly rate and the range of terms, in months."""

    yearly_rate: float
    min_term_months: int
    max_term_months: int

    def __post_init__(self) -> None:
        if not 0 <= self.yearly_rate <= 1:
            raise ValueError(f"yearly_rate must be between 0 and 1, not {self.yearly_rate}")
        if not 1 <= self.min_term_months <= self.max_term_months:
            raise ValueError(
                "terms need 1 <= min_term_months <= max_term_months, got "
                f"{self.min_term_months} and {self.max_term_months}"
            )

    @property
    def monthly_rate(self) -> float:
        """The nominal monthly rate, ``yearly_rate / 12``."""
        return self.yearly_rate / 12


def lender_terms(settings: Settings) -> LenderTerms:
    """The :class:`LenderTerms` of the platform's settings (``CREDIT_SCORING_LENDER_*``)."""
    return LenderTerms(
        yearly_rate=settings.lender_rate_yearly,
        min_term_months=settings.loan_min_term_months,
        max_term_months=settings.loan_max_term_months,
    )


@dataclass(frozen=True)
class CompletedLoan:
    """A loan with both its term and its monthly payment.

    Attributes
    ----------
    contract_type : str
        The form's code (``"cash"`` or ``"revolving"``).
    amount, goods_price : float, float or None
        As given.
    term_months : int
    monthly_annuity : float
    computed : {"term_months", "monthly_annuity"} or None
        Which figure was computed from the other; None when both were given.
    note_fr, note_en : str
        How the figures were obtained, for the advisor.
    """

    contract_type: str
    amount: float
    goods_price: float | None
    term_months: int
    monthly_annuity: float
    computed: Literal["term_months", "monthly_annuity"] | None
    note_fr: str
    note_en: str


def annuity(amount: float, monthly_rate: float, months: int) -> float:
    """The constant monthly payment repaying ``amount`` in ``months`` at ``monthly_rate``.

    ``A = P r / (1 - (1 + r)^-n)``, or ``P / n`` without interest.
    """
    if monthly_rate == 0:
        return amount / months
    return amount * monthly_rate / (1 - (1 + monthly_rate) ** -months)


def term_for(amount: float, monthly_rate: float, payment: float) -> float | None:
    """Months (not rounded) for ``payment`` to repay ``amount``; None if it never does."""
    if monthly_rate == 0:
        return amount / payment
    share = monthly_rate * amount / payment
    if share >= 1:
        return None
    return -math.log(1 - share) / math.log(1 + monthly_rate)


def _loan_errors(
    loan: Loan, terms: LenderTerms, lang: str
) -> tuple[CompletedLoan | None, list[FieldError]]:
    """The completed loan (None if it cannot be) and the loan's completion errors."""
    r = terms.monthly_rate
    rate = terms.yearly_rate
    errors: list[FieldError] = []
    given_term, given_payment = loan.term_months, loan.monthly_annuity
    if given_term is not None:
        payment = round(annuity(loan.amount, r, given_term), 2)
        term = given_term
        computed: Literal["term_months", "monthly_annuity"] | None = "monthly_annuity"
        note_fr = (
            f"Mensualité calculée au taux de {_percent(rate, 'fr')} sur {term} mois : "
            f"{_money(payment, 'fr')}"
        )
        note_en = (
            f"Monthly payment computed at {_percent(rate, 'en')} over {term} months: "
            f"{_money(payment, 'en')}"
        )
        if given_payment is not None:
            computed = None
            if abs(given_payment - payment) > ANNUITY_TOLERANCE * payment:
                errors.append(
                    FieldError(
                        "loan.monthly_annuity",
                        "annuity_term_mismatch",
                        _say(
                            lang,
                            "monthly_annuity",
                            f"{_money(given_payment, 'fr')} ne correspond pas à la durée : sur "
                            f"{term} mois au taux de {_percent(rate, 'fr')}, la mensualité est de "
                            f"{_money(payment, 'fr')} (écart admis 5 %)",
                            f"{_money(given_payment, 'en')} does not match the term: over {term} "
                            f"months at {_percent(rate, 'en')} the monthly payment is "
                            f"{_money(payment, 'en')} (5% difference allowed)",
                        ),
                    )
                )
            payment = given_payment
            note_fr = (
                f"Mensualité et durée saisies, cohérentes au taux de {_percent(rate, 'fr')} "
                f"sur {term} mois"
            )
            note_en = f"Monthly payment and term as entered, consistent at {_percent(rate, 'en')} over {term} months"
    else:
        assert given_payment is not None  # the model asks for one of the two
        payment = given_payment
        months = term_for(loan.amount, r, payment)
        if months is None:
            interest = loan.amount * r
            errors.append(
                FieldError(
                    "loan.monthly_annuity",
                    "annuity_below_interest",
                    _say(
                        lang,
                        "monthly_annuity",
                        f"{_money(payment, 'fr')} ne couvre pas les intérêts du premier mois "
                        f"({_money(interest, 'fr')} au taux de {_percent(rate, 'fr')}) : le "
                        "crédit ne serait jamais remboursé",
                        f"{_money(payment, 'en')} does not cover the first month's interest "
                        f"({_money(interest, 'en')} at {_percent(rate, 'en')}): the credit would "
                        "never be repaid",
                    ),
                )
            )
            return None, errors
        term = max(1, math.ceil(months - 1e-9))
        # a payment rounded down to the cent still repays in the shorter term
        if term > 1 and annuity(loan.amount, r, term - 1) <= payment + 0.005:
            term -= 1
        computed = "term_months"
        note_fr = (
            f"Durée calculée au taux de {_percent(rate, 'fr')} pour une mensualité de "
            f"{_money(payment, 'fr')} : {term} mois"
        )
        note_en = (
            f"Term computed at {_percent(rate, 'en')} for a monthly payment of "
            f"{_money(payment, 'en')}: {term} months"
        )
    completed = CompletedLoan(
        contract_type=loan.contract_type,
        amount=loan.amount,
        goods_price=loan.goods_price,
        term_months=term,
        monthly_annuity=payment,
        computed=computed,
        note_fr=note_fr,
        note_en=note_en,
    )
    return completed, errors


def complete_loan(loan: Loan, terms: LenderTerms, *, lang: str = "en") -> CompletedLoan:
    """The loan with both its term and its monthly payment, at the lender's rate.

    Parameters
    ----------
    loan : Loan
        With a term, a monthly payment or both.
    terms : LenderTerms
        The lender's nominal yearly rate (monthly rate ``r = yearly_rate / 12``).
    lang : {"fr", "en"}
        Language of the error messages.

    Returns
    -------
    CompletedLoan
        Term given: payment ``A = P r / (1 - (1 + r)^-n)``, rounded to the cent.
        Payment given: term ``n = -ln(1 - r P / A) / ln(1 + r)`` rounded up to whole
        months (the last payment is then smaller; half a cent of rounding is forgiven,
        so the payment a term gives yields that term back). Both given: both kept.

    Raises
    ------
    FormErrors
        When the payment does not cover the first month's interest (no term repays the
        credit), or when both are given and the payment differs from the term's by more
        than 5 % (the message says which payment the term implies).

    Notes
    -----
    The lender's range of terms is not checked here: :func:`check_form` does it.
    """
    completed, errors = _loan_errors(loan, terms, _lang(lang))
    if errors or completed is None:
        raise FormErrors(errors)
    return completed


# --- The impossible combinations ------------------------------------------------------------


def _birthday(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # born on 29 February
        return date(birth.year + years, 3, 1)


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _applicant_errors(applicant: Applicant, today: date, lang: str, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    birth = applicant.birth_date
    if birth > today:
        errors.append(
            FieldError(
                f"{path}.birth_date",
                "birth_in_future",
                _say(
                    lang,
                    "birth_date",
                    f"le {birth.isoformat()} est dans le futur",
                    f"{birth.isoformat()} is in the future",
                ),
            )
        )
    elif _age(birth, today) < MIN_AGE_YEARS:
        errors.append(
            FieldError(
                f"{path}.birth_date",
                "under_18",
                _say(
                    lang,
                    "birth_date",
                    f"le demandeur a {_age(birth, today)} ans ; il doit être majeur (18 ans)",
                    f"the applicant is {_age(birth, today)}; they must be at least 18",
                ),
            )
        )
    since = applicant.employed_since
    if since is not None:
        if since > today:
            errors.append(
                FieldError(
                    f"{path}.employed_since",
                    "employment_in_future",
                    _say(
                        lang,
                        "employed_since",
                        f"le {since.isoformat()} est dans le futur ; indiquez le début de "
                        "l'emploi actuel",
                        f"{since.isoformat()} is in the future; give the start of the current job",
                    ),
                )
            )
        sixteen = _birthday(birth, MIN_WORKING_AGE_YEARS)
        if since < sixteen:
            errors.append(
                FieldError(
                    f"{path}.employed_since",
                    "employment_before_16",
                    _say(
                        lang,
                        "employed_since",
                        f"le {since.isoformat()} précède les 16 ans du demandeur "
                        f"({sixteen.isoformat()})",
                        f"{since.isoformat()} is before the applicant's 16th birthday "
                        f"({sixteen.isoformat()})",
                    ),
                )
            )
    for name in ("id_document_issued_on", "address_since"):
        day = getattr(applicant, name)
        if day is not None and (day > today or day < birth):
            errors.append(
                FieldError(
                    f"{path}.{name}",
                    "date_out_of_life",
                    _say(
                        lang,
                        name,
                        f"le {day.isoformat()} doit être entre la naissance du demandeur "
                        f"({birth.isoformat()}) et aujourd'hui",
                        f"{day.isoformat()} must be between the applicant's birth "
                        f"({birth.isoformat()}) and today",
                    ),
                )
            )
    income = applicant.income_type
    if applicant.not_employed and income in _EMPLOYED_INCOME:
        label = CHOICES["income_type"][income]
        errors.append(
            FieldError(
                f"{path}.not_employed",
                "not_employed_but_working",
                _say(
                    lang,
                    "not_employed",
                    f"incompatible avec le type de revenu « {label['fr']} » : indiquez la "
                    "date d'embauche",
                    f"contradicts the income type '{label['en']}': give the employment start date",
                ),
            )
        )
    if since is not None and income == "unemployed":
        errors.append(
            FieldError(
                f"{path}.employed_since",
                "employed_but_unemployed",
                _say(
                    lang,
                    "employed_since",
                    "incompatible avec le type de revenu « sans emploi » : cochez « sans "
                    "emploi » ou changez le type de revenu",
                    "contradicts the income type 'unemployed': tick 'not employed' or change "
                    "the income type",
                ),
            )
        )
    return errors


def check_form(
    form: ApplicationForm,
    *,
    today: date,
    lang: str,
    rules: LenderTerms,
    known_applicant: Applicant | None = None,
) -> list[FieldError]:
    """The impossible combinations of a (Pydantic-valid) form, all at once.

    Parameters
    ----------
    form : ApplicationForm
    today : date
        The application date.
    lang : {"fr", "en"}
    rules : LenderTerms
        The lender's rate and range of terms.
    known_applicant : Applicant, optional
        For a ``client_id`` form, the stored client (:func:`from_application_row`), so
        the checks that need the applicant (payment against income) run too; its
        errors are reported under ``applicant.*``.

    Returns
    -------
    list of FieldError
        Empty when the form can be scored. Checked:

        - birth date in the future, or applicant under 18 today;
        - employment start in the future, or before the applicant's 16th birthday;
        - "not employed" with a salaried income type, or an employment date with
          income type "unemployed" (the model reads employment from ``DAYS_EMPLOYED``);
        - revolving credit whose goods price is below the credit (a cash loan's
          credit may exceed the goods price: insurance and fees are financed too);
        - term outside the lender's range, given or implied by the monthly payment
          (a payment too low to repay within the longest term, or so high it repays
          in less than the shortest);
        - monthly payment not covering the first month's interest;
        - term and monthly payment both given but more than 5 % apart;
        - monthly payment (given or computed) above the monthly income.

        The age at the end of the loan is a credit-committee policy, not checked here.
    """
    code = _lang(lang)
    errors: list[FieldError] = []
    applicant = form.applicant or known_applicant
    if applicant is not None:
        errors += _applicant_errors(applicant, today, code, "applicant")
    loan = form.loan
    if (
        loan.contract_type == "revolving"
        and loan.goods_price is not None
        and loan.goods_price < loan.amount
    ):
        errors.append(
            FieldError(
                "loan.goods_price",
                "goods_price_below_credit",
                _say(
                    code,
                    "goods_price",
                    f"{_money(loan.goods_price, 'fr')} est inférieur au crédit demandé "
                    f"({_money(loan.amount, 'fr')}) : un crédit renouvelable ne finance pas plus "
                    "que le bien",
                    f"{_money(loan.goods_price, 'en')} is below the credit asked "
                    f"({_money(loan.amount, 'en')}): a revolving credit finances no more than "
                    "the goods",
                ),
            )
        )
    low, high = rules.min_term_months, rules.max_term_months
    term_ok = True
    if loan.term_months is not None and not low <= loan.term_months <= high:
        term_ok = False
        errors.append(
            FieldError(
                "loan.term_months",
                "term_out_of_range",
                _say(
                    code,
                    "term_months",
                    f"{loan.term_months} mois ; le prêteur propose de {low} à {high} mois",
                    f"{loan.term_months} months; the lender offers {low} to {high} months",
                ),
            )
        )
    completed = None
    if term_ok:
        completed, loan_errors = _loan_errors(loan, rules, code)
        errors += loan_errors
    if completed is not None and completed.computed == "term_months":
        payment = _money(completed.monthly_annuity, "fr"), _money(completed.monthly_annuity, "en")
        if completed.term_months > high:
            longest = annuity(loan.amount, rules.monthly_rate, high)
            errors.append(
                FieldError(
                    "loan.monthly_annuity",
                    "annuity_too_low_for_max_term",
                    _say(
                        code,
                        "monthly_annuity",
                        f"{payment[0]} ne rembourse pas le crédit en {high} mois, la durée "
                        f"maximale, au taux de {_percent(rules.yearly_rate, 'fr')} : il faut au "
                        f"moins {_money(longest, 'fr')}",
                        f"{payment[1]} does not repay the credit within {high} months, the "
                        f"longest term, at {_percent(rules.yearly_rate, 'en')}: it takes at "
                        f"least {_money(longest, 'en')}",
                    ),
                )
            )
        elif completed.term_months < low:
            errors.append(
                FieldError(
                    "loan.monthly_annuity",
                    "term_out_of_range",
                    _say(
                        code,
                        "monthly_annuity",
                        f"{payment[0]} rembourse le crédit en {completed.term_months} mois ; "
                        f"le prêteur propose de {low} à {high} mois",
                        f"{payment[1]} repays the credit in {completed.term_months} months; "
                        f"the lender offers {low} to {high} months",
                    ),
                )
            )
    if applicant is not None and completed is not None:
        monthly_income = applicant.income_yearly / 12
        if completed.monthly_annuity > monthly_income:
            field = "term_months" if completed.computed == "monthly_annuity" else "monthly_annuity"
            errors.append(
                FieldError(
                    f"loan.{field}",
                    "annuity_above_income",
                    _say(
                        code,
                        field,
                        f"la mensualité ({_money(completed.monthly_annuity, 'fr')}) dépasse le "
                        f"revenu mensuel ({_money(monthly_income, 'fr')})",
                        f"the monthly payment ({_money(completed.monthly_annuity, 'en')}) is "
                        f"above the monthly income ({_money(monthly_income, 'en')})",
                    ),
                )
            )
    return errors


# --- Kaggle rows -----------------------------------------------------------------------------


def _family_members(family_status: str, children: int) -> float:
    couple = family_status in ("married", "civil_marriage")
    return float(1 + children + couple)


def loan_columns(loan: CompletedLoan) -> dict[str, Any]:
    """The loan's Kaggle columns (for a known client, they replace those of the stored row).

    Without a goods price, ``AMT_GOODS_PRICE`` is the credit (Kaggle never leaves it
    missing for a cash loan).
    """
    return {
        "NAME_CONTRACT_TYPE": _kaggle("contract_type", loan.contract_type),
        "AMT_CREDIT": float(loan.amount),
        "AMT_ANNUITY": float(loan.monthly_annuity),
        "AMT_GOODS_PRICE": float(loan.goods_price if loan.goods_price is not None else loan.amount),
    }


def alternative_text(amount: float, months: int, monthly: float, lang: str) -> str:
    """A loan the lender would grant, in the applicant's words (for the letter)."""
    if _lang(lang) == "fr":
        return (
            f"Un crédit de {_money(amount, 'fr', 0)} sur {months} mois "
            f"(mensualité de {_money(monthly, 'fr')}) pourrait vous être accordé."
        )
    return (
        f"A loan of {_money(amount, 'en', 0)} over {months} months "
        f"(monthly payment {_money(monthly, 'en')}) could be granted to you."
    )


def to_application_row(
    form_applicant: Applicant, loan: CompletedLoan, *, sk_id_curr: int, today: date
) -> dict[str, Any]:
    """The application as a Kaggle ``application_train`` row (without TARGET).

    Parameters
    ----------
    form_applicant : Applicant
    loan : CompletedLoan
        From :func:`complete_loan`.
    sk_id_curr : int
        The application's ``SK_ID_CURR``.
    today : date
        The application date: day counts are taken back from it.

    Returns
    -------
    dict
        Kaggle column -> value. ``DAYS_BIRTH`` and ``DAYS_EMPLOYED`` are negative day
        counts (``DAYS_EMPLOYED`` is 365243 and ``ORGANIZATION_TYPE`` ``"XNA"`` when not
        employed), flags are ``"Y"``/``"N"``, categories Kaggle's strings, an unknown
        optional value None. ``CNT_FAM_MEMBERS`` is the children plus one, plus one
        for a married or civil partner couple (as in Kaggle); both region ratings take
        the form's one rating; ``WEEKDAY_APPR_PROCESS_START`` is today's weekday.
        Other Kaggle columns are absent (read as missing by the feature builder).
    """
    a = form_applicant
    organization: str | None
    if a.not_employed or a.employed_since is None:
        days_employed = EMPLOYED_PLACEHOLDER
        organization = NOT_EMPLOYED_ORGANIZATION
    else:
        days_employed = -(today - a.employed_since).days
        organization = (
            _kaggle("employer_type", a.employer_type) if a.employer_type is not None else None
        )
    return {
        "SK_ID_CURR": int(sk_id_curr),
        **loan_columns(loan),
        "CODE_GENDER": _kaggle("sex", a.sex),
        "FLAG_OWN_CAR": "Y" if a.owns_car else "N",
        "FLAG_OWN_REALTY": "Y" if a.owns_property else "N",
        "CNT_CHILDREN": int(a.children),
        "AMT_INCOME_TOTAL": float(a.income_yearly),
        "NAME_INCOME_TYPE": _kaggle("income_type", a.income_type),
        "NAME_EDUCATION_TYPE": _kaggle("education", a.education),
        "NAME_FAMILY_STATUS": _kaggle("family_status", a.family_status),
        "NAME_HOUSING_TYPE": _kaggle("housing", a.housing),
        "DAYS_BIRTH": -(today - a.birth_date).days,
        "DAYS_EMPLOYED": days_employed,
        "OCCUPATION_TYPE": _kaggle("occupation", a.occupation) if a.occupation else None,
        "CNT_FAM_MEMBERS": _family_members(a.family_status, a.children),
        "REGION_RATING_CLIENT": int(a.region_rating),
        "REGION_RATING_CLIENT_W_CITY": int(a.region_rating),
        "WEEKDAY_APPR_PROCESS_START": _WEEKDAYS[today.weekday()],
        "ORGANIZATION_TYPE": organization,
        "EXT_SOURCE_1": a.ext_source_1,
        "EXT_SOURCE_2": a.ext_source_2,
        "EXT_SOURCE_3": a.ext_source_3,
        "DAYS_ID_PUBLISH": _days_before(a.id_document_issued_on, today),
        "DAYS_REGISTRATION": _days_before(a.address_since, today),
        "FLAG_MOBIL": _one_zero(a.mobile_phone),
        "FLAG_CONT_MOBILE": _one_zero(a.mobile_phone),
        "FLAG_EMP_PHONE": _one_zero(a.work_phone),
        "FLAG_WORK_PHONE": _one_zero(a.work_phone),
        "FLAG_PHONE": _one_zero(a.home_phone),
        "FLAG_EMAIL": _one_zero(a.email),
        "HOUR_APPR_PROCESS_START": _hour_now(),
    }


def _days_before(day: date | None, today: date) -> int | None:
    """Kaggle's day count of a past date: negative days before the application."""
    return None if day is None else -(today - day).days


def _one_zero(flag: bool | None) -> int | None:
    return None if flag is None else int(flag)


def _hour_now() -> int:
    from datetime import datetime

    return datetime.now().hour


def _value(row: Mapping[str, Any], column: str) -> Any:
    """The row's value, None when absent or missing (None, NaN, pandas NA)."""
    value = row.get(column)
    if value is None:
        return None
    try:
        if value != value:  # NaN
            return None
    except (TypeError, ValueError):  # pandas.NA cannot be compared
        return None
    return value


def _number_or_none(row: Mapping[str, Any], column: str) -> float | None:
    value = _value(row, column)
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _code(row: Mapping[str, Any], field: str) -> str | None:
    value = _value(row, _KAGGLE_COLUMN[field])
    return _FROM_KAGGLE[field].get(str(value)) if value is not None else None


def _flag(row: Mapping[str, Any], column: str) -> bool | None:
    return {"Y": True, "N": False}.get(str(_value(row, column)))


def _day_of(row: Mapping[str, Any], column: str, today: date) -> date | None:
    days = _number_or_none(row, column)
    return today + timedelta(days=int(days)) if days is not None and days <= 0 else None


def _bool_of(row: Mapping[str, Any], column: str) -> bool | None:
    value = _number_or_none(row, column)
    return None if value is None else bool(value)


def from_application_row(row: Mapping[str, Any], *, today: date) -> tuple[Applicant, dict]:
    """A stored Kaggle application row back in bank-form terms, to prefill a form.

    Parameters
    ----------
    row : mapping
        Kaggle column -> value (e.g. one row of ``application_train`` as a dict).
    today : date
        The date the row's day counts are counted back from (its application date).

    Returns
    -------
    applicant : Applicant
        The applicant. A Kaggle value the form does not know (``CODE_GENDER`` ``"XNA"``,
        a missing value, a number out of the form's bounds) becomes None; the
        applicant is then built without validation (``model_construct``) and the
        advisor completes the None fields before submitting.
    loan : dict
        Prefill of the loan: ``contract_type``, ``amount``, ``goods_price`` and
        ``monthly_annuity`` of the stored application, ``term_months`` None (Kaggle's
        application table does not hold it).
    """
    days_birth = _number_or_none(row, "DAYS_BIRTH")
    days_employed = _number_or_none(row, "DAYS_EMPLOYED")
    not_employed = days_employed == EMPLOYED_PLACEHOLDER
    employed_since = (
        today + timedelta(days=int(days_employed))
        if days_employed is not None and days_employed <= 0
        else None
    )
    children = _number_or_none(row, "CNT_CHILDREN")
    region = _number_or_none(row, "REGION_RATING_CLIENT")
    values: dict[str, Any] = {
        "birth_date": today + timedelta(days=int(days_birth)) if days_birth is not None else None,
        "sex": _code(row, "sex"),
        "family_status": _code(row, "family_status"),
        "children": int(children) if children is not None else None,
        "education": _code(row, "education"),
        "income_type": _code(row, "income_type"),
        "income_yearly": _number_or_none(row, "AMT_INCOME_TOTAL"),
        "employed_since": employed_since,
        "not_employed": not_employed,
        "occupation": _code(row, "occupation"),
        "employer_type": None if not_employed else _code(row, "employer_type"),
        "housing": _code(row, "housing"),
        "owns_car": _flag(row, "FLAG_OWN_CAR"),
        "owns_property": _flag(row, "FLAG_OWN_REALTY"),
        "region_rating": int(region) if region in (1, 2, 3) else None,
        "ext_source_1": _number_or_none(row, "EXT_SOURCE_1"),
        "ext_source_2": _number_or_none(row, "EXT_SOURCE_2"),
        "ext_source_3": _number_or_none(row, "EXT_SOURCE_3"),
        "id_document_issued_on": _day_of(row, "DAYS_ID_PUBLISH", today),
        "address_since": _day_of(row, "DAYS_REGISTRATION", today),
        "mobile_phone": _bool_of(row, "FLAG_MOBIL"),
        "work_phone": _bool_of(row, "FLAG_WORK_PHONE"),
        "home_phone": _bool_of(row, "FLAG_PHONE"),
        "email": _bool_of(row, "FLAG_EMAIL"),
    }
    try:
        applicant = Applicant.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors():
            loc = error["loc"]
            if loc and str(loc[0]) in values and str(loc[0]) != "not_employed":
                values[str(loc[0])] = None
        applicant = Applicant.model_construct(**values)
    loan = {
        "contract_type": _code(row, "contract_type"),
        "amount": _number_or_none(row, "AMT_CREDIT"),
        "goods_price": _number_or_none(row, "AMT_GOODS_PRICE"),
        "monthly_annuity": _number_or_none(row, "AMT_ANNUITY"),
        "term_months": None,
    }
    return applicant, loan
