"""Shared fixtures: a live Streamlit server and headless Chromium for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy import replicas

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("BEL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# One copy of starting a server: the same helpers serve the tests, the benchmarks and deploy/replicas.py.
_free_port, _wait_healthy = replicas.free_port, replicas.wait_healthy
SERVER_ENV = replicas.REPLICA_ENV  # as the README starts the app: two malloc arenas (see core/runtime/heap.py)


@contextlib.contextmanager
def running_server(log: Path, env: dict[str, str] | None = None, address: str = "127.0.0.1") -> Iterator[str]:
    """Serve app.py with `streamlit run` on a free port of ``address`` (``env`` added to its environment); yields its
    URL on loopback."""
    port = _free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", address, "--server.headless", "true"],
            cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT, env={**os.environ, **SERVER_ENV, **(env or {})},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Streamlit server running app.py for the whole test session."""
    with running_server(tmp_path_factory.mktemp("server") / "streamlit.log") as url:
        yield url


@pytest.fixture
def fresh_server_url(tmp_path: Path) -> Iterator[str]:
    """A Streamlit server that no browser has visited yet."""
    with running_server(tmp_path / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright (never a downloaded browser)."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, server_url):  # type: ignore[no-untyped-def]
    """A fresh browser page; fails the test on any uncaught page error."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == []
