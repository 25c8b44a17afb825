"""The application routes of the in-memory API (``/applications``, ``/policy``...).

Built from :mod:`credit_scoring.lending.application_schemas` and the bank form's own model
(:class:`credit_scoring.lending.form.ApplicationForm`), so a change of contract
breaks the dashboard tests. The scoring follows the fake's rule (risk grows with the
amount asked relative to income); two policy rules fire on simple facts:
``DEBT_RATIO`` refuses a credit above eight years of income, ``YOUNG_APPLICANT``
refers an applicant under 21 to a senior.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import BaseModel, ValidationError

from credit_scoring.lending import application_schemas as aps
from credit_scoring.lending import schemas as s
from credit_scoring.lending.form import ApplicationForm, pydantic_errors

if TYPE_CHECKING:
    from dashboard_fake import FakeApi

YEARLY_RATE = 0.10
# Applications keep the model's column value, as the API stores them.
KAGGLE_CONTRACT = {"cash": "Cash loans", "revolving": "Revolving loans"}
PDF = b"%PDF-1.4\n%fake letter\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
POLICY = aps.PolicyOut(
    version="2026-12",
    rules=[
        aps.PolicyRuleOut(
            code="DEBT_RATIO",
            outcome="refuse",
            when="amount > 8 * income_yearly",
            text_fr="Crédit supérieur à huit années de revenu",
            text_en="Credit above eight years of income",
        ),
        aps.PolicyRuleOut(
            code="YOUNG_APPLICANT",
            outcome="refer",
            when="age < 21",
            text_fr="Demandeur de moins de 21 ans : avis d'un conseiller senior",
            text_en="Applicant under 21: a senior advisor decides",
        ),
    ],
)


@dataclass
class StoredApplication:
    """One application of the fake: the form as entered, its scores and decisions."""

    id: int
    sk_id_curr: int
    new_client: bool
    entered_by: str
    entered_at: datetime
    form: dict[str, Any]
    income: float
    age: float
    annuity: float
    term: int
    status: aps.Status = "scored"
    score_ids: list[int] = field(default_factory=list)
    lang: str = "fr"  # the language of its latest score's reasons (as the API stores them)
    decisions: list[aps.ApplicationDecisionOut] = field(default_factory=list)


# The API's one error shape (api/errors.py): a code, a message for a person, the field.
def refusal(message: str, field: str | None = None, code: str = "refused") -> dict[str, Any]:
    """An error body as the API answers it (``detail`` repeats the message, as it does)."""
    return {"code": code, "message": message, "field": field, "detail": message}


def _lang(request: httpx.Request) -> str:
    """The language the API answers in: ``lang``, else ``Accept-Language``, else French."""
    asked = request.url.params.get("lang") or request.headers.get("Accept-Language", "")
    return "en" if asked.lower().startswith("en") else "fr"


def monthly_payment(amount: float, months: int) -> float:
    rate = YEARLY_RATE / 12
    return amount * rate / (1 - (1 + rate) ** -months)


def term_for(amount: float, payment: float) -> int:
    months = 1
    while months < 600 and monthly_payment(amount, months) > payment:
        months += 1
    return months


def _age(birth: date, today: date) -> float:
    return (today - birth).days / 365.25


def reasons(lang: str, coded: bool = True) -> tuple[list[s.ReasonOut], list[s.ReasonOut]]:
    """The fakes' reasons, against and for: the credit asked for the income, the external score.

    ``coded=False``: without the catalogue's codes, as the fake's client scores give them.
    """
    fr = lang == "fr"
    against = s.ReasonOut(
        group="AMT_CREDIT",
        direction="against",
        contribution=0.4,
        code="CREDIT_TO_INCOME" if coded else "",
        text="Montant demandé élevé par rapport au revenu"
        if fr
        else "Amount asked is high compared with income",
    )
    for_ = s.ReasonOut(
        group="EXT_SOURCE_2",
        direction="for",
        contribution=-0.3,
        code="EXT_SOURCE_GOOD" if coded else "",
        text="Bon score externe" if fr else "Good external score",
    )
    return [against], [for_]


def _errors(lang: str, items: list[tuple[str, str, str, str]]) -> httpx.Response:
    """A 422 ``FormErrorsOut`` with (field, code, French message, English message) items."""
    fr = lang == "fr"
    body = aps.FormErrorsOut(
        detail="Le formulaire contient des erreurs" if fr else "The form has errors",
        errors=[
            aps.FieldErrorOut(field=f, code=c, message=m_fr if fr else m_en)
            for f, c, m_fr, m_en in items
        ],
    )
    return httpx.Response(422, json=body.model_dump(mode="json"))


class ApplicationRoutes:
    """The application routes, answered from the fake's clients and its own store."""

    def __init__(self, fake: FakeApi) -> None:
        self.fake = fake
        self.items: dict[int, StoredApplication] = {}
        self.replays: dict[str, int] = {}
        self.keys: list[str] = []  # every Idempotency-Key received, in order
        self.letters: list[tuple[int, str]] = []
        self.next_client = 200001
        self.next_score = 1
        self.today = date(2026, 12, 3)
        # the next created application is stored but its answer is lost (a 503 instead):
        # the dashboard must retry with the same Idempotency-Key
        self.lose_next_answer = False
        # the applicant space (issue 22): reviews asked for, rectifications, visits, codes
        self.reviews: dict[int, dict[str, Any]] = {}
        self.rectifications: dict[int, list[dict[str, Any]]] = {}
        self.seen: dict[int, tuple[int, datetime]] = {}
        self.codes: list[int] = []

    # --- scoring ---------------------------------------------------------------------------

    def rules(self, app: StoredApplication, lang: str) -> list[aps.RuleOut]:
        amount = float(app.form["loan"]["amount"])
        fired = []
        if amount > 8 * app.income:
            fired.append(POLICY.rules[0])
        if app.age < 21:
            fired.append(POLICY.rules[1])
        return [
            aps.RuleOut(
                code=r.code, outcome=r.outcome, text=r.text_fr if lang == "fr" else r.text_en
            )
            for r in fired
        ]

    def score(self, app: StoredApplication, lang: str) -> aps.ApplicationScoreOut:
        from dashboard_fake import THRESHOLD, probability

        amount = float(app.form["loan"]["amount"])
        p = probability(amount, app.income)
        model_decision = "grant" if p < THRESHOLD else "refuse"
        rules = self.rules(app, lang)
        decision: aps.ScoreDecision = (
            "refuse"
            if any(r.outcome == "refuse" for r in rules)
            else "refer"
            if rules
            else model_decision
        )
        # the reasons as shown when it was scored, in that language; the rules in the reader's
        against, for_ = reasons(app.lang)
        return aps.ApplicationScoreOut(
            application_id=app.id,
            score_id=app.score_ids[-1],
            sk_id_curr=app.sk_id_curr,
            created_at=app.entered_at,
            scored_by=app.entered_by,
            probability=p,
            decision=decision,
            model_decision=model_decision,
            threshold=THRESHOLD,
            model_name="lightgbm",
            model_version="3",
            feature_set="full",
            inputs_digest="ab" * 32,
            grade="F" if p >= THRESHOLD else "C",
            points=520.0 if p >= THRESHOLD else 585.0,
            policy_version=POLICY.version,
            policy=rules,
            reasons_against=against,
            reasons_for=for_,
            lang="fr" if app.lang == "fr" else "en",
        )

    def rescore(self, application_id: int) -> int:
        """A new score of the application (as a new champion would give): the one shown is stale."""
        app = self.items[application_id]
        app.score_ids.append(self.next_score)
        self.next_score += 1
        return app.score_ids[-1]

    def out(self, app: StoredApplication, lang: str) -> aps.ApplicationOut:
        loan = app.form["loan"]
        return aps.ApplicationOut(
            application_id=app.id,
            sk_id_curr=app.sk_id_curr,
            source="intake",
            new_client=app.new_client,
            status=app.status,
            entered_by=app.entered_by,
            entered_at=app.entered_at,
            decided_at=app.decisions[-1].created_at if app.status == "decided" else None,
            contract_type=KAGGLE_CONTRACT[loan["contract_type"]],
            amount_credit=loan["amount"],
            amount_goods_price=loan.get("goods_price"),
            term_months=app.term,
            monthly_annuity=round(app.annuity, 2),
            declared=app.form,
            score=self.score(app, lang),
            scores=len(app.score_ids),
            decisions=app.decisions,
        )

    def summary(self, app: StoredApplication) -> aps.ApplicationSummaryOut:
        score = self.score(app, "fr")
        return aps.ApplicationSummaryOut(
            application_id=app.id,
            sk_id_curr=app.sk_id_curr,
            status=app.status,
            source="intake",
            entered_by=app.entered_by,
            entered_at=app.entered_at,
            contract_type=KAGGLE_CONTRACT[app.form["loan"]["contract_type"]],
            amount_credit=app.form["loan"]["amount"],
            decision=score.decision,
            probability=score.probability,
            grade=score.grade,
            score_id=score.score_id,
            final_decision=app.decisions[-1].decision if app.decisions else None,
            decided_by=app.decisions[-1].username if app.decisions else None,
            decided_at=app.decisions[-1].created_at if app.decisions else None,
        )

    # --- routes ----------------------------------------------------------------------------

    def handle(
        self,
        request: httpx.Request,
        parts: list[str],
        params: dict[str, str],
        username: str,
        role: str,
    ) -> httpx.Response | None:
        """The answer of an application route, or None when the path is not one."""
        lang = params.get("lang", "fr")
        if parts == ["policy"]:
            return ok(POLICY)
        if parts[0] == "clients" and len(parts) == 3 and parts[2] == "applications":
            cid = int(parts[1])
            items = [self.summary(a) for a in reversed(self.items.values()) if a.sk_id_curr == cid]
            return httpx.Response(200, json=[i.model_dump(mode="json") for i in items])
        if parts[0] == "clients" and len(parts) == 3 and parts[2] == "applicant":
            return httpx.Response(200, json={"applicant": self.applicant(int(parts[1]))})
        if parts[0] != "applications":
            return None
        writes = request.method == "POST" or parts[-1] == "letter"
        if role == "analyst" and writes:  # analysts read applications, enter and decide none
            return httpx.Response(403, json=refusal(f"Role '{role}' may not do this"))
        if len(parts) == 1 and request.method == "POST":
            return self.create(request, lang, username)
        if len(parts) == 1:
            return self.page(params, username, role)
        app = self.items.get(int(parts[1]))
        if app is None:
            return httpx.Response(404, json=refusal(f"Application {parts[1]} does not exist."))
        if role == "advisor" and app.entered_by != username:
            return httpx.Response(403, json=refusal("entered by another advisor"))
        if len(parts) == 2:
            return httpx.Response(200, json=self.out_with_applicant(app, lang))
        if parts[2] == "applicant-access" and request.method == "POST":
            self.codes.append(app.id)
            code = f"K7QF-9XMA-2TRC-{len(self.codes):04d}"
            return httpx.Response(
                201, json={"application_id": app.id, "code": code, "url": "http://127.0.0.1:8502"}
            )
        if parts[2] == "letter":
            self.letters.append((app.id, lang))
            return httpx.Response(200, content=PDF, headers={"content-type": "application/pdf"})
        if parts[2] == "decision" and request.method == "POST":
            return self.decide(request, app, username, role)
        if parts[2] == "score" and request.method == "POST":
            if app.status in ("decided", "withdrawn"):
                return httpx.Response(409, json=refusal("This application is closed."))
            self.rescore(app.id)
            app.lang = lang
            return ok(self.score(app, lang), 201)
        return httpx.Response(404, json=refusal(f"unknown route {request.url.path}"))

    def applicant(self, cid: int) -> dict[str, Any]:
        c = self.fake.clients[cid]
        return {
            "birth_date": date(self.today.year - int(c["age"]) - 1, 6, 1).isoformat(),
            "sex": "female" if c["gender"] == "F" else "male",
            "family_status": "married",
            "children": 1,
            "education": "higher",
            "income_type": "working",
            "income_yearly": c["income"],
            "employed_since": "2023-06-01",
            "not_employed": False,
            "occupation": "laborers",
            "employer_type": None,
            "housing": "house_apartment",
            "owns_car": False,
            "owns_property": True,
            "region_rating": 2,
            "ext_source_1": None,
            "ext_source_2": 0.61,
            "ext_source_3": None,
        }

    def create(self, request: httpx.Request, lang: str, username: str) -> httpx.Response:
        key = request.headers.get("Idempotency-Key", "")
        self.keys.append(key)
        if key in self.replays:
            app = self.items[self.replays[key]]
            return ok(self.created(app, lang), 200)
        try:
            form = ApplicationForm.model_validate(json.loads(request.content))
        except ValidationError as exc:
            return _errors(
                lang,
                [
                    (".".join(str(p) for p in e["loc"]), e["type"], e["msg"], e["msg"])
                    for e in exc.errors()
                ],
            )
        loan = form.loan
        if form.applicant is not None:
            income = form.applicant.income_yearly
            age = _age(form.applicant.birth_date, self.today)
        elif form.client_id in self.fake.clients:
            income = self.fake.clients[form.client_id]["income"]
            age = self.fake.clients[form.client_id]["age"]
        else:
            return _errors(
                lang,
                [
                    (
                        "client_id",
                        "unknown_client",
                        f"Numéro de client : aucun client {form.client_id}",
                        f"Client number: no client {form.client_id}",
                    )
                ],
            )
        term = loan.term_months or term_for(loan.amount, loan.monthly_annuity or 1.0)
        payment = loan.monthly_annuity or monthly_payment(loan.amount, term)
        problems = []
        if age < 18:
            problems.append(
                (
                    "applicant.birth_date",
                    "under_18",
                    "Date de naissance : le demandeur doit avoir 18 ans",
                    "Date of birth: the applicant must be 18 or over",
                )
            )
        if payment > income / 12:
            where = "loan.monthly_annuity" if loan.monthly_annuity else "loan.term_months"
            problems.append(
                (
                    where,
                    "annuity_above_income",
                    f"Mensualité : {payment:.2f} € dépasse le revenu mensuel ({income / 12:.2f} €)",
                    f"Monthly payment: €{payment:.2f} is above the monthly income "
                    f"(€{income / 12:.2f})",
                )
            )
        if problems:
            return _errors(lang, problems)
        new_client = form.applicant is not None
        cid = self.next_client if new_client else int(form.client_id or 0)
        if new_client:
            self.next_client += 1
            self.fake.clients[cid] = {
                "id": cid,
                "gender": "F" if form.applicant and form.applicant.sex == "female" else "M",
                "age": age,
                "income": income,
                "credit": loan.amount,
                "annuity": payment,
                "target": None,
            }
        app = StoredApplication(
            id=len(self.items) + 1,
            sk_id_curr=cid,
            new_client=new_client,
            entered_by=username,
            entered_at=datetime(2026, 12, 3, 9, 0) + timedelta(minutes=len(self.items)),
            form=form.model_dump(mode="json"),
            income=income,
            age=age,
            annuity=payment,
            term=term,
            lang=lang,
        )
        self.items[app.id] = app
        self.rescore(app.id)
        if self.score(app, "fr").decision == "refer":
            app.status = "referred"
        self.replays[key] = app.id
        if self.lose_next_answer:
            self.lose_next_answer = False
            return httpx.Response(503, json=refusal("gateway timeout"))
        return ok(self.created(app, lang), 201)

    def created(self, app: StoredApplication, lang: str) -> aps.ApplicationCreatedOut:
        notes = []
        if not app.form["loan"].get("monthly_annuity"):
            notes.append(
                f"Mensualité calculée : {app.annuity:.2f} €"
                if lang == "fr"
                else f"Monthly payment computed: €{app.annuity:.2f}"
            )
        if not app.form["loan"].get("term_months"):
            notes.append(
                f"Durée calculée : {app.term} mois"
                if lang == "fr"
                else f"Term computed: {app.term} months"
            )
        return aps.ApplicationCreatedOut(
            **self.score(app, lang).model_dump(),
            status=app.status,
            new_client=app.new_client,
            notes=notes,
        )

    def out_with_applicant(self, app: StoredApplication, lang: str) -> dict[str, Any]:
        """The application with what its applicant did in their space."""
        views, seen_at = self.seen.get(app.id, (0, None))
        return self.out(app, lang).model_dump(mode="json") | {
            "review": self.reviews.get(app.id),
            "rectifications": self.rectifications.get(app.id, []),
            "applicant_views": views,
            "applicant_seen_at": seen_at.isoformat() if seen_at else None,
        }

    def review_page(self, params: dict[str, str]) -> httpx.Response:
        """``?review=requested``: the open reviews, oldest due first, with their due date."""
        due = {i: r["due_on"] for i, r in self.reviews.items() if r["status"] == "open"}
        items = [
            self.summary(self.items[i]).model_dump(mode="json") | {"review_due": due[i]}
            for i in sorted(due, key=due.__getitem__)
        ]
        size = int(params.get("page_size", 50))
        body = {"items": items[:size], "total": len(items), "page": 1, "page_size": size}
        return httpx.Response(200, json=body)

    def page(self, params: dict[str, str], username: str, role: str) -> httpx.Response:
        if params.get("review") == "requested":
            return self.review_page(params)
        since = date.fromisoformat(params["since"]) if "since" in params else None
        until = date.fromisoformat(params["until"]) if "until" in params else None
        chosen = [
            self.summary(a)
            for a in reversed(self.items.values())
            if params.get("status") in (None, a.status)
            and params.get("entered_by") in (None, a.entered_by)
            and (role != "advisor" or a.entered_by == username)  # the others see everyone's
            and (since is None or a.entered_at.date() >= since)
            and (until is None or a.entered_at.date() <= until)
        ]
        return paged(aps.ApplicationPage, chosen, params)

    def decide(
        self, request: httpx.Request, app: StoredApplication, username: str, role: str
    ) -> httpx.Response:
        try:
            body = aps.ApplicationDecisionIn.model_validate(json.loads(request.content))
        except ValidationError as exc:
            said = pydantic_errors(exc.errors(), _lang(request))
            return httpx.Response(
                422,
                json={
                    "code": "invalid",
                    "message": "; ".join(e.message for e in said),
                    "field": said[0].field if said else None,
                    "detail": exc.errors(include_url=False),
                },
            )
        score = self.score(app, "fr")
        if body.score_id != app.score_ids[-1]:
            return httpx.Response(
                409, json=refusal(f"Score {body.score_id} is not the latest ({score.score_id})")
            )
        if app.status in ("decided", "withdrawn"):
            return httpx.Response(409, json=refusal(f"Application {app.id} is already decided"))
        senior = role in ("senior", "admin")
        if app.status == "referred" and not senior:
            return httpx.Response(
                403, json=refusal("A referred application is decided by a senior")
            )
        refused = any(r.outcome == "refuse" for r in score.policy)
        if body.decision == "grant" and refused and not senior:
            return httpx.Response(
                403, json=refusal("Granting against a policy refusal needs a senior")
            )
        override = body.decision != score.decision
        if (override or body.decision in ("refer", "withdraw")) and not body.reason:
            return httpx.Response(
                422, json=refusal("an override, a referral or a withdrawal needs a reason")
            )
        if body.reason_category is not None and body.decision != "refuse":
            return httpx.Response(422, json=refusal("a category goes with a refusal only"))
        against_model = score.model_decision == "grant" and not refused
        if body.decision == "refuse" and against_model and body.reason_category is None:
            return httpx.Response(422, json=refusal("refusing a model grant needs a category"))
        out = aps.ApplicationDecisionOut(
            id=sum(len(a.decisions) for a in self.items.values()) + 1,
            application_id=app.id,
            score_id=body.score_id,
            username=username,
            created_at=datetime.now(UTC),
            decision=body.decision,
            score_decision=score.decision,
            override=override,
            reason=body.reason,
            reason_category=body.reason_category,
        )
        app.decisions.append(out)
        # the client's decision log (``GET /clients/{id}/decisions``), as the API keeps it
        self.fake.decisions.append(
            s.DecisionOut(
                id=out.id,
                sk_id_curr=app.sk_id_curr,
                username=username,
                created_at=out.created_at,
                decision=out.decision,
                model_decision=score.decision,
                probability=score.probability,
                threshold=score.threshold,
                model_version=score.model_version,
                override=override,
                reason=body.reason,
                application_id=app.id,
                score_id=body.score_id,
            )
        )
        app.status = {"refer": "referred", "withdraw": "withdrawn"}.get(body.decision, "decided")  # type: ignore[assignment]
        return ok(out, 201)


def ok(model: BaseModel, status: int = 200) -> httpx.Response:
    """``model`` as the API sends it (JSON), with ``status``."""
    return httpx.Response(status, json=model.model_dump(mode="json"))


def paged(page_model: type[BaseModel], items: list[Any], params: dict[str, str]) -> httpx.Response:
    """The page of ``items`` that ``page`` and ``page_size`` ask for (1 and 50 by default)."""
    page, size = int(params.get("page", 1)), int(params.get("page_size", 50))
    chosen = items[(page - 1) * size : page * size]
    return ok(page_model(items=chosen, total=len(items), page=page, page_size=size))
