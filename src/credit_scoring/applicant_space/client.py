"""HTTP client of the ``/applicant`` routes: the applicant space talks to the API through it only.

It calls no staff route and holds no staff token. Each call takes the applicant's bearer
token and the language, so one instance (one connection pool) serves every visitor of the
Streamlit server. A failure is an :class:`ApplicantApiError` carrying the API's own
``message``, already in the applicant's language: the screens show it as it is.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from credit_scoring.applicant_space.models import (
    ApplicationItem,
    ApplicationView,
    Changes,
    Comparison,
    MyData,
    Rectification,
    Review,
    SessionOut,
)

M = TypeVar("M", bound=BaseModel)


class ApplicantApiError(Exception):
    """A failed call, with what the applicant is to read.

    Attributes
    ----------
    status : int or None
        The HTTP status; None when the API could not be reached.
    code : str
        The API's stable code (``applicant.sign_in_failed``, ``applicant.throttled``...),
        or ``unreachable`` / ``protocol`` for failures of the connection itself.
    message : str
        The API's ``message`` in the request's language; empty when the API gave none (the
        screens then show their own sentence for ``code``).
    retry_after : int or None
        Seconds to wait before trying again (429).
    """

    def __init__(
        self, status: int | None, code: str, message: str = "", retry_after: int | None = None
    ) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


def _retry_after(response: httpx.Response, body: dict[str, Any]) -> int | None:
    for value in (body.get("retry_after"), response.headers.get("Retry-After")):
        try:
            return max(0, int(float(value)))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
    return None


def _error(response: httpx.Response) -> ApplicantApiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    message = body.get("message")
    if not isinstance(message, str):
        detail = body.get("detail")
        message = detail if isinstance(detail, str) else ""
    return ApplicantApiError(
        response.status_code,
        str(body.get("code") or f"http.{response.status_code}"),
        message,
        _retry_after(response, body),
    )


class ApplicantClient:
    """Synchronous client of the applicant routes (``/applicant/...``)."""

    def __init__(
        self, base_url: str, *, timeout: float = 20.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def _request(
        self, method: str, path: str, *, token: str | None, lang: str, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Accept-Language": lang}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        params = {**kwargs.pop("params", {}), "lang": lang}
        try:
            response = self._http.request(
                method, f"/applicant{path}", headers=headers, params=params, **kwargs
            )
        except httpx.TimeoutException as exc:
            raise ApplicantApiError(None, "timeout") from exc
        except httpx.TransportError as exc:
            raise ApplicantApiError(None, "unreachable") from exc
        if response.status_code >= 400:
            raise _error(response)
        return response

    def _parse(self, model: type[M], response: httpx.Response) -> M:
        try:
            return model.model_validate(response.json())
        except (ValueError, ValidationError) as exc:
            raise ApplicantApiError(response.status_code, "protocol") from exc

    def sign_in(self, application_id: int, code: str, birth_date: date, *, lang: str) -> SessionOut:
        """Open a session with the application number, the personal code and the birth date."""
        body = {
            "application_id": int(application_id),
            "code": code.strip(),
            "birth_date": birth_date.isoformat(),
        }
        response = self._request("POST", "/session", token=None, lang=lang, json=body)
        return self._parse(SessionOut, response)

    def logout(self, token: str, *, lang: str) -> None:
        self._request("POST", "/logout", token=token, lang=lang)

    def applications(self, token: str, *, lang: str) -> list[ApplicationItem]:
        """The applicant's own applications."""
        response = self._request("GET", "/applications", token=token, lang=lang)
        try:
            items = response.json()
            return [ApplicationItem.model_validate(item) for item in items]
        except (ValueError, TypeError, ValidationError) as exc:
            raise ApplicantApiError(response.status_code, "protocol") from exc

    def application(self, token: str, application_id: int, *, lang: str) -> ApplicationView:
        """The decision, its reasons and the review, if one was asked for."""
        path = f"/applications/{int(application_id)}"
        return self._parse(ApplicationView, self._request("GET", path, token=token, lang=lang))

    def data(self, token: str, application_id: int, *, lang: str) -> MyData:
        """The applicant's data as the lender holds it, each item with its source."""
        path = f"/applications/{int(application_id)}/data"
        return self._parse(MyData, self._request("GET", path, token=token, lang=lang))

    def rectify(
        self, token: str, application_id: int, item: str, comment: str, *, lang: str
    ) -> Rectification:
        """Say that an item is wrong, with what it should be."""
        path = f"/applications/{int(application_id)}/rectifications"
        body = {"item": item, "comment": comment}
        return self._parse(
            Rectification, self._request("POST", path, token=token, lang=lang, json=body)
        )

    def changes(self, token: str, application_id: int, *, lang: str) -> Changes:
        """The nearest changes the model and the policy would grant."""
        path = f"/applications/{int(application_id)}/changes"
        return self._parse(Changes, self._request("GET", path, token=token, lang=lang))

    def comparison(self, token: str, application_id: int, *, lang: str) -> Comparison:
        """The applicant's figures beside applicants like them (group sizes, no one's row)."""
        path = f"/applications/{int(application_id)}/comparison"
        return self._parse(Comparison, self._request("GET", path, token=token, lang=lang))

    def request_review(
        self, token: str, application_id: int, comment: str, attachments: list[str], *, lang: str
    ) -> Review:
        """Ask for a human review (409 when one is already open)."""
        path = f"/applications/{int(application_id)}/review"
        body = {"comment": comment, "attachments": attachments}
        return self._parse(Review, self._request("POST", path, token=token, lang=lang, json=body))

    def withdraw(self, token: str, application_id: int, *, lang: str) -> ApplicationView:
        """Withdraw the application (the API says in words when it cannot be)."""
        path = f"/applications/{int(application_id)}/withdraw"
        response = self._request("POST", path, token=token, lang=lang)
        try:
            return ApplicationView.model_validate(response.json())
        except (ValueError, ValidationError):
            # the route answers "the application": read it again in the shape we know
            return self.application(token, application_id, lang=lang)

    def letter(self, token: str, application_id: int, *, lang: str) -> bytes:
        """The current decision's letter as PDF bytes."""
        path = f"/applications/{int(application_id)}/letter"
        response = self._request("GET", path, token=token, lang=lang)
        if not response.content.startswith(b"%PDF"):
            raise ApplicantApiError(response.status_code, "protocol")
        return response.content
