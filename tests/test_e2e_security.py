"""Crafted links in real Chromium: a stranger's URL values are shown as text, never as a link, an image or a request.

Each page is opened once per payload, with the payload in every parameter the page takes (and in ``lang``).
The warnings must still say which value was refused, showing it whole; no link or image in the page may point
to another host or to ``javascript:``, and the browser must send nothing to that host.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from core.views import calculator, compare, data_parallel, learning_rate, paths, training

pytestmark = pytest.mark.e2e

EVIL = "evil.example"
PAYLOADS = {
    "backtick": f"x` **[Session expired - log in](https://{EVIL}/login)** ![t](https://{EVIL}/t.png) `",
    "double-backtick": f"x`` **[Session expired](https://{EVIL}/d)** ![t](https://{EVIL}/d.png) ``",
    "autolink": f"<https://{EVIL}/a> https://{EVIL}/b www.{EVIL}/c x@{EVIL} <javascript:alert(3)>",
    "html": f"<img src=https://{EVIL}/h.png><a href=https://{EVIL}/h>h</a>",
    "javascript": "[x](javascript:alert(1)) ![y](javascript:alert(2))",
    "reference": f"[x][r] ![y][r]\n\n[r]: https://{EVIL}/r",
}


def _names(query: dict[str, str]) -> list[str]:
    return list(query)


# Every parameter each page writes to its URL, from the views' own query functions (path -> names).
PAGES = {
    "": _names(calculator.settings_to_query(calculator.settings_from_query({})[0])),
    "training": _names({**training.config_to_query(training.config_from_query({})[0]),
                        **training.schedule_to_query(training.schedule_from_query({})[0])}),
    "compare": _names(compare.compare_to_query(compare.compare_from_query({})[0])),
    "data-parallel": _names(data_parallel.config_to_query(data_parallel.config_from_query({})[0])),
    "paths": _names(paths.settings_to_query(paths.settings_from_query({})[0])),
    "learning-rate": _names(learning_rate.settings_to_query(learning_rate.settings_from_query({})[0])),
}

# Each link and image in the page's body (the head's icon is Streamlit's), as the browser resolved it, with its tag.
READ_URLS = """() => [...document.body.querySelectorAll('a, img, image, source, iframe')].map((el) => {
  const raw = el.getAttribute('href') ?? el.getAttribute('xlink:href') ?? el.getAttribute('src') ?? '';
  try { return [el.tagName, new URL(raw, location.href).href]; } catch { return [el.tagName, raw]; }
})"""
# The warnings' text once it holds every expected part (a page's later run may redraw them).
ALL_SHOWN = """([selector, expected]) => {
  const text = [...document.querySelectorAll(selector)].map((el) => el.textContent).join('\\n')
    .replaceAll('\\u2060', '');
  return expected.every((part) => text.includes(part)) && text;
}"""
ALERTS = '[data-testid="stAlert"]'


def _shown(text: str) -> str:
    """``text`` as a code span shows it: line breaks are spaces; the invisible word joiner is not counted."""
    return " ".join(text.replace("\r\n", "\n").split("\n")).replace("\u2060", "")


@pytest.fixture(scope="module")
def context(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """One browser context whose requests to the stranger's host are recorded, then refused."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    context.sent = []  # type: ignore[attr-defined]

    def refuse(route) -> None:  # type: ignore[no-untyped-def]
        context.sent.append(route.request.url)  # type: ignore[attr-defined]
        route.abort()

    context.route(lambda url: EVIL in (urlsplit(url).hostname or ""), refuse)
    yield context
    context.close()


def _expected(names: list[str], payload: str) -> list[str]:
    """What the warnings must show: each refused ``name=value``.

    Not the unknown language: ui.lang.init_lang says so once, and a page's next run (the calculator's pictures
    a second later) no longer has it in the URL.
    """
    return [f"{name}={_shown(payload)}" for name in names]


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
@pytest.mark.parametrize("path", PAGES, ids=lambda p: p or "calculator")
def test_a_crafted_link_shows_its_values_as_text_and_links_nowhere(context, server_url, path, payload):
    page = context.new_page()
    sent_before = len(context.sent)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        query = urlencode({**dict.fromkeys(PAGES[path], payload), "lang": payload})
        page.goto(f"{server_url}/{path}?{query}")
        expected = _expected(PAGES[path], payload)
        try:
            alerts = str(page.wait_for_function(ALL_SHOWN, arg=[ALERTS, expected], timeout=90_000,
                                                polling=200).json_value())
        except PlaywrightTimeoutError:  # the assertion below says which part is missing
            alerts = "\n".join(page.locator(ALERTS).all_text_contents()).replace("\u2060", "")
        page.wait_for_timeout(300)  # images the warnings might hold ask for their source now
        assert [part for part in expected if part not in alerts] == [], alerts
        origin = urlsplit(server_url).netloc
        strangers = [(tag, url) for tag, url in page.evaluate(READ_URLS)
                     if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != origin]
        assert strangers == []
        assert [url for url in requests if EVIL in (urlsplit(url).hostname or "")] == []
        assert context.sent[sent_before:] == [] and errors == []
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()
