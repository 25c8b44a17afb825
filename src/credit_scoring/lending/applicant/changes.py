"""What would change the outcome: the nearest changes the applicant can make that the model
AND the credit committee's rules would grant.

Only what the applicant can act on: the amount (smaller), the term (longer), a larger down
payment on the goods bought (a smaller credit for the same goods), and an external credit
score they do not have on file. Never their age, sex, family or any past fact: the search
changes the Kaggle columns ``AMT_CREDIT``, ``AMT_ANNUITY``, ``AMT_GOODS_PRICE`` (only
down for a smaller amount, never for a down payment) and a missing ``EXT_SOURCE_*``, and
nothing else (:data:`ACTIONABLE`).

The amount and term changes are the letter's and the what-if's own offers
(:func:`credit_scoring.lending.offers.search_offers`, every candidate kept); the down
payment and the external score are tried the same way, each candidate scored by the
champion on the application's features rebuilt from the changed row (the history as
stored) and checked by the policy rules (:func:`~credit_scoring.lending.policy.combine`).
A change is proposed only when the combined decision is ``grant``.

Why not DiCE: the candidates are a handful of discrete loans on the lender's grid (its
terms, amounts rounded to 100, the product's maximum term) that must also pass the
policy rules, which a model-only counterfactual search does not know; scoring them one by
one is exact, reproducible and well within a second, and names the same loan as the letter.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from credit_scoring.core import formatting
from credit_scoring.db import applications as repo
from credit_scoring.db import models as m
from credit_scoring.lending import applicant_schemas as s
from credit_scoring.lending import form as bank_form
from credit_scoring.lending.applicant.views import final_decision
from credit_scoring.lending.applications import ApplicationService
from credit_scoring.lending.offers import LONGER_BY, SMALLER, asked_term, search_offers
from credit_scoring.lending.policy import combine, policy_facts
from credit_scoring.lending.services.features import application_features

# the only Kaggle columns a proposed change may touch
ACTIONABLE = frozenset(
    {"AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"}
)
EXTERNAL_SCORES = ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3")
SCORE_STEPS = (0.5, 0.6, 0.7, 0.8)  # external scores tried, lowest first (0 to 1 scale)


def features_maker(
    service: ApplicationService, session: Session, app: m.Application
) -> Callable[[dict[str, Any]], pd.DataFrame]:
    """The application's feature row for a changed Kaggle row, the stored history read once."""
    if app.sk_id_curr >= m.NEW_CLIENT_BASE:
        return application_features
    stored = service.features.client(session, app.sk_id_curr)
    return lambda changed: service.features.with_application(stored, application_features(changed))


def _granted(
    service: ApplicationService,
    features_of: Callable[[dict[str, Any]], pd.DataFrame],
    changed: dict[str, Any],
    months: int,
) -> bool:
    scorer = service.scores.scorer
    probability = float(scorer.predict_proba(features_of(changed))[0])
    model = "grant" if probability < scorer.threshold else "refuse"
    return combine(model, service.policy.evaluate(policy_facts(changed, months))) == "grant"  # type: ignore[arg-type]


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None


def _down_payment_text(extra: float, amount: float, months: int, monthly: float, lang: str) -> str:
    money = formatting.money
    if lang == "fr":
        return (
            f"Avec un apport personnel de {money(extra, lang)} de plus, un crédit de "
            f"{money(amount, lang)} sur {months} mois (mensualité de "
            f"{money(monthly, lang, cents=True)}) pourrait vous être accordé."
        )
    return (
        f"With {money(extra, lang)} more of your own money towards the purchase, a loan of "
        f"{money(amount, lang)} over {months} months (monthly payment "
        f"{money(monthly, lang, cents=True)}) could be granted to you."
    )


def _score_text(value: float, lang: str) -> str:
    shown = formatting.number(value, lang, 1)
    if lang == "fr":
        return (
            "Si vous nous fournissez un score de crédit externe (d'un bureau de crédit), que "
            f"nous n'avons pas dans votre dossier, un score de {shown} sur 1 ou plus permettrait "
            "d'accorder le crédit demandé."
        )
    return (
        "If you provide an external credit score (from a credit bureau), which we do not have "
        f"on file, a score of {shown} out of 1 or more would let us grant the loan you asked for."
    )


def proposed_changes(
    service: ApplicationService, session: Session, app: m.Application, lang: str
) -> list[tuple[s.ChangeOut, dict[str, Any]]]:
    """Each change with the Kaggle row it scored (for checks), nearest of each kind first."""
    row = service._stored_row(session, app)
    terms = service.terms
    credit = _number(row.get("AMT_CREDIT"))
    term = asked_term(row, app.term_months, terms)
    if credit is None or credit <= 0 or term is None:
        return []
    features_of = features_maker(service, session, app)
    out: list[tuple[s.ChangeOut, dict[str, Any]]] = []
    everything = len(LONGER_BY) + len(SMALLER)
    offers = search_offers(
        row,
        app.term_months,
        features_of=features_of,
        scorer=service.scores.scorer,
        policy=service.policy,
        terms=terms,
        limit=everything,
    )
    for kind in ("term", "amount"):
        for offer in offers:
            is_term = offer.amount == credit
            if (kind == "term") != is_term:
                continue
            changed = {**row, "AMT_CREDIT": offer.amount, "AMT_ANNUITY": offer.monthly_annuity}
            goods = _number(row.get("AMT_GOODS_PRICE"))
            if goods is not None and offer.amount < credit:
                changed["AMT_GOODS_PRICE"] = min(goods, offer.amount)
            change = s.ChangeOut(
                kind=kind,  # type: ignore[arg-type]
                text=offer.text(lang),
                amount=offer.amount,
                term_months=offer.term_months,
                down_payment=None,
                monthly_payment=offer.monthly_annuity,
                decision="grant",
            )
            out.append((change, changed))
            break
    goods = _number(row.get("AMT_GOODS_PRICE"))
    if goods is not None and goods > 0:
        for share in SMALLER:
            amount = round(credit * share, -2)
            if amount <= 0 or amount >= credit:
                continue
            monthly = round(bank_form.annuity(amount, terms.monthly_rate, term), 2)
            changed = {**row, "AMT_CREDIT": amount, "AMT_ANNUITY": monthly}
            if _granted(service, features_of, changed, term):
                extra = credit - amount
                change = s.ChangeOut(
                    kind="down_payment",
                    text=_down_payment_text(extra, amount, term, monthly, lang),
                    amount=amount,
                    term_months=term,
                    down_payment=max(goods - amount, extra),
                    monthly_payment=monthly,
                    decision="grant",
                )
                out.append((change, changed))
                break
    monthly_asked = _number(row.get("AMT_ANNUITY")) or round(
        bank_form.annuity(credit, terms.monthly_rate, term), 2
    )
    missing = [c for c in EXTERNAL_SCORES if _number(row.get(c)) is None]
    if missing:
        column = missing[0]
        for value in SCORE_STEPS:
            changed = {**row, column: value}
            if _granted(service, features_of, changed, term):
                change = s.ChangeOut(
                    kind="external_score",
                    text=_score_text(value, lang),
                    amount=credit,
                    term_months=term,
                    down_payment=None,
                    monthly_payment=monthly_asked,
                    decision="grant",
                )
                out.append((change, changed))
                break
    return out


def changes(
    service: ApplicationService, session: Session, app: m.Application, lang: str
) -> s.ChangesOut:
    """The changes that would turn a refusal or a referral into a grant, timed."""
    started = time.perf_counter()
    last = final_decision(session, app)
    score = repo.latest_score(session, app.id)
    decision = last.decision if last else (score.decision if score else None)
    message: str | None
    if decision == "grant":
        message = (
            "Votre demande est accordée : il n'y a rien à changer."
            if lang == "fr"
            else "Your application is granted: there is nothing to change."
        )
        found: list[s.ChangeOut] = []
    elif score is None:
        message = (
            "Votre demande n'a pas encore été étudiée."
            if lang == "fr"
            else "Your application has not been assessed yet."
        )
        found = []
    else:
        found = [change for change, _ in proposed_changes(service, session, app, lang)]
        message = (
            None
            if found
            else "Aucun changement du montant, de la durée ou de l'apport ne suffirait à lui "
            "seul : votre conseiller peut étudier votre dossier avec vous."
            if lang == "fr"
            else "No change of the amount, the term or the down payment would be enough on "
            "its own: your advisor can look at your file with you."
        )
    elapsed = (time.perf_counter() - started) * 1000
    return s.ChangesOut(changes=found, message=message, elapsed_ms=round(elapsed, 1))
