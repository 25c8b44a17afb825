"""Forms in headless Chromium, on the real API: a refused value is named with its cause and
nothing is computed; a language switch keeps a half-filled form; a wrong search is a sentence."""

from __future__ import annotations

import re

import pytest
from e2e_stack import CHROMIUM, CHROMIUM_ARGS, Stack
from playwright.sync_api import Page, expect, sync_playwright
from test_dashboard_e2e import WAIT, log_in, main, nav, settle

from credit_scoring.dashboard.i18n import translate

pytestmark = pytest.mark.e2e
TECHNICAL = re.compile(r"String should|Input should|pattern|\^|\\d|PATCH|GET /|POST /")


def type_number(page: Page, label: str, value: str) -> None:
    box = main(page).get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    settle(page)


def test_forms_name_the_cause_and_keep_what_was_typed(stack: Stack) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            log_in(page, stack.dashboard_url, stack.username, stack.password)
            search(page)
            new_application(page)
            what_if(page)
        finally:
            browser.close()


def search(page: Page) -> None:
    box = main(page).get_by_label(translate("search.by_id", "fr"))
    box.fill("abc")
    box.press("Enter")
    said = main(page).get_by_text(
        "Numéro de client recherché : doit être un numéro de client, en chiffres uniquement"
    )
    expect(said).to_be_visible(timeout=WAIT)
    assert not TECHNICAL.search(main(page).inner_text())
    box.fill("")
    box.press("Enter")
    settle(page)


def new_application(page: Page) -> None:
    nav(page, "Nouvelle demande")
    expect(main(page).get_by_role("heading", name="Nouvelle demande de crédit")).to_be_visible(
        timeout=WAIT
    )
    # half a form: a birth date, a choice, an income
    birth = main(page).get_by_role("group", name=translate("form.birth_date", "fr"), exact=True)
    birth.get_by_role("spinbutton").first.click()
    page.keyboard.type("12041985")
    page.keyboard.press("Escape")
    settle(page)
    main(page).get_by_label(translate("form.contract_type", "fr"), exact=True).click()
    page.get_by_role("option", name="Crédit renouvelable", exact=True).click()
    settle(page)
    type_number(page, translate("form.income_yearly", "fr"), "-5000")

    # English: every value kept, the choice shown in English
    page.get_by_test_id("stSidebar").get_by_text("English").click()
    expect(main(page).get_by_role("heading", name="New loan application")).to_be_visible(
        timeout=WAIT
    )
    settle(page)
    birth = main(page).get_by_role("group", name=translate("form.birth_date", "en"), exact=True)
    assert re.sub(r"\D", "", birth.inner_text()) == "19850412", birth.inner_text()
    expect(main(page).get_by_text("Revolving credit", exact=True)).to_be_visible()
    expect(main(page).get_by_text("Crédit renouvelable")).to_have_count(0)
    income = main(page).get_by_label(translate("form.income_yearly", "en"), exact=True)
    assert income.input_value().startswith("-5000"), income.input_value()

    # sent: each wrong value named with its cause, the birth date not blamed
    main(page).get_by_role("button", name="Save and score the application").click()
    expect(
        main(page).get_by_text("Yearly income: must be greater than 0 and at most 1,000,000,000")
    ).to_be_visible(timeout=WAIT)
    expect(main(page).get_by_text("Sex: required")).to_be_visible()
    expect(main(page).get_by_text("Birth date: required")).to_have_count(0)

    # a birth date in the future: named as such, not "required"
    birth.get_by_role("spinbutton").first.click()
    page.keyboard.type("20300101")
    page.keyboard.press("Escape")
    settle(page)
    main(page).get_by_role("button", name="Save and score the application").click()
    expect(main(page).get_by_text("Birth date: 2030-01-01 is in the future")).to_be_visible(
        timeout=WAIT
    )
    expect(main(page).get_by_text("Birth date: required")).to_have_count(0)
    assert not TECHNICAL.search(main(page).inner_text())
    assert "Date set outside allowed range" not in main(page).inner_text()


def what_if(page: Page) -> None:
    nav(page, "Client search")
    main(page).get_by_role("button", name="Open the file").click()
    settle(page)
    nav(page, "What-if")
    type_number(page, "Credit amount", "50000")
    page.get_by_role("button", name="Compute the new score").click()
    expect(page.get_by_text(re.compile(r"Default risk: .* → "))).to_be_visible(timeout=WAIT)
    type_number(page, "Credit amount", "0")
    type_number(page, "Monthly income", "-100")
    expect(main(page).get_by_text("Credit amount: must be greater than 0")).to_be_visible(
        timeout=WAIT
    )
    expect(main(page).get_by_text("Monthly income: must be greater than 0")).to_be_visible()
    expect(
        main(page).get_by_text(re.compile(r"^Correct 'Credit amount', 'Monthly income' first"))
    ).to_be_visible()
    expect(page.get_by_text(re.compile(r"Default risk: .* → "))).to_have_count(0)
    expect(page.get_by_role("button", name="Compute the new score")).to_be_disabled()
