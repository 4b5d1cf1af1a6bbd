"""Every page in both languages in real Chromium: it renders without an exception and keeps its URL."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from core.i18n import t
from core.views.navigation import PAGES
from deploy.local import local_server

pytestmark = pytest.mark.e2e

# A setting each page writes into its URL on its first run (None: a page without URL settings); a page added to
# the app's registry fails here until it is listed.
URL_SETTING = {
    "calculator": ("n", "1000"),
    "training": ("dataset", "moons"),
    "compare": ("batch_sizes", "8"),
    "data-parallel": ("devices", "2"),
    "paths": ("batch_size", "32"),
    "learning-rate": ("base_lr", "0.001"),
    "learn": (None, None),
}
ASSETS = Path(__file__).resolve().parents[1] / "assets"


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("app_page", PAGES, ids=lambda p: p.url_path)
def test_every_page_renders_in_both_languages_and_writes_its_settings_to_the_url(page, server_url, app_page, lang):
    page.goto(f"{server_url}/{app_page.route}?lang={lang}")
    page.wait_for_selector("h1", timeout=60_000)
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-testid="stException"]').count() == 0
    name, value = URL_SETTING[app_page.url_path]
    if name is not None:
        page.wait_for_url(re.compile(rf"[?&]{name}=[^&]*{re.escape(value)}"), timeout=30_000)
    assert f"lang={lang}" in page.url
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    titles = [t(entry.title_key, lang) for entry in PAGES]
    assert [title in nav for title in titles] == [True] * len(PAGES)
    if os.environ.get("BEL_SCREENSHOTS"):  # BEL_SCREENSHOTS=1 pytest -m e2e refreshes the README's pictures
        page.wait_for_timeout(2_000)
        page.screenshot(path=ASSETS / f"{app_page.url_path}-{lang}.png")


def test_lesson_quiz_and_link_into_the_calculator(page, server_url):
    page.goto(f"{server_url}/learn?lang=en")
    page.wait_for_selector("h1", timeout=60_000)
    box = page.get_by_role("spinbutton", name="Your answer").first
    box.fill("10")
    box.press("Enter")
    page.get_by_text("Right: 10.").wait_for(timeout=30_000)
    page.locator('a[href*="n=60000"]').first.click()  # section 6: batch_size=len(X_train)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
    page.get_by_text("iterations_per_epoch = 60000 / 60000 = 1").wait_for(timeout=30_000)


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("calculator", "배치 · 에폭 계산기"),
        ("learning-rate", "학습률"),
        ("paths", "경사하강"),
        ("training", "실시간 학습"),
    ],
)
def test_first_visit_to_a_page_on_a_fresh_server_goes_through_the_app_shell(browser, fresh_server_url, path, title):
    # A fresh server treats pages/ as a v1 multipage app until app.py has run once; the shell must still apply.
    context = browser.new_context(locale="en-US")
    tab = context.new_page()
    tab.goto(f"{fresh_server_url}/{path}?lang=ko")
    tab.locator("h1", has_text=title).wait_for(timeout=60_000)
    assert tab.locator('[data-testid="stException"]').count() == 0
    assert tab.get_by_text("Page not found").count() == 0
    context.close()


@pytest.mark.parametrize("path", ["compare", "training"])
def test_a_fresh_server_reruns_at_once_and_never_again_after_the_first_paint(browser, tmp_path, path):
    # Streamlit's v1 multipage mode used to rerun the page a few seconds after it first went idle, losing a
    # click made meanwhile: now the shell's rerun comes before anything is drawn, and no run follows the paint.
    run_log = tmp_path / "runs.jsonl"
    with local_server(tmp_path / "streamlit.log", env={"BEL_RUN_LOG": str(run_log)}) as running:
        url = running.url
        context = browser.new_context(locale="en-US")
        tab = context.new_page()
        tab.goto(f"{url}/{path}?lang=en")
        tab.locator("h1").first.wait_for(timeout=60_000)
        tab.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)
        painted = len(_app_runs(run_log))
        tab.wait_for_timeout(6_000)  # the old spurious rerun came 2-6 s after the first paint
        assert len(_app_runs(run_log)) == painted == 1
        context.close()


def _app_runs(run_log):  # type: ignore[no-untyped-def]
    import json

    if not run_log.exists():
        return []
    return [line for line in map(json.loads, run_log.read_text().splitlines()) if line["event"] == "app_run"]
