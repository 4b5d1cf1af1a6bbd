"""Live runs a class can lean on, in real Chromium: language switches and reloads lose nothing, Stop answers."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from core.views.navigation import PAGES, AppPage

pytestmark = pytest.mark.e2e

LONG_RUN = "/training?dataset=moons&n=20000&batch_size=1&epochs=10&val_split=0&lang=en"
LONG_COMPARE = "/compare?batch_sizes=1,2&dataset=moons&n=20000&epochs=5&lang=en"
CHOICES = ('[data-testid="stMain"] :is([data-testid="stRadio"], [data-testid="stSelectbox"], '
           '[data-testid="stButtonGroup"])')

# The state of every radio, select box and segmented control in the page's main area, in page order.
READ_CHOICES = """(selector) => [...document.querySelectorAll(selector)].map((el) => {
  const kind = el.getAttribute('data-testid');
  if (kind === 'stRadio') return [...el.querySelectorAll('input[type=radio]')].findIndex((i) => i.checked);
  if (kind === 'stSelectbox') return el.querySelector('input').value;
  return [...el.querySelectorAll('button')].findIndex((b) => /Active/.test(b.getAttribute('kind') || ''));
})"""


RUNNING = '[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"]'


def settle(page: Page, timeout_ms: int = 15_000) -> None:
    """Wait until the app has finished its rerun: Streamlit's running icon gone for a moment (a live view's
    polling may keep it busy; then go on after ``timeout_ms``)."""
    page.wait_for_timeout(300)
    waited = 0
    quiet = 0
    while waited < timeout_ms and quiet < 5:
        # a whole app made inert: it is reconnecting (a collapsed expander's body is always inert)
        busy = page.locator(RUNNING).count() or page.locator('[inert]:not([data-testid="stExpanderDetails"])').count()
        quiet = 0 if busy else quiet + 1
        page.wait_for_timeout(100)
        waited += 100


def switch_language(page: Page, label: str) -> None:
    page.locator('[data-testid="stSidebar"] [data-testid="stRadio"] label', has_text=label).click()
    settle(page)


def choices(page: Page) -> list[object]:
    return page.evaluate(READ_CHOICES, CHOICES)


def pick_other_values(page: Page) -> None:
    """Move every choice in the main area off its first/default value."""
    count = page.locator(CHOICES).count()
    for index in range(count):
        widget = page.locator(CHOICES).nth(index)
        kind = widget.get_attribute("data-testid")
        if (not widget.is_visible() or widget.locator("[disabled]").count() or widget.get_attribute("aria-disabled")
                or widget.evaluate("e => !!e.closest('[inert]')")):  # folded away in a collapsed expander
            continue
        if kind == "stRadio":
            options = widget.locator("label")
            for _ in range(2):  # a fresh server's first page reruns once more after going idle (issue 10)
                options.nth(options.count() - 1).click()
                settle(page)
                if widget.locator("input").last.is_checked():
                    break
        elif kind == "stSelectbox":
            box = widget.get_by_role("combobox")
            box.focus()
            box.press("ArrowDown")  # opens the list on the current value
            box.press("ArrowDown")  # the next one
            box.press("Enter")
        else:
            buttons = widget.locator("button")
            buttons.nth(buttons.count() - 1).click()
        settle(page)


def no_exception(page: Page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.fixture
def sidebar_page(page: Page) -> Iterator[Page]:
    """A page wide enough to show the sidebar (and its language switch)."""
    yield page


@pytest.mark.parametrize("app_page", PAGES, ids=lambda p: p.url_path)
def test_language_switch_keeps_every_choice_on_every_page(
        sidebar_page: Page, server_url: str, app_page: AppPage) -> None:
    page = sidebar_page
    page.goto(f"{server_url}/{app_page.route}?lang=en")
    page.wait_for_selector(CHOICES, timeout=60_000)
    settle(page)
    initial = choices(page)
    pick_other_values(page)
    before = choices(page)
    assert before and before != initial, "every page has choices, and they moved off their defaults"
    switch_language(page, "한국어")
    no_exception(page)
    korean = choices(page)
    assert [v for v in korean if isinstance(v, int)] == [v for v in before if isinstance(v, int)]
    switch_language(page, "English")
    no_exception(page)
    assert choices(page) == before
    expect(page.locator('[data-testid="stSidebar"]').get_by_text("한국어")).to_be_visible()


def test_data_set_title_follows_the_language(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/training?dataset=circles&lang=en")
    box = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.get_by_role("combobox")
    expect(box).to_have_value("Circles", timeout=60_000)
    settle(page)
    switch_language(page, "한국어")
    expect(box).to_have_value("동심원 (circles)")
    switch_language(page, "English")
    expect(box).to_have_value("Circles")
    no_exception(page)


def test_language_switch_mid_run_keeps_the_run_and_its_settings(page: Page, server_url: str) -> None:
    page.goto(server_url + LONG_RUN)
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    settle(page)
    pick_other_values(page)  # also picks the last data set: restore the long run's settings by URL below
    page.goto(server_url + LONG_RUN)
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    page.locator('[data-testid="stMain"] [data-testid="stRadio"]').first.locator("label").last.click()
    settle(page)
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Training…").wait_for(timeout=30_000)
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)  # with the chart controls beside it
    before = choices(page)
    switch_language(page, "한국어")
    page.get_by_text("학습 중").first.wait_for(timeout=30_000)
    no_exception(page)
    switch_language(page, "English")
    no_exception(page)
    assert choices(page) == before
    page.get_by_text("Training…").wait_for(timeout=30_000)  # the same run, still training
    page.get_by_role("button", name="Stop", exact=True).click()
    page.get_by_text("Stopped. The history so far is kept.").wait_for(timeout=30_000)


def _progress_updates(page: Page) -> int:
    text = page.locator('[data-testid="stProgress"]').first.inner_text()
    epoch, iteration = (int(v.replace(",", "")) for v in re.findall(r"epoch ([\d,]+)/.*?iteration ([\d,]+)", text)[0])
    return epoch * 1_000_000 + iteration


def test_reload_reattaches_the_running_run_and_keeps_earlier_runs(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/training?dataset=moons&n=200&batch_size=20&epochs=2&lang=en")
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Finished: every planned update was made.").wait_for(timeout=60_000)
    token = re.search(r"[?&]tab=([^&]+)", page.url).group(1)
    page.goto(f"{server_url}{LONG_RUN}&tab={token}")  # a link with new settings, in the same tab
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Training…").wait_for(timeout=30_000)
    page.wait_for_timeout(1_000)
    before = _progress_updates(page)

    page.reload()
    page.get_by_text("Training…").wait_for(timeout=30_000)
    assert re.search(r"[?&]tab=([^&]+)", page.url).group(1) == token
    page.wait_for_timeout(1_000)
    assert _progress_updates(page) > before  # the same run, further on: not restarted, not lost
    assert page.get_by_text("#1 · B=20").count() >= 1  # the earlier run is still there to overlay
    page.get_by_role("button", name="Stop", exact=True).click()
    page.get_by_text("Stopped. The history so far is kept.").wait_for(timeout=30_000)
    no_exception(page)


def test_reload_reattaches_a_running_comparison(page: Page, server_url: str) -> None:
    page.goto(server_url + LONG_COMPARE)
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
    page.wait_for_url(re.compile(r"[?&]tab="), timeout=30_000)
    page.get_by_role("button", name="Compare", exact=True).click()
    page.get_by_text("Training batch size 1 (1 of 2)…").wait_for(timeout=30_000)
    page.reload()
    page.get_by_text("Training batch size 1 (1 of 2)…").wait_for(timeout=30_000)
    expect(page.get_by_role("button", name="Stop", exact=True)).to_be_enabled(timeout=30_000)
    page.get_by_role("button", name="Stop", exact=True).click()
    page.get_by_text("Stopped. The runs so far are kept.").wait_for(timeout=30_000)
    no_exception(page)


def test_another_browser_can_neither_see_nor_stop_the_run(browser, page: Page, server_url: str) -> None:
    page.goto(server_url + LONG_RUN)
    page.wait_for_url(re.compile(r"[?&]tab="), timeout=60_000)
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Training…").wait_for(timeout=30_000)
    stranger = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    try:
        other = stranger.new_page()
        other.goto(server_url + LONG_RUN)  # the same settings, without the token
        other.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
        settle(other)
        assert other.get_by_text("Press Train").count() >= 1 and other.get_by_text("Training…").count() == 0
        expect(other.get_by_role("button", name="Stop", exact=True)).to_be_disabled()
        other.goto(page.url)  # a copied link, token included, while its tab is still open
        other.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
        settle(other)
        assert other.get_by_text("Training…").count() == 0
        assert re.search(r"[?&]tab=([^&]+)", other.url).group(1) != re.search(r"[?&]tab=([^&]+)", page.url).group(1)
    finally:
        stranger.close()
    page.get_by_text("Training…").wait_for(timeout=10_000)  # untouched by the stranger
    page.get_by_role("button", name="Stop", exact=True).click()
    page.get_by_text("Stopped. The history so far is kept.").wait_for(timeout=30_000)
