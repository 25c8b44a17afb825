"""Codes of the form's choices, their French and English labels and their Kaggle values."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    AfterValidator,
    Field,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from credit_scoring.core.kaggle import EMPLOYED_PLACEHOLDER  # noqa: F401 (re-exported)

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
