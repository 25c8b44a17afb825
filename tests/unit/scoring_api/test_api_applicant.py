"""The applicant's own space through the API: sign-in, throttling, isolation, the audit, the
decision and its reasons, the changes, the comparison, the review and the withdrawal."""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from credit_scoring.db import audit_chain
from credit_scoring.db import models as m
from credit_scoring.db.session import session_scope
from credit_scoring.lending.applicant import changes as applicant_changes
from credit_scoring.lending.applicant.access import ALPHABET, normalize_code

from .conftest import (
    Bank,
    TestClient,
    auth_headers,
    bank_fixture,
    make_settings,
    served,
    served_fixtures,
)

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "new-application.json"
BIRTH = "1991-03-14"  # the example's
Headers = dict[str, dict[str, str]]

bank = bank_fixture("applicant")
scorer, client, tokens, known_ids = served_fixtures()


def example(**applicant: Any) -> dict[str, Any]:
    body = json.loads(EXAMPLE.read_text())
    body["applicant"].update(applicant)
    return body


def new_application(client: TestClient, tokens: Headers, **applicant: Any) -> int:
    response = client.post(
        "/applications",
        json=example(**applicant),
        headers={**tokens["advisor"], "Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 201, response.text
    return int(response.json()["application_id"])


def issue(client: TestClient, tokens: Headers, app_id: int) -> str:
    response = client.post(f"/applications/{app_id}/applicant-access", headers=tokens["advisor"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["application_id"] == app_id and body["url"].startswith("http")
    return str(body["code"])


def sign_in(client: TestClient, app_id: int, code: str, birth: str = BIRTH):  # type: ignore[no-untyped-def]
    return client.post(
        "/applicant/session?lang=en",
        json={"application_id": app_id, "code": code, "birth_date": birth},
    )


def applicant_headers(client: TestClient, app_id: int, code: str) -> dict[str, str]:
    response = sign_in(client, app_id, code)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def from_address(client: TestClient, address: str) -> TestClient:
    """Another caller of the same running app, from ``address``."""
    return TestClient(client.app, client=(address, 40001))


def refuse(client: TestClient, tokens: Headers, scorer, app_id: int) -> None:  # type: ignore[no-untyped-def]
    """Make the model refuse the application (threshold just under its probability), score it
    again and refuse it as the model proposes."""
    headers = tokens["senior"]
    current = client.get(f"/applications/{app_id}", headers=headers).json()["score"]
    before = scorer.threshold
    scorer.threshold = current["probability"] - 1e-9
    try:
        score = client.post(f"/applications/{app_id}/score", headers=headers).json()
    finally:
        scorer.threshold = before
    body: dict[str, Any] = {"score_id": score["score_id"], "decision": "refuse"}
    if score["decision"] != "refuse":
        body["reason"] = "refused after review of the file"
    response = client.post(f"/applications/{app_id}/decision", json=body, headers=headers)
    assert response.status_code == 201, response.text


@pytest.fixture(scope="module")
def two(client: TestClient, tokens: Headers) -> dict[str, Any]:
    """Two applicants, each signed in to their own application."""
    mine = new_application(client, tokens)
    theirs = new_application(client, tokens, birth_date="1980-01-02")
    return {
        "mine": mine,
        "theirs": theirs,
        "headers": applicant_headers(client, mine, issue(client, tokens, mine)),
    }


def pdf_words(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(p.extract_text() for p in pages).split())


CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


# ---- codes and sign-in --------------------------------------------------------------------


def test_a_code_has_80_bits_and_reads_without_ambiguous_letters(
    client: TestClient, tokens: Headers
) -> None:
    app_id = new_application(client, tokens)
    codes = {issue(client, tokens, app_id) for _ in range(3)}
    assert len(codes) == 3
    for code in codes:
        assert CODE.fullmatch(code)
        assert set(code.replace("-", "")) <= set(ALPHABET) and not set("ILOU") & set(code)
    assert len(ALPHABET) ** 16 >= 2**80
    with session_scope(client.app.state.settings) as session:
        stored = session.execute(
            select(m.ApplicantAccessCode).where(m.ApplicantAccessCode.application_id == app_id)
        ).scalars()
        rows = list(stored)
    assert len(rows) == 3 and sum(r.revoked_at is None for r in rows) == 1  # the last one
    assert all(code not in r.code_hash for r in rows for code in codes)  # only hashes kept


def test_sign_in_takes_the_code_as_typed_and_says_one_thing_whatever_was_wrong(
    client: TestClient, tokens: Headers
) -> None:
    app_id = new_application(client, tokens)
    code = issue(client, tokens, app_id)
    typed = " " + code.lower().replace("-", " ") + " "
    good = sign_in(client, app_id, typed)
    assert good.status_code == 200, good.text
    body = good.json()
    assert body["token_type"] == "bearer" and body["application_id"] == app_id
    assert normalize_code(typed) == code.replace("-", "")
    wrong_code = sign_in(client, app_id, "AAAA-AAAA-AAAA-AAAA")
    wrong_birth = sign_in(client, app_id, code, "1991-03-15")
    unknown = sign_in(client, 2**31 - 2, code)
    answers = [wrong_code, wrong_birth, unknown]
    assert {r.status_code for r in answers} == {401}
    assert len({json.dumps(r.json(), sort_keys=True) for r in answers}) == 1
    refusal = wrong_code.json()
    assert refusal["code"] == "applicant.sign_in_failed"
    assert "advisor" in refusal["message"] and set(refusal) >= {"code", "message", "field"}
    french = client.post(
        "/applicant/session?lang=fr",
        json={"application_id": app_id, "code": "X", "birth_date": BIRTH},
    )
    assert "conseiller" in french.json()["message"]


def test_an_attackers_address_waits_and_the_owner_still_signs_in(bank: Bank, scorer) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(bank.settings.home)
    with served(settings, scorer, client=("127.0.0.1", 40000)) as owner:
        headers = {"advisor": auth_headers(owner, "advisor")}
        app_id = new_application(owner, headers)
        code = issue(owner, headers, app_id)
        attacker = from_address(owner, "127.0.0.2")
        limit = int(settings.applicant_limits_per_application.split("/")[0])
        for i in range(limit):
            guess = sign_in(attacker, app_id, f"GUESS-{i:04d}-AAAA-AAAA")
            assert guess.status_code == 401
        throttled = sign_in(attacker, app_id, code)  # even the right code, while throttled
        assert throttled.status_code == 429
        body = throttled.json()
        assert body["code"] == "applicant.throttled" and body["retry_after"] >= 1
        assert int(throttled.headers["retry-after"]) == body["retry_after"]
        assert "try again in" in body["message"]
        assert sign_in(owner, app_id, code).status_code == 200  # the owner is not locked out
        with session_scope(settings) as session:
            events = session.execute(
                select(m.ApplicantAccessEvent.event, m.ApplicantAccessEvent.client_address).where(
                    m.ApplicantAccessEvent.application_id == app_id
                )
            ).all()
        assert ("throttled", "127.0.0.2") in events and ("sign_in", "127.0.0.1") in events
        assert sum(e == ("failure", "127.0.0.2") for e in events) == limit


def test_too_many_failures_revoke_the_code_and_an_advisor_issues_another(
    bank: Bank, scorer
) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(bank.settings.home, applicant_max_failures=4)
    with served(settings, scorer, client=("127.0.0.1", 40000)) as owner:
        headers = {"advisor": auth_headers(owner, "advisor")}
        app_id = new_application(owner, headers)
        code = issue(owner, headers, app_id)
        for i in range(4):  # from four addresses: no address waits, the code counts them all
            guesser = from_address(owner, f"10.0.0.{i + 1}")
            assert sign_in(guesser, app_id, "WRNG-WRNG-WRNG-WRNG").status_code == 401
        refused = sign_in(owner, app_id, code)
        assert refused.status_code == 401  # revoked: the same answer, which says what to do
        assert "ask your advisor for a new one" in refused.json()["message"]
        with session_scope(settings) as session:
            row = session.execute(
                select(m.ApplicantAccessCode).where(m.ApplicantAccessCode.application_id == app_id)
            ).scalar_one()
            assert row.revoked_reason == "failures" and row.failures == 4
            revoked = session.execute(
                select(func.count()).where(
                    m.ApplicantAccessEvent.application_id == app_id,
                    m.ApplicantAccessEvent.event == "revoke",
                )
            ).scalar_one()
        assert revoked == 1
        fresh = issue(owner, headers, app_id)
        assert sign_in(owner, app_id, fresh).status_code == 200
        with session_scope(settings) as session:
            issued = session.execute(
                select(m.ApplicantAccessEvent.actor).where(
                    m.ApplicantAccessEvent.application_id == app_id,
                    m.ApplicantAccessEvent.event == "issue",
                )
            ).scalars()
            assert list(issued) == ["advisor", "advisor"]


def test_logout_ends_the_session(client: TestClient, tokens: Headers) -> None:
    app_id = new_application(client, tokens)
    headers = applicant_headers(client, app_id, issue(client, tokens, app_id))
    assert client.get("/applicant/applications", headers=headers).status_code == 200
    assert client.post("/applicant/logout", headers=headers).status_code == 204
    after = client.get("/applicant/applications", headers=headers)
    assert after.status_code == 401 and after.json()["code"] == "applicant.session_ended"


# ---- isolation: generated from the app's route table --------------------------------------


def _routes(client: TestClient) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    return [(method.upper(), path) for path, ops in spec["paths"].items() for method in ops]


BODIES = {
    "rectifications": {"item": "income_yearly", "comment": "My income is higher."},
    "review": {"comment": "Please look again.", "attachments": ["payslip.pdf"]},
}


def _body(path: str) -> dict[str, Any] | None:
    return BODIES.get(path.rsplit("/", 1)[-1])


def test_every_applicant_route_answers_404_for_another_applicants_application(
    client: TestClient, two: dict[str, Any]
) -> None:
    routes = [(v, p) for v, p in _routes(client) if p.startswith("/applicant/applications/{")]
    assert len(routes) >= 8  # the decision, data, changes, comparison, letter and the writes
    for method, path in routes:
        for other in (two["theirs"], 2**31 - 2):
            url = path.replace("{application_id}", str(other))
            response = client.request(method, url, json=_body(path), headers=two["headers"])
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["code"] == "application.not_found"
        assert "La demande" in response.json()["message"]  # French unless asked otherwise
    listed = client.get("/applicant/applications", headers=two["headers"]).json()
    assert [a["application_id"] for a in listed] == [two["mine"]]


def test_no_staff_route_accepts_an_applicant_token(client: TestClient, two: dict[str, Any]) -> None:
    public = {("GET", "/health"), ("POST", "/auth/token")}
    staff = [(v, p) for v, p in _routes(client) if not p.startswith("/applicant")]
    assert len(staff) > 30
    for method, path in staff:
        if (method, path) in public:
            continue
        url = re.sub(r"\{[a-z_]+\}", "1", path).replace("/users/1", "/users/advisor")
        response = client.request(method, url, headers=two["headers"])
        assert response.status_code == 401, (method, path, response.status_code)


def test_no_applicant_route_accepts_a_staff_token(client: TestClient, tokens: Headers) -> None:
    routes = [(v, p) for v, p in _routes(client) if p.startswith("/applicant")]
    for method, path in routes:
        if path == "/applicant/session":
            continue
        url = path.replace("{application_id}", "1")
        for role in ("advisor", "admin"):
            response = client.request(method, url, json=_body(path), headers=tokens[role])
            assert response.status_code == 401, (method, path, role)
            assert response.json()["code"] == "applicant.session_ended"


# ---- what the applicant sees --------------------------------------------------------------


def test_every_access_is_an_audit_record_and_the_chains_verify(
    client: TestClient, tokens: Headers, two: dict[str, Any]
) -> None:
    settings = client.app.state.settings
    mine, headers = two["mine"], two["headers"]

    def count() -> int:
        with session_scope(settings) as session:
            return int(
                session.execute(
                    select(func.count()).where(m.ApplicantAccessEvent.application_id == mine)
                ).scalar_one()
            )

    reads = ["", "/data", "/comparison"]
    for suffix in reads:
        before = count()
        response = client.get(f"/applicant/applications/{mine}{suffix}", headers=headers)
        assert response.status_code == 200, (suffix, response.text)
        assert count() == before + 1
    with session_scope(settings) as session:
        last = session.execute(
            select(m.ApplicantAccessEvent).order_by(m.ApplicantAccessEvent.id.desc()).limit(1)
        ).scalar_one()
        assert (last.event, last.route, last.target_id) == ("read", "my_comparison", mine)
        assert last.session_id and last.client_address
    seen = client.get(f"/applications/{mine}", headers=tokens["advisor"]).json()
    assert seen["applicant_views"] >= len(reads) + 1  # the sign-in and the reads
    assert seen["applicant_seen_at"] is not None
    reports = audit_chain.verify(bank_engine(settings))
    assert all(r.ok for r in reports), reports
    assert any(r.table == "applicant_access_events" and r.records > 0 for r in reports)


def bank_engine(settings):  # type: ignore[no-untyped-def]
    from credit_scoring.db.session import get_engine

    return get_engine(settings.resolved_database_url)


def test_the_decision_the_reasons_and_the_data_in_the_applicants_words(
    client: TestClient, tokens: Headers, scorer
) -> None:  # type: ignore[no-untyped-def]
    app_id = new_application(client, tokens)
    refuse(client, tokens, scorer, app_id)
    staff_letter = client.get(
        f"/applications/{app_id}/letter", params={"lang": "en"}, headers=tokens["advisor"]
    )
    letter = pdf_words(staff_letter.content)
    code = CODE.search(letter)
    assert code is not None and "Your personal space" in letter
    headers = applicant_headers(client, app_id, code.group(0))
    view = client.get(f"/applicant/applications/{app_id}", params={"lang": "en"}, headers=headers)
    body = view.json()
    assert body["decision"] == "refuse" and body["status"] == "decided"
    assert body["letter_available"]
    assert (body["grade"] is None) == (body["grade_sentence"] is None)
    against = [r["text"] for r in body["reasons"] if r["direction"] == "against"]
    texts = [" ".join(r["text"].split()) for r in body["reasons"]]
    assert all(t in letter for t in texts)  # the letter's own reasons, worded the same
    if not against:  # the model's factors had no wording for the applicant: nor has the letter
        assert "Your advisor can explain the elements of this decision" in letter
    data = client.get(f"/applicant/applications/{app_id}/data?lang=en", headers=headers).json()
    items = {i["item"]: i for i in data["form"]}
    assert items["family_status"]["value"] == "Married"
    assert items["income_yearly"]["source"] == "your application form"
    assert items["amount"]["value"] == "€15,000"
    assert data["bureau"] == [] and data["previous"] == []  # a new client: no history here
    french = client.get(f"/applicant/applications/{app_id}/data?lang=fr", headers=headers).json()
    assert {i["item"]: i["value"] for i in french["form"]}["family_status"] == "Marié(e)"
    own = client.get(f"/applicant/applications/{app_id}/letter?lang=en", headers=headers)
    assert own.status_code == 200 and own.headers["content-type"] == "application/pdf"
    words = pdf_words(own.content)
    assert CODE.search(words) is None and "the personal code printed in the first letter" in words
    assert sign_in(client, app_id, code.group(0)).status_code == 200  # still the valid code


def test_a_known_clients_data_shows_the_bureau_and_previous_loans(
    client: TestClient, tokens: Headers, known_ids: list[int], bank: Bank
) -> None:
    with session_scope(bank.settings) as session:
        with_history = session.execute(
            select(m.Loan.sk_id_curr)
            .where(m.Loan.source == "bureau", m.Loan.sk_id_curr.in_(known_ids))
            .limit(1)
        ).scalar_one()
        stored = session.get(m.Client, with_history)
        assert stored is not None
        born = date.today() + timedelta(days=int(json.loads(stored.application_json)["DAYS_BIRTH"]))
    loan = {"contract_type": "cash", "amount": 10_000, "goods_price": 10_000, "term_months": 24}
    response = client.post(
        "/applications",
        json={"client_id": with_history, "loan": loan},
        headers={**tokens["advisor"], "Idempotency-Key": uuid.uuid4().hex},
    )
    app_id = response.json()["application_id"]
    code = issue(client, tokens, app_id)
    signed = sign_in(client, app_id, code, born.isoformat())
    assert signed.status_code == 200, signed.text
    headers = {"Authorization": f"Bearer {signed.json()['access_token']}"}
    data = client.get(f"/applicant/applications/{app_id}/data?lang=en", headers=headers).json()
    assert data["bureau"] and {i["source"] for i in data["bureau"]} == {"credit bureau"}
    assert all(i["item"].startswith("bureau.") for i in data["bureau"])
    assert {i["source"] for i in data["form"]} <= {"our client file", "your application form"}


def test_the_changes_are_actionable_and_each_is_granted_when_scored_again(
    client: TestClient, tokens: Headers, scorer
) -> None:  # type: ignore[no-untyped-def]
    app_id = new_application(client, tokens)
    headers = applicant_headers(client, app_id, issue(client, tokens, app_id))
    granted = client.get(f"/applicant/applications/{app_id}/changes?lang=en", headers=headers)
    before = scorer.threshold
    current = client.get(f"/applications/{app_id}", headers=tokens["senior"]).json()["score"]
    found = 0
    try:
        if current["decision"] == "grant":
            assert (
                granted.json()["changes"] == [] and "nothing to change" in granted.json()["message"]
            )
        refuse(client, tokens, scorer, app_id)
        scorer.threshold = current["probability"] - 1e-9  # the model refuses the loan asked
        service = client.app.state.applications
        with session_scope(client.app.state.settings) as session:
            app = session.get(m.Application, app_id)
            assert app is not None
            proposed = applicant_changes.proposed_changes(service, session, app, "en")
            features_of = applicant_changes.features_maker(service, session, app)
            row = service._stored_row(session, app)
            for change, changed in proposed:
                touched = {k for k in changed if changed[k] != row.get(k)}
                assert touched <= applicant_changes.ACTIONABLE, touched
                assert not touched & {"DAYS_BIRTH", "CODE_GENDER", "CNT_CHILDREN"}
                assert applicant_changes._granted(service, features_of, changed, change.term_months)
                if change.kind == "amount":
                    assert change.amount < current_amount(row)
                if change.kind == "term":
                    assert change.term_months > 36
                found += 1
        answer = client.get(f"/applicant/applications/{app_id}/changes", headers=headers).json()
        assert len(answer["changes"]) == found and answer["elapsed_ms"] >= 0
        assert answer["message"] is None if found else answer["message"]
    finally:
        scorer.threshold = before
    assert found >= 1


def current_amount(row: dict[str, Any]) -> float:
    return float(row["AMT_CREDIT"])


def test_the_comparison_shows_percentiles_and_refuses_small_groups(
    client: TestClient, two: dict[str, Any], bank: Bank, scorer
) -> None:  # type: ignore[no-untyped-def]
    url = f"/applicant/applications/{two['mine']}/comparison?lang=en"
    body = client.get(url, headers=two["headers"]).json()
    assert body["group"]["size"] >= 0 and "aged 30-39" in body["group"]["label"]
    if not body["too_small"]:
        assert body["group"]["size"] >= 20
        for figure in body["figures"]:
            assert figure["p10"] <= figure["p25"] <= figure["p50"] <= figure["p75"] <= figure["p90"]
            assert set(figure) == {
                "item",
                "label",
                "value",
                "p10",
                "p25",
                "p50",
                "p75",
                "p90",
                "percentile",
            }
    settings = make_settings(bank.settings.home, applicant_min_group_size=100_000)
    with served(settings, scorer) as strict:
        small = strict.get(url, headers=two["headers"]).json()
    assert small["too_small"] and small["figures"] == [] and "fewer than 100" in small["message"]


# ---- review and withdrawal ----------------------------------------------------------------


def test_a_review_goes_to_the_queue_and_the_advisors_decision_closes_it(
    client: TestClient, tokens: Headers, scorer
) -> None:  # type: ignore[no-untyped-def]
    app_id = new_application(client, tokens)
    headers = applicant_headers(client, app_id, issue(client, tokens, app_id))
    early = client.post(
        f"/applicant/applications/{app_id}/review", json=BODIES["review"], headers=headers
    )
    assert early.status_code == 409  # nothing decided yet
    refuse(client, tokens, scorer, app_id)
    asked = client.post(
        f"/applicant/applications/{app_id}/review", json=BODIES["review"], headers=headers
    )
    assert asked.status_code == 201, asked.text
    review = asked.json()
    assert review["status"] == "open" and review["attachments"] == ["payslip.pdf"]
    assert date.fromisoformat(review["due_on"]) == date.today() + timedelta(days=30)
    again = client.post(
        f"/applicant/applications/{app_id}/review", json=BODIES["review"], headers=headers
    )
    assert again.status_code == 409 and again.json()["code"] == "review.already_open"
    queue = client.get("/applications?review=requested", headers=tokens["advisor"]).json()
    item = next(i for i in queue["items"] if i["application_id"] == app_id)
    assert item["status"] == "review" and item["review_due"] == review["due_on"]
    dues = [i["review_due"] for i in queue["items"]]
    assert dues == sorted(dues)
    staff = client.get(f"/applications/{app_id}", headers=tokens["advisor"]).json()
    assert staff["review"]["comment"] == "Please look again."
    score_id = staff["score"]["score_id"]
    grant = {"score_id": score_id, "decision": "grant", "reason": "review: income proven"}
    if staff["score"]["decision"] == "grant":
        grant.pop("reason")
    decided = client.post(f"/applications/{app_id}/decision", json=grant, headers=tokens["senior"])
    assert decided.status_code == 201, decided.text
    closed = client.get(f"/applications/{app_id}", headers=tokens["advisor"]).json()
    assert closed["review"]["status"] == "closed" and closed["status"] == "decided"
    queue = client.get("/applications?review=requested", headers=tokens["advisor"]).json()
    assert app_id not in [i["application_id"] for i in queue["items"]]
    seen = client.get(f"/applicant/applications/{app_id}?lang=en", headers=headers).json()
    assert seen["decision"] == "grant" and seen["review"]["status"] == "closed"
    letter = client.get(f"/applicant/applications/{app_id}/letter?lang=en", headers=headers)
    assert "has been accepted" in pdf_words(letter.content)


def test_a_rectification_is_recorded_for_the_advisor(
    client: TestClient, tokens: Headers, two: dict[str, Any]
) -> None:
    url = f"/applicant/applications/{two['mine']}/rectifications"
    created = client.post(url, json=BODIES["rectifications"], headers=two["headers"])
    assert created.status_code == 201 and created.json()["item"] == "income_yearly"
    staff = client.get(f"/applications/{two['mine']}", headers=tokens["advisor"]).json()
    assert staff["rectifications"][-1]["comment"] == "My income is higher."


def test_withdrawal_closes_an_open_application_once(client: TestClient, tokens: Headers) -> None:
    app_id = new_application(client, tokens)
    headers = applicant_headers(client, app_id, issue(client, tokens, app_id))
    url = f"/applicant/applications/{app_id}/withdraw?lang=en"
    first = client.post(url, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "withdrawn"
    second = client.post(url, headers=headers)
    assert second.status_code == 409 and "already withdrawn" in second.json()["message"]
    staff = client.get(f"/applications/{app_id}", headers=tokens["advisor"]).json()
    assert staff["decisions"][-1]["decision"] == "withdraw"
    assert staff["decisions"][-1]["username"] == f"applicant:{app_id}"
