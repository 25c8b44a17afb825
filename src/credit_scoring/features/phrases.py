"""Plain-words phrases for raw columns, in English and French, with their unit.

French phrases carry their article ("le montant du crédit") so that templates can
contract it ("moyenne du montant du crédit"). A phrase is looked up for a table
first, then for the column name shared by several tables.
"""

from __future__ import annotations

from typing import NamedTuple


class Phrase(NamedTuple):
    en: str
    fr: str
    unit: str


_P = Phrase

COMMON: dict[str, Phrase] = {
    # application
    "CNT_CHILDREN": _P("number of children", "le nombre d'enfants", "count"),
    # AMT_INCOME_TOTAL is a monthly income, AMT_ANNUITY a monthly payment (the income
    # convention of lending/form/kaggle.py)
    "AMT_INCOME_TOTAL": _P("monthly income", "le revenu mensuel", "currency"),
    "AMT_CREDIT": _P("credit amount", "le montant du crédit", "currency"),
    "AMT_ANNUITY": _P("monthly loan payment", "la mensualité du prêt", "currency"),
    "AMT_GOODS_PRICE": _P("price of the goods", "le prix du bien financé", "currency"),
    "REGION_POPULATION_RELATIVE": _P(
        "population density of the region", "la densité de population de la région", "ratio"
    ),
    "DAYS_BIRTH": _P("age (days before the application)", "l'âge (jours avant la demande)", "days"),
    "DAYS_EMPLOYED": _P(
        "time in current job (days before the application)",
        "l'ancienneté dans l'emploi (jours avant la demande)",
        "days",
    ),
    "DAYS_REGISTRATION": _P(
        "time since the registration changed",
        "le délai depuis le changement d'enregistrement",
        "days",
    ),
    "DAYS_ID_PUBLISH": _P(
        "time since the identity document changed",
        "le délai depuis le changement de pièce d'identité",
        "days",
    ),
    "OWN_CAR_AGE": _P("age of the client's car", "l'âge de la voiture du client", "years"),
    "FLAG_MOBIL": _P("mobile phone given", "le téléphone mobile fourni", "flag"),
    "FLAG_EMP_PHONE": _P("work phone given", "le téléphone professionnel fourni", "flag"),
    "FLAG_WORK_PHONE": _P("home phone given", "le téléphone fixe fourni", "flag"),
    "FLAG_CONT_MOBILE": _P("mobile phone reachable", "le téléphone mobile joignable", "flag"),
    "FLAG_PHONE": _P("phone given", "le téléphone fourni", "flag"),
    "FLAG_EMAIL": _P("e-mail given", "l'e-mail fourni", "flag"),
    "CNT_FAM_MEMBERS": _P(
        "number of family members", "le nombre de membres de la famille", "count"
    ),
    "REGION_RATING_CLIENT": _P(
        "rating of the client's region", "la note de la région du client", "score"
    ),
    "REGION_RATING_CLIENT_W_CITY": _P(
        "rating of the client's region and city",
        "la note de la région et de la ville du client",
        "score",
    ),
    "HOUR_APPR_PROCESS_START": _P("hour of the application", "l'heure de la demande", "hour"),
    "REG_REGION_NOT_LIVE_REGION": _P(
        "contact region differs from home region",
        "la région de contact différente du domicile",
        "flag",
    ),
    "REG_REGION_NOT_WORK_REGION": _P(
        "contact region differs from work region",
        "la région de contact différente du travail",
        "flag",
    ),
    "LIVE_REGION_NOT_WORK_REGION": _P(
        "home region differs from work region",
        "la région du domicile différente du travail",
        "flag",
    ),
    "REG_CITY_NOT_LIVE_CITY": _P(
        "contact city differs from home city", "la ville de contact différente du domicile", "flag"
    ),
    "REG_CITY_NOT_WORK_CITY": _P(
        "contact city differs from work city", "la ville de contact différente du travail", "flag"
    ),
    "LIVE_CITY_NOT_WORK_CITY": _P(
        "home city differs from work city", "la ville du domicile différente du travail", "flag"
    ),
    "EXT_SOURCE_1": _P("external score 1", "le score externe 1", "score"),
    "EXT_SOURCE_2": _P("external score 2", "le score externe 2", "score"),
    "EXT_SOURCE_3": _P("external score 3", "le score externe 3", "score"),
    "TOTALAREA_MODE": _P(
        "total area of the building (mode)", "la surface totale de l'immeuble (mode)", "number"
    ),
    "OBS_30_CNT_SOCIAL_CIRCLE": _P(
        "acquaintances observed 30 days late",
        "les proches observés avec 30 jours de retard",
        "count",
    ),
    "DEF_30_CNT_SOCIAL_CIRCLE": _P(
        "acquaintances who defaulted 30 days late", "les proches en défaut à 30 jours", "count"
    ),
    "OBS_60_CNT_SOCIAL_CIRCLE": _P(
        "acquaintances observed 60 days late",
        "les proches observés avec 60 jours de retard",
        "count",
    ),
    "DEF_60_CNT_SOCIAL_CIRCLE": _P(
        "acquaintances who defaulted 60 days late", "les proches en défaut à 60 jours", "count"
    ),
    "DAYS_LAST_PHONE_CHANGE": _P(
        "time since the phone changed", "le délai depuis le changement de téléphone", "days"
    ),
    "NAME_CONTRACT_TYPE": _P("contract type", "le type de contrat", "category"),
    "CODE_GENDER": _P("gender", "le genre", "category"),
    "FLAG_OWN_CAR": _P("car owned", "la possession d'une voiture", "flag"),
    "FLAG_OWN_REALTY": _P("home owned", "la possession d'un logement", "flag"),
    "NAME_TYPE_SUITE": _P("accompanying person", "l'accompagnant", "category"),
    "NAME_INCOME_TYPE": _P("income type", "le type de revenu", "category"),
    "NAME_EDUCATION_TYPE": _P("education", "le niveau d'études", "category"),
    "NAME_FAMILY_STATUS": _P("family status", "la situation familiale", "category"),
    "NAME_HOUSING_TYPE": _P("housing type", "le type de logement", "category"),
    "OCCUPATION_TYPE": _P("occupation", "la profession", "category"),
    "WEEKDAY_APPR_PROCESS_START": _P(
        "weekday of the application", "le jour de la demande", "category"
    ),
    "ORGANIZATION_TYPE": _P("employer's sector", "le secteur de l'employeur", "category"),
    "FONDKAPREMONT_MODE": _P(
        "building repair fund", "le fonds de réparation de l'immeuble", "category"
    ),
    "HOUSETYPE_MODE": _P("house type", "le type de maison", "category"),
    "WALLSMATERIAL_MODE": _P("wall material", "le matériau des murs", "category"),
    "EMERGENCYSTATE_MODE": _P(
        "building in emergency state", "l'immeuble en état d'urgence", "category"
    ),
    # bureau
    "DAYS_CREDIT": _P(
        "days since the credit was granted", "l'ancienneté du crédit (jours)", "days"
    ),
    "CREDIT_DAY_OVERDUE": _P("days overdue", "les jours de retard", "days"),
    "DAYS_CREDIT_ENDDATE": _P(
        "days until the planned end", "les jours jusqu'à la fin prévue", "days"
    ),
    "DAYS_ENDDATE_FACT": _P(
        "days since the actual end", "les jours depuis la fin effective", "days"
    ),
    "AMT_CREDIT_MAX_OVERDUE": _P("peak overdue amount", "le pic d'impayé", "currency"),
    "CNT_CREDIT_PROLONG": _P("number of prolongations", "le nombre de prolongations", "count"),
    "AMT_CREDIT_SUM": _P("credit amount", "le montant du crédit", "currency"),
    "AMT_CREDIT_SUM_DEBT": _P("remaining debt", "la dette restante", "currency"),
    "AMT_CREDIT_SUM_LIMIT": _P("credit limit", "la limite de crédit", "currency"),
    "AMT_CREDIT_SUM_OVERDUE": _P("overdue amount", "le montant impayé", "currency"),
    "DAYS_CREDIT_UPDATE": _P(
        "days since the last update", "les jours depuis la dernière mise à jour", "days"
    ),
    "CREDIT_ACTIVE": _P("status", "le statut", "category"),
    "CREDIT_CURRENCY": _P("currency", "la devise", "category"),
    "CREDIT_TYPE": _P("credit type", "le type de crédit", "category"),
    "STATUS": _P("monthly status", "le statut mensuel", "category"),
    "MONTHS_BALANCE": _P(
        "month of the record (before the application)",
        "le mois du relevé (avant la demande)",
        "months",
    ),
    # previous_application
    "AMT_APPLICATION": _P("amount asked", "le montant demandé", "currency"),
    "AMT_DOWN_PAYMENT": _P("down payment", "l'apport", "currency"),
    "NFLAG_LAST_APPL_IN_DAY": _P(
        "last application of the day", "la dernière demande du jour", "flag"
    ),
    "RATE_DOWN_PAYMENT": _P("down payment rate", "le taux d'apport", "ratio"),
    "RATE_INTEREST_PRIMARY": _P("interest rate", "le taux d'intérêt", "ratio"),
    "RATE_INTEREST_PRIVILEGED": _P(
        "privileged interest rate", "le taux d'intérêt préférentiel", "ratio"
    ),
    "DAYS_DECISION": _P("days since the decision", "les jours depuis la décision", "days"),
    "SELLERPLACE_AREA": _P("seller's area", "la zone du vendeur", "number"),
    "CNT_PAYMENT": _P("term (number of payments)", "la durée (nombre d'échéances)", "count"),
    "DAYS_FIRST_DRAWING": _P(
        "days since the first drawing", "les jours depuis le premier tirage", "days"
    ),
    "DAYS_FIRST_DUE": _P(
        "days since the first due date", "les jours depuis la première échéance", "days"
    ),
    "DAYS_LAST_DUE_1ST_VERSION": _P(
        "days since the first planned last due date",
        "les jours depuis la dernière échéance initialement prévue",
        "days",
    ),
    "DAYS_LAST_DUE": _P(
        "days since the last due date", "les jours depuis la dernière échéance", "days"
    ),
    "DAYS_TERMINATION": _P("days since the termination", "les jours depuis la clôture", "days"),
    "NFLAG_INSURED_ON_APPROVAL": _P("insurance requested", "l'assurance demandée", "flag"),
    "NAME_CONTRACT_STATUS": _P("contract status", "le statut du contrat", "category"),
    "NAME_CASH_LOAN_PURPOSE": _P("loan purpose", "l'objet du prêt", "category"),
    "NAME_PAYMENT_TYPE": _P("payment method", "le mode de paiement", "category"),
    "CODE_REJECT_REASON": _P("refusal reason", "le motif de refus", "category"),
    "NAME_CLIENT_TYPE": _P("client type", "le type de client", "category"),
    "NAME_GOODS_CATEGORY": _P("goods category", "la catégorie du bien", "category"),
    "NAME_PORTFOLIO": _P("portfolio", "le portefeuille", "category"),
    "NAME_PRODUCT_TYPE": _P("product type", "le type de produit", "category"),
    "CHANNEL_TYPE": _P("sales channel", "le canal de vente", "category"),
    "NAME_SELLER_INDUSTRY": _P("seller's industry", "le secteur du vendeur", "category"),
    "NAME_YIELD_GROUP": _P("interest rate group", "la catégorie de taux", "category"),
    "PRODUCT_COMBINATION": _P("product combination", "la combinaison de produits", "category"),
    "FLAG_LAST_APPL_PER_CONTRACT": _P(
        "last application for the contract", "la dernière demande pour le contrat", "category"
    ),
    # POS_CASH_balance / credit_card_balance
    "CNT_INSTALMENT": _P("term (number of instalments)", "la durée (nombre d'échéances)", "count"),
    "CNT_INSTALMENT_FUTURE": _P(
        "instalments left to pay", "les échéances restant à payer", "count"
    ),
    "SK_DPD": _P("days past due", "les jours de retard", "days"),
    "SK_DPD_DEF": _P(
        "days past due (tolerance excluded)", "les jours de retard (hors tolérance)", "days"
    ),
    "AMT_BALANCE": _P("balance", "le solde", "currency"),
    "AMT_CREDIT_LIMIT_ACTUAL": _P("credit limit", "la limite de crédit", "currency"),
    "AMT_DRAWINGS_ATM_CURRENT": _P(
        "cash withdrawals in the month", "les retraits du mois", "currency"
    ),
    "AMT_DRAWINGS_CURRENT": _P("drawings in the month", "les tirages du mois", "currency"),
    "AMT_DRAWINGS_OTHER_CURRENT": _P(
        "other drawings in the month", "les autres tirages du mois", "currency"
    ),
    "AMT_DRAWINGS_POS_CURRENT": _P(
        "card purchases in the month", "les achats par carte du mois", "currency"
    ),
    "AMT_INST_MIN_REGULARITY": _P("minimum instalment", "l'échéance minimale", "currency"),
    "AMT_PAYMENT_CURRENT": _P("payment in the month", "le paiement du mois", "currency"),
    "AMT_PAYMENT_TOTAL_CURRENT": _P(
        "payment of all kinds in the month", "le paiement total du mois", "currency"
    ),
    "AMT_RECEIVABLE_PRINCIPAL": _P("principal receivable", "le principal dû", "currency"),
    "AMT_RECIVABLE": _P("amount receivable", "le montant dû", "currency"),
    "AMT_TOTAL_RECEIVABLE": _P("full amount receivable", "le montant total dû", "currency"),
    "CNT_DRAWINGS_ATM_CURRENT": _P("number of cash withdrawals", "le nombre de retraits", "count"),
    "CNT_DRAWINGS_CURRENT": _P("number of drawings", "le nombre de tirages", "count"),
    "CNT_DRAWINGS_OTHER_CURRENT": _P(
        "number of other drawings", "le nombre d'autres tirages", "count"
    ),
    "CNT_DRAWINGS_POS_CURRENT": _P(
        "number of card purchases", "le nombre d'achats par carte", "count"
    ),
    "CNT_INSTALMENT_MATURE_CUM": _P(
        "instalments paid so far", "les échéances déjà payées", "count"
    ),
    # installments_payments
    "NUM_INSTALMENT_VERSION": _P(
        "instalment calendar version", "la version du calendrier", "number"
    ),
    "NUM_INSTALMENT_NUMBER": _P("instalment number", "le numéro d'échéance", "number"),
    "DAYS_INSTALMENT": _P(
        "due date (days before the application)",
        "la date d'échéance (jours avant la demande)",
        "days",
    ),
    "DAYS_ENTRY_PAYMENT": _P(
        "payment date (days before the application)",
        "la date de paiement (jours avant la demande)",
        "days",
    ),
    "AMT_INSTALMENT": _P("instalment amount", "le montant de l'échéance", "currency"),
    "AMT_PAYMENT": _P("amount paid", "le montant payé", "currency"),
}

# Same column name, different meaning in one table.
BY_TABLE: dict[str, dict[str, Phrase]] = {
    "bureau": {
        "AMT_ANNUITY": _P("annuity", "l'annuité", "currency"),
    },
    "previous_application": {
        "AMT_CREDIT": _P("amount granted", "le montant accordé", "currency"),
        "AMT_ANNUITY": _P("annuity", "l'annuité", "currency"),
        "HOUR_APPR_PROCESS_START": _P("hour of the application", "l'heure de la demande", "hour"),
    },
    "credit_card_balance": {
        "NAME_CONTRACT_STATUS": _P("card status", "le statut de la carte", "category"),
    },
    "POS_CASH_balance": {
        "NAME_CONTRACT_STATUS": _P("loan status", "le statut du prêt", "category"),
    },
}

_BUILDING = {
    "APARTMENTS": ("apartment size", "la taille de l'appartement"),
    "BASEMENTAREA": ("basement area", "la surface du sous-sol"),
    "YEARS_BEGINEXPLUATATION": ("building service start", "la mise en service de l'immeuble"),
    "YEARS_BUILD": ("building age", "l'âge de l'immeuble"),
    "COMMONAREA": ("common area", "la surface des parties communes"),
    "ELEVATORS": ("number of elevators", "le nombre d'ascenseurs"),
    "ENTRANCES": ("number of entrances", "le nombre d'entrées"),
    "FLOORSMAX": ("highest floor", "l'étage le plus haut"),
    "FLOORSMIN": ("lowest floor", "l'étage le plus bas"),
    "LANDAREA": ("land area", "la surface du terrain"),
    "LIVINGAPARTMENTS": ("living apartments", "les appartements habités"),
    "LIVINGAREA": ("living area", "la surface habitable"),
    "NONLIVINGAPARTMENTS": ("non-living apartments", "les appartements non habités"),
    "NONLIVINGAREA": ("non-living area", "la surface non habitable"),
}
_BUILDING_STAT = {
    "AVG": ("average", "moyenne"),
    "MODE": ("mode", "mode"),
    "MEDI": ("median", "médiane"),
}
_REQ = {
    "HOUR": ("hour", "l'heure"),
    "DAY": ("day", "le jour"),
    "WEEK": ("week", "la semaine"),
    "MON": ("month", "le mois"),
    "QRT": ("quarter", "le trimestre"),
    "YEAR": ("year", "l'année"),
}

BUILDING_COLUMNS = tuple(f"{b}_{s}" for s in _BUILDING_STAT for b in _BUILDING)
DOCUMENT_COLUMNS = tuple(f"FLAG_DOCUMENT_{i}" for i in range(2, 22))
ENQUIRY_COLUMNS = tuple(f"AMT_REQ_CREDIT_BUREAU_{p}" for p in _REQ)

for _b, (_en, _fr) in _BUILDING.items():
    for _s, (_sen, _sfr) in _BUILDING_STAT.items():
        COMMON[f"{_b}_{_s}"] = _P(
            f"{_en} of the home's building ({_sen})", f"{_fr} du logement ({_sfr})", "number"
        )
for _i in range(2, 22):
    COMMON[f"FLAG_DOCUMENT_{_i}"] = _P(
        f"document {_i} provided", f"le document {_i} fourni", "flag"
    )
for _p, (_en, _fr) in _REQ.items():
    COMMON[f"AMT_REQ_CREDIT_BUREAU_{_p}"] = _P(
        f"credit bureau enquiries in the last {_en}",
        f"les consultations du bureau de crédit dans {_fr} précédant la demande",
        "count",
    )


def phrase(table: str, column: str) -> Phrase:
    """The phrase for ``column`` of ``table``; KeyError names what is missing."""
    found = BY_TABLE.get(table, {}).get(column) or COMMON.get(column)
    if found is None:
        raise KeyError(f"no plain-words phrase for {table}.{column}: add it to features/phrases.py")
    return found
