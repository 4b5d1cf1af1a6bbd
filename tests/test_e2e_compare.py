"""The Compare page in real headless Chromium: a shared URL, Compare, overlaid live curves and the results table."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_shared_url_compares_two_batch_sizes_live(page, server_url):
    page.goto(f"{server_url}/compare?batch_sizes=8,64&epochs=2&n=300&lang=en")
    page.get_by_text("Plan per batch size").wait_for(timeout=30_000)
    page.get_by_role("button", name="Compare", exact=True).click()
    page.get_by_text("Finished: every batch size trained and the gradient noise was measured.").wait_for(
        timeout=60_000)
    first_chart = page.locator(".js-plotly-plot").first
    expect(first_chart).to_contain_text("B=8", timeout=15_000)  # both runs overlaid on one figure
    expect(first_chart).to_contain_text("B=64", timeout=15_000)
    # per epoch and per update: redrawn when the live view ends, so wait for them
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=30_000)
    assert page.locator('[data-testid="stDataFrame"]').count() == 2  # the plan and the results
    page.get_by_text("Critical batch size estimate (B_simple)").wait_for(timeout=10_000)
    page.get_by_text("More frequent updates (small batch)").wait_for(timeout=10_000)
    if os.environ.get("BEL_SCREENSHOTS"):  # refresh the README's picture
        page.set_viewport_size({"width": 1400, "height": 1500})
        page.wait_for_timeout(2_000)
        page.screenshot(path=Path(__file__).resolve().parents[1] / "assets" / "compare-live-en.png")
    assert page.locator('[data-testid="stException"]').count() == 0
