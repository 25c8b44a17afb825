"""The bank form: validation messages, impossible combinations, loan completion, Kaggle rows."""

from __future__ import annotations

import json
import math
import warnings
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

with warnings.catch_warnings():  # starlette prefers httpx2, which is not in the lock file
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from credit_scoring.config import Settings
from credit_scoring.features import categories
from credit_scoring.features.online import build_features_for_frames
from credit_scoring.lending.form import (
    CHOICES,
    EMPLOYED_PLACEHOLDER,
    Applicant,
    ApplicationForm,
    FieldError,
    FormErrors,
    LenderTerms,
    Loan,
    annuity,
    check_form,
    complete_loan,
    from_application_row,
    lender_terms,
    pydantic_errors,
    to_application_row,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "new-application.json"
SAMPLE = next(
    (
        folder / "shared" / "data" / "home-credit-sample" / "application_train.csv.gz"
        for folder in (ROOT.parent, ROOT.parent.parent)  # beside the checkout, or a worktree's
        if (folder / "shared" / "data" / "home-credit-sample").is_dir()
    ),
    ROOT.parent / "shared" / "data" / "home-credit-sample" / "application_train.csv.gz",
)
TODAY = date(2026, 3, 2)  # a Monday
TERMS = LenderTerms(yearly_rate=0.12, min_term_months=6, max_term_months=120)
KAGGLE_COLUMNS = {
    "sex": "CODE_GENDER",
    "family_status": "NAME_FAMILY_STATUS",
    "education": "NAME_EDUCATION_TYPE",
    "income_type": "NAME_INCOME_TYPE",
    "housing": "NAME_HOUSING_TYPE",
    "occupation": "OCCUPATION_TYPE",
    "employer_type": "ORGANIZATION_TYPE",
    "contract_type": "NAME_CONTRACT_TYPE",
}


def plain(text: str) -> str:
    """Messages use no-break spaces in French (``12,0 %``); tests read plain spaces."""
    return text.replace("\u00a0", " ")


def applicant_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "birth_date": "1991-03-14",
        "sex": "female",
        "family_status": "married",
        "children": 1,
        "education": "secondary",
        "income_type": "working",
        "income_yearly": 30000,
        "employed_since": "2019-09-01",
        "occupation": "sales_staff",
        "employer_type": "trade_type_7",
        "housing": "house_apartment",
        "owns_car": False,
        "owns_property": True,
        "ext_source_2": 0.62,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def form_data(applicant: dict[str, Any] | None = None, **loan: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"contract_type": "cash", "amount": 15000, "term_months": 36}
    body.update(loan)
    return {
        "applicant": applicant if applicant is not None else applicant_data(),
        "loan": {k: v for k, v in body.items() if v is not None},
    }


def form(applicant: dict[str, Any] | None = None, **loan: Any) -> ApplicationForm:
    return ApplicationForm.model_validate(form_data(applicant, **loan))


def row_of(applicant: Applicant, loan: Loan | None = None, sk_id_curr: int = 1) -> dict[str, Any]:
    completed = complete_loan(
        loan or Loan(contract_type="cash", amount=15000, term_months=36), TERMS
    )
    return to_application_row(applicant, completed, sk_id_curr=sk_id_curr, today=TODAY)


# --- The enumerations ------------------------------------------------------------------------


@pytest.mark.parametrize("field", sorted(KAGGLE_COLUMNS))
def test_each_enumeration_covers_exactly_the_kaggle_categories(field: str) -> None:
    column = KAGGLE_COLUMNS[field]
    seen = set()
    for code in CHOICES[field]:
        assert code.isascii() and code == code.lower() and " " not in code
        assert CHOICES[field][code]["fr"] and CHOICES[field][code]["en"]
        if field == "contract_type":
            row = row_of(
                Applicant.model_validate(applicant_data()),
                Loan(contract_type=code, amount=15000, term_months=36),
            )
        else:
            row = row_of(Applicant.model_validate(applicant_data(**{field: code})))
        seen.add(row[column])
    expected = set(categories.APPLICATION[column]) - {"XNA"}  # XNA: not employed
    assert seen == expected


def test_the_form_schema_lists_the_codes_for_the_api_documentation() -> None:
    schema = ApplicationForm.model_json_schema()
    education = schema["$defs"]["Applicant"]["properties"]["education"]
    assert education["enum"] == [
        "lower_secondary",
        "secondary",
        "incomplete_higher",
        "higher",
        "academic_degree",
    ]
    assert CHOICES["education"]["higher"] == {
        "fr": "Enseignement supérieur",
        "en": "Higher education",
    }


# --- Kaggle rows ----------------------------------------------------------------------------


def test_a_person_born_40_years_ago_is_about_minus_14610_days() -> None:
    birth = TODAY.replace(year=TODAY.year - 40)
    row = row_of(Applicant.model_validate(applicant_data(birth_date=birth.isoformat())))
    assert row["DAYS_BIRTH"] == -(TODAY - birth).days
    assert abs(row["DAYS_BIRTH"] + 14610) <= 1


def test_employment_is_negative_days_or_the_kaggle_placeholder() -> None:
    employed = row_of(Applicant.model_validate(applicant_data(employed_since="2025-03-02")))
    assert employed["DAYS_EMPLOYED"] == -365
    assert employed["ORGANIZATION_TYPE"] == "Trade: type 7"
    pensioner = Applicant.model_validate(
        applicant_data(
            income_type="pensioner", employed_since=None, not_employed=True, employer_type=None
        )
    )
    row = row_of(pensioner)
    assert row["DAYS_EMPLOYED"] == EMPLOYED_PLACEHOLDER == 365243
    assert row["ORGANIZATION_TYPE"] == "XNA"
    assert row["NAME_INCOME_TYPE"] == "Pensioner"


def test_the_row_uses_kaggle_encodings() -> None:
    applicant = Applicant.model_validate(
        applicant_data(sex="male", owns_car=True, owns_property=False, children=2, region_rating=3)
    )
    row = row_of(applicant, Loan(contract_type="revolving", amount=9000, monthly_annuity=450))
    assert row["SK_ID_CURR"] == 1
    assert row["CODE_GENDER"] == "M"
    assert (row["FLAG_OWN_CAR"], row["FLAG_OWN_REALTY"]) == ("Y", "N")
    assert row["NAME_CONTRACT_TYPE"] == "Revolving loans"
    assert row["NAME_EDUCATION_TYPE"] == "Secondary / secondary special"
    assert row["NAME_FAMILY_STATUS"] == "Married"
    assert row["NAME_HOUSING_TYPE"] == "House / apartment"
    assert row["OCCUPATION_TYPE"] == "Sales staff"
    assert row["CNT_CHILDREN"] == 2
    assert row["CNT_FAM_MEMBERS"] == 4.0  # two children and a couple
    assert row["REGION_RATING_CLIENT"] == row["REGION_RATING_CLIENT_W_CITY"] == 3
    # the income convention: AMT_INCOME_TOTAL is the monthly income (30 000 a year)
    assert (row["AMT_INCOME_TOTAL"], row["AMT_CREDIT"], row["AMT_ANNUITY"]) == (
        2500.0,
        9000.0,
        450.0,
    )
    assert row["AMT_GOODS_PRICE"] == 9000.0  # no goods price stated: the credit, as Kaggle
    assert row["EXT_SOURCE_2"] == 0.62
    assert row["EXT_SOURCE_1"] is None and row["EXT_SOURCE_3"] is None
    assert row["WEEKDAY_APPR_PROCESS_START"] == "MONDAY"
    assert not any(
        isinstance(v, int | float) and v < 0
        for k, v in row.items()
        if k != "DAYS_BIRTH" and k != "DAYS_EMPLOYED"
    )


@pytest.mark.parametrize(
    ("family_status", "children", "members"),
    [("single", 0, 1.0), ("civil_marriage", 0, 2.0), ("widowed", 3, 4.0), ("separated", 1, 2.0)],
)
def test_family_members_count_the_partner_and_the_children(
    family_status: str, children: int, members: float
) -> None:
    applicant = Applicant.model_validate(
        applicant_data(family_status=family_status, children=children)
    )
    assert row_of(applicant)["CNT_FAM_MEMBERS"] == members


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {
            "income_type": "pensioner",
            "employed_since": None,
            "not_employed": True,
            "employer_type": None,
        },
        {"occupation": None, "employer_type": None, "ext_source_1": 0.1, "ext_source_3": 0.9},
        {"sex": "male", "birth_date": "1960-02-29", "region_rating": 1, "owns_car": True},
    ],
)
def test_from_application_row_gives_the_applicant_back(changes: dict[str, Any]) -> None:
    applicant = Applicant.model_validate(applicant_data(**changes))
    loan = Loan(contract_type="revolving", amount=9000, goods_price=9500, monthly_annuity=450)
    back, loan_prefill = from_application_row(row_of(applicant, loan), today=TODAY)
    assert back == applicant
    assert loan_prefill == {
        "contract_type": "revolving",
        "amount": 9000.0,
        "goods_price": 9500.0,
        "monthly_annuity": 450.0,
        "term_months": None,
    }


def test_unknown_kaggle_values_become_none() -> None:
    row = row_of(Applicant.model_validate(applicant_data()))
    row.update(
        CODE_GENDER="XNA",
        NAME_FAMILY_STATUS="Unknown",
        ORGANIZATION_TYPE="Somewhere new",
        OCCUPATION_TYPE=float("nan"),
        EXT_SOURCE_2=float("nan"),
        NAME_CONTRACT_TYPE="Consumer loans",
    )
    back, loan = from_application_row(row, today=TODAY)
    assert back.sex is None
    assert back.family_status is None
    assert back.employer_type is None
    assert back.occupation is None
    assert back.ext_source_2 is None
    assert back.education == "secondary"  # the known values are still there
    assert back.birth_date == date(1991, 3, 14)
    assert loan["contract_type"] is None


@pytest.mark.skipif(not SAMPLE.exists(), reason="the real Home Credit sample is not here")
def test_real_kaggle_rows_read_back_to_the_same_kaggle_values() -> None:
    sample = pd.read_csv(SAMPLE, nrows=300)
    for record in sample.to_dict("records"):
        applicant, loan = from_application_row(record, today=TODAY)
        if any(
            v is None
            for k, v in applicant.model_dump().items()
            if k in ("sex", "family_status", "education", "income_type", "housing")
        ):
            continue
        completed = complete_loan(
            Loan(
                contract_type=loan["contract_type"],
                amount=loan["amount"],
                monthly_annuity=loan["monthly_annuity"],
            ),
            LenderTerms(0.12, 1, 600),
        )
        again = to_application_row(
            applicant, completed, sk_id_curr=record["SK_ID_CURR"], today=TODAY
        )
        # the monthly AMT_INCOME_TOTAL reads back as a yearly income, and back again
        assert applicant.income_yearly == pytest.approx(12 * record["AMT_INCOME_TOTAL"])
        assert again["AMT_INCOME_TOTAL"] == pytest.approx(record["AMT_INCOME_TOTAL"])
        for column in (
            *KAGGLE_COLUMNS.values(),
            "DAYS_BIRTH",
            "DAYS_EMPLOYED",
            "FLAG_OWN_CAR",
            "CNT_CHILDREN",
            "CNT_FAM_MEMBERS",
            "REGION_RATING_CLIENT",
        ):
            original = record[column]
            if isinstance(original, float) and math.isnan(original):
                assert again[column] is None, column
            else:
                assert again[column] == original, (record["SK_ID_CURR"], column)


def test_the_row_builds_features() -> None:
    applicant = Applicant.model_validate(applicant_data(ext_source_2=None))
    features = build_features_for_frames(
        {"application": pd.DataFrame([row_of(applicant, sk_id_curr=7)])}
    )
    assert len(features) == 1
    first = features.iloc[0]
    assert first["SK_ID_CURR"] == 7
    assert first["DAYS_BIRTH"] == -(TODAY - date(1991, 3, 14)).days
    assert first["AMT_ANNUITY"] == 498.21
    assert first["NAME_EDUCATION_TYPE_SECONDARY_SECONDARY_SPECIAL"] == 1.0
    assert math.isnan(first["EXT_SOURCE_2"])


# --- Completing the loan --------------------------------------------------------------------


def test_annuity_from_the_term_matches_the_hand_computation() -> None:
    # 15,000 at 12 %/12 = 1 % a month over 36 months: 150 / (1 - 1.01^-36) = 498.2146
    completed = complete_loan(Loan(contract_type="cash", amount=15000, term_months=36), TERMS)
    assert completed.monthly_annuity == 498.21
    assert completed.term_months == 36
    assert completed.computed == "monthly_annuity"
    assert (
        plain(completed.note_fr) == "Mensualité calculée au taux de 12,0 % sur 36 mois : 498,21 €"
    )
    assert completed.note_en == "Monthly payment computed at 12.0% over 36 months: €498.21"


def test_term_from_the_annuity_matches_the_hand_computation() -> None:
    # 10,000 repaid 300 a month at 1 %: n = -ln(1 - 100/300) / ln(1.01) = 40.75, so 41 months
    completed = complete_loan(Loan(contract_type="cash", amount=10000, monthly_annuity=300), TERMS)
    assert completed.term_months == 41
    assert completed.monthly_annuity == 300
    assert completed.computed == "term_months"
    assert plain(completed.note_fr) == (
        "Durée calculée au taux de 12,0 % pour une mensualité de 300,00 € : 41 mois"
    )
    assert completed.note_en == "Term computed at 12.0% for a monthly payment of €300.00: 41 months"
    # the payment a term gives (rounded to the cent) gives that term back
    back = complete_loan(Loan(contract_type="cash", amount=15000, monthly_annuity=498.21), TERMS)
    assert back.term_months == 36


def test_a_large_amount_formats_thousands_in_each_language() -> None:
    completed = complete_loan(Loan(contract_type="cash", amount=150_000, term_months=36), TERMS)
    # 1,500 / (1 - 1.01^-36) = 4,982.146
    assert completed.monthly_annuity == 4982.15
    assert plain(completed.note_fr).endswith("4 982,15 €")
    assert completed.note_en.endswith("€4,982.15")


def test_without_interest_the_payment_is_the_credit_over_the_term() -> None:
    free = LenderTerms(yearly_rate=0.0, min_term_months=6, max_term_months=120)
    assert (
        complete_loan(Loan(contract_type="cash", amount=1200, term_months=12), free).monthly_annuity
        == 100
    )
    assert (
        complete_loan(
            Loan(contract_type="cash", amount=1200, monthly_annuity=100), free
        ).term_months
        == 12
    )
    assert annuity(1200, 0.0, 12) == 100


def test_both_given_and_consistent_are_kept() -> None:
    completed = complete_loan(
        Loan(contract_type="cash", amount=15000, term_months=36, monthly_annuity=510), TERMS
    )
    assert (completed.term_months, completed.monthly_annuity, completed.computed) == (36, 510, None)


def test_both_given_and_inconsistent_say_which_annuity_the_term_implies() -> None:
    loan = Loan(contract_type="cash", amount=15000, term_months=36, monthly_annuity=600)
    with pytest.raises(FormErrors) as caught:
        complete_loan(loan, TERMS, lang="fr")
    (error,) = caught.value.errors
    assert (error.field, error.code) == ("loan.monthly_annuity", "annuity_term_mismatch")
    assert "sur 36 mois au taux de 12,0 %, la mensualité est de 498,21 €" in plain(error.message)
    with pytest.raises(FormErrors) as caught_en:
        complete_loan(loan, TERMS, lang="en")
    (error_en,) = caught_en.value.errors
    assert "over 36 months at 12.0% the monthly payment is €498.21" in error_en.message


def test_an_annuity_below_the_interest_is_refused() -> None:
    loan = Loan(contract_type="cash", amount=15000, monthly_annuity=150)
    with pytest.raises(FormErrors) as caught:
        complete_loan(loan, TERMS)
    (error,) = caught.value.errors
    assert (error.field, error.code) == ("loan.monthly_annuity", "annuity_below_interest")
    assert "€150.00 does not cover the first month's interest (€150.00 at 12.0%)" in error.message
    assert caught.value.as_dicts() == [
        {"field": error.field, "code": error.code, "message": error.message}
    ]


# --- Impossible combinations ----------------------------------------------------------------

# (case, applicant changes, loan changes, field, code, French excerpt, English excerpt)
COMBINATIONS = [
    (
        "birth in the future",
        {
            "birth_date": "2027-01-01",
            "employed_since": None,
            "not_employed": True,
            "income_type": "pensioner",
        },
        {},
        "applicant.birth_date",
        "birth_in_future",
        "Date de naissance : le 01/01/2027 est dans le futur",
        "Date of birth: 01/01/2027 is in the future",
    ),
    (
        "under 18",
        {
            "birth_date": "2009-03-03",
            "employed_since": None,
            "not_employed": True,
            "income_type": "student",
        },
        {},
        "applicant.birth_date",
        "under_18",
        "le demandeur a 16 ans ; il doit être majeur (18 ans)",
        "the applicant is 16; they must be at least 18",
    ),
    (
        "employment in the future",
        {"employed_since": "2026-04-01"},
        {},
        "applicant.employed_since",
        "employment_in_future",
        "Date d'embauche : le 01/04/2026 est dans le futur",
        "Employment start date: 01/04/2026 is in the future",
    ),
    (
        "employment before 16",
        {"employed_since": "2007-03-13"},
        {},
        "applicant.employed_since",
        "employment_before_16",
        "le 13/03/2007 précède les 16 ans du demandeur (14/03/2007)",
        "13/03/2007 is before the applicant's 16th birthday (14/03/2007)",
    ),
    (
        "not employed but salaried",
        {"employed_since": None, "not_employed": True},
        {},
        "applicant.not_employed",
        "not_employed_but_working",
        "Sans emploi : incompatible avec le type de revenu « Salarié(e) »",
        "Not employed: contradicts the income type 'Employee'",
    ),
    (
        "employed but unemployed",
        {"income_type": "unemployed"},
        {},
        "applicant.employed_since",
        "employed_but_unemployed",
        "incompatible avec le type de revenu « sans emploi »",
        "contradicts the income type 'unemployed'",
    ),
    (
        "revolving goods price below the credit",
        {},
        {"contract_type": "revolving", "goods_price": 12000},
        "loan.goods_price",
        "goods_price_below_credit",
        "Prix du bien : 12 000,00 € est inférieur au crédit demandé (15 000,00 €)",
        "Goods price: €12,000.00 is below the credit asked (€15,000.00)",
    ),
    (
        "annuity above income",
        {"income_yearly": 3600},
        {"term_months": None, "monthly_annuity": 400},
        "loan.monthly_annuity",
        "annuity_above_income",
        "la mensualité (400,00 €) dépasse le revenu mensuel (300,00 €)",
        "the monthly payment (€400.00) is above the monthly income (€300.00)",
    ),
    (
        "computed annuity above income",
        {"income_yearly": 3600},
        {"term_months": 12},
        "loan.term_months",
        "annuity_above_income",
        "Durée en mois : la mensualité (1 332,73 €) dépasse le revenu mensuel (300,00 €)",
        "Term in months: the monthly payment (€1,332.73) is above the monthly income (€300.00)",
    ),
    (
        "term above the range",
        {},
        {"term_months": 180},
        "loan.term_months",
        "term_out_of_range",
        "Durée en mois : 180 mois ; le prêteur propose de 6 à 120 mois",
        "Term in months: 180 months; the lender offers 6 to 120 months",
    ),
    (
        "term below the range",
        {},
        {"term_months": 3},
        "loan.term_months",
        "term_out_of_range",
        "3 mois ; le prêteur propose de 6 à 120 mois",
        "3 months; the lender offers 6 to 120 months",
    ),
    (
        "annuity repaying faster than the shortest term",
        {"income_yearly": 90000},
        {"term_months": None, "monthly_annuity": 5000},
        "loan.monthly_annuity",
        "term_out_of_range",
        "5 000,00 € rembourse le crédit en 4 mois ; le prêteur propose de 6 à 120 mois",
        "€5,000.00 repays the credit in 4 months; the lender offers 6 to 120 months",
    ),
    (
        "annuity too low for the longest term",
        {},
        {"term_months": None, "monthly_annuity": 200},
        "loan.monthly_annuity",
        "annuity_too_low_for_max_term",
        "200,00 € ne rembourse pas le crédit en 120 mois, la durée maximale, au taux de 12,0 % : il faut au moins 215,21 €",
        "€200.00 does not repay the credit within 120 months, the longest term, at 12.0%: it takes at least €215.21",
    ),
    (
        "annuity below the interest",
        {},
        {"term_months": None, "monthly_annuity": 120},
        "loan.monthly_annuity",
        "annuity_below_interest",
        "120,00 € ne couvre pas les intérêts du premier mois (150,00 € au taux de 12,0 %)",
        "€120.00 does not cover the first month's interest (€150.00 at 12.0%)",
    ),
    (
        "annuity and term apart",
        {},
        {"monthly_annuity": 420},
        "loan.monthly_annuity",
        "annuity_term_mismatch",
        "420,00 € ne correspond pas à la durée",
        "€420.00 does not match the term",
    ),
]


@pytest.mark.parametrize(
    ("applicant", "loan", "field", "code", "fr", "en"),
    [c[1:] for c in COMBINATIONS],
    ids=[c[0] for c in COMBINATIONS],
)
def test_each_impossible_combination_has_its_message(
    applicant: dict[str, Any], loan: dict[str, Any], field: str, code: str, fr: str, en: str
) -> None:
    body = form(applicant_data(**applicant), **loan)
    errors_fr = check_form(body, today=TODAY, lang="fr", rules=TERMS)
    errors_en = check_form(body, today=TODAY, lang="en", rules=TERMS)
    assert [(e.field, e.code) for e in errors_fr] == [(field, code)]
    assert [(e.field, e.code) for e in errors_en] == [(field, code)]
    assert fr in plain(errors_fr[0].message)
    assert en in errors_en[0].message


def test_a_sound_form_has_no_error_and_a_cash_loan_may_exceed_the_goods() -> None:
    assert check_form(form(goods_price=12000), today=TODAY, lang="fr", rules=TERMS) == []
    # the age at the end of the loan is a credit-committee policy, not a form error
    old = applicant_data(
        birth_date="1958-01-01",
        income_type="pensioner",
        employed_since=None,
        not_employed=True,
        employer_type=None,
    )
    assert check_form(form(old, term_months=120), today=TODAY, lang="en", rules=TERMS) == []


def test_impossible_combinations_are_reported_all_at_once() -> None:
    body = form(
        applicant_data(birth_date="2010-01-01", employed_since="2030-01-01"),
        contract_type="revolving",
        goods_price=1000,
        term_months=200,
    )
    errors = check_form(body, today=TODAY, lang="en", rules=TERMS)
    assert [(e.field, e.code) for e in errors] == [
        ("applicant.birth_date", "under_18"),
        ("applicant.employed_since", "employment_in_future"),
        ("loan.goods_price", "goods_price_below_credit"),
        ("loan.term_months", "term_out_of_range"),
    ]


def test_a_known_client_is_checked_against_the_stored_applicant() -> None:
    body = ApplicationForm.model_validate(
        {
            "client_id": 100002,
            "loan": {"contract_type": "cash", "amount": 15000, "monthly_annuity": 3000},
        }
    )
    assert check_form(body, today=TODAY, lang="en", rules=TERMS) == []
    stored = Applicant.model_validate(applicant_data())  # 2,500 a month
    errors = check_form(body, today=TODAY, lang="en", rules=TERMS, known_applicant=stored)
    assert [(e.field, e.code) for e in errors] == [("loan.monthly_annuity", "annuity_above_income")]


# --- Pydantic errors in words ---------------------------------------------------------------


def validation_errors(body: Any) -> list[Any]:
    with pytest.raises(ValidationError) as caught:
        ApplicationForm.model_validate(body)
    return caught.value.errors()


def by_field(errors: list[FieldError]) -> dict[str, FieldError]:
    return {e.field: e for e in errors}


def test_a_body_with_three_wrong_fields_gives_three_errors_naming_them() -> None:
    body = form_data(applicant_data(children=25, education="phd"), amount=None)
    errors = validation_errors(body)
    for lang in ("fr", "en"):
        messages = pydantic_errors(errors, lang)
        assert [e.field for e in messages] == [
            "applicant.children",
            "applicant.education",
            "loan.amount",
        ]
        assert [e.code for e in messages] == ["range", "choice", "required"]
    fr = [plain(e.message) for e in pydantic_errors(errors, "fr")]
    assert fr == [
        "Nombre d'enfants : doit être compris entre 0 et 20",
        "Niveau d'études : valeur non reconnue ; valeurs possibles : lower_secondary (Collège "
        "(premier cycle)), secondary (Secondaire ou professionnel (lycée, CAP, BEP)), "
        "incomplete_higher (Études supérieures non terminées), higher (Enseignement supérieur), "
        "academic_degree (Doctorat ou diplôme de recherche)",
        "Montant du crédit : obligatoire",
    ]
    en = [e.message for e in pydantic_errors(errors, "en")]
    assert en[0] == "Number of children: must be between 0 and 20"
    assert en[1].startswith(
        "Education: not a known value; allowed values: lower_secondary (Lower secondary), secondary (Secondary or vocational)"
    )
    assert en[2] == "Credit amount: required"


@pytest.mark.parametrize(
    ("body", "field", "code", "fr", "en"),
    [
        (
            form_data(applicant_data(sex="f")),
            "applicant.sex",
            "choice",
            "Sexe : valeur non reconnue ; valeurs possibles : female (Femme), male (Homme)",
            "Sex: not a known value; allowed values: female (Woman), male (Man)",
        ),
        (
            form_data(contract_type="consumer"),
            "loan.contract_type",
            "choice",
            "valeurs possibles : cash (Prêt personnel), revolving (Crédit renouvelable)",
            "allowed values: cash (Personal loan), revolving (Revolving credit)",
        ),
        (
            form_data(applicant_data(region_rating=4)),
            "applicant.region_rating",
            "choice",
            "Note de la région : valeur non reconnue ; valeurs possibles : 1, 2, 3",
            "Region rating: not a known value; allowed values: 1, 2, 3",
        ),
        (
            form_data(applicant_data(income_yearly=0)),
            "applicant.income_yearly",
            "range",
            "Revenu annuel : doit être supérieur à 0 et au plus 1 000 000 000",
            "Yearly income: must be greater than 0 and at most 1,000,000,000",
        ),
        (
            form_data(applicant_data(ext_source_1=1.5)),
            "applicant.ext_source_1",
            "range",
            "Score externe 1 : doit être compris entre 0 et 1",
            "External bureau score 1: must be between 0 and 1",
        ),
        (
            form_data(applicant_data(children="two")),
            "applicant.children",
            "type",
            "Nombre d'enfants : doit être un nombre entier, compris entre 0 et 20",
            "Number of children: must be a whole number, between 0 and 20",
        ),
        (
            form_data(applicant_data(birth_date="14/03/1991")),
            "applicant.birth_date",
            "type",
            "Date de naissance : doit être une date (AAAA-MM-JJ)",
            "Date of birth: must be a date (YYYY-MM-DD)",
        ),
        (
            form_data(applicant_data(owns_car="maybe")),
            "applicant.owns_car",
            "type",
            "Propriétaire d'une voiture : oui ou non",
            "Owns a car: yes or no",
        ),
        (
            {**form_data(), "score": 1},
            "score",
            "unknown_field",
            "Score : champ inconnu du formulaire",
            "Score: not a field of the form",
        ),
        (
            form_data(applicant_data(employed_since=None)),
            "applicant.employed_since",
            "exclusive",
            "renseignez soit « date d'embauche », soit « sans emploi », l'un des deux exactement",
            "give either 'employment start date' or 'not employed', exactly one of the two",
        ),
        (
            {**form_data(), "client_id": 100002},
            "applicant",
            "exclusive",
            "Demandeur : renseignez soit « demandeur », soit « numéro de client »",
            "Applicant: give either 'applicant' or 'client number'",
        ),
        (
            form_data(term_months=None),
            "loan.term_months",
            "required",
            "Durée en mois : renseignez « durée en mois » ou « mensualité » (au moins l'une",
            "Term in months: give 'term in months' or 'monthly payment' (at least one",
        ),
    ],
)
def test_pydantic_errors_say_what_is_allowed(
    body: dict[str, Any], field: str, code: str, fr: str, en: str
) -> None:
    errors = validation_errors(body)
    (in_fr,) = pydantic_errors(errors, "fr")
    (in_en,) = pydantic_errors(errors, "en")
    assert (in_fr.field, in_fr.code) == (in_en.field, in_en.code) == (field, code)
    assert fr in plain(in_fr.message)
    assert en in in_en.message


def test_fastapi_errors_drop_the_body_prefix() -> None:
    app = FastAPI()

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        lang = request.headers.get("accept-language", "en")
        return JSONResponse(
            {"errors": [e.__dict__ for e in pydantic_errors(exc.errors(), lang)]}, status_code=422
        )

    @app.post("/applications")
    async def create(body: ApplicationForm) -> dict[str, str]:
        return {"ok": "yes"}

    client = TestClient(app)
    assert client.post("/applications", json=form_data()).status_code == 200
    body = form_data(applicant_data(income_yearly=-5, housing=None))
    answer = client.post("/applications", json=body, headers={"accept-language": "fr-FR"})
    assert answer.status_code == 422
    assert [(e["field"], plain(e["message"])) for e in answer.json()["errors"]] == [
        (
            "applicant.income_yearly",
            "Revenu annuel : doit être supérieur à 0 et au plus 1 000 000 000",
        ),
        ("applicant.housing", "Logement : obligatoire"),
    ]
    broken = client.post(
        "/applications", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.json()["errors"][0]["message"] == "The request body is not readable JSON"


def test_a_body_that_is_not_an_object_is_said_so() -> None:
    (error,) = pydantic_errors(validation_errors([1, 2]), "fr")
    assert (error.field, error.code, error.message) == ("", "type", "Doit être un objet")


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="lang must be 'fr' or 'en'"):
        pydantic_errors([], "de")
    with pytest.raises(ValueError, match="lang must be 'fr' or 'en'"):
        check_form(form(), today=TODAY, lang="es", rules=TERMS)


# --- Settings and the example ---------------------------------------------------------------


def test_lender_terms_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert lender_terms(Settings()) == LenderTerms(0.12, 6, 120)
    monkeypatch.setenv("CREDIT_SCORING_LENDER_RATE_YEARLY", "0.08")
    monkeypatch.setenv("CREDIT_SCORING_LOAN_MAX_TERM_MONTHS", "84")
    terms = lender_terms(Settings())
    assert terms == LenderTerms(0.08, 6, 84)
    assert terms.monthly_rate == pytest.approx(0.08 / 12)
    monkeypatch.setenv("CREDIT_SCORING_LOAN_MIN_TERM_MONTHS", "90")
    with pytest.raises(ValidationError, match="LOAN_MIN_TERM_MONTHS is above"):
        Settings()
    monkeypatch.setenv("CREDIT_SCORING_LENDER_RATE_YEARLY", "1.5")
    with pytest.raises(ValidationError):
        Settings()
    with pytest.raises(ValueError, match="min_term_months"):
        LenderTerms(0.1, 24, 12)


def test_the_example_application_is_valid_and_builds_features() -> None:
    body = ApplicationForm.model_validate(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    assert body.applicant is not None and body.client_id is None
    today = date(2026, 3, 2)
    assert 34 <= (today - body.applicant.birth_date).days / 365.25 <= 36
    assert check_form(body, today=today, lang="fr", rules=TERMS) == []
    completed = complete_loan(body.loan, TERMS)
    assert (completed.term_months, completed.monthly_annuity) == (36, 498.21)
    row = to_application_row(body.applicant, completed, sk_id_curr=900001, today=today)
    assert row["AMT_INCOME_TOTAL"] == 2500.0 and row["AMT_CREDIT"] == 15000.0  # a month
    assert row["NAME_INCOME_TYPE"] == "Working"
    features = build_features_for_frames({"application": pd.DataFrame([row])})
    assert features["SK_ID_CURR"].tolist() == [900001]
    assert features.loc[0, "AMT_CREDIT"] == 15000.0
    assert features.loc[0, "DAYS_EMPLOYED"] == -(today - date(2019, 9, 1)).days
    # one year later the example is still a valid application
    later = today + timedelta(days=365)
    assert check_form(body, today=later, lang="en", rules=TERMS) == []


def test_identity_and_contact_details_fill_their_kaggle_columns() -> None:
    today = date(2026, 12, 3)
    form = ApplicationForm.model_validate(json.loads(EXAMPLE.read_text()))
    assert form.applicant is not None
    loan = complete_loan(form.loan, TERMS)
    row = to_application_row(form.applicant, loan, sk_id_curr=1, today=today)
    assert row["DAYS_ID_PUBLISH"] == -(today - date(2021, 6, 10)).days
    assert row["DAYS_REGISTRATION"] == -(today - date(2019, 8, 15)).days
    assert (row["FLAG_MOBIL"], row["FLAG_WORK_PHONE"], row["FLAG_EMAIL"]) == (1, 0, 1)
    back, _ = from_application_row(row, today=today)
    assert back.id_document_issued_on == date(2021, 6, 10) and back.email is True
    early = form.applicant.model_copy(update={"id_document_issued_on": date(1980, 1, 1)})
    errors = check_form(
        form.model_copy(update={"applicant": early}), today=today, lang="en", rules=TERMS
    )
    assert [e.code for e in errors] == ["date_out_of_life"]
    assert errors[0].field == "applicant.id_document_issued_on" and "birth" in errors[0].message


def test_an_alternative_loan_is_worded_for_the_applicant() -> None:
    from credit_scoring.lending.form import alternative_text

    english = alternative_text(15000, 48, 395.01, "en")
    assert english.startswith("A loan of €15,000 over 48 months") and "€395.01" in english
    french = alternative_text(12000, 36, 398.57, "fr")
    assert "12\u202f000\u00a0€" in french or "12\u00a0000\u00a0€" in french or "12 000" in french
    assert "398,57" in french and "36 mois" in french


@pytest.mark.skipif(not SAMPLE.exists(), reason="the real Home Credit sample is not here")
def test_the_example_sits_on_the_training_scale_of_the_affordability_ratios() -> None:
    """Every ratio of the income the model reads, for the documented example, falls inside
    the 5th-95th percentiles of the real ``application_train`` rows (the income convention:
    ``AMT_INCOME_TOTAL`` is a monthly income, like the monthly ``AMT_ANNUITY``)."""
    body = ApplicationForm.model_validate(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    assert body.applicant is not None
    completed = complete_loan(body.loan, TERMS)
    row = to_application_row(body.applicant, completed, sk_id_curr=900001, today=TODAY)
    example = build_features_for_frames({"application": pd.DataFrame([row])}).iloc[0]
    train = pd.read_csv(SAMPLE, usecols=["AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY"])
    income, credit, annuity = (
        train["AMT_INCOME_TOTAL"],
        train["AMT_CREDIT"],
        train["AMT_ANNUITY"],
    )
    real = {  # the definitions of features/application.py
        "ANNUITY_INCOME_PERC": annuity / income,
        "CREDIT_INCOME_RATIO": credit / income,
        "INCOME_CREDIT_PERC": income / credit,
    }
    for name, values in real.items():
        low, high = values.quantile([0.05, 0.95])
        assert low <= example[name] <= high, (name, example[name], low, high)
    # 498.21 a month on 2 500 a month, 15 000 on 2 500 a month
    assert example["ANNUITY_INCOME_PERC"] == pytest.approx(498.21 / 2500)
    assert example["CREDIT_INCOME_RATIO"] == pytest.approx(15000 / 2500)
