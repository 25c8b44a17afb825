"""What the applicant sees of their own applications: the list, the decision and its reasons,
their data as the lender holds it.

Only the signed-in applicant's applications are ever found: an application of anyone else
is :func:`owned`'s ``NotFound`` (the same answer as one that does not exist). The reasons
are the letter's (:func:`credit_scoring.lending.letter.letter_grounds` and
:func:`~credit_scoring.lending.letter.worded_reasons`): one source.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from credit_scoring.core import formatting
from credit_scoring.core.grades import GRADE_NAMES
from credit_scoring.db import applications as repo
from credit_scoring.db import models as m
from credit_scoring.db.load import application_dict
from credit_scoring.lending import applicant_schemas as s
from credit_scoring.lending import form as bank_form
from credit_scoring.lending.applicant.access import Applicant
from credit_scoring.lending.errors import NotFound
from credit_scoring.lending.form.messages import _WORDS as FIELD_WORDS
from credit_scoring.lending.letter import letter_grounds, worded_reasons


def not_found(application_id: int) -> NotFound:
    return NotFound(
        "application.not_found",
        f"La demande n° {application_id} n'existe pas dans votre espace.",
        f"Application {application_id} is not in your space.",
    )


def owned(session: Session, applicant: Applicant, application_id: int) -> m.Application:
    """The application if it is the signed-in applicant's, else ``NotFound`` (never a 403:
    whether someone else's application exists is not the applicant's to learn)."""
    app = session.get(m.Application, application_id)
    if app is None or app.sk_id_curr != applicant.sk_id_curr:
        raise not_found(application_id)
    return app


def final_decision(session: Session, app: m.Application) -> m.Decision | None:
    """The application's last grant or refusal (what its letter says)."""
    final = [d for d in repo.decisions_of(session, app.id) if d.decision in ("grant", "refuse")]
    return final[-1] if final else None


def shown_decision(app: m.Application, last: m.Decision | None) -> str | None:
    """The decision the applicant is told: the last grant or refusal, or a referral."""
    if last is not None:
        return last.decision
    return "refer" if app.status == "referred" else None


def my_applications(session: Session, applicant: Applicant) -> list[s.MyApplicationOut]:
    apps = (
        session.execute(
            select(m.Application)
            .where(m.Application.sk_id_curr == applicant.sk_id_curr)
            .order_by(m.Application.entered_at.desc(), m.Application.id.desc())
        )
        .scalars()
        .all()
    )
    return [
        s.MyApplicationOut(
            application_id=app.id,
            entered_at=app.entered_at,
            status=app.status,
            decision=shown_decision(app, final_decision(session, app)),  # type: ignore[arg-type]
            amount=app.amount_credit,
            term_months=app.term_months,
        )
        for app in apps
    ]


def grade_sentence(grade: str | None, lang: str) -> str | None:
    """The risk grade in one sentence.

    Examples
    --------
    >>> grade_sentence("C", "en")
    'Your file is in risk grade C, the 3rd of 8 grades from A (the lowest risk) to H (the highest).'
    """
    if not grade or grade not in GRADE_NAMES:
        return None
    rank = GRADE_NAMES.index(grade) + 1
    total = len(GRADE_NAMES)
    if lang == "fr":
        nth = "1re" if rank == 1 else f"{rank}e"
        return (
            f"Votre dossier est dans la catégorie de risque {grade}, la {nth} de {total} "
            f"catégories allant de A (le risque le plus faible) à H (le plus élevé)."
        )
    nth = {1: "1st", 2: "2nd", 3: "3rd"}.get(rank, f"{rank}th")
    return (
        f"Your file is in risk grade {grade}, the {nth} of {total} grades from A "
        f"(the lowest risk) to H (the highest)."
    )


def review_out(review: m.ReviewRequest | None) -> s.ReviewOut | None:
    if review is None:
        return None
    return s.ReviewOut(
        requested_at=review.requested_at,
        due_on=review.due_on,
        comment=review.comment,
        attachments=list(review.attachments or []),
        status=review.status,  # type: ignore[arg-type]
    )


def decision_view(session: Session, app: m.Application, lang: str) -> s.MyDecisionOut:
    """The decision, its reasons as the letter gives them, the loan and the review."""
    score = repo.latest_score(session, app.id)
    last = final_decision(session, app)
    reasons: list[s.ReasonOut] = []
    if score is not None:
        grounds = letter_grounds(
            decision=last.decision if last else None,  # type: ignore[arg-type]
            model_decision=score.model_decision,  # type: ignore[arg-type]
            policy=score.policy,
            reasons=score.reasons,
            category=last.reason_category if last else None,
            lang=lang,
        )
        against, favour = worded_reasons(grounds.policy, grounds.against, grounds.favour, lang)
        reasons = [s.ReasonOut(text=t, direction="against") for _, t in against] + [
            s.ReasonOut(text=t, direction="for") for _, t in favour
        ]
    return s.MyDecisionOut(
        application_id=app.id,
        status=app.status,
        decision=shown_decision(app, last),  # type: ignore[arg-type]
        decided_at=last.created_at if last else None,
        grade=score.grade if score else None,
        grade_sentence=grade_sentence(score.grade if score else None, lang),
        reasons=reasons,
        amount=app.amount_credit,
        term_months=app.term_months,
        monthly_payment=app.monthly_annuity,
        review=review_out(repo.latest_review(session, app.id)),
        letter_available=score is not None,
    )


# ---- the data as the lender holds it -----------------------------------------------------

SOURCES = {
    "form": ("votre formulaire de demande", "your application form"),
    "file": ("notre fichier client", "our client file"),
    "bureau": ("bureau de crédit", "credit bureau"),
    "previous": ("nos demandes précédentes", "our previous applications"),
}
_APPLICANT_ITEMS = (
    "birth_date",
    "sex",
    "family_status",
    "children",
    "education",
    "income_type",
    "income_yearly",
    "employed_since",
    "not_employed",
    "occupation",
    "employer_type",
    "housing",
    "owns_car",
    "owns_property",
    "region_rating",
    "ext_source_1",
    "ext_source_2",
    "ext_source_3",
    "id_document_issued_on",
    "address_since",
    "mobile_phone",
    "work_phone",
    "home_phone",
    "email",
)
_MONEY = frozenset({"income_yearly", "amount", "goods_price", "monthly_annuity"})


def _word(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "fr" else pair[1]


def label(item: str, lang: str) -> str:
    """The form's words for an item (``"income_yearly"`` -> ``"revenu annuel"``)."""
    words = FIELD_WORDS.get(item, (item, item))
    text = _word(words, lang)
    return text[:1].upper() + text[1:]


def worded(item: str, value: Any, lang: str) -> str:
    """A value in the bank's words, in ``lang`` (choices by their labels, amounts in euros)."""
    if value is None:
        return "non renseigné" if lang == "fr" else "not given"
    if item in bank_form.CHOICES:
        entry = bank_form.CHOICES[item].get(str(value))
        return entry[lang] if entry else str(value)
    if isinstance(value, bool):
        return ("oui" if value else "non") if lang == "fr" else ("yes" if value else "no")
    if isinstance(value, date):
        return formatting.date(value, lang, "long")
    if item in _MONEY:
        return formatting.money(float(value), lang, cents=item == "monthly_annuity")
    if item == "term_months":
        return formatting.duration(float(value), "month", lang)
    if isinstance(value, float):
        return formatting.number(value, lang, 2)
    if isinstance(value, str):
        try:
            return formatting.date(date.fromisoformat(value), lang, "long")
        except ValueError:
            return value
    return formatting.number(float(value), lang)


def _stored_row(session: Session, app: m.Application) -> dict[str, Any]:
    if app.application_row:
        return dict(app.application_row)
    client = session.get(m.Client, app.sk_id_curr)
    return dict(application_dict(client)) if client is not None else {}


def _item(item: str, value: Any, source: str, lang: str, name: str | None = None) -> s.DataItemOut:
    return s.DataItemOut(
        item=item,
        label=name or label(item, lang),
        value=worded(item, value, lang),
        source=_word(SOURCES[source], lang),
    )


def _form_items(session: Session, app: m.Application, lang: str) -> list[s.DataItemOut]:
    declared = app.declared or {}
    entered = declared.get("applicant")
    if entered:
        values, source = dict(entered), "form"
    else:
        row = _stored_row(session, app)
        known, _ = bank_form.from_application_row(row, today=app.entered_at.date())
        values, source = known.model_dump(), "file"
    items = [_item(k, values.get(k), source, lang) for k in _APPLICANT_ITEMS if k in values]
    loan_source = "form" if declared.get("loan") else "file"
    loan = {
        "contract_type": (declared.get("loan") or {}).get("contract_type")
        or bank_form.from_application_row(_stored_row(session, app), today=app.entered_at.date())[
            1
        ].get("contract_type"),
        "amount": app.amount_credit,
        "goods_price": app.amount_goods_price,
        "term_months": app.term_months,
        "monthly_annuity": app.monthly_annuity,
    }
    return items + [_item(k, v, loan_source, lang) for k, v in loan.items() if v is not None]


_LOAN_WORDS = {
    "contract_type": ("Type de crédit", "Kind of credit"),
    "status": ("Situation", "Status"),
    "amount_credit": ("Montant", "Amount"),
    "amount_annuity": ("Échéance", "Instalment"),
    "started_on": ("Début", "Start"),
    "ends_on": ("Fin prévue", "Planned end"),
}


def _loan_items(loan: m.Loan, source: str, entered: date, lang: str) -> list[s.DataItemOut]:
    values: dict[str, Any] = {
        "contract_type": loan.contract_type,
        "status": loan.status,
        "amount_credit": loan.amount_credit,
        "amount_annuity": loan.amount_annuity,
        "started_on": entered + timedelta(days=int(loan.days_start))
        if loan.days_start is not None
        else None,
        "ends_on": entered + timedelta(days=int(loan.days_end))
        if loan.days_end is not None and abs(loan.days_end) < 365_243
        else None,
    }
    out = []
    for key, value in values.items():
        if value is None:
            continue
        text = (
            formatting.money(float(value), lang)
            if key.startswith("amount_")
            else formatting.date(value, lang, "long")
            if isinstance(value, date)
            else str(value)
        )
        out.append(
            s.DataItemOut(
                item=f"{source}.{loan.loan_id}.{key}",
                label=_word(_LOAN_WORDS[key], lang),
                value=text,
                source=_word(SOURCES[source], lang),
            )
        )
    return out


def my_data(session: Session, app: m.Application, lang: str) -> s.MyDataOut:
    """The form in the bank's words, the bureau's loans, the previous applications here."""
    loans = (
        session.execute(
            select(m.Loan)
            .where(m.Loan.sk_id_curr == app.sk_id_curr, m.Loan.source.in_(("bureau", "previous")))
            .order_by(m.Loan.source, m.Loan.days_start.desc(), m.Loan.loan_id)
        )
        .scalars()
        .all()
    )
    entered = app.entered_at.date()
    bureau = [
        i for x in loans if x.source == "bureau" for i in _loan_items(x, "bureau", entered, lang)
    ]
    previous = [
        i
        for x in loans
        if x.source == "previous"
        for i in _loan_items(x, "previous", entered, lang)
    ]
    earlier = (
        session.execute(
            select(m.Application).where(
                m.Application.sk_id_curr == app.sk_id_curr,
                m.Application.id != app.id,
                m.Application.entered_at < app.entered_at,
            )
        )
        .scalars()
        .all()
    )
    for other in earlier:
        items = [
            s.DataItemOut(
                item=f"application.{other.id}.amount_credit",
                label=_word(_LOAN_WORDS["amount_credit"], lang),
                value=worded("amount", other.amount_credit, lang),
                source=_word(SOURCES["previous"], lang),
            ),
            s.DataItemOut(
                item=f"application.{other.id}.started_on",
                label=_word(("Demandé le", "Asked on"), lang),
                value=formatting.date(other.entered_at.date(), lang, "long"),
                source=_word(SOURCES["previous"], lang),
            ),
        ]
        previous.extend(items)
    return s.MyDataOut(form=_form_items(session, app, lang), bureau=bureau, previous=previous)
