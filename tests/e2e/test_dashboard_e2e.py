"""An advisor's walk through the dashboard in headless Chromium, on the real API and demo data.

Saves one screenshot per step: under ``docs/screenshots/`` (used by ``docs/user-guide.md``)
when ``CREDIT_SCORING_SCREENSHOTS`` names that folder (``make screenshots``), otherwise under
pytest's temporary folder, so that a test run leaves the work tree as it was.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import uuid
from datetime import date
from pathlib import Path

import httpx
import pytest
from e2e_stack import CHROMIUM, CHROMIUM_ARGS, Stack
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect, sync_playwright
from pypdf import PdfReader

from credit_scoring.dashboard.i18n import translate
from credit_scoring.dashboard.views.new_application import ANSWERS, DATES
from credit_scoring.lending.form import CHOICES
from credit_scoring.lending.form.refusal import CATEGORIES

pytestmark = pytest.mark.e2e
SHOTS = Path(
    os.environ.get("CREDIT_SCORING_SCREENSHOTS")
    or Path(tempfile.gettempdir()) / "credit-scoring-e2e-screenshots"
)
WAIT = 30_000  # ms: the first page of a fresh server compiles and caches
EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "new-application.json"
# A small personal loan: no affordability rule refers it to a senior, an advisor decides it.
SMALL_LOAN = {"contract_type": "cash", "amount": 3_000.0, "goods_price": 3_000.0, "term_months": 36}
# A revolving credit over 100 months: the product allows 60, so rule P06 refuses it
# whatever the client's income or the model's score.
REFUSED_BY_RULE = {"contract_type": "revolving", "amount": 3_000.0, "term_months": 100}


def api_headers(stack: Stack) -> dict[str, str]:
    """The advisor's bearer token, for the set-up steps done through the API."""
    login = httpx.post(
        f"{stack.api_url}/auth/token",
        data={"username": stack.username, "password": stack.password},
        timeout=30,
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def enter_for_client(stack: Stack, client_id: int, loan: dict) -> dict:
    """An application for a known client, entered through the API (its score as answered)."""
    headers = {**api_headers(stack), "Idempotency-Key": uuid.uuid4().hex}
    created = httpx.post(
        f"{stack.api_url}/applications",
        json={"client_id": client_id, "loan": loan},
        headers=headers,
        timeout=60,
    )
    assert created.status_code == 201, created.text
    body: dict = created.json()
    return body


def first_client(stack: Stack) -> int:
    page = httpx.get(
        f"{stack.api_url}/clients", params={"page_size": 1}, headers=api_headers(stack), timeout=30
    )
    assert page.status_code == 200, page.text
    return int(page.json()["items"][0]["sk_id_curr"])


def settle(page: Page) -> None:
    """Wait until Streamlit has finished running the script (no 'Running...' indicator)."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT)
    page.wait_for_timeout(300)


def shot(page: Page, name: str) -> None:
    settle(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def type_number(page: Page, label: str, value: str) -> None:
    """Type a number as a person does. It is sent on leaving the field; typed while the page
    reruns it can be drawn again from the old value: type it again until the page shows it."""
    box = main(page).get_by_label(label, exact=True)
    for _ in range(3):
        box.fill(value)
        box.press("Enter")
        settle(page)
        if box.input_value() and float(box.input_value()) == float(value):
            return
    raise AssertionError(f"{label}: {box.input_value()!r} shown, {value} typed")


def scroll_to(page: Page, target: Locator) -> None:
    """Bring an element into the screenshot, once Streamlit has stopped redrawing the page.

    Streamlit may replace the element while it redraws (the locator then finds it again on
    the next try); this only frames a screenshot, the assertions that matter come before."""
    for _ in range(5):
        settle(page)
        try:
            target.scroll_into_view_if_needed(timeout=WAIT)
            return
        except PlaywrightError as exc:
            if "not attached" not in str(exc):
                raise


def nav(page: Page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    settle(page)


def main(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("stMain")


def test_advisor_walk_through(stack: Stack) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        try:
            walk(page, stack)
        finally:
            browser.close()


def test_analyst_sees_portfolio_and_model(stack: Stack) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        try:
            log_in(page, stack.dashboard_url, stack.analyst, stack.password)
            nav(page, "Analyse du portefeuille")
            expect(page.get_by_text("Taux de difficultés par Sexe", exact=True)).to_be_visible(
                timeout=WAIT
            )
            shot(page, "12-portfolio")
            nav(page, "Modèle")
            expect(page.get_by_text(re.compile(r"seuil de décision"))).to_be_visible(timeout=WAIT)
            page.get_by_role("tab", name="Équité").click()
            expect(main(page).get_by_text("Sexe", exact=True).first).to_be_visible(timeout=WAIT)
            shot(page, "13-model-fairness")
            # an analyst reads decisions but cannot record one
            nav(page, "Recherche de clients")
            page.get_by_role("button", name="Ouvrir le dossier").click()
            # the button switches to the client file: wait for it, or the next click races it
            expect(
                main(page).get_by_role("heading", name=re.compile(r"Dossier du client n°"))
            ).to_be_visible(timeout=WAIT)
            nav(page, "Décision")
            expect(page.get_by_text("Votre rôle permet de consulter les décisions")).to_be_visible(
                timeout=WAIT
            )
            expect(page.get_by_test_id("stForm")).to_have_count(0)
        finally:
            browser.close()


def log_in(page: Page, url: str, username: str, password: str) -> None:
    # French chosen in the address: a user's last language (another test may have chosen
    # English for this user) would apply otherwise
    page.goto(f"{url}/?lang=fr")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text(re.compile(r"\d+ client\(s\) trouvé\(s\)"))).to_be_visible(timeout=WAIT)


def walk(page: Page, stack: Stack) -> None:
    # 1. login (French by default); a wrong password is refused in plain words
    page.goto(f"{stack.dashboard_url}/?lang=fr")  # French, whatever this user chose before
    expect(page.get_by_text("Prêt à dépenser — espace conseiller")).to_be_visible(timeout=WAIT)
    page.get_by_label("Identifiant").fill(stack.username)
    page.get_by_label("Mot de passe").fill("not-the-password")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Identifiant ou mot de passe incorrect.")).to_be_visible(timeout=WAIT)
    page.get_by_label("Mot de passe").fill(stack.password)
    shot(page, "01-login")
    page.get_by_role("button", name="Se connecter").click()

    # 2. search: filters, results table, open a client
    expect(main(page).get_by_role("heading", name="Recherche de clients")).to_be_visible(
        timeout=WAIT
    )
    expect(page.get_by_text(re.compile(r"\d+ client\(s\) trouvé\(s\)"))).to_be_visible(timeout=WAIT)
    shot(page, "02-search")
    choice = main(page).get_by_test_id("stSelectbox").filter(has_text="Client à ouvrir")
    client_id = (
        choice.get_by_role("combobox").input_value() or choice.inner_text().splitlines()[-1].strip()
    )
    page.get_by_label("Identifiant client").fill(client_id)
    page.get_by_label("Identifiant client").press("Enter")
    expect(page.get_by_text("1 client(s) trouvé(s).")).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="Ouvrir le dossier").click()

    # 3. client file
    expect(
        main(page).get_by_role("heading", name=f"Dossier du client n° {client_id}")
    ).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Bilan : crédits et historique de paiement")).to_be_visible()
    shot(page, "03-client-file")

    # 4. score and reasons, then the full explanation
    nav(page, "Score et raisons")
    expect(
        page.get_by_text(re.compile(r"Proposition du modèle : (accorder|refuser)"))
    ).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Décision de la dernière demande")).to_be_visible()
    expect(page.get_by_text("Ce qui augmente le risque", exact=True)).to_be_visible()
    shot(page, "04-score-fr")
    page.get_by_text("Afficher l'explication complète").click()
    charts = page.get_by_test_id("stPlotlyChart")
    expect(charts).to_have_count(2, timeout=WAIT)  # the gauge, then the waterfall
    scroll_to(page, charts.nth(1))
    shot(page, "05-explanation")

    # 5. English: every label and the reasons change language
    page.get_by_test_id("stSidebar").get_by_text("English").click()
    expect(page.get_by_text(re.compile(r"The model's proposal: (grant|refuse)"))).to_be_visible(
        timeout=WAIT
    )
    expect(page.get_by_text("What raises the risk", exact=True)).to_be_visible()
    shot(page, "06-score-en")

    # 6. comparison with all clients, a group and similar clients
    nav(page, "Comparison")
    expect(
        page.get_by_text(re.compile(r"clients, .* of whom had payment difficulties"))
    ).to_be_visible(timeout=WAIT)
    shot(page, "07-compare-all")
    page.get_by_role("tab", name="Similar clients").click()
    expect(page.get_by_text(re.compile(r"Of the \d+ closest clients"))).to_be_visible(timeout=WAIT)
    shot(page, "08-compare-similar")

    # 7. what-if: a smaller amount, then the largest amount granted
    nav(page, "What-if")
    amount = page.get_by_label("Credit amount")
    amount.fill("50000")
    amount.press("Enter")
    settle(page)
    page.get_by_role("button", name="Compute the new score").click()
    expect(page.get_by_text(re.compile(r"Probability of default: .* → "))).to_be_visible(
        timeout=WAIT
    )
    shot(page, "09-what-if")
    page.get_by_role("button", name="Find the largest amount").click()
    found = page.get_by_text(
        re.compile(r"Largest amount granted:|Granted even at|No amount is granted")
    )
    expect(found).to_be_visible(timeout=WAIT)
    scroll_to(page, found)
    shot(page, "10-largest-amount")

    # 8. decision: on the client's open application, against the score shown (an application
    # for this client entered through the API, so that the client has one to decide)
    entered = enter_for_client(stack, int(client_id), SMALL_LOAN)
    nav(page, "Decision")
    shown = rf"Application #{entered['application_id']} of .* — score #{entered['score_id']} — "
    expect(page.get_by_text(re.compile(shown))).to_be_visible(timeout=WAIT)
    form = page.get_by_test_id("stForm")
    form.get_by_text("Refused", exact=True).click()
    form.get_by_role("textbox", name="Reason").fill("Garant insuffisant, revenus non justifiés")
    form.get_by_role("button", name="Record the decision").click()
    expect(
        page.get_by_text(f"Decision recorded for application #{entered['application_id']}: Refused")
    ).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("stAlertContentError").first).to_contain_text(
        f"Final decision: Refused — by {stack.username}"
    )
    history = page.get_by_test_id("stTable").last
    expect(history).to_contain_text("Garant insuffisant, revenus non justifiés")
    expect(history).to_contain_text(stack.username)
    scroll_to(page, history)
    shot(page, "11-decision")

    # 9. logout returns to the login page
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible(timeout=WAIT)


def test_advisor_enters_an_application(stack: Stack) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        try:
            log_in(page, stack.dashboard_url, stack.username, stack.password)
            application_walk(page)
        finally:
            browser.close()


def fill_form(page: Page, body: dict, lang: str = "fr") -> None:
    """Type a ``POST /applications`` body into the New application form, as an advisor would."""

    def label(field: str) -> str:
        return translate(f"form.{field}", lang)

    form = main(page)  # the New application form is no st.form: each value kept as typed
    values = {**body["applicant"], **body["loan"]}
    for field, value in values.items():
        if value is None or field in ("not_employed", "region_rating"):
            continue
        if field in DATES:
            day = date.fromisoformat(value)
            # a segmented date field (day, month, year): type the digits into its first segment
            box = form.get_by_role("group", name=label(field), exact=True)
            box.get_by_role("spinbutton").first.click()
            page.keyboard.type(day.strftime("%d%m%Y") if lang == "fr" else day.strftime("%Y%m%d"))
            page.keyboard.press("Escape")
        elif field in CHOICES:
            # long lists show only what fits: type the label to bring the option up
            option = CHOICES[field][value][lang]
            form.get_by_label(label(field), exact=True).click()
            page.keyboard.type(option)
            page.get_by_role("option", name=option, exact=True).click()
        elif field in ANSWERS:  # yes, no or not asked
            form.get_by_label(label(field), exact=True).click()
            answer = translate("common.yes" if value else "common.no", lang)
            page.get_by_role("option", name=answer, exact=True).click()
        elif isinstance(value, bool):
            if value:
                form.get_by_text(label(field), exact=True).click()
        else:
            type_number(page, label(field), str(value))
        settle(page)
    if values.get("not_employed"):
        form.get_by_text(label("not_employed"), exact=True).click()
    if values.get("region_rating", 2) != 2:
        form.get_by_text(str(values["region_rating"]), exact=True).click()


def application_walk(page: Page) -> None:
    """Enter the example application, decide it against the proposal, get the letter."""
    body = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    # 1. the form, filled from the example body (a new applicant)
    nav(page, "Nouvelle demande")
    expect(main(page).get_by_role("heading", name="Nouvelle demande de crédit")).to_be_visible(
        timeout=WAIT
    )
    fill_form(page, body)
    shot(page, "14-new-application")
    page.get_by_role("button", name="Enregistrer et scorer la demande").click()

    # 2. the scored application: decision, policy rules, reasons with their codes
    expect(page.get_by_text(re.compile(r"Demande n° \d+ enregistrée et scorée"))).to_be_visible(
        timeout=WAIT
    )
    proposal = page.get_by_text(re.compile(r"^Proposition du modèle : (accorder|refuser)"))
    expect(proposal).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Ce qui augmente le risque", exact=True)).to_be_visible()
    expect(page.get_by_text("Règles de la politique de crédit")).to_be_visible()
    heading = main(page).get_by_role("heading", name=re.compile(r"^Demande n° \d+ — "))
    found = re.search(r"n° (\d+)", heading.inner_text())
    assert found, heading.inner_text()
    application_id = found.group(1)
    shot(page, "15-application-scored")

    # 3. an override needs a reason; recorded, it shows in the history
    form = page.get_by_test_id("stForm")
    said = proposal.inner_text()
    other = "Accordé" if said.startswith("Proposition du modèle : refuser") else "Refusé"
    form.get_by_text(other, exact=True).click()
    form.get_by_role("button", name="Enregistrer la décision").click()
    refused = page.get_by_text("Indiquez le motif")
    expect(refused).to_be_visible(timeout=WAIT)
    scroll_to(page, form.get_by_role("button", name="Enregistrer la décision"))
    shot(page, "16-application-reason-required")
    reason = "Apport personnel de 30 %, garant solide"
    if other == "Refusé":  # refusing what the model grants: the letter's category
        reason = "Bulletins de salaire non fournis"
        form.get_by_label("Catégorie du refus (courrier au demandeur)").click()
        page.get_by_role("option", name=CATEGORIES["documents_missing"].label_fr).click()
    form.get_by_role("textbox", name="Motif").fill(reason)
    form.get_by_role("button", name="Enregistrer la décision").click()
    expect(
        page.get_by_text(f"Décision enregistrée pour la demande n° {application_id}")
    ).to_be_visible(timeout=WAIT)
    history = page.get_by_test_id("stTable").first
    expect(history).to_contain_text(reason)

    # 4. the letter to the applicant, in French or English
    download = page.get_by_role("button", name="Télécharger le courrier (PDF)")
    scroll_to(page, download)
    with page.expect_download(timeout=WAIT) as done:
        download.click()
    pdf = Path(done.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    words = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    if other == "Refusé":  # the advisor's category, no model factor, nothing offered
        assert " ".join(CATEGORIES["documents_missing"].applicant_fr.split()) in words
        assert "pourrait vous être accordé" not in words
        assert reason not in words  # the written reason stays internal
    shot(page, "17-application-decided-letter")

    # 5. the Applications queue: the application is among the decided ones
    nav(page, "Demandes")
    expect(main(page).get_by_role("heading", name="Demandes à décider")).to_be_visible(timeout=WAIT)
    main(page).get_by_label("Statut", exact=True).click()
    page.get_by_role("option", name="Décidée", exact=True).click()
    settle(page)
    expect(page.get_by_text(re.compile(r"[1-9]\d* demande\(s\) trouvée\(s\)"))).to_be_visible(
        timeout=WAIT
    )
    page.get_by_role("button", name="Ouvrir la demande").click()
    opened = main(page).get_by_role("heading", name=re.compile(rf"^Demande n° {application_id} — "))
    expect(opened).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Demande close : Décidée.")).to_be_visible()
    shot(page, "18-applications-queue")


def test_one_decision_everywhere(stack: Stack) -> None:
    """Override to refuse: Refusé and no green box, a letter of refusal; a client refused by
    a policy rule: their client pages show that refusal, not the model's proposal."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        try:
            log_in(page, stack.dashboard_url, stack.username, stack.password)
            refuse_an_application(page)
            client_refused_by_a_rule(page, stack)
        finally:
            browser.close()


def no_green_box(page: Page) -> None:
    """Green is for a credit granted: nothing on the page may say so."""
    settle(page)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_have_count(0)


def refuse_an_application(page: Page) -> None:
    body = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    nav(page, "Nouvelle demande")
    fill_form(page, body)
    page.get_by_role("button", name="Enregistrer et scorer la demande").click()
    scored = page.get_by_text(re.compile(r"Demande n° \d+ enregistrée et scorée"))
    expect(scored).to_be_visible(timeout=WAIT)
    found = re.search(r"n° (\d+)", scored.inner_text())
    assert found, scored.inner_text()
    application_id = found.group(1)
    # refused by the advisor (an override when the model grants): a reason is given
    form = page.get_by_test_id("stForm")
    form.get_by_text("Refusé", exact=True).click()
    form.get_by_role("textbox", name="Motif").fill("Revenus non justifiés")
    form.get_by_role("button", name="Enregistrer la décision").click()
    expect(
        page.get_by_text(f"Décision enregistrée pour la demande n° {application_id} : Refusé")
    ).to_be_visible(timeout=WAIT)
    final = page.get_by_test_id("stAlertContentError").first
    expect(final).to_contain_text("Décision finale : Refusé — par ")
    expect(
        page.get_by_text(re.compile(r"^Proposition du modèle seul pour cette demande : "))
    ).to_be_visible()
    no_green_box(page)
    shot(page, "19-application-refused")
    # the letter, downloaded after the decision, is a letter of refusal
    download = page.get_by_role("button", name="Télécharger le courrier (PDF)")
    scroll_to(page, download)
    with page.expect_download(timeout=WAIT) as done:
        download.click()
    pdf = Path(done.value.path()).read_bytes()
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    said = " ".join(text.lower().split())
    assert pdf.startswith(b"%PDF"), pdf[:20]
    assert "refus" in said or "ne pouvons pas accepter" in said, text[:500]  # a refusal


def client_refused_by_a_rule(page: Page, stack: Stack) -> None:
    client_id = first_client(stack)
    entered = enter_for_client(stack, client_id, REFUSED_BY_RULE)
    assert entered["decision"] == "refuse", entered
    assert "P06" in [r["code"] for r in entered["policy"]], entered["policy"]
    nav(page, "Recherche de clients")
    page.get_by_label("Identifiant client").fill(str(client_id))
    page.get_by_label("Identifiant client").press("Enter")
    expect(page.get_by_text("1 client(s) trouvé(s).")).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="Ouvrir le dossier").click()
    expect(
        main(page).get_by_role("heading", name=f"Dossier du client n° {client_id}")
    ).to_be_visible(timeout=WAIT)
    which = re.compile(rf"^Demande n° {entered['application_id']} du .* — À décider$")
    for title in ("Score et raisons", "Comparaison", "Simulation"):
        nav(page, title)
        expect(page.get_by_text(which)).to_be_visible(timeout=WAIT)
        refusal = page.get_by_test_id("stAlertContentError").first
        expect(refusal).to_contain_text("Décision proposée : Refusé")
        expect(refusal).to_contain_text("Règle P06 (refus)")
        no_green_box(page)
        if title == "Score et raisons":
            shot(page, "20-client-refused-by-a-rule")
    # the button opens the application itself
    page.get_by_role("button", name=f"Ouvrir la demande n° {entered['application_id']}").click()
    expect(
        main(page).get_by_role(
            "heading", name=re.compile(rf"^Demande n° {entered['application_id']} — ")
        )
    ).to_be_visible(timeout=WAIT)


def client_without_bureau_loans(stack: Stack) -> int:
    """A stored client no other lender reports a loan for (the demo data has some)."""
    headers = api_headers(stack)
    page = httpx.get(
        f"{stack.api_url}/clients", params={"page_size": 100}, headers=headers, timeout=30
    )
    assert page.status_code == 200, page.text
    for item in page.json()["items"]:
        detail = httpx.get(
            f"{stack.api_url}/clients/{item['sk_id_curr']}", headers=headers, timeout=30
        ).json()
        if not any(loan["source"] == "bureau" for loan in detail["loans"]):
            return int(item["sk_id_curr"])
    pytest.skip("no client without loans elsewhere among the first 100 of the demo data")


def test_an_empty_history_is_said_in_a_sentence_not_drawn(stack: Stack) -> None:
    client_id = client_without_bureau_loans(stack)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        try:
            log_in(page, stack.dashboard_url, stack.username, stack.password)
            page.get_by_label("Identifiant client").fill(str(client_id))
            page.get_by_label("Identifiant client").press("Enter")
            expect(page.get_by_text("1 client(s) trouvé(s).")).to_be_visible(timeout=WAIT)
            page.get_by_role("button", name="Ouvrir le dossier").click()
            expect(
                main(page).get_by_role("heading", name=f"Dossier du client n° {client_id}")
            ).to_be_visible(timeout=WAIT)
            sentence = page.get_by_text(
                "Aucun crédit auprès d'autres établissements n'est connu pour ce client."
            )
            expect(sentence).to_be_visible(timeout=WAIT)
            # no chart of the other lenders' loans: no empty axes
            expect(page.get_by_text("Crédits auprès d'autres établissements")).to_have_count(0)
            scroll_to(page, sentence)
            shot(page, "19-client-file-no-bureau")
        finally:
            browser.close()
