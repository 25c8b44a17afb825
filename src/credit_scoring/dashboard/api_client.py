"""Typed HTTP client of the scoring API: one method per route, errors as :class:`ApiError`.

The dashboard talks to the platform through this class only. It holds one
``httpx.Client`` (connection pool) and takes the bearer token per call, so one
instance can be shared by every user of the Streamlit server.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from credit_scoring.lending.application_schemas import (
    ApplicationCreatedOut,
    ApplicationDecisionIn,
    ApplicationDecisionOut,
    ApplicationOut,
    ApplicationPage,
    ApplicationScoreOut,
    ApplicationSummaryOut,
    FieldErrorOut,
    FormErrorsOut,
    PolicyOut,
    Status,
)
from credit_scoring.lending.audit_schemas import (
    AuditFilters,
    AuditKind,
    AuthEventRecordPage,
    DataAccessRecordPage,
    DecisionRecordPage,
    ScoreRecordPage,
)
from credit_scoring.lending.form import ApplicationForm
from credit_scoring.lending.schemas import (
    ClientDetail,
    ClientFilters,
    ClientPage,
    DecisionOut,
    DecisionPage,
    ExplanationOut,
    HealthOut,
    ModelOut,
    PopulationStats,
    ScoreOut,
    SimilarOut,
    TokenOut,
    UserAdminOut,
    UserChanged,
    UserCreate,
    UserOut,
    UserPatch,
    WhatIfIn,
    WhatIfOut,
)

ErrorKind = Literal[
    "unauthorized",
    "forbidden",
    "not_found",
    "invalid",
    "locked",
    "conflict",
    "gone",
    "too_large",
    "throttled",
    "unavailable",
    "unreachable",
    "timeout",
    "server",
    "protocol",
]
_STATUS_KIND: dict[int, ErrorKind] = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    410: "gone",
    413: "too_large",
    422: "invalid",
    423: "locked",
    429: "throttled",
    503: "unavailable",
}
M = TypeVar("M", bound=BaseModel)
# The language the API's messages are asked in (Accept-Language), for the calls made in
# this context: one Streamlit run, one person. Set by :func:`speak` at the start of a run.
_LANGUAGE: ContextVar[str | None] = ContextVar("api_language", default=None)


def speak(lang: str) -> None:
    """Ask the API's error messages in ``lang`` for the calls that follow in this context.

    The client is shared by every session of the Streamlit server; the language is not.
    """
    _LANGUAGE.set(lang)


class ApiError(Exception):
    """A failed API call, classified so the dashboard can show a message a person can act on.

    ``kind`` selects the translated heading (``error.<kind>`` in the locales);
    ``message`` is the API's own sentence for a person, in the language asked for (the
    ``message`` of its one error shape, ``{"code", "message", "field", "detail"}``), and
    ``field`` the input it blames, so a form can show it beside that field; ``errors``
    holds every field's sentence of a refused form (the 422 of ``POST /applications``).
    ``detail`` is for logs and programs only (the API's ``detail``, a URL, a parsing
    problem): the dashboard never shows it.
    """

    def __init__(
        self,
        kind: ErrorKind,
        detail: str = "",
        *,
        status: int | None = None,
        errors: list[FieldErrorOut] | None = None,
        retry_after: int | None = None,
        message: str = "",
        field: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind: ErrorKind = kind
        self.detail = detail
        self.status = status
        self.errors: list[FieldErrorOut] = list(errors or [])
        # seconds to wait before trying again (a 429's ``retry_after``), when the API said
        self.retry_after = retry_after
        self.message = message
        self.field = field
        self.code = code


def _form_errors(response: httpx.Response) -> list[FieldErrorOut]:
    """The field errors of a 422 shaped as ``FormErrorsOut``; empty for any other body."""
    try:
        return FormErrorsOut.model_validate(response.json()).errors
    except (ValueError, ValidationError):
        return []


def _retry_after(response: httpx.Response) -> int | None:
    """The seconds a 429 asks to wait: the body's ``retry_after``, else ``Retry-After``."""
    try:
        body = response.json()
    except ValueError:
        body = None
    candidates = (
        body.get("retry_after") if isinstance(body, dict) else None,
        response.headers.get("retry-after"),
    )
    for value in candidates:
        try:
            seconds = int(str(value))
        except ValueError:
            continue
        if seconds >= 0:
            return seconds
    return None


def _refusal(response: httpx.Response) -> ApiError:
    """The :class:`ApiError` of an error answer: the one place the dashboard reads one."""
    kind = _STATUS_KIND.get(response.status_code, "server")
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return ApiError(kind, response.text[:300], status=response.status_code)
    message = body.get("message")
    field = body.get("field")
    code = body.get("code")
    return ApiError(
        kind,
        _detail(body.get("detail", "")),
        status=response.status_code,
        errors=_form_errors(response) if response.status_code == 422 else [],
        message=message if isinstance(message, str) else "",
        field=field if isinstance(field, str) else None,
        code=code if isinstance(code, str) else None,
        retry_after=_retry_after(response) if response.status_code in (429, 503) else None,
    )


def _detail(detail: Any) -> str:
    """The ``detail`` of an error body as text for a log: a string, or FastAPI's list."""
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                where = ".".join(str(p) for p in item.get("loc", [])[1:])
                parts.append(
                    f"{where}: {item.get('msg', '')}" if where else str(item.get("msg", ""))
                )
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return str(detail)


class ApiClient:
    """Synchronous client of the scoring API (see ``credit_scoring.lending.schemas`` for the routes)."""

    def __init__(
        self, base_url: str, *, timeout: float = 15.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    # --- plumbing --------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        lang = _LANGUAGE.get()
        headers = {
            **({"Accept-Language": lang} if lang else {}),
            **(headers or {}),
            **({"Authorization": f"Bearer {token}"} if token else {}),
        }
        try:
            response = self._http.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise ApiError("timeout", f"{self.base_url}{path}") from exc
        except httpx.TransportError as exc:
            raise ApiError("unreachable", f"{self.base_url} ({exc})") from exc
        if response.status_code >= 400:
            raise _refusal(response)
        return response

    def _get(self, model: type[M], path: str, token: str | None, **params: Any) -> M:
        response = self._request("GET", path, token=token, params=_clean(params))
        return _parse(model, response)

    # --- routes ----------------------------------------------------------------------------

    def health(self) -> HealthOut:
        return self._get(HealthOut, "/health", None)

    def login(self, username: str, password: str, *, client_ip: str | None = None) -> TokenOut:
        """``client_ip``: the browser's address, sent as X-Forwarded-For so that the API
        throttles failed logins per person rather than per dashboard server (the API believes
        it only when the dashboard is in CREDIT_SCORING_TRUSTED_PROXIES)."""
        response = self._request(
            "POST",
            "/auth/token",
            data={"username": username, "password": password},
            headers={"X-Forwarded-For": client_ip} if client_ip else None,
        )
        return _parse(TokenOut, response)

    def logout(self, token: str) -> None:
        """End the user's sessions on the API (every token issued to them is refused)."""
        self._request("POST", "/auth/logout", token=token)

    def users(self, token: str) -> list[UserAdminOut]:
        response = self._request("GET", "/users", token=token)
        try:
            return TypeAdapter(list[UserAdminOut]).validate_python(response.json())
        except (ValueError, ValidationError) as exc:
            raise ApiError("protocol", str(exc)[:300]) from exc

    def create_user(self, token: str, body: UserCreate) -> UserChanged:
        response = self._request("POST", "/users", token=token, json=body.model_dump())
        return _parse(UserChanged, response)

    def change_user(self, token: str, username: str, body: UserPatch) -> UserChanged:
        response = self._request(
            "PATCH",
            f"/users/{quote(username, safe='')}",
            token=token,
            json=body.model_dump(exclude_none=True),
        )
        return _parse(UserChanged, response)

    def me(self, token: str) -> UserOut:
        return self._get(UserOut, "/me", token)

    def set_language(self, token: str, language: str) -> UserOut:
        """Remember the user's dashboard language (their next login starts in it)."""
        response = self._request("PUT", "/me/language", token=token, json={"language": language})
        return _parse(UserOut, response)

    def search_clients(
        self,
        token: str,
        *,
        q: str | None = None,
        filters: ClientFilters | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> ClientPage:
        params = (filters or ClientFilters()).model_dump(exclude_none=True)
        return self._get(
            ClientPage, "/clients", token, q=q, page=page, page_size=page_size, **params
        )

    def client(self, token: str, client_id: int) -> ClientDetail:
        return self._get(ClientDetail, f"/clients/{int(client_id)}", token)

    def score(self, token: str, client_id: int, *, lang: str = "fr") -> ScoreOut:
        return self._get(ScoreOut, f"/clients/{int(client_id)}/score", token, lang=lang)

    def explanation(self, token: str, client_id: int, *, lang: str = "fr") -> ExplanationOut:
        return self._get(ExplanationOut, f"/clients/{int(client_id)}/explanation", token, lang=lang)

    def similar(self, token: str, client_id: int, *, k: int = 10) -> SimilarOut:
        return self._get(SimilarOut, f"/clients/{int(client_id)}/similar", token, k=k)

    def what_if(self, token: str, client_id: int, changes: WhatIfIn) -> WhatIfOut:
        response = self._request(
            "POST",
            f"/clients/{int(client_id)}/what_if",
            token=token,
            json=changes.model_dump(exclude_none=True),
        )
        return _parse(WhatIfOut, response)

    def client_decisions(self, token: str, client_id: int) -> list[DecisionOut]:
        response = self._request("GET", f"/clients/{int(client_id)}/decisions", token=token)
        try:
            return TypeAdapter(list[DecisionOut]).validate_python(response.json())
        except (ValueError, ValidationError) as exc:
            raise ApiError("protocol", str(exc)[:300]) from exc

    def population_stats(
        self,
        token: str,
        *,
        filters: ClientFilters | None = None,
        client_id: int | None = None,
        lang: str = "fr",
    ) -> PopulationStats:
        params = (filters or ClientFilters()).model_dump(exclude_none=True)
        return self._get(
            PopulationStats, "/population/stats", token, client_id=client_id, lang=lang, **params
        )

    def audit_records(
        self,
        token: str,
        kind: AuditKind,
        *,
        filters: AuditFilters | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> DecisionRecordPage | ScoreRecordPage | DataAccessRecordPage | AuthEventRecordPage:
        """One page of the audit log (admin): decisions, scores, data reads or logins."""
        model: (
            type[DecisionRecordPage]
            | type[ScoreRecordPage]
            | type[DataAccessRecordPage]
            | type[AuthEventRecordPage]
        )
        if kind == "decisions":
            model = DecisionRecordPage
        elif kind == "scores":
            model = ScoreRecordPage
        elif kind == "data-access":
            model = DataAccessRecordPage
        else:
            model = AuthEventRecordPage
        params = (filters or AuditFilters()).model_dump(mode="json", exclude_none=True)
        return self._get(model, f"/audit/{kind}", token, page=page, page_size=page_size, **params)

    def audit_csv(
        self, token: str, kind: AuditKind, *, filters: AuditFilters | None = None
    ) -> bytes:
        """Every matching audit record as CSV (oldest first), as the API exports it."""
        params = (filters or AuditFilters()).model_dump(mode="json", exclude_none=True)
        response = self._request(
            "GET", f"/audit/{kind}", token=token, params=_clean({**params, "format": "csv"})
        )
        return response.content

    def decisions(self, token: str, *, page: int = 1, page_size: int = 50) -> DecisionPage:
        return self._get(DecisionPage, "/decisions", token, page=page, page_size=page_size)

    def model(self, token: str, *, lang: str = "fr") -> ModelOut:
        """The champion's report: the model card, importance and scorecard in ``lang``."""
        return self._get(ModelOut, "/model", token, lang=lang)

    def methodology(self, token: str, *, lang: str = "fr") -> str:
        """The methodology note of the current model (HTML) in ``lang``."""
        return self._request("GET", "/model/methodology", token=token, params={"lang": lang}).text

    def review_pack(self, token: str, *, lang: str = "fr") -> bytes:
        """The credit committee's review pack of the current model, as PDF bytes."""
        response = self._request("GET", "/model/review-pack", token=token, params={"lang": lang})
        if not response.content.startswith(b"%PDF"):
            raise ApiError("protocol", "the review pack is not a PDF document")
        return response.content

    def drift_latest(self, token: str, *, lang: str = "fr") -> dict[str, Any]:
        """The latest drift report's summary (shape owned by the monitoring module), its
        columns described in ``lang``."""
        response = self._request("GET", "/drift/latest", token=token, params={"lang": lang})
        try:
            body = response.json()
        except ValueError as exc:
            raise ApiError("protocol", "drift summary is not JSON") from exc
        return body if isinstance(body, dict) else {"report": body}

    def drift_start(self, token: str, *, lang: str = "fr") -> dict[str, Any]:
        """Start a drift report in the background (``POST /drift/runs``); its progress."""
        response = self._request("POST", "/drift/runs", token=token, params={"lang": lang})
        return _json_object(response, "drift run")

    def drift_run(self, token: str, *, lang: str = "fr") -> dict[str, Any]:
        """The running drift report's progress, else how the last one ended."""
        response = self._request("GET", "/drift/runs/current", token=token, params={"lang": lang})
        return _json_object(response, "drift run")

    def drift_latest_html(self, token: str) -> str:
        return self._request("GET", "/drift/latest.html", token=token).text

    def backtest_latest(self, token: str) -> dict[str, Any]:
        """The latest back-test of served scores against matured outcomes (``GET /backtest``)."""
        return _json_object(self._request("GET", "/backtest", token=token), "back-test")

    def run_backtest(self, token: str) -> dict[str, Any]:
        """Back-test the stored scores now and store the result (``POST /backtest``)."""
        return _json_object(
            self._request("POST", "/backtest", token=token, timeout=600), "back-test"
        )

    # --- applications ----------------------------------------------------------------------

    def create_application(
        self, token: str, form: ApplicationForm, *, idempotency_key: str, lang: str = "fr"
    ) -> ApplicationCreatedOut:
        """Enter and score an application (``POST /applications``).

        Parameters
        ----------
        token : str
            The advisor's bearer token.
        form : ApplicationForm
            The bank form: a new applicant, or ``client_id`` of a known client, and the loan.
        idempotency_key : str
            One uuid4 per form submission, the same for every retry of that submission:
            the API answers a repeated key with the first result (200) instead of
            entering the application twice.
        lang : {"fr", "en"}
            Language of the reasons, rules and error messages.

        Returns
        -------
        ApplicationCreatedOut
            The stored score and the application's status.

        Raises
        ------
        ApiError
            ``kind="invalid"`` with ``errors`` (field, code, message) when the form is refused.
        """
        response = self._request(
            "POST",
            "/applications",
            token=token,
            headers={"Idempotency-Key": idempotency_key},
            params={"lang": lang},
            json=form.model_dump(mode="json"),
        )
        return _parse(ApplicationCreatedOut, response)

    def applications(
        self,
        token: str,
        *,
        status: Status | None = None,
        entered_by: str | None = None,
        since: date | None = None,
        until: date | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> ApplicationPage:
        """One page of applications (an advisor sees their own; seniors and admins all)."""
        return self._get(
            ApplicationPage,
            "/applications",
            token,
            status=status,
            entered_by=entered_by,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
            page=page,
            page_size=page_size,
        )

    def application(self, token: str, application_id: int, *, lang: str = "fr") -> ApplicationOut:
        """An application with its latest score and its decision history."""
        return self._get(ApplicationOut, f"/applications/{int(application_id)}", token, lang=lang)

    def decide_application(
        self, token: str, application_id: int, body: ApplicationDecisionIn
    ) -> ApplicationDecisionOut:
        """Record the final decision on the score shown.

        Raises
        ------
        ApiError
            ``conflict`` (409) when that score is no longer the latest or the application
            is already decided; ``forbidden`` (403) when a senior must decide;
            ``invalid`` (422) when an override, referral or withdrawal has no reason.
        """
        response = self._request(
            "POST",
            f"/applications/{int(application_id)}/decision",
            token=token,
            json=body.model_dump(mode="json"),
        )
        return _parse(ApplicationDecisionOut, response)

    def rescore_application(
        self, token: str, application_id: int, *, lang: str = "fr"
    ) -> ApplicationScoreOut:
        """Score an open application again with the champion in service (a new stored score).

        Raises
        ------
        ApiError
            ``conflict`` (409) when the application is already decided or withdrawn.
        """
        response = self._request(
            "POST",
            f"/applications/{int(application_id)}/score",
            token=token,
            params={"lang": lang},
        )
        return _parse(ApplicationScoreOut, response)

    def application_letter(self, token: str, application_id: int, *, lang: str = "fr") -> bytes:
        """The letter to the applicant, as PDF bytes."""
        response = self._request(
            "GET",
            f"/applications/{int(application_id)}/letter",
            token=token,
            params={"lang": lang},
        )
        if not response.content.startswith(b"%PDF"):
            raise ApiError("protocol", "the letter is not a PDF document")
        return response.content

    def client_applications(self, token: str, client_id: int) -> list[ApplicationSummaryOut]:
        """The applications of one client, newest first (for the client file)."""
        response = self._request("GET", f"/clients/{int(client_id)}/applications", token=token)
        try:
            return TypeAdapter(list[ApplicationSummaryOut]).validate_python(response.json())
        except (ValueError, ValidationError) as exc:
            raise ApiError("protocol", str(exc)[:300]) from exc

    def client_applicant(self, token: str, client_id: int) -> dict[str, Any]:
        """A known client's declared data in bank terms, to prefill the form.

        Returns
        -------
        dict
            The body as sent: ``{"applicant": {...}}`` with the form's applicant fields
            (a value the database does not hold is None, for the advisor to complete),
            and a ``loan`` object when the API sends one.
        """
        response = self._request("GET", f"/clients/{int(client_id)}/applicant", token=token)
        try:
            body = response.json()
        except ValueError as exc:
            raise ApiError("protocol", "the applicant is not JSON") from exc
        if not isinstance(body, dict) or not isinstance(body.get("applicant"), dict):
            raise ApiError("protocol", "no 'applicant' object in the answer")
        return body

    def policy(self, token: str) -> PolicyOut:
        """The policy rules in force."""
        return self._get(PolicyOut, "/policy", token)

    # --- the applicant space, as the staff see it (issue 22) -------------------------------

    def review_queue(self, token: str, *, page: int = 1, page_size: int = 50) -> ApplicationPage:
        """The applications whose applicant asked for a human review, oldest due first (each
        with its ``review_due``)."""
        return self._get(
            ApplicationPage,
            "/applications",
            token,
            review="requested",
            page=page,
            page_size=page_size,
        )

    def new_applicant_code(self, token: str, application_id: int) -> ApplicantAccessOut:
        """Issue a new personal code for the applicant space (the previous ones stop working).

        Raises
        ------
        ApiError
            ``forbidden`` (403) for a role that may not, ``not_found`` (404) for no such
            application.
        """
        response = self._request(
            "POST", f"/applications/{int(application_id)}/applicant-access", token=token
        )
        return _parse(ApplicantAccessOut, response)


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None and v != ""}


def _parse(model: type[M], response: httpx.Response) -> M:
    try:
        return model.model_validate(response.json())
    except (ValueError, ValidationError) as exc:
        raise ApiError("protocol", f"{model.__name__}: {str(exc)[:300]}") from exc


def _json_object(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise ApiError("protocol", f"{what} is not JSON") from exc
    if not isinstance(body, dict):
        raise ApiError("protocol", f"{what} is not a JSON object")
    return body


class ApplicantAccessOut(BaseModel):
    """A new personal code for the applicant space (shown once: only its hash is kept)."""

    application_id: int
    code: str
    url: str
