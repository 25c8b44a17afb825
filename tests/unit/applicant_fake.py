"""An in-memory ``/applicant`` API for the applicant space's tests (``httpx.MockTransport``).

It answers the agreed contract (``docs/applicant-space.md``) with payloads checked against
the app's own models, in French or English as the request asks, and keeps what the
applicant sent (rectifications, the review, a withdrawal) so the tests can read it.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta

import httpx

from credit_scoring.applicant_space import models as m
from credit_scoring.applicant_space.client import ApplicantClient

APPLICATION, OTHER, STRANGER = 1042, 977, 555  # the signed-in one, an older one, someone else's
CODE = "K7QF-9XMA-2TRC-H4PZ"
BIRTH = "1985-04-12"
REVOKED_CODE = "REVK-REVK-REVK-REVK"
TODAY = date(2026, 12, 7)

_MESSAGES = {
    "applicant.sign_in_failed": {
        "fr": "Ces informations ne permettent pas d'ouvrir votre espace.",
        "en": "These details do not open your space.",
    },
    "applicant.throttled": {
        "fr": "Trop d'essais : réessayez dans 5 minutes.",
        "en": "Too many attempts: try again in 5 minutes.",
    },
    "applicant.code_revoked": {
        "fr": "Ce code ne fonctionne plus.",
        "en": "This code no longer works.",
    },
    "application.not_found": {"fr": "Demande introuvable.", "en": "Application not found."},
    "applicant.review_open": {
        "fr": "Un réexamen est déjà demandé.",
        "en": "A review is already asked for.",
    },
    "applicant.cannot_withdraw": {
        "fr": "Un crédit accordé ne se retire pas ici : appelez votre conseiller.",
        "en": "A granted credit is not withdrawn here: call your advisor.",
    },
}


def _error(status: int, code: str, lang: str, **extra: object) -> httpx.Response:
    message = _MESSAGES[code][lang]
    body = {"code": code, "message": message, "field": None, "detail": message, **extra}
    return httpx.Response(status, json=body)


class FakeApplicantApi:
    """The applicant routes over one refused application (and an older one of the same client)."""

    def __init__(self) -> None:
        self.url = f"http://fake-applicant-{uuid.uuid4().hex[:8]}"
        self.tokens: set[str] = set()
        self.status = "decided"
        self.decision = "refuse"
        self.review: dict | None = None
        self.rectifications: list[dict] = []
        self.throttle_for: int | None = None  # seconds: every sign-in answers 429
        self.throttle_message = True  # False: the 429 carries retry_after and no message
        self.group_size = 412
        self.calls: list[str] = []
        self.langs: list[str] = []

    def client(self) -> ApplicantClient:
        return ApplicantClient(self.url, transport=httpx.MockTransport(self.handle))

    # --- routing ---------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        lang = request.url.params.get("lang") or request.headers.get("Accept-Language", "fr")
        self.langs.append(lang)
        path = request.url.path
        self.calls.append(f"{request.method} {path}")
        assert path.startswith("/applicant/"), path  # the app calls no staff route
        parts = path.split("/")[2:]
        if parts == ["session"]:
            return self._sign_in(json.loads(request.content), lang)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.tokens:
            return httpx.Response(401, json={"code": "applicant.unauthorized", "message": "…"})
        if parts == ["logout"]:
            self.tokens.discard(token)
            return httpx.Response(204)
        if parts == ["applications"]:
            return httpx.Response(200, json=self._list())
        app_id = int(parts[1])
        if app_id not in (APPLICATION, OTHER):
            return _error(404, "application.not_found", lang)
        rest = parts[2:]
        body = json.loads(request.content) if request.content else {}
        route = {
            (): self._application,
            ("data",): self._data,
            ("changes",): self._changes,
            ("comparison",): self._comparison,
            ("letter",): self._letter,
            ("rectifications",): self._rectify,
            ("review",): self._review,
            ("withdraw",): self._withdraw,
        }[tuple(rest)]
        return route(app_id, lang, body)

    def _sign_in(self, body: dict, lang: str) -> httpx.Response:
        if self.throttle_for is not None and not self.throttle_message:
            body = {"code": "applicant.throttled", "retry_after": self.throttle_for}
            return httpx.Response(429, json=body)
        if self.throttle_for is not None:
            return _error(429, "applicant.throttled", lang, retry_after=self.throttle_for)
        if body["code"] == REVOKED_CODE:
            return _error(401, "applicant.code_revoked", lang)
        if (body["application_id"], body["code"], body["birth_date"]) != (APPLICATION, CODE, BIRTH):
            return _error(401, "applicant.sign_in_failed", lang)
        token = uuid.uuid4().hex
        self.tokens.add(token)
        expires = datetime.now() + timedelta(minutes=15)
        out = m.SessionOut(access_token=token, expires_at=expires, application_id=APPLICATION)
        return httpx.Response(200, json=out.model_dump(mode="json"))

    # --- reads -----------------------------------------------------------------------------

    def _list(self) -> list[dict]:
        items = [
            m.ApplicationItem(
                application_id=APPLICATION,
                entered_at=datetime(2026, 12, 1, 10, 0),
                status=self.status,
                decision=self.decision,
                amount=12_000.0,
                term_months=36,
            ),
            m.ApplicationItem(
                application_id=OTHER,
                entered_at=datetime(2025, 3, 2, 9, 0),
                status="decided",
                decision="grant",
                amount=3_000.0,
                term_months=12,
            ),
        ]
        return [item.model_dump(mode="json") for item in items]

    def _application(self, app_id: int, lang: str, _body: dict) -> httpx.Response:
        fr = lang == "fr"
        reasons = [
            m.Reason(
                text="Vos mensualités représentent une part élevée de vos revenus."
                if fr
                else "Your repayments are a high share of your income.",
                direction="against",
            ),
            m.Reason(
                text="Votre emploi est récent." if fr else "Your job is recent.",
                direction="against",
            ),
        ]
        out = m.ApplicationView(
            application_id=app_id,
            status=self.status,
            decision=self.decision,
            decided_at=datetime(2026, 12, 2, 15, 30),
            grade="E",
            grade_sentence="La note E signifie un risque plus élevé que la moyenne."
            if fr
            else "Grade E means a higher risk than average.",
            reasons=reasons,
            amount=12_000.0,
            term_months=36,
            monthly_payment=372.5,
            review=m.Review.model_validate(self.review) if self.review else None,
            letter_available=self.status == "decided",
        )
        return httpx.Response(200, json=out.model_dump(mode="json"))

    def _data(self, _app_id: int, lang: str, _body: dict) -> httpx.Response:
        fr = lang == "fr"
        form_src = "votre formulaire de demande" if fr else "your application form"
        bureau_src = "bureau de crédit" if fr else "credit bureau"
        out = m.MyData(
            form=[
                m.DataItem(
                    item="income_yearly",
                    label="Revenu annuel" if fr else "Yearly income",
                    value=42_000.0,
                    source=form_src,
                ),
                m.DataItem(
                    item="employed_since",
                    label="En emploi depuis" if fr else "Employed since",
                    value="2025-09-01",
                    source=form_src,
                ),
            ],
            bureau=[
                m.DataItem(
                    item="bureau.7.credit_type",
                    label="Type de crédit" if fr else "Kind of credit",
                    value="Crédit auto" if fr else "Car loan",
                    source=bureau_src,
                ),
                m.DataItem(
                    item="bureau.7.amount_credit",
                    label="Montant" if fr else "Amount",
                    value=8_500.0,
                    source=bureau_src,
                ),
            ],
            previous=[],
        )
        return httpx.Response(200, json=out.model_dump(mode="json"))

    def _changes(self, _app_id: int, lang: str, _body: dict) -> httpx.Response:
        fr = lang == "fr"
        if self.decision == "grant":
            body = {
                "changes": [],
                "elapsed_ms": 3.0,
                "sentence": "Votre crédit est accordé." if fr else "Your credit is granted.",
            }
            return httpx.Response(200, json=body)
        changes = [
            m.Change(
                kind="amount",
                text="Un montant de 8 000 € sur 36 mois"
                if fr
                else "An amount of €8,000 over 36 months",
                amount=8_000.0,
                term_months=36,
                monthly_payment=248.33,
                decision="grant",
            ),
            m.Change(
                kind="term",
                text="La même somme sur 60 mois" if fr else "The same amount over 60 months",
                amount=12_000.0,
                term_months=60,
                monthly_payment=231.1,
                decision="grant",
            ),
        ]
        out = m.Changes(changes=changes, elapsed_ms=41.0)
        return httpx.Response(200, json=out.model_dump(mode="json"))

    def _comparison(self, _app_id: int, lang: str, _body: dict) -> httpx.Response:
        fr = lang == "fr"
        too_small = self.group_size < 20
        figures = (
            []
            if too_small
            else [
                m.Figure(
                    item="income_monthly",
                    label="Revenu mensuel" if fr else "Monthly income",
                    value=3_500.0,
                    p10=1_400.0,
                    p25=1_900.0,
                    p50=2_600.0,
                    p75=3_400.0,
                    p90=4_800.0,
                    percentile=77.0,
                )
            ]
        )
        out = m.Comparison(
            group=m.Group(
                label="35-44 ans, prêts personnels" if fr else "aged 35-44, cash loans",
                size=self.group_size,
            ),
            figures=figures,
            too_small=too_small,
            message=("Groupe trop petit." if fr else "Group too small.") if too_small else None,
        )
        return httpx.Response(200, json=out.model_dump(mode="json"))

    def _letter(self, _app_id: int, _lang: str, _body: dict) -> httpx.Response:
        return httpx.Response(
            200, content=b"%PDF-1.4 letter", headers={"content-type": "application/pdf"}
        )

    # --- writes ----------------------------------------------------------------------------

    def _rectify(self, _app_id: int, _lang: str, body: dict) -> httpx.Response:
        record = {"id": len(self.rectifications) + 1, **body, "created_at": "2026-12-07T10:00:00"}
        self.rectifications.append(record)
        return httpx.Response(201, json=record)

    def _review(self, _app_id: int, lang: str, body: dict) -> httpx.Response:
        if self.review and self.review["status"] == "open":
            return _error(409, "applicant.review_open", lang)
        self.review = {
            "requested_at": "2026-12-07T10:00:00",
            "due_on": (TODAY + timedelta(days=30)).isoformat(),
            "comment": body["comment"],
            "attachments": body["attachments"],
            "status": "open",
        }
        self.status = "review"
        return httpx.Response(201, json=self.review)

    def _withdraw(self, app_id: int, lang: str, body: dict) -> httpx.Response:
        if self.decision == "grant" and self.status == "decided":
            return _error(409, "applicant.cannot_withdraw", lang)
        self.status = "withdrawn"
        return self._application(app_id, lang, body)
