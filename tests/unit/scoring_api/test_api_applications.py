"""Applications end to end through the API: intake, stored score, policy, decision, letter."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from credit_scoring.core.reason_codes import CATALOGUE
from credit_scoring.db import models as m
from credit_scoring.db.session import session_scope
from credit_scoring.lending.form.refusal import CATEGORIES
from credit_scoring.lending.policy import Policy

from .conftest import Bank, TestClient, bank_fixture, served_fixtures

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "new-application.json"
Headers = dict[str, dict[str, str]]


def example() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text())


def post(client: TestClient, body: dict[str, Any], headers: dict[str, str], **extra: Any):  # type: ignore[no-untyped-def]
    key = extra.pop("key", None) or uuid.uuid4().hex
    return client.post(
        "/applications", json=body, headers={**headers, "Idempotency-Key": key}, **extra
    )


def years_ago(years: int, days: int = 0) -> str:
    today = date.today()
    return (today.replace(year=today.year - years) - timedelta(days=days)).isoformat()


# Applications create clients: this module has its own bank, so the counts the other
# modules check on the shared one stay as loaded.
bank = bank_fixture("applications")
scorer, client, tokens, known_ids = served_fixtures()


@pytest.fixture
def created(client: TestClient, tokens: Headers) -> dict[str, Any]:
    response = post(client, example(), tokens["advisor"])
    assert response.status_code == 201, response.text
    return response.json()


def test_the_example_is_scored_with_the_names_other_systems_rely_on(
    created: dict[str, Any],
) -> None:
    for name in ("application_id", "score_id", "probability", "decision", "threshold"):
        assert name in created
    assert created["decision"] in ("grant", "refuse", "refer")
    assert created["model_version"] and 0.0 <= created["probability"] <= 1.0
    assert created["new_client"] is True and created["status"] in ("scored", "referred")
    for reason in created["reasons_against"] + created["reasons_for"]:
        assert set(reason) >= {"code", "text"}
    assert len(created["reasons_against"]) <= 4 and len(created["reasons_for"]) <= 4
    for rule in created["policy"]:
        assert set(rule) >= {"code", "text"}


def test_get_returns_the_stored_score_never_a_recomputed_one(
    client: TestClient, tokens: Headers, created: dict[str, Any], scorer
) -> None:
    calls = scorer.calls
    got = client.get(f"/applications/{created['application_id']}", headers=tokens["advisor"])
    assert got.status_code == 200
    body = got.json()
    assert scorer.calls == calls  # no model call to answer a read
    score = body["score"]
    for name in ("score_id", "probability", "decision", "threshold", "model_version", "policy"):
        assert score[name] == created[name]
    assert score["reasons_against"] == created["reasons_against"]
    declared = body["declared"]  # as entered, in the bank's terms
    assert declared["loan"]["amount"] == example()["loan"]["amount"]
    assert declared["applicant"]["birth_date"] == example()["applicant"]["birth_date"]
    assert body["status"] == created["status"] and body["scores"] == 1 and body["decisions"] == []


def test_a_new_applicant_becomes_a_client_with_the_features_scored(
    client: TestClient, tokens: Headers, created: dict[str, Any], bank: Bank
) -> None:
    sk_id = created["sk_id_curr"]
    assert sk_id >= m.NEW_CLIENT_BASE
    assert client.get(f"/clients/{sk_id}", headers=tokens["advisor"]).status_code == 200
    listed = client.get(f"/clients/{sk_id}/applications", headers=tokens["advisor"]).json()
    assert [a["application_id"] for a in listed] == [created["application_id"]]
    with session_scope(bank.settings) as session:
        vector = session.execute(
            select(m.FeatureVector).where(m.FeatureVector.sk_id_curr == sk_id)
        ).scalar_one()
        score = session.get(m.Score, created["score_id"])
        assert score is not None and score.features_sha == vector.vector_sha
        row = session.get(m.Application, created["application_id"])
        assert row is not None and row.application_row["SK_ID_CURR"] == sk_id
        # the model's row speaks Kaggle; the declared one the bank's language
        assert row.application_row["DAYS_BIRTH"] < 0
        assert "DAYS_BIRTH" not in json.dumps(row.declared)


def test_a_repeated_key_returns_the_first_result_and_creates_nothing(
    client: TestClient, tokens: Headers, bank: Bank
) -> None:
    key = uuid.uuid4().hex
    first = post(client, example(), tokens["advisor"], key=key)
    with session_scope(bank.settings) as session:
        count = session.execute(select(text("count(*)")).select_from(m.Application)).scalar()
    again = post(client, example(), tokens["advisor"], key=key)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["application_id"] == first.json()["application_id"]
    assert again.json()["score_id"] == first.json()["score_id"]
    with session_scope(bank.settings) as session:
        assert (
            session.execute(select(text("count(*)")).select_from(m.Application)).scalar() == count
        )
    other = example()
    other["loan"]["amount"] = other["loan"]["amount"] + 1000
    reused = post(client, other, tokens["advisor"], key=key)
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_key_reused"
    assert "clé" in reused.json()["message"]


def test_every_wrong_field_is_named_at_once_in_the_requests_language(
    client: TestClient, tokens: Headers
) -> None:
    body = example()
    body["applicant"]["education"] = "kindergarten"
    body["applicant"]["income_yearly"] = -5
    del body["loan"]["amount"]
    french = post(client, body, tokens["advisor"])
    assert french.status_code == 422
    fields = {e["field"] for e in french.json()["errors"]}
    assert {"applicant.education", "applicant.income_yearly", "loan.amount"} <= fields
    english = post(client, body, tokens["advisor"], params={"lang": "en"})
    header = post(client, body, {**tokens["advisor"], "Accept-Language": "en-GB,en;q=0.8"})
    assert english.json()["errors"] == header.json()["errors"]
    assert english.json()["errors"] != french.json()["errors"]
    education = next(e for e in english.json()["errors"] if e["field"] == "applicant.education")
    assert "higher" in education["message"]  # says what is allowed


def test_impossible_combinations_have_their_own_messages(
    client: TestClient, tokens: Headers
) -> None:
    body = example()
    body["loan"]["monthly_annuity"] = body["applicant"]["income_yearly"]  # a year's income a month
    body["loan"].pop("term_months", None)
    body["applicant"]["employed_since"] = years_ago(2)
    body["applicant"]["not_employed"] = False
    body["applicant"]["birth_date"] = years_ago(17)
    response = post(client, body, tokens["advisor"], params={"lang": "en"})
    assert response.status_code == 422
    codes = {e["code"] for e in response.json()["errors"]}
    assert len(codes) >= 2, response.json()


def test_a_known_client_gets_their_history_from_the_database(
    client: TestClient, tokens: Headers, known_ids: list[int]
) -> None:
    sk_id = known_ids[0]
    prefill = client.get(f"/clients/{sk_id}/applicant", headers=tokens["advisor"])
    assert prefill.status_code == 200 and prefill.json()["client_id"] == sk_id
    body = {"client_id": sk_id, "loan": example()["loan"]}
    response = post(client, body, tokens["advisor"])
    assert response.status_code == 201, response.text
    assert response.json()["sk_id_curr"] == sk_id
    unknown = post(client, {"client_id": 999_999_999, "loan": example()["loan"]}, tokens["advisor"])
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "client_id"


def _older_applicant() -> dict[str, Any]:
    body = example()
    body["applicant"]["birth_date"] = years_ago(68)  # over 70 at the end of a long loan
    body["loan"]["term_months"] = 60
    body["loan"].pop("monthly_annuity", None)
    return body


def test_a_refusing_rule_wins_and_only_a_senior_may_grant(
    client: TestClient, tokens: Headers
) -> None:
    created = post(client, _older_applicant(), tokens["advisor"]).json()
    assert created["decision"] == "refuse"
    assert created["policy"][0]["outcome"] == "refuse"
    url = f"/applications/{created['application_id']}/decision"
    grant = {"score_id": created["score_id"], "decision": "grant", "reason": "known for years"}
    refused = client.post(url, json=grant, headers=tokens["advisor"])
    assert refused.status_code == 403 and "senior" in refused.json()["detail"]
    granted = client.post(url, json=grant, headers=tokens["senior"])
    assert granted.status_code == 201, granted.text
    assert granted.json()["override"] is True


def test_the_rules_that_fired_are_read_in_the_readers_language(
    client: TestClient, tokens: Headers
) -> None:
    """Entered in French, read in English: the rule's text follows the reader; the reasons
    stay the ones shown when it was scored (the decision is bound to them)."""
    created = post(client, _older_applicant(), tokens["advisor"]).json()
    assert created["lang"] == "fr"
    url = f"/applications/{created['application_id']}"
    french = client.get(url, params={"lang": "fr"}, headers=tokens["advisor"]).json()["score"]
    english = client.get(url, params={"lang": "en"}, headers=tokens["advisor"]).json()["score"]
    assert french["policy"][0]["code"] == english["policy"][0]["code"]
    assert french["policy"][0]["text"] == created["policy"][0]["text"]
    assert english["policy"][0]["text"] != french["policy"][0]["text"]
    assert english["policy"][0]["text"].isascii()  # the English catalogue's text
    assert english["reasons_against"] == french["reasons_against"]
    assert english["lang"] == "fr"  # the reasons' language


def test_a_decision_is_bound_to_the_latest_score_and_made_once(
    client: TestClient, tokens: Headers, created: dict[str, Any]
) -> None:
    app_id, first_score = created["application_id"], created["score_id"]
    headers = tokens["advisor"]
    if created["status"] == "referred":
        headers = tokens["senior"]
    again = client.post(f"/applications/{app_id}/score", headers=headers)
    assert again.status_code == 201 and again.json()["score_id"] > first_score
    url = f"/applications/{app_id}/decision"
    other = "refuse" if again.json()["decision"] == "grant" else "grant"
    stale = client.post(
        url, json={"score_id": first_score, "decision": other, "reason": "x"}, headers=headers
    )
    assert stale.status_code == 409 and stale.json()["code"] == "not_latest_score"
    assert stale.json()["field"] == "score_id" and "rechargez" in stale.json()["message"]
    no_reason = client.post(
        url, json={"score_id": again.json()["score_id"], "decision": other}, headers=headers
    )
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
    assert no_reason.json()["field"] == "reason" and "raison" in no_reason.json()["message"]
    body = {"score_id": again.json()["score_id"], "decision": other, "reason": "payslips seen"}
    if other == "refuse":  # a refusal of what the model grants names its category
        body["reason_category"] = "income_not_proven"
    decided = client.post(url, json=body, headers=headers)
    assert decided.status_code == 201, decided.text
    assert decided.json()["score_id"] == again.json()["score_id"] and decided.json()["override"]
    twice = client.post(url, json=body, headers=headers)
    assert twice.status_code == 409 and twice.json()["code"] == "application_closed"
    shown = client.get(f"/applications/{app_id}", headers=headers).json()
    assert shown["status"] == "decided" and shown["scores"] == 2
    assert [d["score_id"] for d in shown["decisions"]] == [again.json()["score_id"]]


def test_a_referral_goes_to_the_seniors(client: TestClient, tokens: Headers) -> None:
    created = post(client, example(), tokens["advisor"]).json()
    url = f"/applications/{created['application_id']}/decision"
    refer = {"score_id": created["score_id"], "decision": "refer"}
    assert client.post(url, json=refer, headers=tokens["advisor"]).status_code == 422
    if created["status"] == "scored":
        sent = client.post(url, json=refer | {"reason": "large"}, headers=tokens["advisor"])
        assert sent.status_code == 201
    queue = client.get("/applications", params={"status": "referred"}, headers=tokens["senior"])
    assert created["application_id"] in [a["application_id"] for a in queue.json()["items"]]
    final = {"score_id": created["score_id"], "decision": "refuse", "reason": "income too low"}
    final["reason_category"] = "income_not_proven"  # the senior refuses what the model grants
    assert client.post(url, json=final, headers=tokens["advisor"]).status_code == 403
    assert client.post(url, json=final, headers=tokens["senior"]).status_code == 201


def test_advisors_list_their_own_applications(
    client: TestClient, tokens: Headers, created: dict[str, Any]
) -> None:
    mine = client.get("/applications", headers=tokens["advisor"]).json()
    assert mine["total"] >= 1 and {a["entered_by"] for a in mine["items"]} == {"advisor"}
    post(client, example(), tokens["senior"])
    everyone = client.get("/applications", params={"page_size": 500}, headers=tokens["admin"])
    assert {"advisor", "senior"} <= {a["entered_by"] for a in everyone.json()["items"]}
    today = date.today().isoformat()
    dated = client.get(
        "/applications", params={"since": today, "until": today}, headers=tokens["advisor"]
    )
    assert dated.json()["total"] == mine["total"]
    later = client.get("/applications", params={"since": "2999-01-01"}, headers=tokens["advisor"])
    assert later.json()["total"] == 0


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_letter_is_a_pdf_in_plain_words(client: TestClient, tokens: Headers, lang: str) -> None:
    created = post(client, _older_applicant(), tokens["advisor"]).json()
    app_id = created["application_id"]
    url = f"/applications/{app_id}/decision"
    body = {"score_id": created["score_id"], "decision": "refuse"}
    assert client.post(url, json=body, headers=tokens["advisor"]).status_code == 201
    letter = client.get(
        f"/applications/{app_id}/letter", params={"lang": lang}, headers=tokens["advisor"]
    )
    assert letter.status_code == 200 and letter.headers["content-type"] == "application/pdf"
    words = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.content)).pages)
    assert "22" in words and str(app_id) in words  # the right to contest, the reference
    assert created["model_version"] in words
    for banned in ("non renseigné", "SHAP", "log-odds", "probabilit"):
        assert banned not in words
    # the refusing rule is said in the applicant's words, first
    rule = next(r for r in Policy.load().rules if r["code"] == created["policy"][0]["code"])
    assert rule[f"applicant_{lang}"].split()[0] in words


def test_the_policy_in_force_is_shown(client: TestClient, tokens: Headers) -> None:
    body = client.get("/policy", headers=tokens["analyst"]).json()
    assert body["version"] and {r["outcome"] for r in body["rules"]} == {"refuse", "refer"}
    assert all(r["text_fr"] and r["text_en"] and r["when"] for r in body["rules"])


def test_scores_are_append_only_in_the_database(created: dict[str, Any], bank: Bank) -> None:
    with bank.engine.connect() as conn:
        with pytest.raises(DatabaseError):
            conn.execute(
                text("UPDATE scores SET probability = 0 WHERE id = :i"), {"i": created["score_id"]}
            )
        conn.rollback()
        with pytest.raises(DatabaseError):
            conn.execute(text("DELETE FROM scores WHERE id = :i"), {"i": created["score_id"]})


def test_an_unknown_application_is_404(client: TestClient, tokens: Headers) -> None:
    response = client.get("/applications/99999", headers=tokens["advisor"])
    assert response.status_code == 404 and "99999" in response.json()["detail"]


def _letter_words(client: TestClient, app_id: int, headers: dict[str, str], lang: str) -> str:
    letter = client.get(f"/applications/{app_id}/letter", params={"lang": lang}, headers=headers)
    assert letter.status_code == 200, letter.text
    pages = PdfReader(io.BytesIO(letter.content)).pages
    return " ".join(" ".join(p.extract_text() for p in pages).split())


@pytest.fixture
def model_grants(scorer):  # type: ignore[no-untyped-def]
    """The champion grants every application while the test runs."""
    before = scorer.threshold
    scorer.threshold = 0.999999
    yield scorer
    scorer.threshold = before


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_advisors_refusal_of_a_model_grant_gives_its_category_not_the_models_factors(
    client: TestClient, tokens: Headers, model_grants, lang: str
) -> None:
    created = post(client, example(), tokens["senior"]).json()
    assert created["model_decision"] == "grant" and created["decision"] in ("grant", "refer")
    assert not [p for p in created["policy"] if p["outcome"] == "refuse"]
    app_id, url = created["application_id"], f"/applications/{created['application_id']}/decision"
    refuse = {"score_id": created["score_id"], "decision": "refuse", "reason": "no payslips"}
    missing = client.post(url, json=refuse, headers=tokens["senior"])
    assert missing.status_code == 422 and missing.json()["code"] == "category_required"
    assert missing.json()["field"] == "reason_category"
    assert (
        "documents"
        in client.post(  # the picker's words are in the message
            url, json=refuse, headers={**tokens["senior"], "Accept-Language": "en"}
        ).json()["message"]
    )
    grant = {"score_id": created["score_id"], "decision": "grant"}
    wrong = client.post(url, json=grant | {"reason_category": "other"}, headers=tokens["senior"])
    assert wrong.status_code == 422 and wrong.json()["code"] == "category_refusal_only"
    bad = client.post(url, json=refuse | {"reason_category": "bad"}, headers=tokens["senior"])
    assert bad.status_code == 422
    decided = client.post(
        url, json=refuse | {"reason_category": "documents_missing"}, headers=tokens["senior"]
    )
    assert decided.status_code == 201, decided.text
    assert decided.json()["reason_category"] == "documents_missing"
    shown = client.get(f"/applications/{app_id}", headers=tokens["senior"]).json()
    assert [d["reason_category"] for d in shown["decisions"]] == ["documents_missing"]

    words = _letter_words(client, app_id, tokens["senior"], lang)
    category = CATEGORIES["documents_missing"]
    assert " ".join(category.applicant(lang).split()) in words
    for reason in created["reasons_against"]:  # no model factor given as a reason
        if reason["code"] in CATALOGUE:
            assert CATALOGUE[reason["code"]].label(lang) not in words
    offer = "pourrait vous être accordé" if lang == "fr" else "could be granted"
    assert offer not in words  # the model granted the loan asked: nothing to offer
    assert ("sur 36 mois" if lang == "fr" else "over 36 months") in words  # the loan asked


def test_a_refusal_for_a_suspicion_of_fraud_says_nothing_of_it(
    client: TestClient, tokens: Headers, model_grants
) -> None:
    created = post(client, example(), tokens["senior"]).json()
    url = f"/applications/{created['application_id']}/decision"
    body = {"score_id": created["score_id"], "decision": "refuse", "reason": "forged payslip"}
    body["reason_category"] = "fraud_suspicion"
    assert client.post(url, json=body, headers=tokens["senior"]).status_code == 201
    for lang in ("fr", "en"):
        words = _letter_words(client, created["application_id"], tokens["senior"], lang)
        assert CATEGORIES["fraud_suspicion"].applicant(lang) in words
        assert not any(w in words.lower() for w in ("fraud", "fraude", "forged", "suspic"))


def test_a_grant_gives_no_reason_for_a_refusal_and_no_offer(
    client: TestClient, tokens: Headers, model_grants
) -> None:
    created = post(client, example(), tokens["senior"]).json()
    url = f"/applications/{created['application_id']}/decision"
    body = {"score_id": created["score_id"], "decision": "grant"}
    if created["decision"] != "grant":
        body["reason"] = "referral reviewed"
    assert client.post(url, json=body, headers=tokens["senior"]).status_code == 201
    words = _letter_words(client, created["application_id"], tokens["senior"], "en")
    assert "has been accepted" in words
    assert "reasons for this decision" not in words or "Points to note" not in words
    assert "Points to note" not in words and "could be granted" not in words
    for reason in created["reasons_for"]:  # in favour: only facts the form states
        if reason["value"] is None and reason["code"] in CATALOGUE:
            assert CATALOGUE[reason["code"]].label("en") not in words


def test_the_what_if_and_the_letter_offer_the_same_loan(
    client: TestClient, tokens: Headers, known_ids: list[int], scorer, bank: Bank
) -> None:
    headers = tokens["senior"]
    loan = {"contract_type": "cash", "amount": 30_000, "goods_price": 30_000, "term_months": 36}
    change = {"amount_credit": 30_000, "amount_goods_price": 30_000, "term_months": 36}
    before = scorer.threshold
    compared = 0
    try:
        for sk_id in known_ids:
            with session_scope(bank.settings) as session:
                stored = session.get(m.Client, sk_id)
                assert stored is not None
                kind = json.loads(stored.application_json).get("NAME_CONTRACT_TYPE")
            if kind != "Cash loans":  # the what-if keeps the stored contract type
                continue
            scorer.threshold = before
            created = post(client, {"client_id": sk_id, "loan": loan}, headers).json()
            # the model refuses this loan now: just below its probability
            scorer.threshold = created["probability"] - 1e-9
            app_id = created["application_id"]
            score = client.post(f"/applications/{app_id}/score", headers=headers).json()
            assert score["model_decision"] == "refuse"
            what_if = client.post(f"/clients/{sk_id}/what_if", json=change, headers=headers)
            assert what_if.status_code == 200, what_if.text
            scenario = what_if.json()
            assert scenario["scenario"]["probability"] == pytest.approx(score["probability"])
            assert scenario["decision"] == score["decision"]
            assert [r["code"] for r in scenario["policy"]] == [r["code"] for r in score["policy"]]
            refuse = {"score_id": score["score_id"], "decision": "refuse", "reason": "model"}
            url = f"/applications/{app_id}/decision"
            assert client.post(url, json=refuse, headers=headers).status_code == 201
            words = _letter_words(client, app_id, headers, "fr")
            if scenario["offers"]:
                offer = scenario["offers"][0]
                assert " ".join(offer["text"].split()) in words
                assert (offer["amount_credit"], offer["term_months"]) != (30_000, 36)
                assert offer["probability"] < scorer.threshold
                compared += 1
            else:
                assert "pourrait vous être accordé" not in words
            if compared >= 2:
                break
    finally:
        scorer.threshold = before
    assert compared >= 1


def test_the_loans_reason_quotes_the_term_entered_never_an_estimate() -> None:
    from credit_scoring.lending.applications import loan_as_given

    estimated = {
        "code": "R11",
        "direction": "against",
        "text": "Nombre estimé de mensualités du prêt : 54",
        "value": 54.0,
    }
    other = {"code": "R09", "direction": "for", "text": "Revenu : 2 500 €", "value": 2500.0}
    row = {"AMT_CREDIT": 15_000.0, "AMT_ANNUITY": 456.57}
    fr = loan_as_given([estimated, other], row, 36, "fr")
    assert " ".join(fr[0]["text"].split()) == (
        "Crédit demandé : 15 000 € sur 36 mois (mensualité de 456,57 €)"
    )
    assert fr[0]["value"] == 36 and fr[1] == other
    en = loan_as_given([estimated], row, 36, "en")
    assert en[0]["text"] == "Credit asked: €15,000 over 36 months (monthly payment €456.57)"
    assert loan_as_given([estimated], row, None, "fr") == [estimated]  # a Kaggle client


def test_a_stored_application_score_quotes_its_term_as_entered(
    client: TestClient, tokens: Headers, scorer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from credit_scoring.core.results import Reason

    score = type(scorer).score

    def with_estimate(self, features, *, lang="fr", top=4):  # type: ignore[no-untyped-def]
        results = score(self, features, lang=lang, top=top)
        estimate = Reason(
            group="PAYMENT_RATE",
            direction="against",
            contribution=0.9,
            text="Nombre estimé de mensualités du prêt : 54",
            features=("LOAN_TERM_EST",),
            value=54.0,
            code="R11",
        )
        return [replace(r, reasons_against=[estimate, *r.reasons_against]) for r in results]

    monkeypatch.setattr(type(scorer), "score", with_estimate)
    created = post(client, example(), tokens["advisor"]).json()
    (loan,) = [r for r in created["reasons_against"] if r["code"] == "R11"]
    assert "36 mois" in loan["text"] and "54" not in loan["text"], loan
    assert "15" in loan["text"] and loan["value"] == 36
