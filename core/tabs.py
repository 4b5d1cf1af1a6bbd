"""What one browser tab owns on the server, found again after a reload through an unguessable token.

A Streamlit session ends when its tab reloads; the tab's runs must not. Each tab gets a ``Tab`` (its
training run, earlier runs and comparison) registered under a random token that the page keeps in its
URL. A reload brings the token back and re-attaches the new session to the same ``Tab``; a browser
without the token cannot reach it. Tabs that nobody has claimed for ``idle_ttl_s`` and that run
nothing are forgotten.

>>> registry = TabRegistry()
>>> tab = registry.create()
>>> registry.find(tab.token) is tab, registry.find("guess") is None
(True, None)
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

TOKEN_BYTES = 16  # 128 random bits: not guessable, short enough for a URL
IDLE_TTL_S = 600.0  # a closed tab's earlier runs are kept this long for a late reload


class _Run(Protocol):
    def snapshot(self) -> Any: ...


@dataclass
class Tab:
    """One browser tab's runs; mutated only by the session attached to it."""

    token: str
    training: Any = None  # core.runner.TrainingRun of the Training page, or None
    past: list[tuple[str, Any]] = field(default_factory=list)  # (label, Snapshot) of earlier training runs
    comparison: Any = None  # core.compare.ComparisonRun of the Compare page, or None
    owner: str | None = None  # id of the session attached now
    last_claimed: float = field(default_factory=time.monotonic)

    def running(self) -> bool:
        """True while one of the tab's runs has not ended."""
        return any(run is not None and not run.snapshot().done for run in (self.training, self.comparison))


class TabRegistry:
    """Server-wide map from token to ``Tab``; thread-safe."""

    def __init__(self, idle_ttl_s: float = IDLE_TTL_S) -> None:
        self._tabs: dict[str, Tab] = {}
        self._lock = threading.Lock()
        self._idle_ttl_s = idle_ttl_s

    def create(self, owner: str | None = None) -> Tab:
        """A new tab under a fresh token."""
        tab = Tab(token=secrets.token_urlsafe(TOKEN_BYTES), owner=owner)
        with self._lock:
            self._forget_idle()
            self._tabs[tab.token] = tab
        return tab

    def find(self, token: str | None) -> Tab | None:
        """The tab registered under ``token``, or None."""
        if not token:
            return None
        with self._lock:
            return self._tabs.get(token)

    def claim(self, tab: Tab, owner: str) -> None:
        """Attach ``owner`` (a session) to ``tab``."""
        tab.owner = owner
        tab.last_claimed = time.monotonic()

    def __len__(self) -> int:
        with self._lock:
            return len(self._tabs)

    def _forget_idle(self) -> None:
        now = time.monotonic()
        for token, tab in list(self._tabs.items()):
            if now - tab.last_claimed > self._idle_ttl_s and not tab.running():
                del self._tabs[token]
