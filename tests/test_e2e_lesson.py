"""The lesson's examples and refusals as a learner sees them in Chromium, in English and Korean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from core.i18n import t

pytestmark = pytest.mark.e2e

LANGS = ("en", "ko")
README_RANDOM_LINK = "/training?dataset=random&n=1000&batch_size=32&epochs=10&model=linear&lr=0.001"
# Three or more English words in a row: a sentence that escaped the string tables.
ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?:[ ,']+[A-Za-z]{2,}){2,}")


def _metric(page: Page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


@pytest.mark.parametrize("lang", LANGS)
def test_the_lessons_pytorch_example_trains_all_1000_rows_and_prints_the_lessons_log(
    page: Page, server_url: str, lang: str,
) -> None:
    page.goto(f"{server_url}{README_RANDOM_LINK}&lang={lang}")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)
    assert _metric(page, t("metric.iterations_per_epoch", lang)) == "32"
    assert _metric(page, t("metric.total_updates", lang)) == "320"
    page.get_by_role("button", name=t("train.train", lang), exact=True).click()
    page.get_by_text(t("train.status.finished", lang)).wait_for(timeout=90_000)
    log = page.locator('[data-testid="stCode"]').last.inner_text().strip().splitlines()
    assert len(log) == 10
    assert all(re.fullmatch(rf"Epoch {e}/10, Loss: \d\.\d{{4}}", line) for e, line in enumerate(log, 1)), log


@pytest.mark.parametrize("lang", LANGS)
def test_the_conveyor_for_200_samples_in_batches_of_20_shows_ten_numbered_batches(
    page: Page, server_url: str, lang: str,
) -> None:
    page.goto(f"{server_url}/?n=200&batch_size=20&epochs=1&lang={lang}")
    conveyor = page.locator(".st-key-conveyor .js-plotly-plot")
    conveyor.locator(".textpoint text").first.wait_for(timeout=30_000)
    numbers = [text.strip() for text in conveyor.locator(".textpoint text").all_text_contents()]
    assert numbers == [str(k) for k in range(1, 11)]
    assert not page.get_by_role("switch", name=t("calc.shuffle", lang)).is_checked()


@pytest.mark.parametrize("lang", LANGS)
def test_typing_a_batch_larger_than_the_data_gives_one_full_batch_with_a_note(
    page: Page, server_url: str, lang: str,
) -> None:
    page.goto(f"{server_url}/?n=1000&batch_size=32&epochs=10&val_split=0&lang={lang}")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)
    batch = page.get_by_role("spinbutton", name=t("calc.batch_size", lang))
    batch.fill("5000")
    batch.press("Enter")
    page.wait_for_url(re.compile(r"batch_size=5000\b"), timeout=30_000)
    # The URL changes a moment before the metrics are drawn; on a loaded machine that moment can pass 5 s.
    expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text("1", timeout=30_000)
    assert _metric(page, t("metric.iterations_per_epoch", lang)) == "1"
    assert _metric(page, t("metric.total_updates", lang)) == "10"
    page.get_by_text(t("calc.full_batch", lang, n=1000)).first.wait_for(timeout=10_000)
    assert batch.input_value() == "5000"


def test_a_korean_page_with_a_fallback_a_stopped_run_and_a_refused_setting_speaks_only_korean(
    page: Page, server_url: str,
) -> None:
    # epochs=0 is refused (1 is used), cuda falls back to the CPU here, and the run is stopped by hand.
    page.goto(f"{server_url}/training?dataset=moons&n=20000&batch_size=1&epochs=0&device=cuda&val_split=0&lang=ko")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)
    page.get_by_role("button", name=t("train.train", "ko"), exact=True).click()
    page.get_by_text(t("train.status.running", "ko")).wait_for(timeout=30_000)
    page.get_by_role("button", name=t("train.stop", "ko"), exact=True).click()
    page.get_by_text(t("train.status.stopped", "ko")).wait_for(timeout=30_000)
    alerts = [text.strip() for text in page.locator('[data-testid="stAlert"]').all_inner_texts()]
    assert any("epochs=0" in text for text in alerts)  # the refusal
    assert any("CUDA" in text and "CPU" in text for text in alerts)  # the fall-back
    assert t("train.status.stopped", "ko") in alerts
    progress = page.locator('[data-testid="stProgress"]').inner_text()
    texts = [*alerts, progress, *page.locator("h1, h2, h3, label").all_inner_texts()]
    for text in texts:
        # Names a learner types or reads in code stay as they are: settings, devices, the URL's own words.
        plain = re.sub(r"`[^`]*`|\b(?:CUDA|CPU|GPU|epochs|device|cuda|Adam|SGD|MLP|drop_last|samples/s)\b", "", text)
        assert not ENGLISH_RUN.search(plain), text
    assert page.locator('[data-testid="stException"]').count() == 0
