"""The calculator in real headless Chromium: a shared URL opens the right numbers."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


def _metric(page, label: str) -> str:  # type: ignore[no-untyped-def]
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_shared_url_opens_with_its_numbers(page, server_url):
    page.goto(f"{server_url}/?n=1001&batch_size=32&epochs=3&val_split=0.2&framework=pytorch&lang=en")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)
    assert _metric(page, "Iterations per epoch") == "26"
    assert _metric(page, "Total updates") == "78"
    assert _metric(page, "Training samples") == "801"
    # The conveyor and the timeline follow the numbers a moment later.
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=30_000)


def test_keras_url_in_korean(page, server_url):
    page.goto(f"{server_url}/?n=1001&batch_size=32&epochs=3&val_split=0.2&framework=keras&lang=ko")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)
    assert _metric(page, "에폭당 반복 수") == "25"
    assert _metric(page, "학습 샘플") == "800"


def test_bad_url_shows_a_warning_not_a_traceback(page, server_url):
    page.goto(f"{server_url}/?n=banana&epochs=-4&lang=en")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)
    alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert any("n=banana" in text for text in alerts)
    assert any("epochs=-4" in text for text in alerts)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert _metric(page, "Total updates") == "400"


def test_typing_a_dataset_size_updates_the_metrics_and_the_url(page, server_url):
    page.goto(f"{server_url}/?lang=en")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)
    box = page.get_by_role("spinbutton", name="Dataset size (samples)")
    box.fill("200")
    box.press("Enter")
    page.wait_for_url(re.compile(r"n=200"))  # the rerun has finished: the batch box now allows at most 200
    batch = page.get_by_role("spinbutton", name="Batch size")
    batch.fill("20")
    batch.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetricValue]')].some(e => e.innerText.trim() === '10')"
    )
    assert _metric(page, "Iterations per epoch") == "10"
    page.wait_for_url(re.compile(r"batch_size=20\b"))


def test_sidebar_language_switch_changes_the_page_and_the_url(page, server_url):
    page.goto(f"{server_url}/?n=200&batch_size=20&epochs=10&lang=ko")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)
    assert _metric(page, "에폭당 반복 수") == "10"
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    page.locator("h1", has_text="Batch & epoch calculator").wait_for(timeout=30_000)
    assert _metric(page, "Iterations per epoch") == "10"
    page.wait_for_url(re.compile(r"lang=en"))
    assert "n=200" in page.url


def test_conveyor_shows_ten_numbered_batches_of_twenty(page, server_url):
    page.goto(f"{server_url}/?n=200&batch_size=20&epochs=1&lang=en")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)
    conveyor = page.locator(".st-key-conveyor .js-plotly-plot")
    conveyor.locator(".textpoint text").first.wait_for(timeout=30_000)
    numbers = [text.strip() for text in conveyor.locator(".textpoint text").all_text_contents()]  # SVG text
    assert numbers == [str(k) for k in range(1, 11)]
    # Shuffle starts off: the numbered batches are ten rows of twenty tiles, top to bottom.
    assert not page.get_by_role("switch", name="Shuffle every epoch (shuffle=True)").is_checked()
    tops = [box["y"] for box in (text.bounding_box() for text in conveyor.locator(".textpoint text").all())]
    assert tops == sorted(tops) and len(set(round(y) for y in tops)) == 10
    assert "batches, numbered 1 to 10" in conveyor.locator(".legendtext").all_text_contents()
