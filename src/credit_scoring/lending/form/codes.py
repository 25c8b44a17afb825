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
        "cash": ("Cash loans", "Prêt personnel", "Personal loan"),
        "revolving": ("Revolving loans", "Crédit renouvelable", "Revolving credit"),
    },
}

CHOICES: dict[str, dict[str, dict[str, str]]] = {
    field: {code: {"fr": fr, "en": en} for code, (_k, fr, en) in codes.items()}
    for field, codes in _TABLE.items()
}
"""Field -> code -> ``{"fr": label, "en": label}``, in display order, for select boxes."""

# --- Every other category the dashboard shows: Kaggle value -> (French, English) -----------
# The client's history (bureau credits, previous applications, instalments and cards) and
# the application's columns the form does not ask for. The form's own categories above
# keep their form labels (:func:`category_label` reads them first): one word per value.

_HISTORY: dict[str, tuple[str, str]] = {
    # missing or "not applicable" in Kaggle's coding
    "XNA": ("non renseigné", "not provided"),
    "XAP": ("sans objet", "not applicable"),
    "Y": ("oui", "yes"),
    "N": ("non", "no"),
    "Yes": ("oui", "yes"),
    "No": ("non", "no"),
    # contract types of earlier applications and other lenders' credits
    "Consumer loans": ("Crédit à la consommation (en magasin)", "Point-of-sale loan"),
    "Consumer credit": ("Crédit à la consommation", "Consumer credit"),
    "Credit card": ("Carte de crédit", "Credit card"),
    "Car loan": ("Crédit automobile", "Car loan"),
    "Mortgage": ("Prêt immobilier", "Mortgage"),
    "Real estate loan": ("Prêt immobilier", "Mortgage"),
    "Microloan": ("Microcrédit", "Microloan"),
    "Loan for business development": ("Prêt professionnel", "Business loan"),
    "Loan for working capital replenishment": (
        "Prêt de trésorerie professionnelle",
        "Working-capital loan",
    ),
    "Loan for the purchase of equipment": ("Prêt d'équipement", "Equipment loan"),
    "Loan for purchase of shares (margin lending)": (
        "Prêt pour achat d'actions",
        "Margin loan",
    ),
    "Cash loan (non-earmarked)": ("Prêt personnel", "Personal loan"),
    "Interbank credit": ("Crédit interbancaire", "Interbank credit"),
    "Mobile operator loan": ("Crédit d'opérateur mobile", "Mobile-operator loan"),
    "Another type of loan": ("Autre type de crédit", "Other type of loan"),
    "Unknown type of loan": ("Type de crédit inconnu", "Unknown type of loan"),
    "currency 1": ("devise 1", "currency 1"),
    "currency 2": ("devise 2", "currency 2"),
    "currency 3": ("devise 3", "currency 3"),
    "currency 4": ("devise 4", "currency 4"),
    # states of a credit or an application
    "Active": ("En cours", "Active"),
    "Closed": ("Soldé", "Closed"),
    "Sold": ("Cédé à un tiers", "Sold to a third party"),
    "Bad debt": ("Créance irrécouvrable", "Bad debt"),
    "Approved": ("Accordée", "Approved"),
    "Canceled": ("Annulée", "Cancelled"),
    "Refused": ("Refusée", "Refused"),
    "Unused offer": ("Offre non utilisée", "Offer not taken up"),
    "Completed": ("Terminé", "Completed"),
    "Signed": ("Signé", "Signed"),
    "Sent proposal": ("Proposition envoyée", "Offer sent"),
    "Returned to the store": ("Retourné au magasin", "Returned to the shop"),
    "Demand": ("Mise en demeure", "Formal demand"),
    "Amortized debt": ("Dette amortie", "Amortised debt"),
    # why an earlier application was refused (CODE_REJECT_REASON)
    "HC": ("Refus par la politique de crédit", "Refused by the credit policy"),
    "LIMIT": ("Plafond de crédit atteint", "Credit limit reached"),
    "SCO": ("Score insuffisant", "Score too low"),
    "SCOFR": ("Score insuffisant (fraude suspectée)", "Score too low (suspected fraud)"),
    "CLIENT": ("Retrait du client", "Withdrawn by the client"),
    "VERIF": ("Vérification non concluante", "Verification failed"),
    "SYSTEM": ("Refus technique", "Technical refusal"),
    # interest-rate group of an earlier loan (NAME_YIELD_GROUP)
    "high": ("taux élevé", "high rate"),
    "middle": ("taux moyen", "medium rate"),
    "low_normal": ("taux bas", "low rate"),
    "low_action": ("taux promotionnel", "promotional rate"),
    # the client as an earlier applicant (NAME_CLIENT_TYPE), product and portfolio
    "New": ("Nouveau client", "New client"),
    "Repeater": ("Client régulier", "Returning client"),
    "Refreshed": ("Client revenu", "Re-engaged client"),
    "walk-in": ("Demande spontanée", "Walk-in"),
    "x-sell": ("Vente croisée", "Cross-sell"),
    "Cash": ("Prêt personnel", "Personal loan"),
    "POS": ("Crédit en magasin", "Point-of-sale loan"),
    "Cards": ("Cartes", "Cards"),
    "Cars": ("Automobile", "Cars"),
    # how an earlier loan was repaid (NAME_PAYMENT_TYPE)
    "Cash through the bank": ("Espèces à la banque", "Cash at the bank"),
    "Non-cash from your account": ("Prélèvement sur le compte", "Direct debit"),
    "Cashless from the account of the employer": (
        "Prélèvement par l'employeur",
        "Deducted by the employer",
    ),
    # who came with the client (NAME_TYPE_SUITE)
    "Unaccompanied": ("Seul(e)", "Alone"),
    "Family": ("Famille", "Family"),
    "Spouse, partner": ("Conjoint(e)", "Spouse or partner"),
    "Children": ("Enfants", "Children"),
    "Other_A": ("Autre accompagnant", "Other companion"),
    "Other_B": ("Autre accompagnant", "Other companion"),
    "Group of people": ("Groupe", "Group"),
    # the building (columns the form does not ask for)
    "block of flats": ("Immeuble", "Block of flats"),
    "specific housing": ("Logement spécifique", "Specific housing"),
    "terraced house": ("Maison mitoyenne", "Terraced house"),
    "Panel": ("Panneaux", "Panels"),
    "Stone, brick": ("Pierre ou brique", "Stone or brick"),
    "Block": ("Parpaing", "Concrete block"),
    "Wooden": ("Bois", "Wood"),
    "Mixed": ("Mixte", "Mixed"),
    "Monolithic": ("Béton coulé", "Monolithic concrete"),
    "Others": ("Autre", "Other"),
    "reg oper account": ("Compte d'exploitation régional", "Regional operating account"),
    "reg oper spec account": (
        "Compte spécial d'exploitation régional",
        "Regional special operating account",
    ),
    "org spec account": ("Compte spécial d'organisme", "Organisation's special account"),
    "not specified": ("non précisé", "not specified"),
    # day of the week the application was started
    "MONDAY": ("lundi", "Monday"),
    "TUESDAY": ("mardi", "Tuesday"),
    "WEDNESDAY": ("mercredi", "Wednesday"),
    "THURSDAY": ("jeudi", "Thursday"),
    "FRIDAY": ("vendredi", "Friday"),
    "SATURDAY": ("samedi", "Saturday"),
    "SUNDAY": ("dimanche", "Sunday"),
    # sex not recorded
    "Unknown": ("inconnu", "unknown"),
}
NOT_PROVIDED = {"fr": "non renseigné", "en": "not provided"}

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


# the form's categories by their Kaggle value (the first field wins: no value is shared)
_FORM_WORDS: dict[str, tuple[str, str]] = {}
for _codes in _TABLE.values():
    for _kaggle_value, _fr, _en in _codes.values():
        _FORM_WORDS.setdefault(_kaggle_value, (_fr, _en))


def category_label(value: object, lang: str) -> str:
    """A category of the data (a Kaggle value) in plain words, in French or English.

    The one dictionary of the dashboard and the explanations: the form's labels for the
    categories the form asks (income type, occupation...), then the client history's codes
    (``XAP``, ``middle``, ``Refused``...); missing values read "not provided". A value
    neither knows is shown as it is.

    Parameters
    ----------
    value : object
        A Kaggle category (``"Working"``), None or NaN.
    lang : {"fr", "en"}
        The reader's language (French when neither).

    Returns
    -------
    str
        The label.

    Examples
    --------
    >>> category_label("Working", "en"), category_label("XAP", "fr")
    ('Employee', 'sans objet')
    >>> category_label(None, "en"), category_label(float("nan"), "fr")
    ('not provided', 'non renseigné')
    """
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return NOT_PROVIDED["en" if lang == "en" else "fr"]
    text = str(value)
    words = _FORM_WORDS.get(text) or _HISTORY.get(text)
    if words is None:
        return text
    return words[1] if lang == "en" else words[0]


def known_values() -> list[str]:
    """Every Kaggle value :func:`category_label` has words for (the form's, then the history's)."""
    return [*_FORM_WORDS, *(v for v in _HISTORY if v not in _FORM_WORDS)]


def has_label(value: str) -> bool:
    """Whether :func:`category_label` knows ``value`` (tests check the data's categories)."""
    return value in _FORM_WORDS or value in _HISTORY
