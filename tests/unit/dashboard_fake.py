"""An in-memory scoring API for dashboard tests (served through ``httpx.MockTransport``).

It answers the routes of ``credit_scoring.lending.schemas`` with payloads built from
those very models, so a change of contract breaks these tests. Probabilities
follow a simple rule (risk grows with the amount asked relative to income) so
that the what-if search has something real to find.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from urllib.parse import parse_qs

import httpx
from dashboard_fake_applications import (
    ApplicationRoutes,
    _lang,
    ok,
    paged,
    pydantic_errors,
    reasons,
    refusal,
)

from credit_scoring.dashboard.api_client import ApiClient
from credit_scoring.explain.probability import ordered, probability_steps
from credit_scoring.lending import audit_schemas as a
from credit_scoring.lending import schemas as s

THRESHOLD = 0.3
USERS = {
    "alice": ("secret-a", "advisor"),
    "sam": ("secret-s", "senior"),
    "ana": ("secret-b", "analyst"),
    "root": ("secret-r", "admin"),
}

# the tables a feature comes from, spread over the fake's explanation
SOURCES = ("application", "bureau", "previous_application", "installments_payments")


def probability(credit: float, income: float) -> float:
    """Monotone in the amount: the what-if bisection relies on it."""
    ratio = credit / max(income, 1.0)
    return min(0.99, max(0.01, 0.05 + 0.06 * ratio))


def _client(
    i: int, gender: str, age: float, income: float, credit: float, target: int | None
) -> dict:
    return {
        "id": i,
        "gender": gender,
        "age": age,
        "income": income,
        "credit": credit,
        "annuity": credit / 24,
        "target": target,
    }


class FakeApi:
    def __init__(self) -> None:
        self.clients = {
            100002: _client(100002, "M", 25.9, 202_500.0, 406_597.5, 1),
            100003: _client(100003, "F", 45.9, 270_000.0, 1_293_502.5, 0),
            100004: _client(100004, "M", 52.2, 67_500.0, 135_000.0, None),
        }
        self.decisions: list[s.DecisionOut] = []
        self.expired: set[str] = set()
        self.no_history: set[int] = set()  # clients with no credit and no repayment known
        self.calls: list[str] = []
        self.drift: dict | None = None  # None: no report yet (404)
        self.drift_run: dict | None = None  # None: no report started (404)
        self.drift_refusal: tuple[int, str, str] | None = None  # (status, code, message)
        self.backtest: dict | None = None  # None: no back-test yet (404)
        self.review_pack = True  # False: no review pack written yet (404)
        self.review_packs: list[str] = []  # the languages asked for
        self.logged_out: list[str] = []
        self.forwarded_for: list[str | None] = []
        # the language each user last chose (PUT /me/language), returned at login and by /me
        self.languages: dict[str, str] = {}
        # seconds a login must wait (a 429 with retry_after), when set
        self.login_wait: int | None = None
        now = datetime(2026, 12, 1, 9, 0)
        self.users = {
            name: s.UserAdminOut(
                username=name,
                role=role,  # type: ignore[arg-type]
                active=True,
                failed_logins=0,
                created_at=now,
                last_login_at=None,
                last_failed_at=None,
            )
            for name, (_pw, role) in USERS.items()
        }
        self.url = f"http://fake-{uuid.uuid4().hex[:8]}"
        self.audit = _audit_records()
        self.applications = ApplicationRoutes(self)

    def _users(self, request: httpx.Request, parts: list[str], role: str) -> httpx.Response:
        return _users_route(self, request, parts, role)

    def api_client(self) -> ApiClient:
        return ApiClient(self.url, transport=httpx.MockTransport(self.handle))

    # --- helpers ---------------------------------------------------------------------------

    def _score(
        self, cid: int, lang: str, credit: float | None = None, income: float | None = None
    ) -> s.ScoreOut:
        c = self.clients[cid]
        p = probability(credit or c["credit"], income or c["income"])
        against, for_ = reasons(lang, coded=False)
        return s.ScoreOut(
            sk_id_curr=cid,
            probability=p,
            decision="grant" if p < THRESHOLD else "refuse",
            threshold=THRESHOLD,
            model_name="lightgbm",
            model_version="3",
            lang=lang,
            reasons_against=against,
            reasons_for=for_,
            grade="F" if p >= THRESHOLD else "C",
            points=520.0 if p >= THRESHOLD else 585.0,
        )

    def _audit(self, kind: str, params: dict[str, str], role: str) -> httpx.Response:
        if role != "admin":
            return httpx.Response(403, json=refusal(f"Role '{role}' may not do this"))
        items = [
            r
            for r in self.audit[kind]
            if params.get("username") in (None, r.username)
            and params.get("sk_id_curr") in (None, str(getattr(r, "sk_id_curr", "")))
        ]
        items.sort(key=lambda r: r.id, reverse=True)
        if params.get("format") == "csv":
            fields = list(type(items[0]).model_fields) if items else ["id"]
            lines = [",".join(fields)] + [
                ",".join(str(getattr(r, f)) for f in fields) for r in reversed(items)
            ]
            return httpx.Response(
                200, text="\n".join(lines) + "\n", headers={"content-type": "text/csv"}
            )
        model = {
            "decisions": a.DecisionRecordPage,
            "scores": a.ScoreRecordPage,
            "data-access": a.DataAccessRecordPage,
            "auth-events": a.AuthEventRecordPage,
        }[kind]
        return paged(model, items, params)

    def _summary(self, c: dict) -> s.ClientSummary:
        p = probability(c["credit"], c["income"])
        band = "low" if p < THRESHOLD / 2 else "medium" if p < THRESHOLD else "high"
        return s.ClientSummary(
            sk_id_curr=c["id"],
            gender=c["gender"],
            age_years=c["age"],
            income_total=c["income"],
            contract_type="Cash loans",
            amount_credit=c["credit"],
            target=c["target"],
            probability=p,
            score_band=band,
        )

    def _detail(self, c: dict) -> s.ClientDetail:
        app = {
            "SK_ID_CURR": c["id"],
            "NAME_CONTRACT_TYPE": "Cash loans",
            "CODE_GENDER": c["gender"],
            "AMT_INCOME_TOTAL": c["income"],
            "AMT_CREDIT": c["credit"],
            "AMT_ANNUITY": c["annuity"],
            "AMT_GOODS_PRICE": c["credit"] * 0.9,
            "NAME_HOUSING_TYPE": "House / apartment",
        }
        loans = [
            s.LoanOut(
                source="bureau",
                loan_id=1,
                contract_type="Consumer credit",
                status="Active",
                amount_credit=50_000.0,
                amount_annuity=None,
                days_start=-400.0,
                days_end=300.0,
            ),
            s.LoanOut(
                source="bureau",
                loan_id=2,
                contract_type="Credit card",
                status="Closed",
                amount_credit=20_000.0,
                amount_annuity=None,
                days_start=-900.0,
                days_end=-100.0,
            ),
            s.LoanOut(
                source="previous",
                loan_id=3,
                contract_type="Consumer loans",
                status="Approved",
                amount_credit=30_000.0,
                amount_annuity=3_000.0,
                days_start=-700.0,
                days_end=-300.0,
            ),
            s.LoanOut(
                source="previous",
                loan_id=4,
                contract_type="Cash loans",
                status="Refused",
                amount_credit=90_000.0,
                amount_annuity=None,
                days_start=-200.0,
                days_end=None,
            ),
        ]
        history = [
            s.MonthOut(
                source="pos",
                months_balance=-m,
                loans=1,
                balance=1000.0 * m,
                payment=100.0,
                max_days_past_due=float(m % 3 == 0) * 10,
            )
            for m in range(1, 7)
        ]
        if c["id"] in self.no_history:
            loans, history = [], []
        return s.ClientDetail(
            sk_id_curr=c["id"],
            target=c["target"],
            personal=s.PersonalInfo(
                gender=c["gender"],
                age_years=c["age"],
                family_status="Married",
                children=1,
                education="Higher education",
                income_type="Working",
                occupation="Laborers",
                income_total=c["income"],
                years_employed=3.5,
                owns_car=False,
                owns_realty=True,
            ),
            application=app,
            loans=loans,
            payments=s.PaymentSummary(
                months_observed=6, months_late=2, max_days_past_due=10.0, total_paid=600.0
            )
            if history
            else s.PaymentSummary(
                months_observed=0, months_late=0, max_days_past_due=None, total_paid=0.0
            ),
            history=history,
        )

    def _stats(self, params: dict[str, str]) -> s.PopulationStats:
        filters = s.ClientFilters(
            **{k: v for k, v in params.items() if k in s.ClientFilters.model_fields}
        )
        chosen = [
            c
            for c in self.clients.values()
            if filters.gender is None or c["gender"] == filters.gender
        ]
        known = [c["target"] for c in chosen if c["target"] is not None]
        cid = int(params["client_id"]) if "client_id" in params else None
        value = self.clients[cid]["age"] if cid in self.clients else None
        feature = s.FeatureDistribution(
            name="AGE_YEARS",
            description="Âge" if params.get("lang", "fr") == "fr" else "Age",  # as the API
            unit="years",
            count=len(chosen),
            missing=0,
            mean=40.0,
            quantiles={"p05": 22.0, "p25": 30.0, "p50": 40.0, "p75": 50.0, "p95": 62.0},
            bin_edges=[20.0, 30.0, 40.0, 50.0, 60.0],
            counts=[1, 0, 1, len(chosen) - 2 or 0],
            client_value=value,
        )
        return s.PopulationStats(
            filters=filters,
            n_clients=len(chosen),
            default_rate=sum(known) / len(known) if known else None,
            features=[feature],
        )

    def _drift_start(self, username: str) -> httpx.Response:
        """``POST /drift/runs``: refused as set in ``drift_refusal``, busy, else running."""
        if self.drift_refusal is not None:
            status, code, message = self.drift_refusal
            return httpx.Response(
                status, json={"code": code, "message": message, "field": None, "detail": message}
            )
        if self.drift_run is not None and self.drift_run["state"] == "running":
            message = (
                f"A drift report is already being made (started by {self.drift_run['started_by']})"
            )
            body = {"code": "drift_running", "message": message, "field": None}
            return httpx.Response(409, json=body | {"detail": message})
        self.drift_run = {
            "state": "running",
            "started_by": username,
            "started_at": "2026-12-01T09:00:00Z",
            "finished_at": None,
            "steps_done": 3,
            "steps_total": 6,
            "step": "features",
            "elapsed_seconds": 75.4,
            "report": None,
            "error_code": None,
            "error": None,
        }
        return httpx.Response(202, json=self.drift_run)

    def finish_drift(self, report: dict) -> None:
        """The running drift report ends and ``report`` becomes the latest."""
        assert self.drift_run is not None
        self.drift_run |= {
            "state": "done",
            "steps_done": 6,
            "step": "write",
            "finished_at": "2026-12-01T09:02:00Z",
            "elapsed_seconds": 120.0,
            "report": report.get("html"),
        }
        self.drift = report

    # --- routing ---------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        params = {k: v[-1] for k, v in parse_qs(request.url.query.decode()).items()}
        self.calls.append(f"{request.method} {path}")
        if path == "/auth/token":
            self.forwarded_for.append(request.headers.get("X-Forwarded-For"))
            form = {k: v[-1] for k, v in parse_qs(request.content.decode()).items()}
            user = USERS.get(form.get("username", ""))
            if self.login_wait is not None:
                wait = self.login_wait
                return httpx.Response(
                    429,
                    json={"detail": f"wait {wait} seconds", "retry_after": wait},
                    headers={"Retry-After": str(wait)},
                )
            if not user or user[0] != form.get("password"):
                return httpx.Response(401, json=refusal("Incorrect username or password"))
            return ok(
                s.TokenOut(
                    access_token=f"tok-{form['username']}",
                    expires_in=3600,
                    role=user[1],
                    language=self.languages.get(form["username"]),  # type: ignore[arg-type]
                )
            )
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        username = token.removeprefix("tok-")
        if username not in USERS or token in self.expired:
            return httpx.Response(401, json=refusal("Token expired: log in again"))
        if path.startswith("/audit/"):
            return self._audit(path.removeprefix("/audit/"), params, USERS[username][1])
        parts = path.strip("/").split("/")
        if path == "/me":
            return ok(
                s.UserOut(
                    username=username,
                    role=USERS[username][1],  # type: ignore[arg-type]
                    language=self.languages.get(username),  # type: ignore[arg-type]
                )
            )
        if path == "/me/language" and request.method == "PUT":
            chosen = s.LanguageIn.model_validate_json(request.content).language
            self.languages[username] = chosen
            return ok(s.UserOut(username=username, role=USERS[username][1], language=chosen))  # type: ignore[arg-type]
        if path == "/auth/logout":
            self.logged_out.append(token)
            self.expired.add(token)
            return httpx.Response(204)
        if parts[0] == "users":
            return self._users(request, parts, USERS[username][1])
        if parts[0] == "clients" and len(parts) >= 2 and int(parts[1]) not in self.clients:
            return httpx.Response(404, json=refusal(f"No client {parts[1]}"))
        answer = self.applications.handle(request, parts, params, username, USERS[username][1])
        if answer is not None:
            return answer
        lang = params.get("lang", "fr")
        if path == "/clients" and params.get("q") and not params["q"].isdigit():
            problem = {"loc": ("query", "q"), "type": "string_pattern_mismatch", "msg": "?"}
            said = pydantic_errors([problem], _lang(request))[0]
            return httpx.Response(
                422, json=refusal(said.message, said.field, "invalid") | {"detail": [problem]}
            )
        if path == "/clients":
            items = [
                self._summary(c)
                for c in self.clients.values()
                if str(c["id"]).startswith(params.get("q", ""))
                and params.get("gender") in (None, c["gender"])
            ]
            return ok(s.ClientPage(items=items, total=len(items), page=1, page_size=50))
        if parts[0] == "clients" and len(parts) == 2:
            return ok(self._detail(self.clients[int(parts[1])]))
        cid = int(parts[1]) if parts[0] == "clients" else None
        if parts[-1] == "score":
            return ok(self._score(cid, lang))
        if parts[-1] == "explanation":
            logits = {f"F{i}": (-1) ** i * 0.1 * i for i in range(1, 16)}
            steps = probability_steps(-1.5, logits)
            contributions = [
                s.ContributionOut(
                    feature=name,
                    value=float(name[1:]),
                    contribution=logit,
                    description=f"Variable {name[1:]}",
                    group=f"G{name[1:]}",
                    source=SOURCES[int(name[1:]) % len(SOURCES)],
                    step=steps.by_name()[name],
                )
                for name, logit in ordered(logits)
            ]
            return ok(
                s.ExplanationOut(
                    sk_id_curr=cid,
                    model_version="3",
                    bias=-1.5,
                    contributions=contributions,
                    base_probability=steps.base,
                    probability=steps.probability,
                )
            )
        if parts[-1] == "similar":
            others = [c for c in self.clients.values() if c["id"] != cid]
            items = [
                s.SimilarClientOut(
                    sk_id_curr=c["id"],
                    distance=0.5 + i,
                    target=c["target"],
                    age_band=int(c["age"] // 10 * 10),
                    income_monthly=c["income"],
                    contract_type="Cash loans",
                    amount_credit=c["credit"],
                )
                for i, c in enumerate(others)
            ]
            known = [c.target for c in items if c.target is not None]
            return ok(
                s.SimilarOut(
                    sk_id_curr=cid,
                    items=items,
                    default_rate=sum(known) / len(known) if known else None,
                )
            )
        if parts[-1] == "what_if":
            body = s.WhatIfIn.model_validate(json.loads(request.content))
            credit = body.amount_credit or self.clients[cid]["credit"]
            changes = {"AMT_CREDIT": credit} if body.amount_credit else {}
            return ok(
                s.WhatIfOut(
                    baseline=self._score(cid, body.lang),
                    scenario=self._score(cid, body.lang, credit, body.income_total),
                    changes=changes,
                )
            )
        if parts[-1] == "decisions" and request.method == "GET" and cid is not None:
            return httpx.Response(
                200, json=[d.model_dump(mode="json") for d in self.decisions if d.sk_id_curr == cid]
            )
        if path == "/decisions" and request.method == "POST":
            # gone, as on the real API: decisions are recorded on applications
            lang = params.get("lang", "fr")
            message = (
                "Une décision s'enregistre désormais sur une demande : "
                "POST /applications/{id}/decision avec son score_id."
                if lang == "fr"
                else "A decision is now recorded on an application: "
                "POST /applications/{id}/decision with its score_id."
            )
            body = {"code": "decision_route_gone", "message": message, "field": None}
            return httpx.Response(410, json=body | {"detail": message})
        if path == "/population/stats":
            return ok(self._stats(params))
        if path == "/model":
            return ok(model_report(params.get("lang", "fr")))
        if path == "/model/methodology":
            lang = params.get("lang", "fr")
            title = "Note méthodologique" if lang == "fr" else "Methodology note"
            return httpx.Response(200, text=f"<html lang='{lang}'><h1>{title}</h1></html>")
        if path == "/model/review-pack":
            if not self.review_pack:
                return httpx.Response(404, json=refusal("no review pack yet"))
            lang = params.get("lang", "fr")
            self.review_packs.append(lang)
            return httpx.Response(
                200,
                content=b"%PDF-1.4 review pack " + lang.encode(),
                headers={"content-type": "application/pdf"},
            )
        if path == "/backtest" and request.method == "POST":
            self.backtest = backtest_report()
            return httpx.Response(201, json=self.backtest)
        if path == "/backtest":
            if self.backtest is None:
                return httpx.Response(404, json=refusal("no back-test yet"))
            return httpx.Response(200, json=self.backtest)
        if path == "/drift/runs" and request.method == "POST":
            return self._drift_start(username)
        if path == "/drift/runs/current":
            if self.drift_run is None:
                return httpx.Response(404, json={"detail": "no drift run"})
            return httpx.Response(200, json=self.drift_run)
        if path.startswith("/drift/latest") and self.drift is None:
            return httpx.Response(404, json=refusal("no drift report yet"))
        if path == "/drift/latest":
            return httpx.Response(200, json=_drift_in(self.drift, params.get("lang", "fr")))
        if path == "/drift/latest.html":
            return httpx.Response(200, text="<html><body><h1>Drift report</h1></body></html>")
        return httpx.Response(404, json=refusal(f"unknown route {path}"))


def _users_route(
    fake: FakeApi, request: httpx.Request, parts: list[str], role: str
) -> httpx.Response:
    """``/users`` as the API answers it (admin only; passwords returned once)."""
    if role != "admin":
        return httpx.Response(403, json=refusal(f"Role '{role}' may not do this"))
    if request.method == "GET":
        return httpx.Response(200, json=[u.model_dump(mode="json") for u in fake.users.values()])
    body = json.loads(request.content or b"{}")
    if request.method == "POST":
        create = s.UserCreate.model_validate(body)
        if create.username in fake.users:
            return httpx.Response(409, json=refusal(f"User {create.username} already exists"))
        user = s.UserAdminOut(
            username=create.username,
            role=create.role,
            active=True,
            failed_logins=0,
            created_at=datetime(2026, 12, 3, 9, 0),
            last_login_at=None,
            last_failed_at=None,
        )
        fake.users[user.username] = user
        return ok(s.UserChanged(user=user, password=f"pw-{user.username}-1"), 201)
    patch = s.UserPatch.model_validate(body)
    user = fake.users[parts[1]]
    changes: dict = {
        k: v for k, v in (("active", patch.active), ("role", patch.role)) if v is not None
    }
    if patch.unlock:
        changes["failed_logins"] = 0
    user = fake.users[parts[1]] = user.model_copy(update=changes)
    password = f"pw-{user.username}-reset" if patch.reset_password else None
    return ok(s.UserChanged(user=user, password=password))


def _audit_records() -> dict[str, list]:
    when = datetime(2026, 11, 30, 9, 15, 0)
    chain = {"prev_hash": "0" * 64, "row_hash": "ab" * 32}
    return {
        "decisions": [
            a.DecisionRecord(
                id=1,
                created_at=when,
                username="alice",
                sk_id_curr=100002,
                decision="refuse",
                model_decision="grant",
                probability=0.21,
                threshold=THRESHOLD,
                model_version="3",
                override=True,
                reason="Revenus non justifiés",
                **chain,
            )
        ],
        "scores": [
            a.ScoreRecord(
                id=i,
                created_at=when,
                username=user,
                route="client_score",
                sk_id_curr=cid,
                inputs_digest="cd" * 32,
                model_version="3",
                threshold=THRESHOLD,
                probability=0.12 * i,
                decision="grant",
                reasons=[],
                features_sha="ef" * 32,
                **chain,
            )
            for i, (user, cid) in enumerate(
                [("alice", 100002), ("ana", 100003), ("alice", 100004)], start=1
            )
        ],
        "auth-events": [
            a.AuthEventRecord(
                id=1,
                created_at=when,
                username="alice",
                event="failure",
                actor=None,
                client_address="10.0.0.7",
                detail="wrong password",
                **chain,
            )
        ],
        "data-access": [
            a.DataAccessRecord(
                id=1,
                created_at=when,
                username="ana",
                role="analyst",
                route="get_client",
                sk_id_curr=100003,
                **chain,
            )
        ],
    }


def backtest_report() -> dict:
    """A back-test as ``POST /backtest`` returns it: grade G is red, one alert."""
    grade = {"clients": 100, "defaults": 2, "pd": 0.02, "observed": 0.02, "jeffreys_p": 0.5}
    return {
        "clients": 1200,
        "defaults": 96,
        "auc": 0.7612,
        "gini": 0.5224,
        "ks": 0.401,
        "brier": 0.068,
        "ece": 0.004,
        "intervals": {
            name: {"low": value - 0.01, "high": value + 0.01}
            for name, value in (
                ("auc", 0.7612),
                ("gini", 0.5224),
                ("ks", 0.401),
                ("brier", 0.068),
                ("ece", 0.004),
            )
        },
        "development": {
            "auc": 0.7612,
            "development_auc": 0.7666,
            "se": 0.01,
            "z": -0.54,
            "p_value": 0.29,
        },
        "grades": [{"grade": g, **grade, "light": "green"} for g in "ABCDEF"]
        + [
            {
                "grade": "G",
                "clients": 50,
                "defaults": 30,
                "pd": 0.2,
                "observed": 0.6,
                "jeffreys_p": 1e-9,
                "light": "red",
            },
            {"grade": "H", **grade, "light": "green"},
        ],
        "portfolio": {
            "grade": "portfolio",
            "clients": 1200,
            "defaults": 96,
            "pd": 0.08,
            "observed": 0.08,
            "jeffreys_p": 0.5,
            "light": "green",
        },
        "herfindahl": 0.14,
        "vintages": [
            {
                "vintage": "2026-01",
                "clients": 600,
                "defaults": 48,
                "pd": 0.08,
                "observed": 0.08,
                "auc": 0.76,
                "gini": 0.52,
                "jeffreys_p": 0.5,
                "light": "green",
            },
            {
                "vintage": "2026-02",
                "clients": 600,
                "defaults": 48,
                "pd": 0.08,
                "observed": 0.08,
                "auc": 0.75,
                "gini": 0.50,
                "jeffreys_p": 0.5,
                "light": "green",
            },
        ],
        "stability": {
            "months": 2,
            "mean_gini": 0.51,
            "slope": -0.02,
            "residual_std": 0.0,
            "score": -1.25,
        },
        "overrides": [
            {
                "kind": "followed_grant",
                "decisions": 900,
                "outcomes": 900,
                "defaults": 60,
                "default_rate": 0.0667,
            },
            {
                "kind": "granted_against_advice",
                "decisions": 20,
                "outcomes": 20,
                "defaults": 5,
                "default_rate": 0.25,
            },
            {
                "kind": "followed_refusal",
                "decisions": 250,
                "outcomes": 0,
                "defaults": 0,
                "default_rate": None,
            },
            {
                "kind": "refused_against_advice",
                "decisions": 30,
                "outcomes": 0,
                "defaults": 0,
                "default_rate": None,
            },
        ],
        "population_stability": {
            "available": True,
            "message": "Score PSI over 2 month(s) against 1000 training scores.",
            "score": [
                {"month": "2026-01", "rows": 600, "psi": 0.031, "verdict": "stable"},
                {"month": "2026-02", "rows": 600, "psi": 0.31, "verdict": "action"},
            ],
            "features": [
                {
                    "month": "2026-02",
                    "variable": "EXT_SOURCE_2",
                    "rows": 600,
                    "psi": 0.12,
                    "verdict": "watch",
                }
            ],
            "compared": ["EXT_SOURCE_2"],
            "not_stored": ["BUREAU_DEBT_RATIO"],
            "worst": None,
            "labels": {"EXT_SOURCE_2": {"fr": "Score externe n° 2", "en": "External score 2"}},
        },
        "model_versions": ["3"],
        "alerts": ["grade G: 30 defaults of 50 (60.0%) against a PD of 20.0% (Jeffreys p 1e-09)"],
        "alert_items": [
            {
                "code": "grade_red",
                "grade": "G",
                "defaults": 30,
                "clients": 50,
                "observed": 0.6,
                "pd": 0.2,
                "jeffreys_p": 1e-9,
            }
        ],
        "ok": False,
        "created_at": "2026-12-07T19:00:00",
    }


DRIFT_LABELS_EN = {
    "Montant du crédit": "Credit amount",
    "Score externe n° 2": "External score 2",
    "Document n° 3 fourni": "Document 3 provided",
}


def _drift_in(report: dict, lang: str) -> dict:
    """The report as the API words it in ``lang`` (its columns' labels)."""
    if lang == "fr":
        return report
    relabel = [
        c | {"label": DRIFT_LABELS_EN.get(c["label"], c["label"])} for c in report["columns"]
    ]
    return report | {"columns": relabel}


def drift_report() -> dict:
    """A drift summary shaped as ``GET /drift/latest`` answers it (columns labelled)."""
    column = {
        "kind": "feature",
        "method": "wasserstein",
        "threshold": 0.1,
    }
    columns = [
        column
        | {
            "column": "model: AMT_CREDIT",
            "label": "Montant du crédit",
            "score": 0.2346,
            "drifted": True,
            "importance": 0.25,
        },
        column
        | {
            "column": "model: EXT_SOURCE_2",
            "label": "Score externe n° 2",
            "score": 0.0123,
            "drifted": False,
            "importance": 0.5,
        },
        {
            "column": "FLAG_DOCUMENT_3",
            "label": "Document n° 3 fourni",
            "kind": "raw",
            "method": "chisquare",
            "score": 0.5,
            "threshold": 0.05,
            "drifted": False,
            "importance": None,
        },
    ]
    return {
        "created_at": "2026-11-21T12:00:00+00:00",
        "reference": "data/application_train",
        "current": "data/application_test",
        "verdict": "action",
        "message": "Drifted features carry 33% of the importance of the model's top features.",
        "weighted": True,
        "weighted_drift_share": 0.3333,
        "importance_covered": 0.75,
        "by_kind": {
            "raw": {"columns": 1, "drifted": 0, "share": 0.0},
            "feature": {"columns": 2, "drifted": 1, "share": 0.5},
        },
        "top_drifted": [columns[0]],
        "columns": columns,
        "rows": {"reference": 1500, "current": 600, "sampled_to": 5000},
        "model": {"name": "credit-default", "version": "7"},
        "html": "drift-20261121T120000000000.html",
    }


IMPORTANCE = {  # feature: (French description, English description, importance)
    "EXT_SOURCE_2": ("Score externe n° 2", "External score 2", 0.3),
    "AMT_CREDIT": ("Montant du crédit", "Credit amount", 0.1),
    "EXT_SOURCE_3": ("Score externe n° 3", "External score 3", 0.05),
}


def _fairness_rows(groups: list[str]) -> list[dict]:
    return [
        {
            "group": group,
            "clients": 400 + 10 * i,
            "default_rate": 0.08 + 0.01 * i,
            "approval_rate": 0.7 - 0.05 * i,
            "false_negative_rate": 0.3,
            "false_positive_rate": 0.1,
            "roc_auc": 0.74,
        }
        for i, group in enumerate(groups)
    ]


def model_report(lang: str) -> s.ModelOut:
    """``GET /model`` as the API answers it in ``lang`` (card and descriptions)."""
    described = 0 if lang == "fr" else 1
    return s.ModelOut(
        model_name="lightgbm",
        model_version="3",
        threshold=THRESHOLD,
        metrics={
            "roc_auc": 0.76,
            "n_train": 48744,
            "default_rate": 0.0807,
            "calibration": {
                "predicted": [0.05, 0.2, 0.5],
                "observed": [0.04, 0.22, 0.45],
            },
            "global_importance": [
                {"feature": name, "description": texts[described], "importance": texts[2]}
                for name, texts in IMPORTANCE.items()
            ],
        },
        costs={"cost_fn": 10, "cost_fp": 1, "per_applicant": 0.4321},
        comparison=[
            {"candidate": "lightgbm_none", "roc_auc": 0.76, "cost_per_applicant": 0.4321},
            {"candidate": "logistic_regression", "roc_auc": 0.72, "cost_per_applicant": 0.4711},
        ],
        model_card_markdown=(
            "# Fiche du modèle — lightgbm\n\n| ROC AUC | 0,7600 |"
            if lang == "fr"
            else "# Model card — lightgbm\n\n| ROC AUC | 0.7600 |"
        ),
        fairness={
            "CODE_GENDER": _fairness_rows(["F", "M"]),
            "age_band": _fairness_rows(["under 30", "30–45", "45–60", "over 60", "unknown"]),
        },
        grades=[
            {"grade": "A", "clients": 900, "predicted_pd": 0.012},
            {"grade": "B", "clients": 1200, "predicted_pd": 0.027},
        ],
        ks_tables={
            "lightgbm": [{"decile": 1, "clients": 100, "ks": 0.2}],
            "scorecard": [{"decile": 1, "clients": 100, "ks": 0.18}],
        },
        protected={
            "auc_with": 0.768,
            "auc_without": 0.765,
            "gaps": [
                {
                    "attribute": "CODE_GENDER",
                    "metric": "approval_rate",
                    "gap_with_protected": 0.05,
                    "gap_without_protected": 0.03,
                }
            ],
        },
        scorecard_points=[
            {
                "characteristic": "EXT_SOURCE_3",
                "description": IMPORTANCE["EXT_SOURCE_3"][described],
                "bin": "[0.2, 0.4)",
                "points": 12.5,
            },
            {
                "characteristic": "EXT_SOURCE_3",
                "description": IMPORTANCE["EXT_SOURCE_3"][described],
                "bin": "Missing",
                "points": -3.0,
            },
        ],
        points_scale={
            "description": (
                "600 points pour une cote de 50 bons clients contre un défaillant"
                if lang == "fr"
                else "600 points at odds of 50 good clients to one defaulter"
            )
        },
    )
