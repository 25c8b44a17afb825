"""Applications: intake from the bank's form, score, policy rules, decision, letter.

One application is scored by one path (:meth:`ApplicationService.score_application`):

1. the application row in Kaggle columns (:mod:`credit_scoring.lending.form`, the
   only module that knows Kaggle's encodings) — for a known client, their stored row with
   the new loan;
2. its features: for a new client from the application alone (no history: the model and
   the reasons treat the absence as a fact), for a known client the stored feature vector
   (their history) with the application's features rebuilt from the new row;
3. the champion's probability, grade, points and reasons (catalogue codes);
4. the credit committee's policy rules (:mod:`credit_scoring.lending.policy`): a refusing
   rule wins over the model, a referral sends the application to a senior;
5. the application and its score stored in ONE transaction (the score appended to the
   chained, append-only ``scores``); the response is built from the stored row, so what
   the advisor sees is what ``GET /applications/{id}`` returns later, never a recomputation.

A decision names the score the advisor saw and is refused (409) unless it is still the
application's latest score and the application is still open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from credit_scoring.config import Settings
from credit_scoring.core.results import OPEN_STATUSES
from credit_scoring.db import applications as repo
from credit_scoring.db import audit_chain
from credit_scoring.db import models as m
from credit_scoring.db.load import application_dict, client_row, encode_vector, vector_sha
from credit_scoring.lending import application_schemas as a
from credit_scoring.lending import form as bank_form
from credit_scoring.lending import schemas as s
from credit_scoring.lending.errors import Conflict, Forbidden, Invalid, NotFound
from credit_scoring.lending.form.refusal import CATEGORIES
from credit_scoring.lending.letter import (
    ApplicantSpace,
    Letter,
    format_money,
    letter_grounds,
    render_letter,
)
from credit_scoring.lending.offers import Offer, search_offers
from credit_scoring.lending.policy import Policy, policy_facts
from credit_scoring.lending.scoring import ModelScore, score_row
from credit_scoring.lending.scoring import json_safe as _json_safe
from credit_scoring.lending.security import Principal
from credit_scoring.lending.services.features import FeatureStore, application_features
from credit_scoring.lending.services.scores import ScoreService, to_score_out
from credit_scoring.lending.shadow import ShadowScorer

SENIOR_ROLES = ("senior", "admin")
# An application to decide: open, or decided and then sent back by the applicant's request
# for a human review (GDPR Art. 22(3)); the review's decision is taken on the latest score.
DECIDABLE = (*OPEN_STATUSES, "review")


@dataclass(frozen=True)
class Intake:
    """What is scored: the application in Kaggle columns and in the bank's terms."""

    row: dict[str, Any]
    declared: dict[str, Any]
    loan: bank_form.CompletedLoan | None
    client_id: int | None  # a known client (history from the database)
    notes: list[str]


@dataclass(frozen=True)
class Scored:
    """A score before it is stored."""

    row: dict[str, Any]  # the scores row (without application_id)
    features: pd.DataFrame
    new_client: bool


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def score_out(
    score: m.Score, application: m.Application, lang: str | None = None
) -> a.ApplicationScoreOut:
    """The stored score as the API shows it.

    The reasons are the texts shown when it was scored, in that language (``lang`` of the
    result): the decision is bound to them. The committee's rules that fired are stored with
    both languages' texts, so they are given in ``lang`` when asked (the reader's language),
    else in the score's.
    """
    reasons = [s.ReasonOut(**r) for r in score.reasons]
    reader = lang if lang in ("fr", "en") else score.lang
    return a.ApplicationScoreOut(
        application_id=application.id,
        score_id=score.id,
        sk_id_curr=application.sk_id_curr,
        created_at=score.created_at,
        scored_by=score.username,
        probability=score.probability,
        decision=score.decision,  # type: ignore[arg-type]
        model_decision=score.model_decision,  # type: ignore[arg-type]
        threshold=score.threshold,
        model_name=score.model_name,
        model_version=score.model_version,
        feature_set=score.feature_set,
        inputs_digest=score.inputs_digest,
        grade=score.grade,
        points=score.points,
        policy_version=score.policy_version,
        policy=[
            a.RuleOut(
                code=p["code"],
                outcome=p["outcome"],
                text=p.get(f"text_{reader}") or p[f"text_{score.lang}"],
            )
            for p in score.policy
        ],
        reasons_against=[r for r in reasons if r.direction == "against"],
        reasons_for=[r for r in reasons if r.direction == "for"],
        lang=score.lang,  # type: ignore[arg-type]
    )


def decision_out(row: m.Decision) -> a.ApplicationDecisionOut:
    assert row.application_id is not None and row.score_id is not None
    return a.ApplicationDecisionOut(
        id=row.id,
        application_id=row.application_id,
        score_id=row.score_id,
        username=row.username,
        created_at=row.created_at,
        decision=row.decision,  # type: ignore[arg-type]
        score_decision=row.model_decision,  # type: ignore[arg-type]
        override=row.override,
        reason=row.reason,
        reason_category=row.reason_category,  # type: ignore[arg-type]
    )


def summary_out(
    app: m.Application,
    score: m.Score | None,
    last: m.Decision | None = None,
    review: m.ReviewRequest | None = None,
) -> a.ApplicationSummaryOut:
    """One line of a list of applications: its latest score and its latest decision."""
    return a.ApplicationSummaryOut(
        application_id=app.id,
        sk_id_curr=app.sk_id_curr,
        status=app.status,  # type: ignore[arg-type]
        source=app.source,  # type: ignore[arg-type]
        entered_by=app.entered_by,
        entered_at=app.entered_at,
        contract_type=app.contract_type,
        amount_credit=app.amount_credit,
        decision=score.decision if score else None,  # type: ignore[arg-type]
        probability=score.probability if score else None,
        grade=score.grade if score else None,
        score_id=score.id if score else None,
        final_decision=last.decision if last else None,  # type: ignore[arg-type]
        decided_by=last.username if last else None,
        decided_at=last.created_at if last else None,
        review_due=review.due_on if review else None,
    )


def summaries(
    session: Session, rows: Sequence[tuple[m.Application, m.Score | None]]
) -> list[a.ApplicationSummaryOut]:
    """The lines of a page of applications, each with its latest decision (one query)."""
    ids = [app.id for app, _ in rows]
    decided = repo.latest_decisions(session, ids)
    reviews = repo.open_reviews(session, ids)
    return [
        summary_out(app, score, decided.get(app.id), reviews.get(app.id)) for app, score in rows
    ]


class ApplicationService:
    """Applications on top of the scoring service (its champion and feature vectors)."""

    def __init__(
        self, scores: ScoreService, features: FeatureStore, settings: Settings, policy: Policy
    ) -> None:
        self.scores = scores
        self.features = features
        self.settings = settings
        self.policy = policy
        self.terms = bank_form.lender_terms(settings)
        # the challenger in the shadow (lending/shadow.py), set by the API when one is loaded
        self.shadow: ShadowScorer | None = None

    # --- intake ---------------------------------------------------------------------------
    def intake(
        self, session: Session, form: bank_form.ApplicationForm, lang: str, today: date
    ) -> Intake:
        """The application row to score, or :class:`bank_form.FormErrors` (all at once)."""
        declared = form.model_dump(mode="json")
        stored: dict[str, Any] | None = None
        known: bank_form.Applicant | None = None
        if form.client_id is not None:
            client = session.get(m.Client, form.client_id)
            if client is None:
                message = (
                    f"Le client {form.client_id} n'existe pas : cherchez-le, ou saisissez "
                    "le demandeur comme nouveau client."
                    if lang == "fr"
                    else f"Client {form.client_id} does not exist: search for them, or enter "
                    "the applicant as a new client."
                )
                raise bank_form.FormErrors(
                    [bank_form.FieldError("client_id", "unknown_client", message)]
                )
            stored = application_dict(client)
            known, _ = bank_form.from_application_row(stored, today=today)
        errors = bank_form.check_form(
            form, today=today, lang=lang, rules=self.terms, known_applicant=known
        )
        loan: bank_form.CompletedLoan | None = None
        if not errors:
            try:
                loan = bank_form.complete_loan(form.loan, self.terms, lang=lang)
            except bank_form.FormErrors as exc:
                errors = list(exc.errors)
        if errors:
            raise bank_form.FormErrors(errors)
        assert loan is not None
        if stored is not None:
            # a known client: their declared data as stored, the loan as asked now
            row = {**stored, **bank_form.loan_columns(loan)}
        else:
            assert form.applicant is not None
            row = bank_form.to_application_row(form.applicant, loan, sk_id_curr=0, today=today)
        notes = [loan.note_fr if lang == "fr" else loan.note_en] if loan.computed else []
        return Intake(row, declared, loan, form.client_id, notes)

    # --- scoring --------------------------------------------------------------------------
    def features_for(
        self, session: Session, row: dict[str, Any], client_id: int | None
    ) -> tuple[pd.DataFrame, bool]:
        """The feature row of an application, and whether the client is new to the lender."""
        rebuilt = application_features(row)
        if client_id is None:
            return rebuilt, True
        stored = self.features.client(session, client_id)
        merged = self.features.with_application(stored, rebuilt)
        merged.attrs.pop("vector_sha", None)  # the merged row is not the stored vector
        return merged, not repo.has_history(session, client_id)

    def score_application(
        self,
        session: Session,
        row: dict[str, Any],
        client_id: int | None,
        term_months: float | None,
        user: Principal,
        lang: str,
    ) -> Scored:
        features, new_client = self.features_for(session, row, client_id)
        out = to_score_out(self.scores.result(features, lang), None, lang)
        hits = self.policy.evaluate(policy_facts(row, term_months))
        info = self.features.feature_set(session)
        model = ModelScore(
            model_name=out.model_name,
            model_version=out.model_version,
            probability=out.probability,
            threshold=out.threshold,
            decision=out.decision,  # type: ignore[arg-type]
            grade=out.grade,
            points=out.points,
            # the loan quoted as the applicant gave it, never as the term model estimates it
            reasons=loan_as_given(
                [r.model_dump() for r in out.reasons_against + out.reasons_for],
                row,
                term_months,
                lang,
            ),
        )
        row_out = score_row(
            model,
            hits,
            policy_version=self.policy.version,
            row=row,
            feature_set=info.version,
            features_sha=None,  # set by create() when the vector is stored
            username=user.username,
            lang=lang,
        )
        return Scored(row_out, features, new_client)

    # --- create ---------------------------------------------------------------------------
    def create(
        self,
        session: Session,
        form: bank_form.ApplicationForm,
        user: Principal,
        lang: str,
        key: str | None,
    ) -> tuple[a.ApplicationCreatedOut, bool]:
        """Score and store a new application; ``(result, replayed)``.

        A key already used by this user returns the first result (``replayed``) and creates
        nothing; the same key with another body is refused (409).
        """
        if key is not None:
            first = repo.by_idempotency_key(session, user.username, key)
            if first is not None:
                return self._replay(session, first, form), True
        today = _utcnow().date()
        intake = self.intake(session, form, lang, today)
        scored = self.score_application(
            session,
            intake.row,
            intake.client_id,
            intake.loan.term_months if intake.loan else None,
            user,
            lang,
        )
        loan = intake.loan
        assert loan is not None
        app = m.Application(
            sk_id_curr=intake.client_id or 0,
            source="intake",
            new_client=scored.new_client,
            contract_type=intake.row.get("NAME_CONTRACT_TYPE"),
            amount_credit=loan.amount,
            amount_goods_price=loan.goods_price,
            term_months=loan.term_months,
            monthly_annuity=loan.monthly_annuity,
            declared=intake.declared,
            application_row={},
            entered_by=user.username,
            # a referral rule sends it to the seniors' queue at once
            status="referred" if scored.row["decision"] == "refer" else "scored",
            idempotency_key=key,
        )
        try:
            session.add(app)
            session.flush()
        except IntegrityError:  # the same key, sent twice at once: the other one won
            session.rollback()
            first = repo.by_idempotency_key(session, user.username, key or "")
            if first is None:
                raise
            return self._replay(session, first, form), True
        row = dict(intake.row)
        if intake.client_id is None:
            app.sk_id_curr = m.NEW_CLIENT_BASE + app.id
            row["SK_ID_CURR"] = app.sk_id_curr
            self._store_new_client(session, row, scored.features)
        app.application_row = _json_safe(row)
        score_row = {**scored.row, "application_id": app.id}
        score_row["features_sha"] = scored.features.attrs.get("vector_sha")
        score = repo.append_score(session, score_row)
        session.commit()
        if self.shadow is not None:
            self.shadow.submit(app.id, score.id, scored.features)
        created = a.ApplicationCreatedOut(
            **score_out(score, app).model_dump(),
            status=app.status,  # type: ignore[arg-type]
            new_client=app.new_client,
            notes=intake.notes,
        )
        return created, False

    def _replay(
        self, session: Session, first: m.Application, form: bank_form.ApplicationForm
    ) -> a.ApplicationCreatedOut:
        if first.declared != form.model_dump(mode="json"):
            raise Conflict(
                "idempotency_key_reused",
                "Cette clé d'idempotence a déjà servi pour une autre demande : envoyez une "
                "nouvelle clé pour une nouvelle demande.",
                "This Idempotency-Key was already used for another application: send a new "
                "key for a new application.",
            )
        score = repo.latest_score(session, first.id)
        assert score is not None
        return a.ApplicationCreatedOut(
            **score_out(score, first).model_dump(),
            status=first.status,  # type: ignore[arg-type]
            new_client=first.new_client,
            notes=[],
        )

    def _store_new_client(
        self, session: Session, row: dict[str, Any], features: pd.DataFrame
    ) -> None:
        """A new applicant becomes a client: their row and the feature vector scored."""
        session.execute(insert(m.Client), [client_row(_json_safe(row))])
        info = self.features.feature_set(session)
        blob = encode_vector(features, info.columns, info.categories)
        sha = vector_sha(info.version, blob)
        session.execute(
            insert(m.FeatureVector),
            [
                {
                    "sk_id_curr": row["SK_ID_CURR"],
                    "feature_set": info.version,
                    "vector": blob,
                    "vector_sha": sha,
                }
            ],
        )
        features.attrs["vector_sha"] = sha

    # --- reads ----------------------------------------------------------------------------
    def get(
        self, session: Session, app: m.Application, lang: str | None = None
    ) -> a.ApplicationOut:
        """The application as stored: its latest score (never recomputed) and its decisions;
        the rules that fired in ``lang`` (:func:`score_out`)."""
        score = repo.latest_score(session, app.id)
        return a.ApplicationOut(
            application_id=app.id,
            sk_id_curr=app.sk_id_curr,
            source=app.source,  # type: ignore[arg-type]
            new_client=app.new_client,
            status=app.status,  # type: ignore[arg-type]
            entered_by=app.entered_by,
            entered_at=app.entered_at,
            decided_at=app.decided_at,
            contract_type=app.contract_type,
            amount_credit=app.amount_credit,
            amount_goods_price=app.amount_goods_price,
            term_months=app.term_months,
            monthly_annuity=app.monthly_annuity,
            declared=app.declared,
            score=score_out(score, app, lang) if score else None,
            scores=repo.count_scores(session, app.id),
            decisions=[decision_out(d) for d in repo.decisions_of(session, app.id)],
            **applicant_fields(session, app.id),
        )

    def _stored_row(self, session: Session, app: m.Application) -> dict[str, Any]:
        """The application's Kaggle row as scored (a loaded one's: the client's stored row)."""
        if app.application_row:
            return dict(app.application_row)
        client = session.get(m.Client, app.sk_id_curr)
        if client is None:
            raise Conflict(
                "client_gone",
                f"Le client {app.sk_id_curr} de cette demande n'existe plus.",
                f"Client {app.sk_id_curr} of this application is gone.",
            )
        return dict(application_dict(client))

    def _application(self, session: Session, application_id: int) -> m.Application:
        app = session.get(m.Application, application_id)
        if app is None:
            raise NotFound(
                "application_not_found",
                f"La demande n° {application_id} n'existe pas.",
                f"Application {application_id} does not exist.",
            )
        return app

    # --- rescore --------------------------------------------------------------------------
    def rescore(
        self, session: Session, application_id: int, user: Principal, lang: str
    ) -> a.ApplicationScoreOut:
        """A new score of an open application with the champion now served."""
        app = self._application(session, application_id)
        if app.status not in OPEN_STATUSES:
            raise Conflict(
                "application_closed",
                f"La demande n° {app.id} est close : elle n'est pas notée à nouveau.",
                f"Application {app.id} is {app.status}: it is not scored again.",
            )
        row = self._stored_row(session, app)
        # a new applicant's features come from the application alone, as at intake
        client_id = None if app.sk_id_curr >= m.NEW_CLIENT_BASE else app.sk_id_curr
        scored = self.score_application(session, row, client_id, app.term_months, user, lang)
        score = repo.append_score(session, {**scored.row, "application_id": app.id})
        session.commit()
        if self.shadow is not None:
            self.shadow.submit(app.id, score.id, scored.features)
        return score_out(score, app)

    # --- decision -------------------------------------------------------------------------
    def decide(
        self,
        session: Session,
        application_id: int,
        body: a.ApplicationDecisionIn,
        user: Principal,
    ) -> a.ApplicationDecisionOut:
        app = self._application(session, application_id)
        score = repo.latest_score(session, app.id)
        if app.status not in DECIDABLE:
            raise Conflict(
                "application_closed",
                f"La demande n° {app.id} est déjà close : rechargez-la pour voir la décision.",
                f"Application {app.id} is already {app.status}: reload it to see the decision.",
            )
        if score is None or score.id != body.score_id:
            raise Conflict(
                "not_latest_score",
                f"La demande n° {app.id} a été notée à nouveau depuis l'affichage : "
                "rechargez-la et décidez sur la note affichée.",
                f"Score {body.score_id} is not the latest score of application {app.id}"
                + (f" (that is score {score.id})" if score else "")
                + ": reload the application and decide on the score shown.",
                field="score_id",
            )
        senior = user.role in SENIOR_ROLES
        refused_by_policy = any(p["outcome"] == "refuse" for p in score.policy)
        if app.status == "referred" and not senior:
            raise Forbidden(
                "referred_to_senior",
                "Cette demande a été transmise : un conseiller senior la décide.",
                "This application was referred: a senior advisor decides it.",
            )
        if body.decision == "grant" and refused_by_policy and not senior:
            codes = ", ".join(p["code"] for p in score.policy if p["outcome"] == "refuse")
            raise Forbidden(
                "policy_refusal",
                f"Une règle de la politique de crédit refuse cette demande ({codes}) : seul un "
                "conseiller senior peut l'accorder.",
                f"A policy rule refuses this application ({codes}): only a senior may grant it.",
            )
        if body.decision == "refer" and app.status == "referred":
            raise Conflict(
                "already_referred",
                "Cette demande est déjà transmise à un conseiller senior.",
                "This application is already referred to a senior.",
            )
        override = body.decision not in (score.decision, "refer", "withdraw")
        if score.decision == "refer" and body.decision in ("grant", "refuse"):
            override = False  # a referral is decided, not overridden
        needs_reason = override or body.decision in ("refer", "withdraw")
        if needs_reason and not body.reason:
            what_fr = {"refer": "Une transmission", "withdraw": "Un retrait"}.get(
                body.decision, "Une décision contraire à la proposition"
            )
            what_en = {"refer": "A referral", "withdraw": "A withdrawal"}.get(
                body.decision, "A decision against the proposal"
            )
            raise Invalid(
                "reason_required",
                f"{what_fr} doit être motivé(e) : indiquez la raison.",
                f"{what_en} needs a reason: state it.",
                field="reason",
            )
        self._check_category(body, score, refused_by_policy)
        now = _utcnow()
        if not repo.claim_decision(session, app, score.id, body.decision, now):
            session.rollback()
            raise Conflict(
                "decided_meanwhile",
                f"La demande n° {app.id} a été décidée ou notée à nouveau entre-temps : "
                "rechargez-la.",
                f"Application {app.id} was decided or scored again meanwhile: reload it.",
            )
        decision_id = audit_chain.append(
            session.connection(),
            "decisions",
            [
                {
                    "sk_id_curr": app.sk_id_curr,
                    "username": user.username,
                    "created_at": now,
                    "decision": body.decision,
                    "model_decision": score.decision,
                    "probability": score.probability,
                    "threshold": score.threshold,
                    "model_version": score.model_version,
                    "override": override,
                    "reason": body.reason,
                    "reason_category": body.reason_category,
                    "application_id": app.id,
                    "score_id": score.id,
                }
            ],
        )
        if body.decision != "refer":  # a grant, a refusal or a withdrawal answers the review
            repo.close_review(session, app.id, decision_id, now)
        session.commit()
        row = session.get(m.Decision, decision_id)
        assert row is not None
        return decision_out(row)

    @staticmethod
    def _check_category(
        body: a.ApplicationDecisionIn, score: m.Score, refused_by_policy: bool
    ) -> None:
        """A refusal of what the model grants names its category; only a refusal has one."""
        if body.reason_category is not None and body.decision != "refuse":
            raise Invalid(
                "category_refusal_only",
                "Une catégorie de motif accompagne un refus seulement : retirez-la.",
                "A reason category goes with a refusal only: leave it out.",
                field="reason_category",
            )
        if (
            body.decision == "refuse"
            and body.reason_category is None
            and refuses_model_grant(score.model_decision, refused_by_policy)
        ):
            labels_fr = ", ".join(c.label_fr.lower() for c in CATEGORIES.values())
            labels_en = ", ".join(c.label_en.lower() for c in CATEGORIES.values())
            raise Invalid(
                "category_required",
                "Le modèle accorderait ce crédit : choisissez la catégorie du refus "
                f"({labels_fr}), c'est elle que la lettre donne au demandeur.",
                "The model would grant this credit: pick the refusal's category "
                f"({labels_en}); the letter gives it to the applicant.",
                field="reason_category",
            )

    # --- letter ---------------------------------------------------------------------------
    def letter(
        self,
        session: Session,
        application_id: int,
        lang: str,
        *,
        space: ApplicantSpace | None = None,
    ) -> bytes:
        """The letter of the application's final decision, its reasons following who decided.

        A refusing rule gives its applicant text first; a refusal by the model gives the
        model's principal reasons; an advisor's refusal of what the model grants gives the
        advisor's category (:mod:`credit_scoring.lending.form.refusal`), never the model's
        factors. A counter-offer comes only with a refusal the loan changes (a rule's or
        the model's), from the same search as the what-if (:mod:`credit_scoring.lending.offers`).
        """
        app = self._application(session, application_id)
        score = repo.latest_score(session, app.id)
        if score is None:
            raise Conflict(
                "not_scored",
                f"La demande n° {app.id} n'a pas encore de note.",
                f"Application {app.id} has no score yet.",
            )
        final = [d for d in repo.decisions_of(session, app.id) if d.decision in ("grant", "refuse")]
        last = final[-1] if final else None
        grounds = letter_grounds(
            decision=last.decision if last else None,  # type: ignore[arg-type]
            model_decision=score.model_decision,  # type: ignore[arg-type]
            policy=score.policy,
            reasons=score.reasons,
            category=last.reason_category if last else None,
            lang=lang,
        )
        offers = self.alternatives(session, app, lang) if grounds.offers else []
        letter = Letter(
            application_id=app.id,
            applicant_name=None,
            date=_utcnow().date(),
            decision=grounds.decision,
            amount=app.amount_credit,
            term_months=app.term_months,
            monthly_annuity=app.monthly_annuity,
            reasons_against=grounds.against,
            reasons_for=grounds.favour,
            policy=grounds.policy,
            alternatives=offers,
            documents=grounds.documents,
            model_version=f"{score.model_name} v{score.model_version}",
            grade=score.grade,
            applicant_space=space,
        )
        return render_letter(letter, lang)

    def offers(self, session: Session, app: m.Application, limit: int = 1) -> list[Offer]:
        """The nearest loans the champion and the rules would grant for this application."""
        row = self._stored_row(session, app)
        known = app.sk_id_curr if app.sk_id_curr < m.NEW_CLIENT_BASE else None
        return search_offers(
            row,
            app.term_months,
            features_of=lambda changed: self.features_for(session, changed, known)[0],
            scorer=self.scores.scorer,
            policy=self.policy,
            terms=self.terms,
            limit=limit,
        )

    def alternatives(self, session: Session, app: m.Application, lang: str) -> list[str]:
        """The letter's counter-offers in the applicant's words (:meth:`offers`)."""
        return [offer.text(lang) for offer in self.offers(session, app)]


def refuses_model_grant(model_decision: str, refused_by_policy: bool) -> bool:
    """A refusal goes against the model when the model grants and no rule refuses."""
    return model_decision == "grant" and not refused_by_policy


LOAN_FACT = "R11"  # the catalogue's fact of the loan asked: amount, term and instalment


def loan_as_given(
    reasons: list[dict[str, Any]], row: dict[str, Any], term_months: float | None, lang: str
) -> list[dict[str, Any]]:
    """The loan's reason quotes the loan as the applicant gave it, never a model's estimate.

    An application states its amount, term and monthly payment: the reason of the loan's
    fact (R11) then says them as entered ("Crédit demandé : 15 000 € sur 36 mois
    (mensualité de 498,21 €)"), whatever member of the fact drives it (the loan-term
    model's estimated term included). A Kaggle client's application states no term
    (``term_months`` None): its reasons are left as the model worded them.

    Parameters
    ----------
    reasons : list of dict
        The score's reasons (``code``, ``text``, ``value``...).
    row : dict of str to object
        The application in Kaggle's columns (``AMT_CREDIT``, ``AMT_ANNUITY``).
    term_months : float or None
        The term of the application, if it states one.
    lang : {"fr", "en"}

    Returns
    -------
    list of dict
        The reasons, the loan's one reworded (``value``: the term).
    """
    credit, annuity = row.get("AMT_CREDIT"), row.get("AMT_ANNUITY")
    if not term_months or not isinstance(credit, int | float) or credit <= 0:
        return reasons
    months = round(term_months)
    amount = format_money(float(credit), lang)
    if lang == "fr":
        text = f"Crédit demandé : {amount} sur {months} mois"
        if isinstance(annuity, int | float) and annuity > 0:
            text += f" (mensualité de {format_money(float(annuity), lang, cents=True)})"
    else:
        text = f"Credit asked: {amount} over {months} months"
        if isinstance(annuity, int | float) and annuity > 0:
            text += f" (monthly payment {format_money(float(annuity), lang, cents=True)})"
    return [
        {**r, "text": text, "value": float(months)} if r.get("code") == LOAN_FACT else r
        for r in reasons
    ]


def applicant_fields(session: Session, application_id: int) -> dict[str, Any]:
    """What the advisor sees of the applicant's own space on the application: the review
    asked for (or None), the rectification requests, how often and when the applicant
    last looked at it."""
    review = repo.latest_review(session, application_id)
    views, seen = repo.applicant_views(session, application_id)
    return {
        "review": None
        if review is None
        else a.ReviewOut(
            requested_at=review.requested_at,
            due_on=review.due_on,
            comment=review.comment,
            attachments=list(review.attachments or []),
            status=review.status,  # type: ignore[arg-type]
        ),
        "rectifications": [
            a.RectificationOut(item=r.item, comment=r.comment, created_at=r.created_at)
            for r in repo.rectifications_of(session, application_id)
        ],
        "applicant_views": views,
        "applicant_seen_at": seen,
    }
