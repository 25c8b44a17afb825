"""What the applicant asks: a human review of the decision, a rectification, a withdrawal.

- A **review** (GDPR Art. 22(3)): their point of view and the names of the documents they
  will bring; due :data:`REVIEW_DAYS` days later. A decided application goes back among the
  applications to decide (status ``review``); the advisor's next grant or refusal, on the
  latest score, closes the review and the next letter says the new decision.
- A **rectification** (Art. 16): "this is wrong" on one item of their data, with a comment.
- A **withdrawal**: the application is closed before it is decided (recorded as a
  ``withdraw`` decision by the applicant, as an advisor's withdrawal is).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from credit_scoring.core.results import OPEN_STATUSES
from credit_scoring.db import applications as repo
from credit_scoring.db import audit_chain
from credit_scoring.db import models as m
from credit_scoring.lending import applicant_schemas as s
from credit_scoring.lending.applicant.access import Applicant
from credit_scoring.lending.applicant.views import review_out
from credit_scoring.lending.errors import Conflict

REVIEW_DAYS = 30


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def request_review(session: Session, app: m.Application, body: s.ReviewIn) -> s.ReviewOut:
    """Open a review of the decision; 409 when one is open or nothing was decided yet."""
    if repo.open_reviews(session, [app.id]):
        raise Conflict(
            "review.already_open",
            "Vous avez déjà demandé un réexamen de cette demande : un conseiller vous répondra "
            "au plus tard à la date indiquée.",
            "You have already asked for a review of this application: an advisor will answer "
            "by the date shown.",
        )
    if app.status != "decided":
        fr, en = {
            "withdrawn": (
                "Cette demande a été retirée : il n'y a pas de décision à réexaminer.",
                "This application was withdrawn: there is no decision to review.",
            ),
            "review": (
                "Cette demande est déjà en cours de réexamen.",
                "This application is already being reviewed.",
            ),
        }.get(
            app.status,
            (
                "Aucune décision n'a encore été prise sur cette demande : un conseiller "
                "l'étudie déjà.",
                "No decision has been made on this application yet: an advisor is already "
                "looking at it.",
            ),
        )
        raise Conflict("review.not_decided", fr, en)
    now = _utcnow()
    moved = session.execute(
        update(m.Application)
        .where(m.Application.id == app.id, m.Application.status == "decided")
        .values(status="review")
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict(
            "review.changed_meanwhile",
            "Votre demande vient de changer : rechargez la page.",
            "Your application has just changed: reload the page.",
        )
    review = m.ReviewRequest(
        application_id=app.id,
        requested_at=now,
        due_on=(now + timedelta(days=REVIEW_DAYS)).date(),
        comment=body.comment,
        attachments=[a.strip() for a in body.attachments if a.strip()],
        status="open",
    )
    session.add(review)
    session.flush()
    out = review_out(review)
    assert out is not None
    return out


def rectify(session: Session, app: m.Application, body: s.RectificationIn) -> s.RectificationOut:
    row = m.RectificationRequest(
        application_id=app.id, item=body.item, comment=body.comment, created_at=_utcnow()
    )
    session.add(row)
    session.flush()
    return s.RectificationOut(id=row.id, item=row.item, created_at=row.created_at)


def withdraw(session: Session, app: m.Application, applicant: Applicant) -> None:
    """Close the application at the applicant's request, while it is not decided."""
    if app.status not in (*OPEN_STATUSES, "review"):
        fr, en = {
            "withdrawn": (
                "Cette demande est déjà retirée.",
                "This application is already withdrawn.",
            ),
        }.get(
            app.status,
            (
                "Cette demande est déjà décidée : il n'y a plus rien à retirer. Pour renoncer "
                "à un crédit accordé, adressez-vous à votre conseiller.",
                "This application is already decided: there is nothing left to withdraw. To "
                "give up a granted loan, speak to your advisor.",
            ),
        )
        raise Conflict("withdraw.not_allowed", fr, en)
    score = repo.latest_score(session, app.id)
    now = _utcnow()
    if score is None or not repo.claim_decision(session, app, score.id, "withdraw", now):
        session.rollback()
        raise Conflict(
            "withdraw.changed_meanwhile",
            "Votre demande vient de changer : rechargez la page.",
            "Your application has just changed: reload the page.",
        )
    decision_id = audit_chain.append(
        session.connection(),
        "decisions",
        [
            {
                "sk_id_curr": app.sk_id_curr,
                "username": f"applicant:{applicant.application_id}"[:64],
                "created_at": now,
                "decision": "withdraw",
                "model_decision": score.decision,
                "probability": score.probability,
                "threshold": score.threshold,
                "model_version": score.model_version,
                "override": False,
                "reason": "withdrawn by the applicant in their space",
                "application_id": app.id,
                "score_id": score.id,
            }
        ],
    )
    repo.close_review(session, app.id, decision_id, now)
