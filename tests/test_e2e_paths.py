"""Descent paths in real headless Chromium: a shared URL draws the loss contour and the three named paths."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def _svg_texts(page, selector: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Text of SVG elements (Plotly's legend and annotations have no innerText)."""
    return page.locator(selector).evaluate_all("elements => elements.map(e => e.textContent)")


def test_shared_url_shows_the_contour_with_three_named_paths(page, server_url):
    page.goto(f"{server_url}/paths?n=200&batch_size=32&lr=0.1&epochs=5&budget=epochs&seed=0&noise=0.5&lang=en")
    page.wait_for_selector(".js-plotly-plot .contourlayer path", timeout=60_000)
    legend = _svg_texts(page, ".js-plotly-plot .legendtext")
    labels = _svg_texts(page, ".js-plotly-plot .annotation-text")
    for name in ("Batch Gradient Descent", "Stochastic Gradient Descent", "Mini-batch Gradient Descent"):
        assert any(entry.startswith(name) for entry in legend)
        assert name in labels
    assert page.get_by_text("Show the first k updates").count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0


def test_scrubbing_back_to_the_first_updates_shortens_the_paths(page, server_url):
    page.goto(f"{server_url}/paths?n=200&batch_size=32&lr=0.1&epochs=5&budget=epochs&seed=0&noise=0.5&lang=en")
    page.wait_for_selector(".js-plotly-plot .contourlayer path", timeout=60_000)

    def drawn() -> int:
        return sum(len(d or "") for d in page.locator(".js-plotly-plot .scatterlayer .js-line").evaluate_all(
            "elements => elements.map(e => e.getAttribute('d'))"))

    before = drawn()
    page.get_by_role("slider", name="Show the first k updates").press("Home")
    page.wait_for_function(f"() => [...document.querySelectorAll('.js-plotly-plot .scatterlayer .js-line')]"
                           f".reduce((n, e) => n + (e.getAttribute('d') || '').length, 0) < {before}",
                           timeout=30_000)
    assert drawn() < before
