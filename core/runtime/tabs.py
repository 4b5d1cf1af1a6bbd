"""What one browser tab owns on the server, found again after a reload by its token, in its own browser only.

A Streamlit session ends when its tab reloads; the tab's runs must not. Each tab gets a ``Tab`` (the
latest run of each live page, by kind, and earlier training runs) registered under a random token that the
page keeps in its URL, and bound to the browser that made it: the tab keeps a hash of that browser's secret
(a cookie, see ui/runs.py). A reload brings the token and the cookie back and re-attaches the new session to the same
``Tab``; a copied URL in any other browser finds the token but not the secret, and starts a tab of its own.
Tokens and secrets are compared in constant time, and the registry is keyed by a hash of the token, so
neither a lookup nor a comparison tells by its timing how much of a guess was right. A tab whose page has
been closed for ``closed_ttl_s`` and that runs nothing is forgotten and emptied, so a class that goes home
leaves the server as it found it.

>>> registry = TabRegistry(sweep_every_s=None)
>>> secret = new_browser_secret()
>>> tab = registry.create(browser=secret)
>>> registry.lookup(tab.token, secret) == ("mine", tab), registry.lookup(tab.token, new_browser_secret())
(True, ('other_browser', None))
>>> registry.lookup(secrets.token_urlsafe(TOKEN_BYTES), secret), registry.lookup("guess", secret)
(('unknown', None), ('none', None))
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard

from core.runtime.background import LiveRun
from core.runtime.throughput import ThroughputCache

TOKEN_BYTES = 16  # 128 random bits: not guessable, short enough for a URL
BROWSER_SECRET_BYTES = 32  # 256 random bits, never in a URL


def _urlsafe(n_bytes: int) -> re.Pattern[str]:
    """What ``secrets.token_urlsafe(n_bytes)`` looks like: unpadded URL-safe base64, ceil(4n/3) characters."""
    length = -(-4 * n_bytes // 3)
    return re.compile(f"[A-Za-z0-9_-]{{{length}}}")


_TOKEN = _urlsafe(TOKEN_BYTES)
BROWSER_SECRET = _urlsafe(BROWSER_SECRET_BYTES)  # the shape of a browser's secret (for a check in the browser too)
Found = Literal["mine", "other_browser", "unknown", "none"]


def new_browser_secret() -> str:
    """A random secret for one browser (URL-safe base64, fit for a cookie's value)."""
    return secrets.token_urlsafe(BROWSER_SECRET_BYTES)


def is_browser_secret(text: object) -> TypeGuard[str]:
    """True if ``text`` is a string shaped like a secret from ``new_browser_secret`` (anything else is ignored)."""
    return isinstance(text, str) and BROWSER_SECRET.fullmatch(text) is not None


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


CLOSED_TTL_S = 60.0  # a reload reconnects within seconds; a page closed this long is not coming back


SWEEP_EVERY_S = 10.0  # how often the janitor looks for closed tabs while any tab is registered


@dataclass
class Tab:
    """One browser tab's runs; mutated only by the session attached to it."""

    token: str
    browser: bytes = b""  # SHA-256 of the secret of the browser that made it (never the secret); b"": none
    # The latest run of each live page, by kind ("training", "comparison", ...): a new page adds a kind, not a field.
    runs: dict[str, LiveRun[Any]] = field(default_factory=dict)
    past: list[tuple[str, Any]] = field(default_factory=list)  # (label, Snapshot) of earlier training runs
    views: dict[str, Any] = field(default_factory=dict)  # what the live view built last, by chart
    # What this tab's finder measured: its device="auto" compares these, never another student's.
    throughputs: ThroughputCache = field(default_factory=ThroughputCache)
    owner: str | None = None  # id of the session attached now
    last_open: float = field(default_factory=time.monotonic)  # when its page was last seen open

    def belongs_to(self, browser_secret: str | None) -> bool:
        """True if ``browser_secret`` is the secret of the browser that made this tab (compared in constant time)."""
        if not browser_secret or not self.browser:
            return False
        return hmac.compare_digest(_digest(browser_secret), self.browser)

    def running(self) -> bool:
        """True while one of the tab's runs has not ended."""
        return any(not run.snapshot().done for run in self.runs.values())

    def empty(self) -> None:
        """Let go of the runs and views (a closed session may still hold the tab itself)."""
        self.runs.clear()
        self.past.clear()
        self.views.clear()


class TabRegistry:
    """Server-wide map from (a hash of) token to ``Tab``, swept by a janitor thread while it holds any tab; thread-safe.

    ``is_open(owner)`` says whether a session's page is still open; ``on_forget()`` runs after a sweep that
    forgot tabs (to hand the freed memory back); ``sweep_every_s=None`` leaves sweeping to the caller.
    """

    def __init__(
        self, *, closed_ttl_s: float = CLOSED_TTL_S, is_open: Callable[[str | None], bool] = lambda owner: False,
        on_forget: Callable[[], None] | None = None, sweep_every_s: float | None = SWEEP_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._tabs: dict[bytes, Tab] = {}  # by SHA-256 of the token
        self._lock = threading.Lock()
        self._closed_ttl_s = closed_ttl_s
        self._is_open = is_open
        self._on_forget = on_forget
        self._sweep_every_s = sweep_every_s
        self._clock = clock
        self._janitor: threading.Thread | None = None

    def create(self, owner: str | None = None, *, browser: str | None = None) -> Tab:
        """A new tab under a fresh token, bound to the browser whose secret is ``browser`` (None: to no browser)."""
        tab = Tab(token=secrets.token_urlsafe(TOKEN_BYTES), browser=_digest(browser) if browser else b"",
                  owner=owner, last_open=self._clock())
        with self._lock:
            self._tabs[_digest(tab.token)] = tab
            self._ensure_janitor()
        return tab

    def find(self, token: str | None) -> Tab | None:
        """The tab registered under ``token``, or None (whichever browser made it)."""
        if not token:
            return None
        with self._lock:
            tab = self._tabs.get(_digest(token))
        if tab is None or not hmac.compare_digest(_digest(tab.token), _digest(token)):
            return None
        return tab

    def lookup(self, token: str | None, browser: str | None) -> tuple[Found, Tab | None]:
        """What a page's token leads to in the browser whose secret is ``browser``, and the tab if it is its own.

        "mine": this browser's tab; "other_browser": a tab that another browser made (not returned); "unknown": a
        well-formed token that this process does not hold (it restarted, the replica that held it stopped, or the
        tab was forgotten after its page closed); "none": no token, or not one this app makes.
        """
        tab = self.find(token)
        if tab is not None:
            return ("mine", tab) if tab.belongs_to(browser) else ("other_browser", None)
        return ("unknown", None) if token is not None and _TOKEN.fullmatch(token) else ("none", None)

    def claim(self, tab: Tab, owner: str) -> None:
        """Attach ``owner`` (a session) to ``tab``; a tab forgotten while its session was away is registered again."""
        tab.owner = owner
        tab.last_open = self._clock()
        with self._lock:
            if self._tabs.setdefault(_digest(tab.token), tab) is tab:
                self._ensure_janitor()

    def sweep(self) -> int:
        """Forget and empty the tabs closed for ``closed_ttl_s`` that run nothing; returns how many."""
        now = self._clock()
        with self._lock:
            tabs = list(self._tabs.values())
        gone = []
        for tab in tabs:
            if self._is_open(tab.owner):
                tab.last_open = now
            elif now - tab.last_open > self._closed_ttl_s and not tab.running():
                gone.append(tab)
        with self._lock:
            for tab in gone:
                if self._tabs.get(_digest(tab.token)) is tab:
                    del self._tabs[_digest(tab.token)]
        for tab in gone:
            tab.empty()
        if gone and self._on_forget is not None:
            self._on_forget()
        return len(gone)

    def __len__(self) -> int:
        with self._lock:
            return len(self._tabs)

    def _ensure_janitor(self) -> None:
        """Start the sweeping thread unless it runs (call with the lock held); it ends when no tab is left."""
        if self._sweep_every_s is None or (self._janitor is not None and self._janitor.is_alive()):
            return
        self._janitor = threading.Thread(target=self._sweep_until_empty, name="tab-janitor", daemon=True)
        self._janitor.start()

    def _sweep_until_empty(self) -> None:
        assert self._sweep_every_s is not None
        while True:
            time.sleep(self._sweep_every_s)
            self.sweep()
            with self._lock:
                if not self._tabs:
                    self._janitor = None  # a tab created from now on starts a new janitor
                    return
