"""The one translation between the bank's form and Kaggle's application row.

The income convention
---------------------
``AMT_INCOME_TOTAL`` holds the applicant's **monthly** income, on the scale of the
monthly ``AMT_ANNUITY``. The data say so: in ``previous_application`` the credit over the
annuity is about 0.79 times ``CNT_PAYMENT`` (median), so ``AMT_ANNUITY`` is a monthly
payment; and ``AMT_ANNUITY / AMT_INCOME_TOTAL`` has a median of 0.163 (quartiles
0.115-0.230) on the real ``application_train`` rows, a plausible payment-to-income ratio
as it stands (read as monthly over yearly, the median client would pay twice their
monthly income). So:

- the form's yearly income goes to ``AMT_INCOME_TOTAL`` divided by
  :data:`INCOME_PERIOD_MONTHS` (:func:`kaggle_income`), and comes back multiplied by it
  (:func:`yearly_income`, in :func:`from_application_row` and ``db load``'s declared data);
- the policy facts read ``AMT_INCOME_TOTAL`` as the monthly income
  (:func:`credit_scoring.lending.policy.policy_facts`): the payment-to-income ratio is
  ``AMT_ANNUITY / AMT_INCOME_TOTAL`` and the yearly income ``12 × AMT_INCOME_TOTAL``;
- the reasons quote ``AMT_INCOME_TOTAL`` as the monthly income.

Nothing else converts the income's period: use these two functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from pydantic import (
    ValidationError,
)

from credit_scoring.lending.form.codes import (
    _FROM_KAGGLE,
    _KAGGLE_COLUMN,
    _WEEKDAYS,
    EMPLOYED_PLACEHOLDER,
    NOT_EMPLOYED_ORGANIZATION,
    _kaggle,
)
from credit_scoring.lending.form.loan import CompletedLoan
from credit_scoring.lending.form.messages import _lang, _money
from credit_scoring.lending.form.schema import Applicant

INCOME_PERIOD_MONTHS = 12
"""Months in the period of the form's income (yearly); ``AMT_INCOME_TOTAL`` is per month."""


def kaggle_income(income_yearly: float) -> float:
    """``AMT_INCOME_TOTAL`` of a yearly income: the monthly income (see the module docstring).

    >>> kaggle_income(30_000)
    2500.0
    """
    return float(income_yearly) / INCOME_PERIOD_MONTHS


def yearly_income(amt_income_total: float) -> float:
    """The yearly income of an ``AMT_INCOME_TOTAL`` (a monthly income).

    >>> yearly_income(2_500)
    30000.0
    """
    return float(amt_income_total) * INCOME_PERIOD_MONTHS


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
        Kaggle column -> value. ``AMT_INCOME_TOTAL`` is the monthly income (the yearly
        income / :data:`INCOME_PERIOD_MONTHS`, see the module docstring). ``DAYS_BIRTH`` and ``DAYS_EMPLOYED`` are negative day
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
        "AMT_INCOME_TOTAL": kaggle_income(a.income_yearly),
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
        The applicant; ``income_yearly`` is ``AMT_INCOME_TOTAL`` times
        :data:`INCOME_PERIOD_MONTHS` (a monthly income). A Kaggle value the form does not know (``CODE_GENDER`` ``"XNA"``,
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
    income = _number_or_none(row, "AMT_INCOME_TOTAL")
    region = _number_or_none(row, "REGION_RATING_CLIENT")
    values: dict[str, Any] = {
        "birth_date": today + timedelta(days=int(days_birth)) if days_birth is not None else None,
        "sex": _code(row, "sex"),
        "family_status": _code(row, "family_status"),
        "children": int(children) if children is not None else None,
        "education": _code(row, "education"),
        "income_type": _code(row, "income_type"),
        "income_yearly": yearly_income(income) if income is not None else None,
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
