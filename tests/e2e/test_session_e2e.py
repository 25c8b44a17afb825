"""The dashboard keeps its language and its session in Chromium (issue 21).

- English chosen on the login page stays through every page of the navigation (an
  advisor's and an administrator's lists) and through *Open the file*;
- a reload, or a page's own address, keeps the session, the page and the open client;
  a session ended elsewhere, or one this server no longer knows, says so on the login page;
- after too many failed logins the message says from when the user may try again.

Each test uses users of its own (made here with the CLI), so that their logouts and
lock-outs leave the other browser tests alone.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess

import httpx
import pytest
from e2e_stack import CHROMIUM, CHROMIUM_ARGS, CLI, Stack
from playwright.sync_api import Browser, Page, expect, sync_playwright
from test_forms_e2e import no_technical_text

from credit_scoring.dashboard.i18n import translate
from credit_scoring.dashboard.sessions import COOKIE, new_session_id
from credit_scoring.dashboard.state import ROLE_PAGES

pytestmark = pytest.mark.e2e
WAIT = 30_000


def en(key: str, **values: object) -> str:
    return translate(key, "en", **values)


@pytest.fixture(scope="module")
def people(stack: Stack) -> dict[str, str]:
    """role -> username of users made for these tests (password: the stack's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_SCORING_")}
    env |= {
        "CREDIT_SCORING_HOME": str(stack.home),
        "CREDIT_SCORING_ENVIRONMENT": "test",
        "CREDIT_SCORING_SECRET_KEY": secrets.token_urlsafe(48),
        "E2E_PASSWORD": stack.password,
    }
    made = {"admin": "sess-admin", "advisor": "sess-advisor", "locked": "sess-locked"}
    for role, name in made.items():
        done = subprocess.run(
            [
                *CLI,
                *("users", "add", name, "--role", "advisor" if role == "locked" else role),
                *("--password-env", "E2E_PASSWORD"),
            ],
            env=env,
            cwd=stack.home,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    return made


def settle(page: Page) -> None:
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT)
    page.wait_for_timeout(300)


def new_page(browser: Browser) -> Page:
    return browser.new_context(viewport={"width": 1280, "height": 720}).new_page()


def english_on(page: Page, *, signed_in: bool = True) -> None:
    """The sidebar's language radio shows English, and the page speaks it."""
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("radio", name="English")).to_be_checked(timeout=WAIT)
    expect(sidebar.get_by_text(en("app.language"), exact=True)).to_be_visible()
    if signed_in:
        expect(sidebar.get_by_role("button", name=en("app.logout"))).to_be_visible()


def sign_in_english(page: Page, url: str, username: str, password: str) -> None:
    page.goto(url)
    page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    settle(page)
    page.get_by_label(en("login.username"), exact=True).fill(username)
    page.get_by_label(en("login.password"), exact=True).fill(password)
    page.get_by_role("button", name=en("login.submit")).click()
    expect(page.get_by_text(re.compile(r"\d+ client\(s\) found"))).to_be_visible(timeout=WAIT)


def open_first_file(page: Page) -> None:
    """Client search -> *Open the file* on the first client; waits for the file."""
    page.get_by_role("button", name=en("search.open")).click()
    expect(
        page.get_by_test_id("stMain").get_by_role("heading", name=re.compile(r"File of client #"))
    ).to_be_visible(timeout=WAIT)
    settle(page)


def client_heading(page: Page) -> str:
    heading = page.get_by_test_id("stMain").get_by_role(
        "heading", name=re.compile(r"File of client #\d+")
    )
    return heading.first.inner_text()


@pytest.mark.parametrize("role", ["advisor", "admin"])
def test_english_is_kept_on_every_page(stack: Stack, people: dict[str, str], role: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = new_page(browser)
            sign_in_english(page, stack.dashboard_url, people[role], stack.password)
            english_on(page)
            open_first_file(page)
            english_on(page)
            nav = page.get_by_test_id("stSidebarNav")
            # every page in view: nothing hidden behind "View N more"
            expect(page.get_by_text(re.compile(r"View \d+ more"))).to_have_count(0)
            for key in ROLE_PAGES[role]:
                link = nav.get_by_role("link", name=en(f"nav.{key}"), exact=True)
                expect(link).to_be_visible(timeout=WAIT)
                link.click()
                settle(page)
                english_on(page)
                assert "lang=en" in page.url, (key, page.url)
                # the page is in English: nothing of the French navigation is left
                expect(nav.get_by_text(translate("nav.search", "fr"), exact=True)).to_have_count(0)
                no_technical_text(page)  # no pattern, no HTTP verb, no route
        finally:
            browser.close()


def test_reload_keeps_the_session_the_page_and_the_client(
    stack: Stack, people: dict[str, str]
) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = new_page(browser)
            sign_in_english(page, stack.dashboard_url, people["advisor"], stack.password)
            # the next client in the list, so the file is not simply the default one
            open_first_file(page)
            opened = client_heading(page)
            assert re.search(r"/client\?", page.url) and "client=" in page.url, page.url
            assert "tok" not in page.url.lower() and "bearer" not in page.url.lower()
            page.reload()
            settle(page)
            expect(page.get_by_role("heading", name=opened)).to_be_visible(timeout=WAIT)
            english_on(page)
            # a page's own address, typed: the same session, that page
            page.goto(f"{stack.dashboard_url}/score")
            settle(page)
            expect(
                page.get_by_test_id("stMain").get_by_role(
                    "heading", name=re.compile(r"Score of client #")
                )
            ).to_be_visible(timeout=WAIT)
            english_on(page)
            cookie = [c for c in page.context.cookies() if c["name"] == COOKIE]
            assert cookie and cookie[0]["sameSite"] == "Strict"
            # logging out ends it: a reload shows the login page
            page.get_by_role("button", name=en("app.logout")).click()
            settle(page)
            page.reload()
            settle(page)
            expect(page.get_by_role("button", name=en("login.submit"))).to_be_visible(timeout=WAIT)
            expect(page.get_by_text(en("app.logout"), exact=True)).to_have_count(0)
        finally:
            browser.close()


def test_an_ended_or_unknown_session_says_so(stack: Stack, people: dict[str, str]) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = new_page(browser)
            sign_in_english(page, stack.dashboard_url, people["advisor"], stack.password)
            # the user logs out elsewhere: every token of theirs is revoked
            login = httpx.post(
                f"{stack.api_url}/auth/token",
                data={"username": people["advisor"], "password": stack.password},
                timeout=30,
            )
            token = login.json()["access_token"]
            revoked = httpx.post(
                f"{stack.api_url}/auth/logout",
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            assert revoked.status_code == 204
            page.reload()
            settle(page)
            expect(page.get_by_text(en("login.ended"))).to_be_visible(timeout=WAIT)
            expect(page.get_by_role("button", name=en("login.submit"))).to_be_visible()

            # a cookie this server does not know (expired, or the dashboard restarted)
            other = browser.new_context(viewport={"width": 1280, "height": 720})
            host = re.sub(r"^https?://", "", stack.dashboard_url).split(":")[0]
            other.add_cookies(
                [{"name": COOKIE, "value": new_session_id(), "domain": host, "path": "/"}]
            )
            stale = other.new_page()
            stale.goto(f"{stack.dashboard_url}/client?lang=en")
            settle(stale)
            expect(stale.get_by_text(en("login.expired"))).to_be_visible(timeout=WAIT)
        finally:
            browser.close()


def test_the_lockout_says_when_to_try_again(stack: Stack, people: dict[str, str]) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = new_page(browser)
            page.goto(f"{stack.dashboard_url}/?lang=en")
            settle(page)
            english_on(page, signed_in=False)
            for attempt in range(6):
                page.get_by_label(en("login.username"), exact=True).fill(people["locked"])
                page.get_by_label(en("login.password"), exact=True).fill(f"wrong-{attempt}")
                page.get_by_role("button", name=en("login.submit")).click()
                settle(page)
            message = page.get_by_text(re.compile(r"you can try again from"))
            expect(message).to_be_visible(timeout=WAIT)
            text = message.inner_text()
            assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d \(UTC\), in about \d+ min", text), text
        finally:
            browser.close()
