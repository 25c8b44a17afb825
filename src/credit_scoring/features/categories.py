"""Fixed category lists for every encoded categorical column.

Encodings come from these lists only, never from the data seen, so training and
scoring always produce the same columns. A value not listed (or missing) gets 0
in every one-hot column of its variable. French labels are given where the value
is shown to advisors; other values read as in the source data.
"""

from __future__ import annotations

APPLICATION: dict[str, tuple[str, ...]] = {
    "NAME_CONTRACT_TYPE": ("Cash loans", "Revolving loans"),
    "CODE_GENDER": ("F", "M"),
    "NAME_TYPE_SUITE": ("Unaccompanied", "Family", "Spouse, partner", "Children", "Other_A",
                        "Other_B", "Group of people"),
    "NAME_INCOME_TYPE": ("Working", "Commercial associate", "Pensioner", "State servant",
                         "Unemployed", "Student", "Businessman", "Maternity leave"),
    "NAME_EDUCATION_TYPE": ("Lower secondary", "Secondary / secondary special", "Incomplete higher",
                            "Higher education", "Academic degree"),
    "NAME_FAMILY_STATUS": ("Married", "Single / not married", "Civil marriage", "Separated", "Widow"),
    "NAME_HOUSING_TYPE": ("House / apartment", "With parents", "Municipal apartment",
                          "Rented apartment", "Office apartment", "Co-op apartment"),
    "OCCUPATION_TYPE": ("Laborers", "Sales staff", "Core staff", "Managers", "Drivers",
                        "High skill tech staff", "Accountants", "Medicine staff", "Security staff",
                        "Cooking staff", "Cleaning staff", "Private service staff",
                        "Low-skill Laborers", "Secretaries", "Waiters/barmen staff",
                        "Realty agents", "HR staff", "IT staff"),
    "WEEKDAY_APPR_PROCESS_START": ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY",
                                   "SATURDAY", "SUNDAY"),
    "ORGANIZATION_TYPE": (
        "Business Entity Type 1", "Business Entity Type 2", "Business Entity Type 3", "XNA",
        "Self-employed", "Other", "Medicine", "Government", "School", "Kindergarten",
        "Construction", "Security", "Housing", "Military", "Bank", "Police", "Agriculture", "Postal",
        "Security Ministries", "Restaurant", "Services", "University", "Electricity", "Hotel",
        "Telecom", "Emergency", "Insurance", "Advertising", "Culture", "Realtor", "Legal Services",
        "Mobile", "Cleaning", "Religion",
        *(f"Industry: type {i}" for i in range(1, 14)),
        *(f"Trade: type {i}" for i in range(1, 8)),
        *(f"Transport: type {i}" for i in range(1, 5)),
    ),
    "FONDKAPREMONT_MODE": ("reg oper account", "reg oper spec account", "org spec account",
                           "not specified"),
    "HOUSETYPE_MODE": ("block of flats", "specific housing", "terraced house"),
    "WALLSMATERIAL_MODE": ("Panel", "Stone, brick", "Block", "Wooden", "Mixed", "Monolithic",
                           "Others"),
}

# Ordered levels, encoded 0, 1, 2, ... (missing or unknown -> missing).
EDUCATION_LEVELS = APPLICATION["NAME_EDUCATION_TYPE"]

BUREAU = {
    "CREDIT_ACTIVE": ("Active", "Closed", "Sold", "Bad debt"),
    "CREDIT_CURRENCY": ("currency 1", "currency 2", "currency 3", "currency 4"),
    "CREDIT_TYPE": ("Consumer credit", "Credit card", "Car loan", "Mortgage", "Microloan",
                    "Loan for business development", "Another type of loan",
                    "Loan for working capital replenishment", "Cash loan (non-earmarked)",
                    "Real estate loan", "Unknown type of loan", "Loan for the purchase of equipment",
                    "Loan for purchase of shares (margin lending)", "Interbank credit",
                    "Mobile operator loan"),
}
BUREAU_STATUS = ("C", "X", "0", "1", "2", "3", "4", "5")

PREVIOUS = {
    "NAME_CONTRACT_TYPE": ("Cash loans", "Consumer loans", "Revolving loans", "XNA"),
    "NAME_CONTRACT_STATUS": ("Approved", "Canceled", "Refused", "Unused offer"),
    "NAME_CASH_LOAN_PURPOSE": ("XAP", "XNA", "Repairs", "Other", "Urgent needs",
                               "Buying a used car", "Everyday expenses", "Payments on other loans",
                               "Building a house or an annex", "Medicine", "Education",
                               "Buying a new car", "Buying a home", "Car repairs", "Journey"),
    "NAME_PAYMENT_TYPE": ("Cash through the bank", "XNA", "Non-cash from your account",
                          "Cashless from the account of the employer"),
    "CODE_REJECT_REASON": ("XAP", "HC", "LIMIT", "SCO", "CLIENT", "SCOFR", "XNA", "VERIF",
                           "SYSTEM"),
    "NAME_CLIENT_TYPE": ("Repeater", "New", "Refreshed", "XNA"),
    "NAME_GOODS_CATEGORY": ("XNA", "Mobile", "Consumer Electronics", "Computers", "Audio/Video",
                            "Furniture", "Construction Materials", "Clothing and Accessories",
                            "Photo / Cinema Equipment", "Auto Accessories", "Jewelry",
                            "Homewares", "Medical Supplies", "Vehicles", "Other"),
    "NAME_PORTFOLIO": ("POS", "Cash", "XNA", "Cards", "Cars"),
    "NAME_PRODUCT_TYPE": ("XNA", "x-sell", "walk-in"),
    "CHANNEL_TYPE": ("Credit and cash offices", "Country-wide", "Stone", "Regional / Local",
                     "Contact center", "AP+ (Cash loan)", "Channel of corporate sales",
                     "Car dealer"),
    "NAME_SELLER_INDUSTRY": ("XNA", "Consumer electronics", "Connectivity", "Furniture",
                             "Construction", "Clothing", "Industry", "Auto technology", "Jewelry",
                             "MLM partners", "Tourism"),
    "NAME_YIELD_GROUP": ("XNA", "middle", "high", "low_normal", "low_action"),
    "PRODUCT_COMBINATION": ("Cash", "POS household with interest", "POS mobile with interest",
                            "Cash X-Sell: middle", "Cash X-Sell: low", "Card Street",
                            "POS industry with interest", "Card X-Sell",
                            "POS household without interest", "Cash X-Sell: high",
                            "Cash Street: high", "Cash Street: low", "Cash Street: middle",
                            "POS mobile without interest", "POS other with interest",
                            "POS industry without interest", "POS others without interest"),
}

POS_STATUS = ("Active", "Completed", "Signed", "Demand", "Returned to the store", "Approved",
              "Amortized debt", "Canceled")
CARD_STATUS = ("Active", "Completed", "Signed", "Demand", "Sent proposal", "Refused", "Approved")

# Plain-words labels (English, French) for values shown to advisors.
LABELS: dict[str, tuple[str, str]] = {
    "Cash loans": ("cash loan", "prêt en espèces"),
    "Revolving loans": ("revolving credit", "crédit renouvelable"),
    "Consumer loans": ("consumer loan", "prêt à la consommation"),
    "F": ("woman", "femme"),
    "M": ("man", "homme"),
    "Working": ("employee", "salarié"),
    "Commercial associate": ("commercial associate", "associé commercial"),
    "Pensioner": ("pensioner", "retraité"),
    "State servant": ("civil servant", "fonctionnaire"),
    "Unemployed": ("unemployed", "sans emploi"),
    "Student": ("student", "étudiant"),
    "Businessman": ("business owner", "chef d'entreprise"),
    "Maternity leave": ("maternity leave", "congé maternité"),
    "Lower secondary": ("lower secondary", "premier cycle du secondaire"),
    "Secondary / secondary special": ("secondary", "secondaire"),
    "Incomplete higher": ("incomplete higher education", "supérieur non terminé"),
    "Higher education": ("higher education", "enseignement supérieur"),
    "Academic degree": ("academic degree", "diplôme universitaire"),
    "Married": ("married", "marié"),
    "Single / not married": ("single", "célibataire"),
    "Civil marriage": ("civil partnership", "union civile"),
    "Separated": ("separated", "séparé"),
    "Widow": ("widowed", "veuf ou veuve"),
    "House / apartment": ("house or apartment", "maison ou appartement"),
    "With parents": ("with parents", "chez les parents"),
    "Municipal apartment": ("municipal housing", "logement municipal"),
    "Rented apartment": ("rented", "location"),
    "Office apartment": ("company housing", "logement de fonction"),
    "Co-op apartment": ("cooperative housing", "logement coopératif"),
    "Approved": ("approved", "acceptée"),
    "Refused": ("refused", "refusée"),
    "Canceled": ("cancelled", "annulée"),
    "Unused offer": ("unused offer", "offre non utilisée"),
    "Active": ("active", "en cours"),
    "Closed": ("closed", "clôturé"),
    "Completed": ("completed", "terminé"),
    "Sold": ("sold", "cédé"),
    "Bad debt": ("bad debt", "créance douteuse"),
    "Unaccompanied": ("alone", "seul"),
    "Family": ("family", "famille"),
    "Spouse, partner": ("spouse or partner", "conjoint"),
    "Children": ("children", "enfants"),
}


def label(value: str) -> tuple[str, str]:
    return LABELS.get(value, (value, value))
