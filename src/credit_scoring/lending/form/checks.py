"""The impossible combinations a valid form can still hold, all reported at once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import SimpleNamespace
from typing import Any

from credit_scoring.core import formatting
from credit_scoring.lending.form.codes import (
    _EMPLOYED_INCOME,
    CHOICES,
    MIN_AGE_YEARS,
    MIN_WORKING_AGE_YEARS,
)
from credit_scoring.lending.form.kaggle import kaggle_income
from credit_scoring.lending.form.loan import LenderTerms, _loan_errors, annuity
from credit_scoring.lending.form.messages import FieldError, _lang, _money, _percent, _say
from credit_scoring.lending.form.schema import Applicant, ApplicationForm

# --- The impossible combinations ------------------------------------------------------------


def _birthday(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # born on 29 February
        return date(birth.year + years, 3, 1)


def _day(day: date) -> str:
    """A date as the form shows it (dd/mm/yyyy in both languages)."""
    return formatting.date(day, "fr")


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
                    f"le {_day(birth)} est dans le futur",
                    f"{_day(birth)} is in the future",
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
                        f"le {_day(since)} est dans le futur ; indiquez le début de "
                        "l'emploi actuel",
                        f"{_day(since)} is in the future; give the start of the current job",
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
                        f"le {_day(since)} précède les 16 ans du demandeur ({_day(sixteen)})",
                        f"{_day(since)} is before the applicant's 16th birthday ({_day(sixteen)})",
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
                        f"le {_day(day)} doit être entre la naissance du demandeur "
                        f"({_day(birth)}) et aujourd'hui",
                        f"{_day(day)} must be between the applicant's birth "
                        f"({_day(birth)}) and today",
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


def check_applicant_dates(
    values: Mapping[str, Any], *, today: date, lang: str, path: str = "applicant"
) -> list[FieldError]:
    """The applicant's checks that need no other field, on a form still incomplete.

    A form the schema refuses (a field missing) cannot reach :func:`check_form`; its dates
    can still be checked, so that a birth date in the future is named with its cause at
    once instead of after the other fields are filled. The checks are
    :func:`check_form`'s own (birth in the future or under 18, employment start, the
    identity document and address dates, "not employed" against the income type).

    Examples
    --------
    >>> [e.code for e in check_applicant_dates(
    ...     {"birth_date": date(2030, 1, 1)}, today=date(2026, 12, 7), lang="en")]
    ['birth_in_future']
    >>> check_applicant_dates({"birth_date": None}, today=date(2026, 12, 7), lang="en")
    []
    """
    if not isinstance(values.get("birth_date"), date):
        return []
    stated = {name: values.get(name) for name in _APPLICANT_CHECKED}
    stated["not_employed"] = bool(values.get("not_employed"))
    return _applicant_errors(SimpleNamespace(**stated), today, _lang(lang), path)  # type: ignore[arg-type]


# What :func:`_applicant_errors` reads of an applicant.
_APPLICANT_CHECKED = (
    "birth_date",
    "employed_since",
    "id_document_issued_on",
    "address_since",
    "income_type",
    "not_employed",
)


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
        monthly_income = kaggle_income(applicant.income_yearly)  # the income convention
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
