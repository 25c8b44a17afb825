"""Pages driven by Streamlit's AppTest against the in-memory API (no server, no browser)."""

from __future__ import annotations

import json
import uuid

import numpy as np
import pandas as pd
import pytest
from dashboard_fake import FakeApi, backtest_report, drift_report
from dashboard_session import APP, TIMEOUT, dashboard, log_in, logged_in, render_view, texts
from streamlit.testing.v1 import AppTest

from credit_scoring.dashboard import state
from credit_scoring.explain.probability import sigmoid
from credit_scoring.lending.form import ApplicationForm


def view(
    name: str,
    fake: FakeApi,
    *,
    user: str = "alice",
    lang: str = "fr",
    client_id: int | None = 100002,
) -> AppTest:
    """One page body with a logged-in session and the fake API injected."""
    role = "advisor" if user == "alice" else "analyst"
    return logged_in(fake, render_view, name, user=user, role=role, lang=lang, client_id=client_id)


# Client 100002 earns 202,500 a year: above eight years of it, the fake's DEBT_RATIO rule
# refuses (the model alone grants the client: 17 % against a 30 % threshold).
REFUSED_BY_RULE = {"contract_type": "cash", "amount": 1_700_000.0, "term_months": 600}
GRANTED = {"contract_type": "cash", "amount": 150_000.0, "term_months": 60}


def enter_for(fake: FakeApi, client_id: int, loan: dict, user: str = "alice") -> int:
    """An application for a known client, entered through the API client."""
    form = ApplicationForm.model_validate({"client_id": client_id, "loan": loan})
    created = fake.api_client().create_application(
        f"tok-{user}", form, idempotency_key=str(uuid.uuid4())
    )
    return created.application_id


def test_login_shows_the_role_pages_and_logout(fake: FakeApi) -> None:
    at = dashboard(fake)
    at.run()
    assert at.title[0].value.startswith("Prêt à dépenser")
    log_in(at, "alice", "wrong")
    assert "Identifiant ou mot de passe incorrect." in [e.value for e in at.error]
    at.text_input(key="login_password").input("secret-a")
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state[state.ROLE] == "advisor"
    assert at.title[0].value == "Recherche de clients"  # the default page after login
    assert set(at.session_state[state.PAGES]) == set(state.ROLE_PAGES["advisor"])
    assert "portfolio" not in at.session_state[state.PAGES]
    at.button(key="logout").click().run()
    assert not at.session_state[state.TOKEN] if state.TOKEN in at.session_state else True
    assert "Vous êtes déconnecté." in [w.value for w in at.warning]


def test_expired_session_returns_to_login_with_a_message(fake: FakeApi) -> None:
    at = dashboard(fake)
    at.session_state[state.LANG] = "en"
    at.session_state[state.TOKEN] = "tok-ana"
    at.session_state[state.ROLE] = "analyst"
    at.session_state[state.EXPIRES] = 1.0  # long past
    at.run()
    assert not at.exception
    assert "Your session has expired: please log in again." in [w.value for w in at.warning]
    # a token the API refuses mid-session does the same
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    fake.expired.add("tok-ana")
    at.session_state[state.API] = fake.api_client()
    at.session_state[state.TOKEN] = "tok-ana"
    at.session_state[state.ROLE] = "analyst"
    at.run()
    assert not at.exception
    assert "Votre session a expiré : reconnectez-vous." in [w.value for w in at.warning]
    assert state.TOKEN not in at.session_state


def test_analyst_sees_analysis_pages(fake: FakeApi) -> None:
    at = dashboard(fake)
    at.session_state[state.TOKEN] = "tok-ana"
    at.session_state[state.ROLE] = "analyst"
    at.run()
    assert {"portfolio", "model", "drift"} <= set(at.session_state[state.PAGES])


def test_search_filters_and_opens_a_client(fake: FakeApi) -> None:
    at = view("search", fake, client_id=None)
    assert "3 client(s) trouvé(s)." in texts(at)
    at.selectbox(key="search_gender").set_value("F").run()
    assert "1 client(s) trouvé(s)." in texts(at)
    assert at.dataframe[0].value["Identifiant"].tolist() == [100003]
    at.button(key="search_open").click().run()
    assert at.session_state[state.CLIENT] == 100003


def test_client_file_shows_identity_application_and_history(fake: FakeApi) -> None:
    at = view("client_file", fake, lang="en")
    assert at.title[0].value == "File of client #100002"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Age (years)"] == "26" and metrics["Term"] == "24 months"
    assert (
        metrics["Active loans elsewhere"] == "1" and metrics["Months with late payment"] == "2 of 6"
    )
    assert metrics["Longest delay"] == "10 days"
    assert "Current application — Personal loan" in [h.value for h in at.subheader]
    assert len(at.get("plotly_chart")) == 3
    # categories and flags in plain words, never the data's codes
    identity = pd.concat([tb.value for tb in at.table])
    assert {"Employee", "Laborer", "Married"} <= set(identity.iloc[:, 0])
    assert not at.info  # every part of the history has rows: charts, no sentence


def test_client_file_says_in_words_that_the_history_is_empty(fake: FakeApi) -> None:
    fake.no_history.add(100002)
    at = view("client_file", fake, lang="en")
    assert not at.exception
    said = [i.value for i in at.info]
    assert "No loans with other lenders are known for this client." in said
    assert "No previous application with us is known for this client." in said
    assert any(s.startswith("No repayment history") for s in said)
    assert len(at.get("plotly_chart")) == 0  # no empty axes
    at = view("client_file", fake, lang="fr")
    said = [i.value for i in at.info]
    assert "Aucun crédit auprès d'autres établissements n'est connu pour ce client." in said


def test_score_page_in_both_languages_with_waterfall(fake: FakeApi) -> None:
    at = view("score", fake, client_id=100003)
    body = texts(at)
    assert "Proposition du modèle : refuser" in body
    assert "Montant demandé élevé par rapport au revenu" in body
    # no application, no decision: the model's proposal is said to be only that
    assert "Aucune demande enregistrée pour ce client, donc aucune décision" in body
    assert not at.success and not at.error  # neither a green nor a red decision box
    gauge = at.get("plotly_chart")[0].proto.spec
    assert "Classe F" in gauge and "520 points" in gauge  # grade and points beside the dial
    assert len(at.get("plotly_chart")) == 1
    at.toggle(key="score_explain").set_value(True).run()
    assert len(at.get("plotly_chart")) == 2
    # the waterfall in percentage points of probability, French numbers, the caption's sums
    waterfall = json.loads(at.get("plotly_chart")[1].proto.spec)["data"][0]
    assert waterfall["x"][0] == pytest.approx(100 * sigmoid(np.array([-1.5]))[0])
    assert all(text.endswith(("pts", "pt", "%")) for text in waterfall["text"])
    assert any("," in text for text in waterfall["text"]) and "." not in "".join(waterfall["text"])
    caption = " ".join(c.value for c in at.caption)
    assert "points de pourcentage" in caption and "log-cotes" in caption
    # beyond the six largest steps each way, the rest summed by where it comes from, and
    # every bar between the base and the client adds up to the client's probability
    labels = waterfall["y"]
    assert "Autres facteurs" not in labels
    families = [label for label in labels if label.startswith("Autres ")]
    assert families and set(families) <= {
        "Autres informations de la demande",
        "Autres éléments des crédits auprès d'autres prêteurs",
        "Autres éléments des demandes précédentes chez nous",
        "Autres éléments de l'historique de remboursement",
    }
    assert len(labels) == 1 + 12 + len(families) + 1
    assert sum(waterfall["x"][:-1]) == pytest.approx(
        100 * sigmoid(np.array([-1.5 + sum((-1) ** i * 0.1 * i for i in range(1, 16))]))[0]
    )
    at = view("score", fake, lang="en", client_id=100004)
    assert "The model's proposal: grant" in texts(at) and "Good external score" in texts(at)
    assert not at.success


@pytest.mark.parametrize(
    ("page", "key"), [("score", "score"), ("comparison", "compare"), ("what_if", "whatif")]
)
def test_client_pages_show_the_latest_applications_refusal_by_a_rule(
    fake: FakeApi, page: str, key: str
) -> None:
    app_id = enter_for(fake, 100002, REFUSED_BY_RULE)
    at = view(page, fake, client_id=100002)
    assert not at.exception
    assert "Demande n° 1 du 03/12/2026 — À décider" in [c.value for c in at.caption]
    refusal = at.error[0].value
    assert "Décision proposée : Refusé" in refusal
    assert "Règle DEBT_RATIO (refus) : Crédit supérieur à huit années de revenu" in refusal
    # the model's own proposal is beside it, labelled as such
    assert (
        "Proposition du modèle seul pour cette demande : Refusé (probabilité de défaut 55,4"
        in texts(at)
    )
    if page == "score":  # the client's score grants: the model's proposal, never a green box
        assert "Proposition du modèle : accorder" in at.info[-1].value
    assert not at.success
    at.button(key=f"{key}_open_application").click().run()
    assert at.session_state[state.APPLICATION] == app_id


def test_client_pages_show_the_final_decision_once_decided(fake: FakeApi) -> None:
    enter_for(fake, 100002, GRANTED)
    at = view("decision", fake, client_id=100002, lang="en")
    at.radio(key="app_decision_value_1").set_value("refuse")
    at.text_area(key="app_decision_reason_1").input("Income not proven")
    category = at.selectbox(key="app_decision_category_1")
    category.select_index(category.options.index("Income not proven"))
    next(b for b in at.button if b.label == "Record the decision").click().run()
    at = view("score", fake, client_id=100002, lang="en")
    final = at.error[0].value
    assert "Final decision: Refused — by alice on" in final
    assert "Override of the proposal (Granted) — reason: Income not proven" in final
    assert "Application #1 of 03/12/2026 — Decided" in [c.value for c in at.caption]
    assert not at.success


def test_no_client_selected_and_unknown_client(fake: FakeApi) -> None:
    at = view("score", fake, client_id=None)
    assert "Choisissez d'abord un client" in at.info[0].value
    at = view("client_file", fake, client_id=424242)
    assert "Introuvable" in at.error[0].value and not at.exception


def test_comparison_against_all_group_and_similar(fake: FakeApi) -> None:
    at = view("comparison", fake, lang="en")
    assert not at.exception
    body = texts(at)
    assert "3 clients, 50.0% of whom had payment difficulties." in body
    assert "Of the 2 closest clients, 0.0% had payment difficulties" in body
    similar = at.dataframe[-1].value  # described by what they are: no ids, no distances
    assert list(similar.columns) == [
        "Age",
        "Monthly income",
        "Type of credit",
        "Credit amount",
        "Outcome",
    ]
    assert similar.iloc[0].tolist() == [
        "40–49 years",
        "270,000",
        "Personal loan",
        "1,293,502",
        "repaid",
    ]
    at.selectbox(key="compare_gender").set_value("M").run()
    assert "Group: 2 clients" in texts(at)


def test_what_if_and_largest_amount(fake: FakeApi) -> None:
    at = view("what_if", fake, lang="en")
    at.number_input(key="wi_credit").set_value(100_000.0)
    at.button(key="wi_run").click().run()
    assert "Probability of default: 8.0% → 8.0%" not in texts(at)
    assert "The model's proposal: grant" in texts(at)
    before = len(fake.calls)
    at.button(key="wi_max").click().run()
    assert not at.exception
    searched = [c for c in fake.calls[before:] if c.endswith("/what_if")]
    assert 0 < len(searched) <= 12
    assert "Largest amount granted:" in [s.value for s in at.success][-1]


def test_decision_page_decides_the_open_application_on_the_score_shown(fake: FakeApi) -> None:
    enter_for(fake, 100002, GRANTED)
    at = view("decision", fake, client_id=100002)
    assert "Demande n° 1 du 03/12/2026 — score n° 1 — À décider" in [c.value for c in at.caption]
    at.radio(key="app_decision_value_1").set_value("refuse")
    at.text_area(key="app_decision_reason_1").input("Garant insuffisant")
    at.selectbox(key="app_decision_category_1").set_value("other")
    next(b for b in at.button if b.label == "Enregistrer la décision").click().run()
    assert not at.exception
    # recorded on the application, against the score shown; the legacy route is not called
    assert "POST /applications/1/decision" in fake.calls and "POST /decisions" not in fake.calls
    decision = fake.applications.items[1].decisions[0]
    assert decision.score_id == 1 and decision.override and decision.reason == "Garant insuffisant"
    # the application stays on screen with its final decision, and in the client's history
    assert "Décision finale : Refusé — par alice" in at.error[0].value and not at.success
    history = at.table[-1].value
    assert history["Motif"].tolist() == ["Garant insuffisant"]
    assert history["Demande"].tolist() == ["1"] and history["Dérogation"].tolist() == ["oui"]


def test_decision_page_with_nothing_open_offers_a_new_application(fake: FakeApi) -> None:
    at = view("decision", fake, client_id=100003)
    assert "Aucune demande à décider pour ce client" in at.info[0].value and not at.get("form")
    at.button(key="decision_new_application").click().run()
    assert not at.exception
    assert at.session_state[state.APPLICANT_CLIENT] == 100003  # the form filled for them
    assert state.NEW_APPLICATION not in at.session_state


def test_an_override_the_api_refuses_shows_its_refusal(fake: FakeApi) -> None:
    enter_for(fake, 100002, REFUSED_BY_RULE)
    at = view("decision", fake, client_id=100002)
    at.radio(key="app_decision_value_1").set_value("grant")
    at.text_area(key="app_decision_reason_1").input("Apport important")
    next(b for b in at.button if b.label == "Enregistrer la décision").click().run()
    assert "Cette décision revient à un conseiller senior" in "\n".join(e.value for e in at.error)
    assert not fake.applications.items[1].decisions


def test_analyst_pages(fake: FakeApi) -> None:
    at = view("decision", fake, user="ana")
    assert "consulter les décisions" in texts(at) and not at.get("form")
    at = view("portfolio", fake, user="ana", lang="en")
    assert not at.exception and len(at.get("plotly_chart")) == 2
    at = view("model", fake, user="ana", lang="en")
    assert not at.exception and len(at.get("plotly_chart")) == 2
    assert "Model lightgbm, version 3" in texts(at)
    assert at.dataframe[0].value.set_index("Item")["Value"]["ROC AUC"] == "0.7600"
    body = texts(at)
    assert "Master scale" in body and "KS table by score decile" in body
    assert "0.7650 without them, 0.7680 with them" in body
    assert "WoE scorecard challenger" in body
    grades = [d.value for d in at.dataframe if "Grade" in d.value.columns]
    assert grades and list(grades[0]["Grade"]) == ["A", "B"]
    at = view("drift", fake, user="ana", lang="en")
    assert "No drift report has been produced yet" in at.info[0].value


def test_drift_summary_and_full_report(fake: FakeApi) -> None:
    fake.drift = drift_report()
    at = view("drift", fake, user="ana", lang="fr")
    assert not at.exception
    assert at.error[0].value == (
        "Action nécessaire — les variables qui ont dérivé portent 33\u00a0% de l'importance des "
        "principales variables du modèle : vérifiez la distribution des scores et envisagez un "
        "réentraînement sur des données récentes."
    )
    summary = at.dataframe[0].value
    rows = dict(zip(summary["Élément"], summary["Valeur"], strict=True))
    assert rows["Date du rapport (UTC)"] == "21/11/2026 12:00"
    assert rows["Demandes de référence"] == "1\u202f500"
    assert rows["Variables du modèle ayant dérivé"] == "1 sur 2 (50\u00a0%)"
    assert rows["Part de l'importance du modèle qui a dérivé"] == "33,3\u00a0%"
    columns = at.dataframe[1].value
    assert columns["Variable"].tolist() == [
        "Montant du crédit",  # drifted first, then by importance
        "Score externe n° 2",
        "Document n° 3 fourni",
    ]
    assert columns["Statistique"].tolist()[:2] == ["0,235", "0,012"]
    assert columns["Importance pour le modèle"].tolist() == ["25,0\u00a0%", "50,0\u00a0%", "—"]
    assert at.get("download_button")  # the summary as JSON
    at.toggle(key="drift_html").set_value(True).run()
    assert not at.exception and "GET /drift/latest.html" in fake.calls


def test_drift_page_starts_the_report_and_follows_it(fake: FakeApi) -> None:
    at = view("drift", fake, user="ana", lang="en")
    assert "No drift report has been produced yet" in at.info[0].value
    at.button(key="drift_start").click().run()
    assert not at.exception and "POST /drift/runs" in fake.calls
    assert at.button(key="drift_start").disabled  # one at a time
    progress = at.get("progress")[0]
    assert progress.proto.text == (
        "Building the model's features — step 3 of 6, for 1 minute 15 seconds"
    )
    assert "Started by ana on 01/12/2026 09:00 (UTC)." in texts(at)
    fake.finish_drift(drift_report())
    at.run()
    assert not at.exception and not at.get("progress")
    assert "Report finished (started by ana, made in 2 minutes)." in texts(at)
    assert at.dataframe[1].value["Column"].tolist()[0] == "Credit amount"


def test_drift_page_says_why_a_report_cannot_be_started(fake: FakeApi) -> None:
    message = "Aucune donnée de référence : le dossier /srv/data ne contient pas les demandes."
    fake.drift_refusal = (404, "no_reference_data", message)
    at = view("drift", fake, user="ana", lang="fr")
    at.button(key="drift_start").click().run()
    assert not at.exception and at.error[0].value == message
    fake.drift_refusal = None
    fake.drift_run = {
        "state": "failed",
        "started_by": "root",
        "started_at": "2026-12-01T09:00:00Z",
        "steps_done": 1,
        "steps_total": 6,
        "error": "Le rapport n'a pas pu être fait : les données n'ont pas pu être lues.",
    }
    at.run()
    assert at.error[0].value.startswith("Le rapport n'a pas pu être fait")
    assert not at.button(key="drift_start").disabled


def test_portfolio_default_rate_by_segment(fake: FakeApi) -> None:
    at = view("portfolio", fake, user="ana", lang="en")
    at.selectbox(key="portfolio_dim").set_value("gender").run()
    # one API call per segment value, each filtered on that value
    assert not at.exception
    frames = [d.value for d in at.dataframe]  # the chart's text equivalent is among them
    by_gender = next(f for f in frames if "Segment" in f.columns)
    assert by_gender["Segment"].tolist() == ["Woman", "Man"]
    assert by_gender["Clients"].tolist() == [1, 2]


def test_performance_page_runs_the_backtest_and_reads_it_in_both_languages(fake: FakeApi) -> None:
    at = view("performance", fake, user="ana", lang="en")
    assert not at.exception
    assert "No back-test has been made yet" in at.info[0].value
    at.button(key="perf_run").click().run()
    assert not at.exception and "POST /backtest" in fake.calls
    body = texts(at)
    assert "1,200 clients with a known outcome, 96 defaults" in body
    assert at.error[0].value == (
        "Grade G: 30 defaults of 50 clients (60.0%) against a predicted PD of 20.0% "
        "(Jeffreys p < 0.0001): the grade's PD looks underestimated."
    )
    grades = at.dataframe[1].value
    assert grades["Grade"].tolist() == [*"ABCDEFGH", "Whole portfolio"]
    assert grades.set_index("Grade")["Light"]["G"] == "Red"
    assert at.dataframe[3].value["Decision"].tolist()[1] == "Granted against the advice"
    population = at.dataframe[4].value
    assert population["Variable"].tolist() == ["Score", "Score", "External score 2"]
    assert population["Light"].tolist() == ["Green", "Red", "Yellow"]
    assert population["Verdict"].tolist() == ["Stable", "Act", "Watch"]
    assert "1 of the model's top 2 features" in texts(at)
    at = view("performance", fake, user="ana", lang="fr")  # the stored one, in French
    assert not at.exception
    assert "1 200 clients à l'issue connue" in texts(at).replace("\u202f", " ").replace("\xa0", " ")
    figures = at.dataframe[0].value
    assert figures["Valeur"].tolist()[0] == "0,7612"
    assert at.dataframe[1].value.set_index("Classe")["Feu"]["G"] == "Rouge"
    assert at.dataframe[4].value["Verdict"].tolist() == ["Stable", "Agir", "À surveiller"]
    assert at.dataframe[4].value["PSI / CSI"].tolist()[1] == "0,310"


def test_performance_page_compares_champion_and_challenger(fake: FakeApi) -> None:
    lights = {"green": 7, "yellow": 0, "red": 1}
    fake.backtest = {
        **backtest_report(),
        "challenger": {
            "challenger_version": "8",
            "champion_versions": ["7"],
            "clients": 1200,
            "defaults": 96,
            "auc": {
                "champion": 0.7612,
                "challenger": 0.7301,
                "difference": -0.0311,
                "z": -2.6,
                "p_value": 0.009,
            },
            "cost": {"champion": 0.5012, "challenger": 0.5431},
            "threshold": {"champion": 0.09, "challenger": 0.11},
            "grades": {"champion": [], "challenger": []},
            "lights": {"champion": lights, "challenger": lights},
            "lost": True,
            "won": False,
        },
    }
    at = view("performance", fake, user="ana", lang="en")
    assert not at.exception
    table = at.dataframe[-1].value
    assert table["Model"].tolist() == ["Champion 7", "Challenger 8"]
    assert table["AUC"].tolist() == ["0.7612", "0.7301"]
    assert table["Grades green / yellow / red"].tolist() == ["7 / 0 / 1", "7 / 0 / 1"]
    assert "DeLong's paired test" in texts(at)
    assert "The challenger lost" in at.warning[-1].value
    at = view("performance", fake, user="ana", lang="fr")
    assert not at.exception and "Le challenger a perdu" in at.warning[-1].value


def test_model_page_offers_the_review_pack_in_the_pages_language(fake: FakeApi) -> None:
    at = view("model", fake, user="ana", lang="en")
    assert not at.exception
    download = [str(d.proto.label) for d in at.get("download_button")]
    assert download == [
        "Download the committee's review pack (PDF)",
        "Download the methodology note (HTML)",
    ]
    assert fake.review_packs == ["en"]
    view("model", fake, user="ana", lang="fr")
    assert fake.review_packs[-1] == "fr"
    fake.review_pack = False  # before any training wrote one: said, and the page still works
    at = view("model", fake, user="ana", lang="fr")
    labels = [str(d.proto.label) for d in at.get("download_button")]
    assert not at.exception and labels == ["Télécharger la note méthodologique (HTML)"]
    assert any("Le dossier de revue n'est pas disponible" in c.value for c in at.caption)
    assert "Modèle lightgbm" in texts(at)


def test_model_page_in_french_card_groups_and_numbers(fake: FakeApi) -> None:
    at = view("model", fake, user="ana", lang="fr")
    assert not at.exception
    assert "GET /model/methodology" in fake.calls
    figures = at.dataframe[0].value.set_index("Élément")["Valeur"]
    assert figures["AUC ROC"] == "0,7600" and figures["Clients d'entraînement"] == "48\u202f744"
    assert figures["Taux de défaut"] == "8,1\u00a0%"
    frames = [d.value for d in at.dataframe]
    ages = next(f for f in frames if "Groupe" in f.columns and "30 à 45 ans" in set(f["Groupe"]))
    assert ages["Groupe"].tolist() == [
        "moins de 30 ans",
        "30 à 45 ans",
        "45 à 60 ans",
        "60 ans et plus",
        "non renseigné",
    ]
    assert ages["Taux d'acceptation"].tolist()[0] == "70,0\u00a0%"
    points = next(f for f in frames if "Classe de valeurs" in f.columns)
    assert points["Classe de valeurs"].tolist() == ["[0,2 ; 0,4)", "non renseigné"]
    assert points["Description"].tolist()[0] == "Score externe n° 3"
    assert "# Fiche du modèle" in [m.value for m in at.markdown][-1]
