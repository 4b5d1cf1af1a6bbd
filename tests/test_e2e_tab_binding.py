"""A tab's runs belong to the browser that made them, in real Chromium: a reload or a language switch there finds
the run again; its copied URL in any other browser, while the tab is open or right after it closed, starts afresh."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from core.runtime.tabs import TOKEN_BYTES
from tests.test_e2e_live import LONG_RUN, no_exception, settle, switch_language
from ui.runs import BROWSER_COOKIE

pytestmark = pytest.mark.e2e

WAIT_MS = 60_000
TRAINING = "Training…"
FRESH = "Press Train to start a run."
OTHER_BROWSER = "That link belongs to a tab of another browser"
LOST = "This page's earlier runs could not be found"


def token(page: Page) -> str:
    page.wait_for_url(re.compile(r"[?&]tab="), timeout=WAIT_MS)
    found = re.search(r"[?&]tab=([^&]+)", page.url)
    assert found is not None
    return found.group(1)


def new_browser(browser: Browser) -> BrowserContext:
    """Another browser: its own cookie jar."""
    return browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")


def wait_for_secret(context: BrowserContext) -> str:
    """The browser's secret cookie, set by the page soon after its first render."""
    for _ in range(100):
        found = [c for c in context.cookies() if c["name"] == BROWSER_COOKIE]
        if found:
            cookie = found[0]
            assert cookie["sameSite"] == "Strict" and cookie["path"] == "/" and cookie["expires"] > 0
            return cookie["value"]
        context.pages[0].wait_for_timeout(100)
    raise AssertionError(f"no {BROWSER_COOKIE} cookie")


def open_fresh(context: BrowserContext, url: str, notice: str) -> Page:
    """``url`` in ``context``: a fresh tab that says why, shows no run and offers no Stop."""
    page = context.new_page()
    page.goto(url)
    page.get_by_text(notice).first.wait_for(timeout=WAIT_MS)
    page.get_by_text(FRESH).wait_for(timeout=WAIT_MS)
    settle(page)
    assert page.get_by_text(TRAINING).count() == 0
    expect(page.get_by_role("button", name="Stop", exact=True)).to_be_disabled()
    assert token(page) != re.search(r"[?&]tab=([^&]+)", url).group(1)  # type: ignore[union-attr]
    no_exception(page)
    return page


def test_a_run_stays_with_its_browser_through_reloads_and_language_switches(
        browser: Browser, server_url: str) -> None:
    owner, strangers = new_browser(browser), [new_browser(browser), new_browser(browser)]
    try:
        page = owner.new_page()
        page.goto(server_url + LONG_RUN)
        secret = wait_for_secret(owner)
        page.get_by_role("button", name="Train", exact=True).click()
        page.get_by_text(TRAINING).wait_for(timeout=WAIT_MS)
        mine = token(page)
        assert secret not in page.url  # the URL carries the tab's token only

        page.reload()  # a new session, the same URL and cookie
        page.get_by_text(TRAINING).wait_for(timeout=WAIT_MS)
        page.get_by_text("Reconnected").first.wait_for(timeout=WAIT_MS)
        assert token(page) == mine and wait_for_secret(owner) == secret
        switch_language(page, "한국어")  # the same session: the same tab, its run live in the other language
        page.locator('[data-testid="stMain"]').get_by_text("학습 중…").wait_for(timeout=WAIT_MS)
        expect(page.get_by_role("button", name="중지", exact=True)).to_be_enabled()
        assert token(page) == mine

        url = page.url.replace("lang=ko", "lang=en")  # the link as copied, read in English
        open_fresh(strangers[0], url, OTHER_BROWSER)  # the copied URL, its tab still open
        page.locator('[data-testid="stMain"]').get_by_text("학습 중…").wait_for(timeout=WAIT_MS)  # untouched
        page.close()
        open_fresh(strangers[1], url, OTHER_BROWSER)  # the copied URL, right after its tab closed
        assert wait_for_secret(strangers[1]) != secret

        again = owner.new_page()  # the same browser opens the link again: its tab, its run
        again.goto(url)
        again.get_by_text(TRAINING).wait_for(timeout=WAIT_MS)
        assert token(again) == mine
        again.get_by_role("button", name="Stop", exact=True).click()
        again.get_by_text("Stopped. The history so far is kept.").wait_for(timeout=WAIT_MS)
        no_exception(again)
    finally:
        for context in (owner, *strangers):
            context.close()


def test_a_browser_without_its_cookie_cannot_reload_into_the_run(browser: Browser, server_url: str) -> None:
    context = new_browser(browser)
    try:
        page = context.new_page()
        page.goto(server_url + LONG_RUN)
        wait_for_secret(context)
        page.get_by_role("button", name="Train", exact=True).click()
        page.get_by_text(TRAINING).wait_for(timeout=WAIT_MS)
        url = page.url
        page.close()
        kept = context.cookies()
        context.clear_cookies()  # as a browser that keeps no cookies
        open_fresh(context, url, OTHER_BROWSER).close()
        context.clear_cookies()
        context.add_cookies(kept)  # its own cookie back: its own tab again
        again = context.new_page()
        again.goto(url)
        again.get_by_role("button", name="Stop", exact=True).click()
        again.get_by_text("Stopped. The history so far is kept.").wait_for(timeout=WAIT_MS)
    finally:
        context.close()


def test_a_token_this_server_does_not_hold_is_said_so_until_a_run_starts(browser: Browser, server_url: str) -> None:
    context = new_browser(browser)
    try:
        gone = secrets.token_urlsafe(TOKEN_BYTES)  # as after a restart: a well-formed token nobody here knows
        page = open_fresh(context, f"{server_url}/training?dataset=moons&n=200&batch_size=20&epochs=2&lang=en"
                                   f"&tab={gone}", LOST)
        expect(page.get_by_text(LOST)).to_be_visible()
        page.get_by_role("button", name="Train", exact=True).click()
        page.get_by_text("Finished: every planned update was made.").wait_for(timeout=WAIT_MS)
        expect(page.get_by_text(LOST)).to_have_count(0)
        switch_language(page, "한국어")
        expect(page.get_by_text("이전 실행을 찾을 수 없습니다")).to_have_count(0)
    finally:
        context.close()
