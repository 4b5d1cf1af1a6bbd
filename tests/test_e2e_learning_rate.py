"""The Learning-rate page in real headless Chromium: a URL opens it, a new batch size rescales the rate."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


def _metric(page, label: str) -> str:  # type: ignore[no-untyped-def]
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_changing_the_batch_size_rescales_the_rate_and_draws_the_schedule(page, server_url):
    # A fresh server only knows the /learning-rate path once app.py has run st.navigation.
    page.goto(f"{server_url}/?lang=en")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)
    page.goto(f"{server_url}/learning-rate?batch_size=256&base_lr=0.001&base_batch_size=32&n=1000&epochs=10&lang=en")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)
    assert _metric(page, "Linear rule") == "0.008"
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 1", timeout=30_000)
    box = page.get_by_role("spinbutton", name="New batch size")
    box.fill("512")
    box.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetricValue]')].some(e => e.innerText.trim() === '0.016')",
        timeout=30_000,
    )
    page.wait_for_url(re.compile(r"batch_size=512"))
    # The schedule chart is redrawn after the rerun; wait for it rather than catching it mid-redraw.
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 1", timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
