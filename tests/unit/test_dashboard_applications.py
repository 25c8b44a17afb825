"""Application pages driven by Streamlit's AppTest against the in-memory API.

New application (the bank form, field errors beside their fields, the scored
application, its decision and letter), the Applications queue, the client file's
applications, and the API client's application methods.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from dashboard_fake import USERS, FakeApi
from dashboard_fake_applications import PDF
from dashboard_session import dashboard, log_in, logged_in, render_view, texts
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Error

from credit_scoring.dashboard import state
from credit_scoring.dashboard.api_client import ApiError
from credit_scoring.dashboard.i18n import catalog
from credit_scoring.dashboard.views.new_application import widget_key
from credit_scoring.lending.application_schemas import ApplicationDecisionIn
from credit_scoring.lending.form import Applicant, ApplicationForm, Loan

APPLICANT = {
    "birth_date": "1985-04-12",
    "sex": "female",
    "family_status": "married",
    "children": 1,
    "education": "higher",
    "income_type": "working",
    "income_yearly": 42_000.0,
    "employed_since": "2019-09-01",
    "not_employed": False,
    "occupation": "core_staff",
    "employer_type": None,
    "housing": "house_apartment",
    "owns_car": False,
    "owns_property": True,
    "region_rating": 2,
    "ext_source_1": None,
    "ext_source_2": 0.62,
    "ext_source_3": None,
}


def view(
    name: str, fake: FakeApi, *, user: str = "alice", lang: str = "fr", client_id: int | None = None
) -> AppTest:
    """One page body with a logged-in session (the user's role from the fake) and the fake API."""
    role = USERS[user][1]
    return logged_in(fake, render_view, name, user=user, role=role, lang=lang, client_id=client_id)


def fill(at: AppTest, applicant: dict, loan: dict) -> None:
    """Type a form into the New application page's widgets (no run)."""
    for field, value in {**applicant, **loan}.items():
        if field in ("birth_date", "employed_since") and isinstance(value, str):
            value = date.fromisoformat(value)
        at.session_state[widget_key(field)] = value


def submit(at: AppTest) -> AppTest:
    labels = ("Enregistrer et scorer la demande", "Save and score the application")
    return next(b for b in at.button if b.label in labels).click().run()


def _flat(node: Block) -> list:
    out: list = []
    for child in node.children.values():
        out += _flat(child) if isinstance(child, Block) else [child]
    return out


def errors_beside(at: AppTest, label: str) -> list[str]:
    """The error messages written right under the widget ``label`` (its field's messages)."""
    nodes = _flat(at.main)
    start = next(i for i, n in enumerate(nodes) if getattr(n, "label", None) == label)
    found = []
    for node in nodes[start + 1 :]:
        if not isinstance(node, Error):
            break
        found.append(node.value)
    return found


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def decide(
    at: AppTest, decision: str, reason: str = "", app_id: int = 1, category: str | None = None
) -> AppTest:
    at.radio(key=f"app_decision_value_{app_id}").set_value(decision)
    at.selectbox(key=f"app_decision_category_{app_id}").set_value(category)
    at.text_area(key=f"app_decision_reason_{app_id}").input(reason)
    labels = ("Enregistrer la décision", "Record the decision")
    return next(b for b in at.button if b.label in labels).click().run()


def enter(fake: FakeApi, user: str = "alice", **loan: object) -> int:
    """An application entered through the API client (not the page), for the queue tests."""
    api = fake.api_client()
    body = {"contract_type": "cash", "amount": 150_000.0, "term_months": 60, **loan}
    form = ApplicationForm.model_validate({"applicant": APPLICANT, "loan": body})
    created = api.create_application(f"tok-{user}", form, idempotency_key=str(uuid.uuid4()))
    return created.application_id


LOAN = {"contract_type": "cash", "amount": 150_000.0, "term_months": 60}
# Above eight years of income: the DEBT_RATIO rule refuses it (payment still under income).
REFUSED_LOAN = {"contract_type": "cash", "amount": 500_000.0, "term_months": 240}
RICH = {**APPLICANT, "income_yearly": 60_000.0}


def test_roles_that_enter_applications() -> None:
    for role in ("advisor", "senior", "admin"):
        assert {"new_application", "applications"} <= set(state.ROLE_PAGES[role])
    assert not {"new_application", "applications"} & set(state.ROLE_PAGES["analyst"])
    assert {"senior", "admin"} == set(state.SENIORS)


def test_senior_logs_in_and_sees_the_application_pages(fake: FakeApi) -> None:
    at = dashboard(fake)
    at.run()
    log_in(at, "sam", "secret-s")
    assert not at.exception
    assert at.session_state[state.ROLE] == "senior"
    assert set(at.session_state[state.PAGES]) == set(state.ROLE_PAGES["senior"])
    assert "Connecté : sam (conseiller senior)" in texts(at)


def test_every_field_of_the_bank_form_has_a_labelled_widget(fake: FakeApi) -> None:
    at = view("new_application", fake, lang="en")
    keys = {
        w.key
        for kind in ("selectbox", "number_input", "checkbox", "radio", "date_input")
        for w in getattr(at, kind)
    }
    fields = {*Applicant.model_fields, *Loan.model_fields}
    assert {widget_key(f) for f in fields} <= keys
    assert all(catalog("en").get(f"form.{f}") for f in fields)


def test_form_submits_and_shows_the_decision_and_reasons(fake: FakeApi) -> None:
    at = view("new_application", fake)
    assert at.title[0].value == "Nouvelle demande de crédit"
    labels = {w.label for w in at.selectbox}
    assert {"Situation familiale", "Niveau d'études", "Logement", "Type de contrat"} <= labels
    family = at.selectbox(key=widget_key("family_status"))
    assert family.value is None and "Union civile (PACS)" in family.options  # French labels
    fill(at, APPLICANT, LOAN)
    at = submit(at)
    assert not at.exception
    body = texts(at)
    assert "Demande n° 1 enregistrée et scorée." in body
    # not yet decided: the proposal (model and rules) waits for the advisor, in its box
    assert "Décision proposée : Accordé — en attente de la décision d'un conseiller" in body
    assert "Proposition du modèle : accorder" in body
    assert "`CREDIT_TO_INCOME` Montant demandé élevé par rapport au revenu" in body
    assert "`EXT_SOURCE_GOOD` Bon score externe" in body
    assert "Aucune règle de la politique ne s'applique." in body
    assert "Mensualité calculée : 3187.06 €" in body  # the API computed the missing figure
    gauge = at.get("plotly_chart")[0].proto.spec
    assert "Classe C" in gauge and "585 points" in gauge
    # what was sent: the bank form, a fresh uuid4 as the idempotency key
    routes = fake.applications
    stored = routes.items[1]
    assert stored.form["applicant"]["birth_date"] == "1985-04-12"
    assert stored.form["client_id"] is None and stored.entered_by == "alice"
    assert uuid.UUID(routes.keys[0]).version == 4
    # the decision block offers the score's own proposal and the letter's download
    assert at.radio(key="app_decision_value_1").value == "grant"
    assert len(at.get("download_button")) == 1
    assert routes.letters == [(1, "fr")]
    at.radio(key="app_letter_lang_1").set_value("en").run()
    assert routes.letters[-1] == (1, "en") and len(at.get("download_button")) == 1


def test_every_wrong_field_shows_its_message_beside_it(fake: FakeApi) -> None:
    at = view("new_application", fake)
    incomplete = {k: v for k, v in APPLICANT.items() if k not in ("sex", "income_yearly")}
    fill(at, incomplete, {"contract_type": "cash", "amount": 150_000.0})
    at = submit(at)
    assert not at.exception and not fake.applications.items  # checked before sending
    assert errors_beside(at, "Revenu annuel") == ["Revenu annuel\u00a0: obligatoire"]
    assert errors_beside(at, "Sexe") == ["Sexe\u00a0: obligatoire"]
    assert errors_beside(at, "Durée (mois)")  # neither term nor payment: said under the term
    assert "3 champ(s) à corriger" in at.error[0].value
    assert errors_beside(at, "Logement") == []
    # the lender's rules are the API's: a payment above the monthly income (422)
    fill(at, APPLICANT, {"monthly_annuity": 5_000.0, "term_months": None})
    at = submit(at)
    assert not fake.applications.items
    assert errors_beside(at, "Mensualité") == [
        "Mensualité : 5000.00 € dépasse le revenu mensuel (3500.00 €)"
    ]
    assert errors_beside(at, "Revenu annuel") == []  # the earlier messages are gone
    # corrected, the next submission is a new one (new key) and is scored
    fill(at, APPLICANT, {"monthly_annuity": 2_500.0})
    at = submit(at)
    assert list(fake.applications.items) == [1]
    keys = fake.applications.keys
    assert len(keys) == 2 and keys[0] != keys[1]


def test_messages_in_english(fake: FakeApi) -> None:
    at = view("new_application", fake, lang="en")
    assert at.title[0].value == "New loan application"
    assert "Civil partnership" in at.selectbox(key=widget_key("family_status")).options
    fill(at, {**APPLICANT, "birth_date": "2015-01-01"}, LOAN)
    at = submit(at)
    assert errors_beside(at, "Date of birth") == ["Date of birth: the applicant must be 18 or over"]
    assert "1 field(s) to correct" in at.error[0].value
    fill(at, APPLICANT, LOAN)
    at = submit(at)
    body = texts(at)
    assert "Application #1 entered and scored." in body and "Proposed decision: Granted" in body
    assert "`CREDIT_TO_INCOME` Amount asked is high compared with income" in body


def test_a_lost_answer_is_retried_with_the_same_key(fake: FakeApi) -> None:
    fake.applications.lose_next_answer = True
    at = view("new_application", fake)
    fill(at, APPLICANT, LOAN)
    at = submit(at)
    assert "la même demande ne sera pas enregistrée deux fois" in texts(at)
    at = submit(at)  # the advisor submits again: the API replays the first result
    assert "Demande n° 1 enregistrée et scorée." in texts(at)
    keys = fake.applications.keys
    assert len(keys) == 2 and keys[0] == keys[1]
    assert list(fake.applications.items) == [1]


def test_override_needs_a_reason_then_shows_in_the_history(fake: FakeApi) -> None:
    at = view("new_application", fake)
    fill(at, APPLICANT, LOAN)
    at = submit(at)
    at = decide(at, "refuse")
    assert "Indiquez le motif" in errors(at)
    assert not fake.applications.items[1].decisions
    assert at.radio(key="app_decision_value_1").value == "refuse"  # the choice survives
    at = decide(at, "refuse", "Bulletins de salaire non fournis")
    assert "Choisissez la catégorie du refus" in errors(at)  # the model grants: a category
    assert not fake.applications.items[1].decisions
    picker = at.selectbox(key="app_decision_category_1")
    assert picker.options[0] == "— (pas de catégorie)"
    assert "Revenus non justifiés" in picker.options and "Suspicion de fraude" in picker.options
    at = decide(at, "grant", "x", category="documents_missing")
    assert "accompagne un refus seulement" in errors(at)
    at = decide(at, "refuse", "Revenus non justifiés", category="income_not_proven")
    decision = fake.applications.items[1].decisions[0]
    assert decision.reason_category == "income_not_proven"
    assert decision.override and decision.score_id == 1  # the score shown, sent unseen
    assert "Décision enregistrée pour la demande n° 1 : Refusé." in texts(at)
    history = at.table[0].value
    assert history["Motif"].tolist() == ["Revenus non justifiés"]
    assert history["Dérogation"].tolist() == ["oui"]
    assert "Demande close : Décidée." in texts(at) and not at.get("form")
    assert "score_id" not in texts(at)  # sent, never shown
    # the final decision, not the model's green box: who, when, the override and its reason
    final = at.error[0].value
    assert "Décision finale : Refusé — par alice le" in final
    assert "Dérogation à la proposition (Accordé) — motif : Revenus non justifiés" in final
    assert not at.success
    assert "Proposition du modèle seul pour cette demande : Accordé" in texts(
        at
    )  # beside it, labelled


def test_a_stale_score_asks_for_a_reload(fake: FakeApi) -> None:
    at = view("new_application", fake)
    fill(at, APPLICANT, LOAN)
    at = submit(at)
    fake.applications.rescore(1)  # a newer score arrives while the advisor reads
    at = decide(at, "grant")
    assert "La demande a changé depuis son affichage" in errors(at)
    assert not fake.applications.items[1].decisions
    at.button(key="app_reload_1").click().run()
    at = decide(at, "grant")
    assert fake.applications.items[1].decisions[0].score_id == 2


def test_an_open_application_is_scored_again_then_decided_on_the_new_score(
    fake: FakeApi,
) -> None:
    at = view("new_application", fake)
    fill(at, APPLICANT, LOAN)
    at = submit(at)
    at.button(key="app_rescore_1").click().run()
    assert fake.applications.items[1].score_ids == [1, 2]
    assert "Demande n° 1 scorée à nouveau : score n° 2" in texts(at)
    at = decide(at, "grant")
    assert fake.applications.items[1].decisions[0].score_id == 2  # the new score, shown
    assert "app_rescore_1" not in [b.key for b in at.button]  # decided: not scored again


def test_a_policy_refusal_goes_to_a_senior(fake: FakeApi) -> None:
    at = view("new_application", fake)
    fill(at, RICH, REFUSED_LOAN)
    at = submit(at)
    body = texts(at)
    assert "`DEBT_RATIO` refus — Crédit supérieur à huit années de revenu" in body
    assert "seul un conseiller senior peut l'accorder" in body
    at = decide(at, "grant", "Apport personnel important")
    assert "Cette décision revient à un conseiller senior" in errors(at)
    at = decide(at, "refer", "Apport personnel important")
    assert fake.applications.items[1].status == "referred"
    assert "transmise à un conseiller senior : lui seul peut la décider" in texts(at)
    assert not at.get("form")
    # the senior's queue opens on the referred applications
    at = view("applications", fake, user="sam")
    assert at.selectbox(key="apps_status").value == "referred"
    assert "1 demande(s) trouvée(s)." in texts(at)
    at.button(key="apps_open").click().run()
    at = decide(at, "grant", "Apport personnel de 40 %")
    assert fake.applications.items[1].status == "decided"
    assert fake.applications.items[1].decisions[-1].username == "sam"


def test_queue_filters(fake: FakeApi) -> None:
    first, second = enter(fake), enter(fake)
    enter(fake, user="sam")
    api = fake.api_client()
    api.decide_application(
        "tok-alice", first, ApplicationDecisionIn(score_id=1, decision="grant", reason=None)
    )
    at = view("applications", fake, lang="en")
    assert at.selectbox(key="apps_status").value == "scored"
    assert at.title[0].value == "Applications to decide"
    assert "1 application(s) found." in texts(at)  # her own, still to decide
    waiting = at.dataframe[0].value
    assert waiting["Application"].tolist() == [second]
    # to decide: the score's proposal, its grade, when it was entered; no decision yet
    assert list(waiting.columns[-3:]) == ["Risk", "Grade", "Score's proposal"]
    assert "Entered (UTC)" in waiting.columns and "Final decision" not in waiting.columns
    assert not [w for w in at.text_input if w.key == "apps_advisor"]  # her own only
    at.selectbox(key="apps_status").set_value("decided").run()
    assert at.title[0].value == "Decided applications"
    decided = at.dataframe[0].value
    assert decided["Application"].tolist() == [first]
    assert decided["Final decision"].tolist() == ["Granted"]
    assert decided["Decided by"].tolist() == ["alice"]
    assert "Score's proposal" not in decided.columns
    at.selectbox(key="apps_status").set_value(None).run()
    assert at.title[0].value == "All applications"
    assert "2 application(s) found." in texts(at)
    at.date_input(key="apps_since").set_value(date(2026, 12, 4)).run()
    assert "0 application(s) found." in texts(at)
    # a senior sees every advisor's, and may pick one advisor
    at = view("applications", fake, user="sam", lang="en")
    at.selectbox(key="apps_status").set_value(None).run()
    assert "3 application(s) found." in texts(at)
    at.text_input(key="apps_advisor").input("sam").run()
    assert at.dataframe[0].value["Advisor"].tolist() == ["sam"]
    at.button(key="apps_open").click().run()
    assert "Application #3 — Personal loan" in [h.value for h in at.subheader]


def test_known_client_fills_the_form_and_is_sent_by_id(fake: FakeApi) -> None:
    at = view("new_application", fake, client_id=100002)  # chosen in Client search
    assert at.number_input(key="na_lookup").value == 100002
    at.button(key="na_fill").click().run()
    assert "Client connu n° 100002" in at.info[0].value
    assert at.number_input(key=widget_key("income_yearly")).value == 202_500.0
    assert at.selectbox(key=widget_key("family_status")).value == "married"
    assert at.number_input(key=widget_key("income_yearly")).disabled
    fill(at, {}, LOAN)
    at = submit(at)
    stored = fake.applications.items[1]
    assert stored.form["client_id"] == 100002 and stored.form["applicant"] is None
    assert not stored.new_client
    # the client file lists the application and its score
    at = view("client_file", fake, client_id=100002)
    assert "Demandes de crédit et scores" in [h.value for h in at.subheader]
    table = next(d.value for d in at.dataframe if "Demande" in d.value.columns)
    assert table["Demande"].tolist() == [1] and table["Statut"].tolist() == ["À décider"]
    at = view("client_file", fake, client_id=100003)
    assert "Aucune demande enregistrée pour ce client." in texts(at)


def test_logout_forgets_the_applicant_typed_in(fake: FakeApi) -> None:
    at = dashboard(fake)
    at.session_state[state.TOKEN] = "tok-alice"
    at.session_state[state.ROLE] = "advisor"
    at.session_state[state.USER] = "alice"
    at.session_state[widget_key("income_yearly")] = 42_000.0
    at.session_state[state.APPLICANT_CLIENT] = 100002
    at.run()
    assert at.session_state[widget_key("income_yearly")] == 42_000.0
    at.button(key="logout").click().run()
    assert widget_key("income_yearly") not in at.session_state
    assert state.APPLICANT_CLIENT not in at.session_state


def test_analyst_enters_no_application(fake: FakeApi) -> None:
    at = view("new_application", fake, user="ana")
    assert "Votre rôle ne saisit pas de demandes." in at.info[0].value and not at.get("form")


def test_api_client_application_routes(fake: FakeApi) -> None:
    api = fake.api_client()
    form = ApplicationForm.model_validate({"applicant": APPLICANT, "loan": LOAN})
    key = str(uuid.uuid4())
    created = api.create_application("tok-alice", form, idempotency_key=key, lang="en")
    again = api.create_application("tok-alice", form, idempotency_key=key, lang="en")
    assert again.application_id == created.application_id and len(fake.applications.items) == 1
    assert created.status == "scored" and created.new_client and created.lang == "en"
    bad = form.model_copy(update={"loan": form.loan.model_copy(update={"monthly_annuity": 9e3})})
    with pytest.raises(ApiError) as err:
        api.create_application("tok-alice", bad, idempotency_key=str(uuid.uuid4()), lang="en")
    assert err.value.kind == "invalid" and err.value.status == 422
    assert [(e.field, e.code) for e in err.value.errors] == [
        ("loan.monthly_annuity", "annuity_above_income")
    ]
    assert api.application_letter("tok-alice", 1) == PDF
    assert api.application_letter("tok-alice", 1, lang="en").startswith(b"%PDF")
    out = api.application("tok-alice", 1, lang="fr")
    assert out.score is not None and out.score.score_id == 1 and out.scores == 1
    decided = api.decide_application(
        "tok-alice", 1, ApplicationDecisionIn(score_id=1, decision="grant", reason=None)
    )
    assert decided.score_decision == "grant" and not decided.override
    with pytest.raises(ApiError) as err:
        api.decide_application(
            "tok-alice", 1, ApplicationDecisionIn(score_id=1, decision="refuse", reason="x")
        )
    assert err.value.kind == "conflict"
    assert [a.application_id for a in api.client_applications("tok-alice", 200001)] == [1]
    assert api.client_applicant("tok-alice", 100002)["applicant"]["sex"] == "male"
    assert [r.code for r in api.policy("tok-ana").rules] == ["DEBT_RATIO", "YOUNG_APPLICANT"]
    page = api.applications("tok-sam", status="decided", since=date(2026, 12, 1))
    assert page.total == 1 and page.items[0].entered_by == "alice"
    assert api.applications("tok-ana").total == 1  # analysts read every application
    with pytest.raises(ApiError) as err:
        api.create_application("tok-ana", form, idempotency_key=str(uuid.uuid4()))
    assert err.value.kind == "forbidden"


def test_reasons_of_another_language_say_so(fake: FakeApi) -> None:
    """Scored in French, read in English: the stored reasons stay as shown then, and the page
    says why and how to get them in English; read in French, nothing is said."""
    enter(fake)  # the API client's default language: French
    at = view("applications", fake, lang="en")
    at.button(key="apps_open").click().run()
    said = [c.value for c in at.caption]
    assert (
        "The reasons are those given when the application was scored, in French; scoring it "
        "again gives them in English." in said
    )
    at = view("applications", fake, lang="fr")
    at.button(key="apps_open").click().run()
    assert not [c for c in at.caption if "Les raisons sont celles" in c.value]
