"""Forms in headless Chromium, on the real API (issue 21): a refused value is named with its
cause and nothing is computed; a language switch keeps a half-filled form; a search that is not
a number is a sentence; no form shows a regular expression, an HTTP verb or a route (an empty
history said in a sentence: ``test_dashboard_e2e.py``; every page in English without those:
``test_session_e2e.py``)."""

from __future__ import annotations

import re

import pytest
from e2e_stack import CHROMIUM, CHROMIUM_ARGS, Stack
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect, sync_playwright
from test_dashboard_e2e import WAIT, log_in, main, nav, settle, type_number

from credit_scoring.dashboard.i18n import translate

pytestmark = pytest.mark.e2e
# what a person must never read: Pydantic's own words, a pattern, an HTTP verb with a route
TECHNICAL = re.compile(
    r"String should|Input should|pattern|\^|\\d|\b(GET|POST|PUT|PATCH|DELETE) /|/clients/|/applications"
)


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a select box; a click that lands during a rerun is done again."""
    for _ in range(3):
        settle(page)
        main(page).get_by_label(label, exact=True).click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
        except PlaywrightError:  # the list closed while the page redrew: open it again
            page.keyboard.press("Escape")
            continue
        settle(page)
        if selected(page, label) == option:
            return
    raise AssertionError(f"{label}: {selected(page, label)!r} shown, {option!r} chosen")


def selected(page: Page, label: str) -> str:
    """The option a select box shows (Streamlit keeps it as the combobox's value)."""
    box = main(page).get_by_role("combobox", name=label, exact=True)
    value = box.input_value() if box.evaluate("e => 'value' in e") else ""
    return value or box.inner_text().strip()


def type_date(page: Page, label: str, digits: str) -> None:
    """Type a date into its segmented field (day, month, year in the locale's order)."""
    group = main(page).get_by_role("group", name=label, exact=True)
    group.get_by_role("spinbutton").first.click()
    page.keyboard.type(digits)
    page.keyboard.press("Escape")
    settle(page)


def shown_date(page: Page, label: str) -> str:
    return re.sub(r"\D", "", main(page).get_by_role("group", name=label, exact=True).inner_text())


def no_technical_text(page: Page) -> None:
    text = main(page).inner_text()
    found = TECHNICAL.search(text)
    assert found is None, text[max(0, found.start() - 80) : found.end() + 80]


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
    box = main(page).get_by_label(translate("search.by_id", "fr"), exact=True)
    box.fill("abc")
    box.press("Enter")
    said = main(page).get_by_text(
        "Numéro de client recherché : doit être un numéro de client, en chiffres uniquement"
    )
    expect(said).to_be_visible(timeout=WAIT)
    no_technical_text(page)
    box.fill("")
    box.press("Enter")
    settle(page)


def new_application(page: Page) -> None:
    nav(page, translate("nav.new_application", "fr"))
    expect(main(page).get_by_role("heading", name="Nouvelle demande de crédit")).to_be_visible(
        timeout=WAIT
    )
    # half a form: a birth date, a choice, an income
    type_date(page, translate("form.birth_date", "fr"), "12041985")
    choose(page, translate("form.contract_type", "fr"), "Crédit renouvelable")
    type_number(page, translate("form.income_yearly", "fr"), "-5000")

    # English: every value kept, the choice shown in English
    page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    expect(main(page).get_by_role("heading", name="New loan application")).to_be_visible(
        timeout=WAIT
    )
    settle(page)
    assert shown_date(page, translate("form.birth_date", "en")) == "19850412"
    assert selected(page, translate("form.contract_type", "en")) == "Revolving credit"
    income = main(page).get_by_label(translate("form.income_yearly", "en"), exact=True)
    assert float(income.input_value()) == -5000, income.input_value()

    # sent: each wrong value named with its cause, the birth date not blamed
    submit = main(page).get_by_role("button", name=translate("form.submit", "en"))
    submit.click()
    expect(
        main(page).get_by_text("Yearly income: must be greater than 0 and at most 1,000,000,000")
    ).to_be_visible(timeout=WAIT)
    expect(main(page).get_by_text("Sex: required")).to_be_visible()
    expect(main(page).get_by_text(re.compile(r"^Date of birth: required"))).to_have_count(0)
    expect(
        main(page).get_by_text(re.compile(r"enregistrée et scorée|entered and scored"))
    ).to_have_count(0)

    # a birth date in the future: named as such, not "required"
    type_date(page, translate("form.birth_date", "en"), "20300101")
    assert shown_date(page, translate("form.birth_date", "en")) == "20300101"
    submit.click()
    expect(main(page).get_by_text(re.compile(r"^Date of birth: .*future"))).to_be_visible(
        timeout=WAIT
    )
    expect(main(page).get_by_text(re.compile(r"^Date of birth: required"))).to_have_count(0)
    no_technical_text(page)
    assert "Date set outside allowed range" not in main(page).inner_text()


def what_if(page: Page) -> None:
    nav(page, translate("nav.search", "en"))
    main(page).get_by_role("button", name=translate("search.open", "en")).click()
    settle(page)
    nav(page, translate("nav.whatif", "en"))
    amount, income = translate("client.amount_credit", "en"), translate("client.income", "en")
    type_number(page, amount, "50000")
    run = page.get_by_role("button", name=translate("whatif.run", "en"))
    run.click()
    result = page.get_by_text(re.compile(r"^Probability of default: .* → "))
    expect(result).to_be_visible(timeout=WAIT)
    type_number(page, amount, "0")
    type_number(page, income, "-100")
    expect(main(page).get_by_text(re.compile(rf"^{amount}: must be greater than 0"))).to_be_visible(
        timeout=WAIT
    )
    expect(
        main(page).get_by_text(re.compile(rf"^{income}: must be greater than 0"))
    ).to_be_visible()
    expect(main(page).get_by_text(re.compile(r"^Correct .* first"))).to_be_visible()
    # nothing computed with the refused values, and the old result is not shown as theirs
    expect(result).to_have_count(0)
    expect(run).to_be_disabled()
    no_technical_text(page)
