"""The reason-code catalogue: one stable code per fact a score can be explained by.

A feature belongs to a feature group (its source column or concept, ``FeatureMeta.group``);
each group maps to one fact of this catalogue (:func:`code_for_group`), so all the
external-score features make one reason (R01), all the late-payment features of every
history table one reason (R02), and so on. A client absent from a history table gets, for
every group of that table, the table's *absence* fact instead (R30-R34: "no credit history
with other lenders known to us"...): missing history is a fact, said as such.

Every entry has the applicant's wording (``label``, French and English), a shorter text
for the advisor, and ``missing``: what to say when the client's file has no value for the
fact, which names what is missing and, when the bank's form takes it, how the applicant can
supply it; a fact the form cannot state (history with other lenders, the building,
documents, addresses) is said to be unknown and asks for nothing. Codes never change
meaning; a new fact gets a new code (R99 is the catch-all for a group not mapped yet).
Sex and family status are not model inputs, so no code exists for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ReasonCode:
    code: str
    label_fr: str  # for the applicant: names the fact ("Scores de crédit externes")
    label_en: str
    advisor_fr: str  # shorter, for the advisor's screen
    advisor_en: str
    missing_fr: str  # when the file has no value: what is missing, how to supply it
    missing_en: str
    absence: bool = False  # the fact is the absence of a history (fixed text, no value)

    def label(self, lang: str) -> str:
        return self.label_fr if lang == "fr" else self.label_en

    def advisor(self, lang: str) -> str:
        return self.advisor_fr if lang == "fr" else self.advisor_en

    def missing(self, lang: str) -> str:
        return self.missing_fr if lang == "fr" else self.missing_en


def _c(code: str, fr: str, en: str, afr: str, aen: str, mfr: str, men: str) -> ReasonCode:
    return ReasonCode(code, fr, en, afr, aen, mfr, men)


def _absent(code: str, fr: str, en: str, afr: str, aen: str) -> ReasonCode:
    return ReasonCode(code, fr, en, afr, aen, fr, en, absence=True)


_ASK = "indiquez-le dans votre demande"
_ASK_EN = "please state it in your application"

CATALOGUE: dict[str, ReasonCode] = {
    c.code: c
    for c in (
        _c(
            "R01",
            "Scores de crédit externes",
            "External credit scores",
            "Scores externes",
            "External scores",
            "Aucun score de crédit externe disponible : vous pouvez nous autoriser à consulter "
            "une agence d'évaluation du crédit ou nous fournir un relevé récent",
            "No external credit score available: you can authorise us to consult a credit "
            "reference agency or give us a recent credit report",
        ),
        _c(
            "R02",
            "Retards de paiement",
            "Late payments",
            "Retards de paiement",
            "Late payments",
            "Aucun retard de paiement ne peut être vérifié sur vos crédits passés",
            "No payment record can be checked on your past credits",
        ),
        _c(
            "R03",
            "Demandes de crédit refusées",
            "Refused credit applications",
            "Refus antérieurs",
            "Past refusals",
            "Aucune décision connue sur vos demandes précédentes",
            "No decision known on your previous applications",
        ),
        _c(
            "R04",
            "Crédits en cours auprès d'autres établissements",
            "Credits with other lenders",
            "Endettement externe",
            "External debt",
            "Montant de vos crédits auprès d'autres établissements inconnu",
            "Amount of your credits with other lenders unknown to us",
        ),
        _c(
            "R05",
            "Ancienneté de vos crédits auprès d'autres établissements",
            "Age of your credits with other lenders",
            "Ancienneté crédits externes",
            "Age of external credits",
            "Dates de vos crédits auprès d'autres établissements inconnues",
            "Dates of your credits with other lenders unknown to us",
        ),
        _c(
            "R06",
            "Vos demandes de crédit précédentes chez nous",
            "Your previous credit applications with us",
            "Demandes précédentes",
            "Previous applications",
            "Détails de vos demandes précédentes indisponibles",
            "Details of your previous applications unavailable",
        ),
        _c(
            "R07",
            "Vos prêts précédents chez nous",
            "Your previous loans with us",
            "Prêts précédents",
            "Previous loans",
            "Détails de vos prêts précédents indisponibles",
            "Details of your previous loans unavailable",
        ),
        _c(
            "R08",
            "Utilisation de votre carte de crédit",
            "Use of your credit card",
            "Carte de crédit",
            "Credit card",
            "Détails de votre carte de crédit indisponibles",
            "Details of your credit card unavailable",
        ),
        _c(
            "R09",
            "Revenu déclaré",
            "Declared income",
            "Revenu",
            "Income",
            f"Revenu non déclaré : {_ASK}, avec un justificatif",
            f"Income not declared: {_ASK_EN}, with a proof of income",
        ),
        _c(
            "R10",
            "Charge du crédit rapportée au revenu",
            "Cost of the credit relative to income",
            "Taux d'effort",
            "Debt-to-income",
            f"Charge du crédit non calculable sans le revenu : {_ASK}",
            f"Cost of the credit cannot be related to income without it: {_ASK_EN}",
        ),
        _c(
            "R11",
            "Montant, durée et mensualité du crédit demandé",
            "Amount, term and instalment of the credit asked",
            "Caractéristiques du prêt",
            "Loan terms",
            "Mensualité ou prix du bien non indiqué : précisez-les dans votre demande",
            "Instalment or price of the goods not stated: please give them in your application",
        ),
        _c(
            "R12",
            "Ancienneté dans l'emploi",
            "Time in your current job",
            "Ancienneté emploi",
            "Job tenure",
            "Date d'embauche non indiquée : précisez-la dans votre demande (contrat ou "
            "attestation de l'employeur)",
            "Start date of your job not stated: please give it in your application (contract "
            "or employer's letter)",
        ),
        _c(
            "R13",
            "Type de revenu",
            "Type of income",
            "Type de revenu",
            "Income type",
            f"Type de revenu (salaire, pension...) non indiqué : {_ASK}",
            f"Type of income (salary, pension...) not stated: {_ASK_EN}",
        ),
        _c(
            "R14",
            "Profession",
            "Occupation",
            "Profession",
            "Occupation",
            f"Profession non indiquée : {_ASK}",
            f"Occupation not stated: {_ASK_EN}",
        ),
        _c(
            "R15",
            "Secteur de l'employeur",
            "Employer's sector",
            "Secteur employeur",
            "Employer sector",
            f"Secteur de votre employeur non indiqué : {_ASK}",
            f"Your employer's sector not stated: {_ASK_EN}",
        ),
        _c(
            "R16",
            "Niveau d'études",
            "Education",
            "Études",
            "Education",
            f"Niveau d'études non indiqué : {_ASK}",
            f"Education not stated: {_ASK_EN}",
        ),
        _c(
            "R17",
            "Âge",
            "Age",
            "Âge",
            "Age",
            "Date de naissance manquante : indiquez-la avec une pièce d'identité",
            "Date of birth missing: please give it with an identity document",
        ),
        _c(
            "R18",
            "Logement",
            "Housing",
            "Logement",
            "Housing",
            f"Situation de logement (propriétaire, locataire...) non indiquée : {_ASK}",
            f"Housing situation (owner, tenant...) not stated: {_ASK_EN}",
        ),
        _c(
            "R19",
            "Possession d'une voiture",
            "Car ownership",
            "Voiture",
            "Car",
            f"Possession d'une voiture non indiquée : {_ASK}",
            f"Car ownership not stated: {_ASK_EN}",
        ),
        _c(
            "R20",
            "Région de résidence",
            "Region of residence",
            "Région",
            "Region",
            f"Région de résidence non indiquée : {_ASK}",
            f"Region of residence not stated: {_ASK_EN}",
        ),
        _c(
            "R21",
            "Adresses de contact, de domicile et de travail",
            "Contact, home and work addresses",
            "Cohérence des adresses",
            "Address consistency",
            "Adresses de contact, de domicile et de travail non connues",
            "Contact, home and work addresses not known to us",
        ),
        _c(
            "R22",
            "Informations sur votre logement (immeuble)",
            "Details of your home's building",
            "Infos immeuble",
            "Building details",
            "Informations sur votre immeuble non connues",
            "Details of your building not known to us",
        ),
        _c(
            "R23",
            "Justificatifs fournis",
            "Documents provided",
            "Justificatifs",
            "Documents",
            "Aucun justificatif enregistré dans votre dossier",
            "No supporting document recorded in your file",
        ),
        _c(
            "R24",
            "Coordonnées téléphoniques et e-mail",
            "Phone and e-mail contact details",
            "Coordonnées",
            "Contact details",
            "Coordonnées téléphoniques non indiquées : ajoutez un numéro joignable",
            "Phone details not given: add a number where we can reach you",
        ),
        _c(
            "R25",
            "Ancienneté de vos pièces d'identité et de votre enregistrement",
            "Age of your identity document and registration",
            "Stabilité identité",
            "Identity stability",
            "Date de votre pièce d'identité non indiquée : joignez une copie de la pièce",
            "Date of your identity document not given: attach a copy of the document",
        ),
        _c(
            "R26",
            "Consultations récentes de votre dossier de crédit",
            "Recent enquiries on your credit file",
            "Consultations bureau",
            "Bureau enquiries",
            "Nombre de consultations de votre dossier de crédit inconnu",
            "Number of enquiries on your credit file unknown to us",
        ),
        _c(
            "R27",
            "Défauts de paiement observés dans votre entourage déclaré",
            "Payment defaults among your declared contacts",
            "Entourage",
            "Social circle",
            "Aucune information sur les contacts déclarés",
            "No information on the declared contacts",
        ),
        _c(
            "R28",
            "Enfants à charge",
            "Dependent children",
            "Enfants",
            "Children",
            f"Nombre d'enfants à charge non indiqué : {_ASK}",
            f"Number of dependent children not stated: {_ASK_EN}",
        ),
        _c(
            "R29",
            "Moment de la demande",
            "Time of the application",
            "Horaire demande",
            "Application time",
            "Moment de la demande non enregistré",
            "Time of the application not recorded",
        ),
        _absent(
            "R30",
            "Aucun historique de crédit connu auprès d'autres établissements",
            "No credit history with other lenders known to us",
            "Pas d'historique externe",
            "No external history",
        ),
        _absent(
            "R31",
            "Aucune demande de crédit précédente chez nous",
            "No previous credit application with us",
            "Pas de demande précédente",
            "No previous application",
        ),
        _absent(
            "R32",
            "Aucun prêt précédent chez nous",
            "No previous loan with us",
            "Pas de prêt précédent",
            "No previous loan",
        ),
        _absent(
            "R33",
            "Aucune carte de crédit chez nous",
            "No credit card with us",
            "Pas de carte",
            "No card",
        ),
        _absent(
            "R34",
            "Aucun historique de remboursement chez nous",
            "No repayment history with us",
            "Pas d'historique de remboursement",
            "No repayment history",
        ),
        _c(
            "R99",
            "Autres éléments de votre dossier",
            "Other details of your file",
            "Autres éléments",
            "Other details",
            "Un élément de votre dossier est incomplet : votre conseiller peut vous dire lequel",
            "A detail of your file is incomplete: your advisor can tell you which",
        ),
    )
}

# history tables: their features' fact, and the fact of a client they do not know
HISTORY_ABSENCE = {
    "bureau": "R30",
    "bureau_balance": "R30",
    "previous_application": "R31",
    "POS_CASH_balance": "R32",
    "credit_card_balance": "R33",
    "installments_payments": "R34",
}
# the group whose features are known exactly when the client has rows in the table
PRESENCE_GROUP = {
    "bureau": "bureau.COUNT",
    "bureau_balance": "bureau.COUNT",
    "previous_application": "previous_application.COUNT",
    "POS_CASH_balance": "POS_CASH_balance.COUNT",
    "credit_card_balance": "credit_card_balance.COUNT",
    "installments_payments": "installments_payments.COUNT",
}

_LATE_COLUMNS = (
    "CREDIT_DAY_OVERDUE|AMT_CREDIT_MAX_OVERDUE|AMT_CREDIT_SUM_OVERDUE|STATUS|SK_DPD|SK_DPD_DEF"
    "|DAYS_ENTRY_PAYMENT|AMT_PAYMENT"
)
# (pattern on the group name, code), first match wins
_RULES: tuple[tuple[str, str], ...] = (
    (r"EXT_SOURCE(_[123])?", "R01"),
    (rf"[A-Za-z_]+\.({_LATE_COLUMNS})", "R02"),
    (r"previous_application\.(NAME_CONTRACT_STATUS|CODE_REJECT_REASON)", "R03"),
    (r"bureau\.(DAYS_CREDIT|DAYS_CREDIT_ENDDATE|DAYS_CREDIT_UPDATE|DAYS_ENDDATE_FACT)", "R05"),
    (r"bureau\..*", "R04"),
    (r"previous_application\..*", "R06"),
    (r"(POS_CASH_balance|installments_payments)\..*", "R07"),
    (r"credit_card_balance\..*", "R08"),
    (r"AMT_INCOME_TOTAL", "R09"),
    (r"ANNUITY_INCOME_RATIO|CREDIT_INCOME_RATIO", "R10"),
    (r"AMT_CREDIT|AMT_ANNUITY|AMT_GOODS_PRICE|PAYMENT_RATE|GOODS_CREDIT_RATIO", "R11"),
    (r"NAME_CONTRACT_TYPE", "R11"),
    (r"DAYS_EMPLOYED|FLAG_EMP_PHONE", "R12"),
    (r"NAME_INCOME_TYPE", "R13"),
    (r"OCCUPATION_TYPE", "R14"),
    (r"ORGANIZATION_TYPE", "R15"),
    (r"NAME_EDUCATION_TYPE", "R16"),
    (r"DAYS_BIRTH", "R17"),
    (r"NAME_HOUSING_TYPE|FLAG_OWN_REALTY", "R18"),
    (r"FLAG_OWN_CAR|OWN_CAR_AGE", "R19"),
    (r"REGION_RATING_CLIENT(_W_CITY)?|REGION_POPULATION_RELATIVE", "R20"),
    (r"(REG|LIVE)_(REGION|CITY)_NOT_(LIVE|WORK)_(REGION|CITY)", "R21"),
    (
        r"BUILDING_INFO|TOTALAREA_MODE|FONDKAPREMONT_MODE|HOUSETYPE_MODE|WALLSMATERIAL_MODE"
        r"|EMERGENCYSTATE_MODE|[A-Z_]+_(AVG|MODE|MEDI)",
        "R22",
    ),
    (r"FLAG_DOCUMENT(_\d+)?", "R23"),
    (r"FLAG_MOBIL|FLAG_WORK_PHONE|FLAG_CONT_MOBILE|FLAG_PHONE|FLAG_EMAIL", "R24"),
    (r"DAYS_LAST_PHONE_CHANGE", "R24"),
    (r"DAYS_ID_PUBLISH|DAYS_REGISTRATION", "R25"),
    (r"AMT_REQ_CREDIT_BUREAU(_[A-Z]+)?", "R26"),
    (r"SOCIAL_CIRCLE|(OBS|DEF)_(30|60)_CNT_SOCIAL_CIRCLE", "R27"),
    (r"CNT_CHILDREN", "R28"),
    (r"HOUR_APPR_PROCESS_START|WEEKDAY_APPR_PROCESS_START", "R29"),
)
_COMPILED = [(re.compile(pattern), code) for pattern, code in _RULES]
FALLBACK = "R99"


# ---- documents the applicant can bring (the letter lists them) ----------------------

DOCUMENTS: dict[str, tuple[str, str]] = {
    "income": (
        "Un justificatif de revenus : vos trois derniers bulletins de salaire ou votre "
        "dernier avis d'imposition",
        "Proof of income: your last three payslips or your latest tax assessment",
    ),
    "employment": (
        "Votre contrat de travail ou une attestation de votre employeur",
        "Your employment contract or a letter from your employer",
    ),
    "other_lenders": (
        "Les tableaux d'amortissement et les derniers relevés de vos crédits auprès "
        "d'autres établissements",
        "The repayment schedules and latest statements of your credits with other lenders",
    ),
    "bureau": (
        "Un relevé récent de votre dossier auprès d'une agence d'évaluation du crédit, ou "
        "votre accord pour que nous le consultions",
        "A recent report from a credit reference agency, or your permission for us to consult one",
    ),
    "identity": (
        "Une pièce d'identité en cours de validité",
        "A valid identity document",
    ),
    "address": (
        "Un justificatif de domicile de moins de trois mois",
        "Proof of address less than three months old",
    ),
    "purchase": (
        "Le devis ou le bon de commande du bien à financer",
        "The quote or order form for what the credit will pay for",
    ),
    "supporting": (
        "Les pièces justificatives demandées lors de votre demande",
        "The supporting documents asked for with your application",
    ),
}
# reason code (catalogue R.., policy P..) -> documents that can change the assessment
DOCUMENTS_BY_CODE: dict[str, tuple[str, ...]] = {
    "R01": ("bureau",),
    "R02": ("other_lenders", "bureau"),
    "R04": ("other_lenders",),
    "R05": ("other_lenders",),
    "R09": ("income",),
    "R10": ("income",),
    "R11": ("purchase",),
    "R12": ("employment",),
    "R13": ("income",),
    "R14": ("employment",),
    "R15": ("employment",),
    "R17": ("identity",),
    "R18": ("address",),
    "R20": ("address",),
    "R21": ("address",),
    "R25": ("identity",),
    "R26": ("bureau",),
    "R30": ("bureau", "other_lenders"),
    "R32": ("other_lenders",),
    "R34": ("other_lenders",),
    "P01": ("identity",),
    "P02": ("identity",),
    "P03": ("income", "other_lenders"),
    "P04": ("income", "other_lenders"),
    "P05": ("income",),
    "P07": ("income",),
    "P08": ("employment",),
}
# codes for which no document can help (history with us, facts a document cannot change)
NO_DOCUMENT = frozenset(
    {"R03", "R06", "R07", "R08", "R16", "R19", "R22", "R23", "R24", "R27", "R28", "R29"}
    | {"R31", "R33", "R99", "P06"}
)


def documents_for(codes: list[str], lang: str) -> list[str]:
    """The documents an applicant can bring to answer the given reasons.

    Parameters
    ----------
    codes : list of str
        Reason codes of the catalogue (``R01``...) and policy rule codes (``P03``...), in
        order of importance.
    lang : {"fr", "en"}

    Returns
    -------
    list of str
        One line per document, without duplicates, in the order of the first code that
        asks for it; unknown codes and codes no document can answer add nothing.
    """
    return document_texts(
        [document for code in codes for document in DOCUMENTS_BY_CODE.get(code, ())], lang
    )


def document_texts(keys: list[str], lang: str) -> list[str]:
    """The applicant's wording of documents (keys of :data:`DOCUMENTS`), without duplicates."""
    index = 0 if lang == "fr" else 1
    return [DOCUMENTS[key][index] for key in dict.fromkeys(keys)]


def code_for_group(group: str) -> str:
    """The catalogue code of a feature group (R99 when no rule names it)."""
    for pattern, code in _COMPILED:
        if pattern.fullmatch(group):
            return code
    return FALLBACK


def history_table(group: str) -> str | None:
    """The history table a group's features aggregate, or None for the application."""
    table = group.split(".", 1)[0] if "." in group else None
    return table if table in HISTORY_ABSENCE else None


def reason_label(code: str, lang: str = "fr") -> str:
    """The applicant's wording of a code's fact (the code itself if unknown)."""
    entry = CATALOGUE.get(code)
    return entry.label(lang) if entry else code


def advisor_text(code: str, lang: str = "fr") -> str:
    entry = CATALOGUE.get(code)
    return entry.advisor(lang) if entry else code
