"""An advisor's walk through the dashboard in headless Chromium, on the real API and demo data.

Saves one screenshot per step: under ``docs/screenshots/`` (used by ``docs/user-guide.md``)
when ``CREDIT_SCORING_SCREENSHOTS`` names that folder (``make screenshots``), otherwise under
pytest's temporary folder, so that a test run leaves the work tree as it was.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from e2e_stack import CHROMIUM, CHROMIUM_ARGS, Stack
from playwright.sync_api import Locator, Page, expect, sync_playwright

pytestmark = pytest.mark.e2e
SHOTS = Path(
    os.environ.get("CREDIT_SCORING_SCREENSHOTS")
    or Path(tempfile.gettempdir()) / "credit-scoring-e2e-screenshots"
)
WAIT = 30_000  # ms: the first page of a fresh server compiles and caches


def settle(page: Page) -> None:
    """Wait until Streamlit has finished running the script (no 'Running...' indicator)."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT)
    page.wait_for_timeout(300)


def shot(page: Page, name: str) -> None:
    settle(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def scroll_to(page: Page, target: Locator) -> None:
    """Bring an element into the screenshot, once Streamlit has stopped redrawing the page."""
    settle(page)
    target.scroll_into_view_if_needed(timeout=WAIT)


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
            expect(page.get_by_text("Taux de difficultés par Sexe")).to_be_visible(timeout=WAIT)
            shot(page, "12-portfolio")
            nav(page, "Modèle")
            expect(page.get_by_text(re.compile(r"seuil de décision"))).to_be_visible(timeout=WAIT)
            page.get_by_role("tab", name="Équité").click()
            expect(page.get_by_text("Par sexe")).to_be_visible(timeout=WAIT)
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
    page.goto(url)
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text(re.compile(r"\d+ client\(s\) trouvé\(s\)"))).to_be_visible(timeout=WAIT)


def walk(page: Page, stack: Stack) -> None:
    # 1. login (French by default); a wrong password is refused in plain words
    page.goto(stack.dashboard_url)
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
    expect(page.get_by_text(re.compile(r"Crédit (accordé|refusé)"))).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Ce qui augmente le risque")).to_be_visible()
    shot(page, "04-score-fr")
    page.get_by_text("Afficher l'explication complète").click()
    charts = page.get_by_test_id("stPlotlyChart")
    expect(charts).to_have_count(2, timeout=WAIT)  # the gauge, then the waterfall
    scroll_to(page, charts.nth(1))
    shot(page, "05-explanation")

    # 5. English: every label and the reasons change language
    page.get_by_test_id("stSidebar").get_by_text("English").click()
    expect(page.get_by_text(re.compile(r"Credit (granted|refused)"))).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("What raises the risk")).to_be_visible()
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
    expect(page.get_by_text(re.compile(r"Default risk: .* → "))).to_be_visible(timeout=WAIT)
    shot(page, "09-what-if")
    page.get_by_role("button", name="Find the largest amount").click()
    found = page.get_by_text(
        re.compile(r"Largest amount granted:|Granted even at|No amount is granted")
    )
    expect(found).to_be_visible(timeout=WAIT)
    scroll_to(page, found)
    shot(page, "10-largest-amount")

    # 8. decision: an override needs a reason, then it shows in the history
    nav(page, "Decision")
    proposal = page.get_by_text(re.compile(r"The model proposes: (Granted|Refused)"))
    expect(proposal).to_be_visible(timeout=WAIT)
    other = "Refused" if "proposes: Granted" in proposal.inner_text() else "Granted"
    form = page.get_by_test_id("stForm")
    form.get_by_text(other, exact=True).click()
    form.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Give a reason: your decision differs")).to_be_visible(timeout=WAIT)
    form.get_by_role("textbox", name="Reason").fill("Garant solide, revenus stables depuis 10 ans")
    form.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text(f"Decision recorded: {other}", exact=False)).to_be_visible(timeout=WAIT)
    history = page.get_by_test_id("stTable")
    expect(history).to_contain_text("Garant solide, revenus stables depuis 10 ans")
    expect(history).to_contain_text(stack.username)
    scroll_to(page, history)
    shot(page, "11-decision")

    # 9. logout returns to the login page
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible(timeout=WAIT)
