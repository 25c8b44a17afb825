"""Loan applications as a bank form states them, and their one translation to Kaggle columns.

Why this package exists
-----------------------
The model was trained on the Home Credit ``application_train`` layout: ages and
employment as negative day counts before the application (``DAYS_BIRTH``,
``DAYS_EMPLOYED``), 365243 in ``DAYS_EMPLOYED`` for "not employed", ``Y``/``N``
flags and Kaggle's own category strings (``"Secondary / secondary special"``,
``"Cash loans"``...). An advisor, the API and the dashboard speak bank-form language
instead: dates, yes/no, English snake_case codes with French and English labels.
:mod:`.kaggle` is the only place that translates one into the other, so nothing
upstream ever sees a negative day count or a Kaggle string, and the encodings the
model depends on are written (and tested) once.

One module per job
------------------
- :mod:`.codes`: the codes of the choices, their labels (:data:`CHOICES`, field -> code
  -> ``{"fr", "en"}``) and their Kaggle values; the dashboard imports this module only.
- :mod:`.schema`: :class:`ApplicationForm` (:class:`Applicant`, :class:`Loan`), the
  Pydantic models of a request body.
- :mod:`.messages`: :func:`pydantic_errors`, Pydantic's (or FastAPI's) validation errors
  as :class:`FieldError` messages in French or English that name the field in words.
- :mod:`.loan`: :func:`complete_loan`, the missing one of term and monthly payment, from
  the lender's rate (:class:`LenderTerms`, read from the settings by :func:`lender_terms`).
- :mod:`.checks`: :func:`check_form`, the impossible combinations a valid body can still
  hold, all reported at once; :func:`check_applicant_dates`, those of them a form still
  incomplete can already be told (the dashboard's form says them before it sends).
- :mod:`.kaggle`: :func:`to_application_row` / :func:`from_application_row`, the Kaggle
  row and back, and the income convention (:data:`~.kaggle.INCOME_PERIOD_MONTHS`).

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

from credit_scoring.lending.form.checks import check_applicant_dates, check_form
from credit_scoring.lending.form.codes import CHOICES, EMPLOYED_PLACEHOLDER
from credit_scoring.lending.form.kaggle import (
    INCOME_PERIOD_MONTHS,
    alternative_text,
    from_application_row,
    kaggle_income,
    loan_columns,
    to_application_row,
    yearly_income,
)
from credit_scoring.lending.form.loan import (
    CompletedLoan,
    LenderTerms,
    annuity,
    complete_loan,
    lender_terms,
    term_for,
)
from credit_scoring.lending.form.messages import FieldError, FormErrors, pydantic_errors
from credit_scoring.lending.form.schema import Applicant, ApplicationForm, Loan

__all__ = [
    "CHOICES",
    "EMPLOYED_PLACEHOLDER",
    "INCOME_PERIOD_MONTHS",
    "Applicant",
    "ApplicationForm",
    "CompletedLoan",
    "FieldError",
    "FormErrors",
    "LenderTerms",
    "Loan",
    "alternative_text",
    "annuity",
    "check_applicant_dates",
    "check_form",
    "complete_loan",
    "from_application_row",
    "kaggle_income",
    "lender_terms",
    "loan_columns",
    "pydantic_errors",
    "term_for",
    "to_application_row",
    "yearly_income",
]
