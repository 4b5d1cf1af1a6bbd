"""Shared fixtures and levers: a live Streamlit server and headless Chromium for end-to-end tests, the ``slow``
marker on every browser test, and the Hypothesis profiles ("ci": every property's full count; "dev": a tenth)."""

from __future__ import annotations

import functools
import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from deploy.local import CHROMIUM, CHROMIUM_ARGS, local_server

PROFILE_ENV = "HYPOTHESIS_PROFILE"
DEV_SHARE = 10  # the development subset runs a tenth of each property's examples

# "ci" is Hypothesis's own CI profile (derandomized, no deadline): today's example counts, as CI=true ran them.
settings.register_profile("dev", max_examples=100 // DEV_SHARE, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])


def hypothesis_profile(markexpr: str, environ: Mapping[str, str]) -> str:
    """$HYPOTHESIS_PROFILE if set; "ci" under CI; "dev" for the development subset (``-m "not slow"``); else "ci":
    the full suite and a single test file keep every property's full count."""
    if environ.get(PROFILE_ENV):
        return environ[PROFILE_ENV]
    if environ.get("CI"):
        return "ci"
    return "dev" if "not slow" in " ".join(markexpr.split()) else "ci"


def examples(full: int) -> int:
    """A property's example count: ``full`` under the "ci" profile, a tenth of it (rounded up) under "dev"."""
    return -(-full // DEV_SHARE) if settings.get_current_profile_name() == "dev" else full


def pytest_configure(config: pytest.Config) -> None:
    """Load the Hypothesis profile before any test module (and its ``examples`` counts) is imported."""
    if config.getoption("hypothesis_profile", None):  # Hypothesis's own --hypothesis-profile has loaded it
        return
    settings.load_profile(hypothesis_profile(config.option.markexpr, os.environ))


@pytest.fixture(scope="session", autouse=True)
def _app_tests_without_repeated_work() -> Iterator[None]:
    """Two costs of Streamlit's that the page tests pay once, or never: each new AppTest scans every installed
    package for components (one scan serves the session: the packages do not change; see
    core/runtime/private_api.py), and each script run clears Keras's session, a full garbage collection, whenever
    Keras is loaded, which only tests/test_keras.py does, never the app (it made every later page test 10x slower)."""
    if "streamlit" not in sys.modules:  # no page test collected: nothing to speed up, and no Streamlit to import
        yield
        return
    from streamlit.components.v2 import manifest_scanner

    scan_once = functools.cache(manifest_scanner.scan_component_manifests)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(manifest_scanner, "scan_component_manifests", scan_once)
        if "keras" in sys.modules:
            patch.setattr(sys.modules["keras"].backend, "clear_session", lambda *args, **kwargs: None)
        yield


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test is slow too, so ``-m "not slow"`` never starts a server or Chromium."""
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Streamlit server running app.py for the whole test session."""
    with local_server(tmp_path_factory.mktemp("server") / "streamlit.log") as server:
        yield server.url


@pytest.fixture
def fresh_server_url(tmp_path: Path) -> Iterator[str]:
    """A Streamlit server that no browser has visited yet."""
    with local_server(tmp_path / "streamlit.log") as server:
        yield server.url


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
