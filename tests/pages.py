"""Opening a page of the app in Streamlit's AppTest, shared by the page tests."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(page: str | None = None, *, lang: str = "en", timeout: float = 60, **query: str) -> AppTest:
    """The app with ``query`` (and ``lang``) in its URL, run once on ``page`` (a path under pages/; None: the
    calculator, the app's default page)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params.update({"lang": lang, **query})
    if page is not None:
        at.switch_page(page)
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    """Every metric on the page, label -> value."""
    return {metric.label: metric.value for metric in at.metric}


def query_value(at: AppTest, name: str) -> str:
    """One URL parameter as the page wrote it (AppTest may hold it as a one-item list)."""
    value = at.query_params[name]
    return value[0] if isinstance(value, list) else value
