"""The lender's terms and the loan's missing figure (term or monthly payment)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from credit_scoring.config import Settings
from credit_scoring.lending.form.codes import ANNUITY_TOLERANCE
from credit_scoring.lending.form.messages import (
    FieldError,
    FormErrors,
    _lang,
    _money,
    _percent,
    _say,
)
from credit_scoring.lending.form.schema import Loan

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
