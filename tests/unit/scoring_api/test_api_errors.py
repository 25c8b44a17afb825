"""Every error the API answers has one shape, ``{"code", "message", "field", "detail"}``, and a
message written for a person in the request's language: no regular expression, no HTTP verb,
no route, none of Pydantic's English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from credit_scoring.api.errors import status_error

from .conftest import TestClient

LANGS = {"fr": {"Accept-Language": "fr-FR,fr;q=0.9"}, "en": {"Accept-Language": "en-GB,en"}}
VERB = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b")
ROUTE = re.compile(r"(^|[\s(«'\"])/[a-z_{]")
REGEX = re.compile(r"[\^$\\\[\]{}]|\\d|\(\?")
PYDANTIC = ("should", "Field required", "Input should", "String should", "Value error")


def assert_for_a_person(response: Any, lang: str) -> dict[str, Any]:
    """The body of an error response, checked: the four keys, a message a person can read."""
    body = response.json()
    assert set(body) >= {"code", "message", "field", "detail"}, body
    message = body["message"]
    assert isinstance(message, str) and message.strip(), body
    assert not VERB.search(message), message
    assert not ROUTE.search(message), message
    assert not REGEX.search(message), message
    assert not any(word in message for word in PYDANTIC), message
    if lang == "fr":  # French typography: a non-breaking space before the colon of a field
        assert not re.search(r"\w: ", message), message
    return body


def _routes(client: TestClient) -> list[tuple[str, APIRoute]]:
    """(full path, route) of every API route, routers included (FastAPI keeps them nested)."""
    return list(_walk(client.app.routes, ""))  # type: ignore[attr-defined]


def _walk(routes: Any, prefix: str) -> Any:
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):  # an included router
            inner = prefix + getattr(route.include_context, "prefix", "")
            yield from _walk(route.original_router.routes, inner)


def _bad_call(path: str, route: APIRoute) -> tuple[str, dict[str, str], Any] | None:
    """The route called with a wrong path parameter, query and body; None: nothing to get wrong."""
    dependant = route.dependant
    path_params = {p.name for p in _all(dependant, "path_params")}
    query = {p.alias: _bad_value(p) for p in _all(dependant, "query_params")}
    has_body = bool(_all(dependant, "body_params"))
    if not (path_params or query or has_body):
        return None
    for name in path_params:
        path = path.replace(f"{{{name}}}", "x" * 80 if name == "username" else "abc")
    return path, query, {"not_a_field": "?"} if has_body else None


def _all(dependant: Any, attribute: str) -> list[Any]:
    """The parameters of a route and of every dependency it declares."""
    found = list(getattr(dependant, attribute))
    for sub in dependant.dependencies:
        found += _all(sub, attribute)
    return found


def _bad_value(param: Any) -> str:
    annotation = str(param.field_info.annotation)
    return "no-such-day" if "date" in annotation else "abc"


def test_every_route_says_what_is_wrong_in_both_languages(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """Walk the route table: each route, called with wrong ids, queries and bodies, answers an
    error in the one shape whose message names the field in the caller's language."""
    checked = 0
    for full_path, route in _routes(client):
        call = _bad_call(full_path, route)
        if call is None:
            continue
        path, query, body = call
        for method in route.methods:
            answers = {}
            for lang, header in LANGS.items():
                response = client.request(
                    method, path, params=query, json=body, headers={**tokens["admin"], **header}
                )
                assert response.status_code >= 400, (method, path, response.text)
                answers[lang] = assert_for_a_person(response, lang)
                checked += 1
            assert answers["fr"]["code"] == answers["en"]["code"], (method, path)
            assert answers["fr"]["message"] != answers["en"]["message"], (method, path)
    assert checked >= 40  # every route with a parameter or a body, in two languages


def test_every_route_without_a_token_is_refused_in_words(client: TestClient) -> None:
    routes = _routes(client)
    assert len(routes) >= 40
    for full_path, route in routes:
        if full_path in ("/health", "/auth/token", "/applicant/session"):  # the sign-ins
            continue
        path = re.sub(r"{[^}]+}", "1", full_path)
        for method in route.methods:
            for lang, header in LANGS.items():
                response = client.request(method, path, headers=header)
                assert response.status_code == 401, (method, path)
                body = assert_for_a_person(response, lang)
                applicant = full_path.startswith("/applicant/")  # its own session, its words
                assert body["code"] == ("applicant.not_signed_in" if applicant else "unauthorized")
                assert response.headers["www-authenticate"] == "Bearer"


def test_a_client_id_that_is_not_a_number_is_said_once(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """``/clients/abc``: the id is read by the route and by the access record; one error."""
    french = client.get("/clients/abc", headers=tokens["advisor"])
    assert french.status_code == 422
    body = assert_for_a_person(french, "fr")
    assert body["code"] == "invalid" and body["field"] == "sk_id_curr"
    assert body["message"] == "Numéro de client\u00a0: doit être un nombre entier"
    assert [p["type"] for p in body["detail"]] == ["int_parsing", "int_parsing"]  # for programs
    english = client.get("/clients/abc?lang=en", headers=tokens["advisor"]).json()
    assert english["message"] == "Client number: must be a whole number"


def test_a_search_that_is_not_a_client_number_is_a_sentence(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    response = client.get("/clients", params={"q": "abc", "lang": "en"}, headers=tokens["advisor"])
    body = assert_for_a_person(response, "en")
    assert body["field"] == "q"
    assert body["message"] == (
        "Client number searched: must be a client number, digits only (at most 12)"
    )
    assert body["detail"][0]["type"] == "string_pattern_mismatch"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fr", "Score présenté\u00a0: obligatoire"), ("en", "Score shown: required")],
)
def test_a_decision_without_its_score_names_the_field(
    client: TestClient, tokens: dict[str, dict[str, str]], lang: str, expected: str
) -> None:
    response = client.post(
        f"/applications/1/decision?lang={lang}",
        json={"decision": "grant"},
        headers=tokens["advisor"],
    )
    assert response.status_code == 422
    body = assert_for_a_person(response, lang)
    assert (body["field"], body["message"]) == ("score_id", expected)


def test_range_and_length_use_the_declared_bounds(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    page = client.get("/clients?page=0&lang=en", headers=tokens["advisor"])
    assert assert_for_a_person(page, "en")["message"] == "Page number: must be at least 1"
    long_name = client.patch(
        "/users/" + "x" * 80 + "?lang=fr", json={"active": True}, headers=tokens["admin"]
    )
    assert assert_for_a_person(long_name, "fr")["message"] == (
        "Identifiant\u00a0: 64 caractères au plus"
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_unknown_routes_and_methods_answer_in_the_shape(
    client: TestClient, tokens: dict[str, dict[str, str]], lang: str
) -> None:
    missing = client.get("/no-such-page", headers=LANGS[lang])
    assert missing.status_code == 404
    body = assert_for_a_person(missing, lang)
    assert (body["code"], body["message"]) == ("not_found", status_error(404).message(lang))
    not_taken = client.delete("/clients", headers={**tokens["admin"], **LANGS[lang]})
    assert not_taken.status_code == 405
    assert assert_for_a_person(not_taken, lang)["code"] == "not_allowed"


@pytest.mark.parametrize(
    ("lang", "start"),
    [
        ("fr", "Le client n° 999999999 n'existe pas"),
        ("en", "Client 999999999 does not exist"),
    ],
)
def test_an_unknown_client_is_named_in_the_language(
    client: TestClient, tokens: dict[str, dict[str, str]], lang: str, start: str
) -> None:
    for path in ("/clients/999999999", "/clients/999999999/applicant"):
        response = client.get(f"{path}?lang={lang}", headers=tokens["advisor"])
        assert response.status_code == 404
        body = assert_for_a_person(response, lang)
        assert body["code"] == "client_not_found" and body["message"].startswith(start)


def test_an_existing_user_is_refused_without_a_route(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    body = {"username": "advisor", "role": "advisor"}
    english = client.post("/users?lang=en", json=body, headers=tokens["admin"])
    assert english.status_code == 409
    said = assert_for_a_person(english, "en")
    assert said["field"] == "username"
    assert said["message"] == (
        "This user already exists (advisor): change their role or reset their password on "
        "the Administration page."
    )
    french = client.post("/users", json=body, headers={**tokens["admin"], **LANGS["fr"]})
    assert assert_for_a_person(french, "fr")["message"].startswith(
        "L'utilisateur advisor existe déjà"
    )


def test_the_form_route_answers_in_the_shape_too(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    response = client.post(
        "/applications?lang=en",
        json={"client_id": 100002, "loan": {"contract_type": "cash", "amount": -5}},
        headers=tokens["advisor"],
    )
    assert response.status_code == 422
    body = assert_for_a_person(response, "en")
    assert body["field"] == "loan.amount"
    assert body["message"].startswith("Credit amount: must be greater than 0")
    assert body["errors"][0]["field"] == "loan.amount"  # each field's sentence, to place it
