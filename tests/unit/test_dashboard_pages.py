"""Pages driven by Streamlit's AppTest against the in-memory API (no server, no browser)."""

from __future__ import annotations

from dashboard_fake import FakeApi
from dashboard_session import APP, TIMEOUT, dashboard, log_in, logged_in, render_view, texts
from streamlit.testing.v1 import AppTest

from credit_scoring.dashboard import state


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
        metrics["Active loans elsewhere"] == "1" and metrics["Months with late payment"] == "2 / 6"
    )
    assert "Current application — Cash loan" in [h.value for h in at.subheader]
    assert len(at.get("plotly_chart")) == 3


def test_score_page_in_both_languages_with_waterfall(fake: FakeApi) -> None:
    at = view("score", fake, client_id=100003)
    body = texts(at)
    assert "Crédit refusé" in body and "Montant demandé élevé par rapport au revenu" in body
    gauge = at.get("plotly_chart")[0].proto.spec
    assert "Classe F" in gauge and "520 points" in gauge  # grade and points beside the dial
    assert len(at.get("plotly_chart")) == 1
    at.toggle(key="score_explain").set_value(True).run()
    assert len(at.get("plotly_chart")) == 2
    at = view("score", fake, lang="en", client_id=100004)
    assert "Credit granted" in texts(at) and "Good external score" in texts(at)


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
    at.selectbox(key="compare_gender").set_value("M").run()
    assert "Group: 2 clients" in texts(at)


def test_what_if_and_largest_amount(fake: FakeApi) -> None:
    at = view("what_if", fake, lang="en")
    at.number_input(key="wi_credit").set_value(100_000.0)
    at.button(key="wi_run").click().run()
    assert "Default risk: 8.0% → 8.0%" not in texts(at)
    assert "Credit granted" in texts(at)
    before = len(fake.calls)
    at.button(key="wi_max").click().run()
    assert not at.exception
    assert len(fake.calls) - before <= 12
    assert "Largest amount granted:" in [s.value for s in at.success][-1]


def test_decision_override_needs_a_reason_and_shows_in_history(fake: FakeApi) -> None:
    at = view("decision", fake, client_id=100003)
    assert "Proposition du modèle : Refusé" in at.info[0].value
    at.radio(key="decision_value").set_value("grant")
    at.button[0].click().run()
    assert "Indiquez le motif" in at.error[0].value and not fake.decisions
    assert at.radio(key="decision_value").value == "grant"  # the choice survives the refusal
    at.text_area(key="decision_reason").input("Garant solide")
    at.button[0].click().run()
    assert fake.decisions and fake.decisions[0].override
    history = at.table[0].value
    assert history["Motif"].tolist() == ["Garant solide"]
    assert history["Dérogation"].tolist() == ["oui"]


def test_analyst_pages(fake: FakeApi) -> None:
    at = view("decision", fake, user="ana")
    assert "consulter les décisions" in texts(at) and not at.get("form")
    at = view("portfolio", fake, user="ana", lang="en")
    assert not at.exception and len(at.get("plotly_chart")) == 2
    at = view("model", fake, user="ana", lang="en")
    assert not at.exception and len(at.get("plotly_chart")) == 2
    assert "Model lightgbm, version 3" in texts(at)
    assert at.dataframe[0].value.set_index("Item")["Value"]["ROC AUC"] == 0.76
    body = texts(at)
    assert "Master scale" in body and "KS table by score decile" in body
    assert "0.7650 without them, 0.7680 with them" in body
    assert "WoE scorecard challenger" in body
    grades = [d.value for d in at.dataframe if "Grade" in d.value.columns]
    assert grades and list(grades[0]["Grade"]) == ["A", "B"]
    at = view("drift", fake, user="ana", lang="en")
    assert "No drift report has been produced yet" in at.info[0].value


def test_drift_summary_and_full_report(fake: FakeApi) -> None:
    fake.drift = {
        "created_at": "2026-11-21T12:00:00",
        "share_drifted": 0.25,
        "verdict": "watch",
        "message": "2 columns moved",
        "columns": [{"column": "AMT_CREDIT", "p_value": 0.001, "drifted": True}],
    }
    at = view("drift", fake, user="ana", lang="en")
    assert at.warning[0].value == "To watch — 2 columns moved"
    summary = at.dataframe[0].value
    rows = dict(zip(summary["Item"], summary["Value"], strict=True))
    assert rows["share_drifted"] == "0.25" and rows["Report date"] == "2026-11-21T12:00:00"
    assert "verdict" not in rows  # shown above the table, in words
    assert at.dataframe[1].value["Column"].tolist() == ["AMT_CREDIT"]
    at.toggle(key="drift_html").set_value(True).run()
    assert not at.exception and "GET /drift/latest.html" in fake.calls


def test_portfolio_default_rate_by_segment(fake: FakeApi) -> None:
    at = view("portfolio", fake, user="ana", lang="en")
    at.selectbox(key="portfolio_dim").set_value("gender").run()
    # one API call per segment value, each filtered on that value
    assert not at.exception
    frames = [d.value for d in at.dataframe]  # the chart's text equivalent is among them
    by_gender = next(f for f in frames if "Segment" in f.columns)
    assert by_gender["Segment"].tolist() == ["Woman", "Man"]
    assert by_gender["Clients"].tolist() == [1, 2]
