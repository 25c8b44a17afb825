"""The dashboard's API client against the real application routes (not the dashboard's fake).

The dashboard tests run on an in-memory fake; this module checks that the client's
methods and the fake's assumptions hold on the API itself: the 422 field errors reach
``ApiError.errors``, a repeated key replays, a stale score is a conflict, the letter is
a PDF, the known client's prefill has the form's fields.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from credit_scoring.dashboard.api_client import ApiClient, ApiError
from credit_scoring.dashboard.views.application import APPLICANT_FIELDS
from credit_scoring.lending.application_schemas import ApplicationDecisionIn
from credit_scoring.lending.form import ApplicationForm

from .conftest import PASSWORD, Bank, bank_fixture, fake_for, served

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "new-application.json"


bank = bank_fixture("dashboard-contract")


@pytest.fixture(scope="module")
def api(bank: Bank) -> Iterator[ApiClient]:
    with served(bank.settings, fake_for(bank.features)) as test_client:
        yield ApiClient("http://testserver", transport=test_client._transport)


def form(**loan: object) -> ApplicationForm:
    body = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    body["loan"] |= loan
    return ApplicationForm.model_validate(body)


def test_the_dashboard_client_on_the_application_routes(api: ApiClient, bank: Bank) -> None:
    advisor = api.login("advisor", PASSWORD).access_token
    senior = api.login("senior", PASSWORD).access_token
    key = str(uuid.uuid4())
    created = api.create_application(advisor, form(), idempotency_key=key, lang="en")
    again = api.create_application(advisor, form(), idempotency_key=key, lang="en")
    assert again.application_id == created.application_id and again.score_id == created.score_id
    assert created.lang == "en" and created.status in ("scored", "referred")

    # every wrong field at once, as ApiError.errors, in the request's language
    with pytest.raises(ApiError) as err:
        api.create_application(
            advisor,
            form(term_months=None, monthly_annuity=50_000.0),
            idempotency_key=str(uuid.uuid4()),
            lang="fr",
        )
    assert err.value.kind == "invalid" and err.value.errors
    assert all(e.field.startswith(("applicant.", "loan.")) for e in err.value.errors)
    assert any(e.field == "loan.monthly_annuity" for e in err.value.errors)

    out = api.application(advisor, created.application_id, lang="fr")
    assert out.score is not None and out.score.score_id == created.score_id
    page = api.applications(senior, entered_by="advisor")
    assert created.application_id in [i.application_id for i in page.items]
    assert api.application_letter(advisor, created.application_id, lang="en").startswith(b"%PDF")
    assert [a.application_id for a in api.client_applications(advisor, out.sk_id_curr)] == [
        created.application_id
    ]
    assert api.policy(advisor).rules

    # a decision names the score shown; a stale one is a conflict, as the page says
    assert out.status == "scored"  # the example asks for a small loan: no rule refers it
    decision = "refuse" if out.score.decision == "grant" else "grant"
    if decision == "grant" and any(r.outcome == "refuse" for r in out.score.policy):
        decision = "refer"
    body = ApplicationDecisionIn(score_id=out.score.score_id, decision=decision)
    with pytest.raises(ApiError) as err:  # an override without a reason
        api.decide_application(advisor, created.application_id, body)
    assert err.value.kind == "invalid"
    update: dict = {"reason": "Garant solide"}
    if decision == "refuse":  # refusing what the model grants names the refusal's category
        update["reason_category"] = "other"
    body = body.model_copy(update=update)
    recorded = api.decide_application(advisor, created.application_id, body)
    assert recorded.override and recorded.score_id == out.score.score_id
    with pytest.raises(ApiError) as err:
        api.decide_application(advisor, created.application_id, body)
    assert err.value.kind == "conflict"

    # scored again: a new stored score becomes the latest; a decided application is not
    with pytest.raises(ApiError) as err:
        api.rescore_application(advisor, created.application_id)
    assert err.value.kind == "conflict"
    other = api.create_application(advisor, form(), idempotency_key=str(uuid.uuid4()))
    rescored = api.rescore_application(advisor, other.application_id, lang="en")
    assert rescored.score_id > other.score_id and rescored.lang == "en"
    latest = api.application(advisor, other.application_id).score
    assert latest is not None and latest.score_id == rescored.score_id

    # the known client's prefill has exactly the form's applicant fields
    known = int(bank.features["SK_ID_CURR"].iloc[0])
    prefill = api.client_applicant(advisor, known)
    assert set(prefill["applicant"]) == set(APPLICANT_FIELDS)


def test_the_dashboard_client_on_the_review_pack_route(api: ApiClient, bank: Bank) -> None:
    from review_pack_sample import report

    from credit_scoring.training.review_pack import write_training_pack

    analyst = api.login("analyst", PASSWORD).access_token
    with pytest.raises(ApiError) as err:  # nothing trained in this bank's reports yet
        api.review_pack(analyst, lang="en")
    assert err.value.status == 404
    reports = bank.settings.reports_dir
    write_training_pack(report(), reports / "model", reports, model_name="credit-default")
    assert api.review_pack(analyst, lang="fr").startswith(b"%PDF")
