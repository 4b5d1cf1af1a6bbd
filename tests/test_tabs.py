"""A tab's runs found again by token: unguessable, forgotten only when idle and not running."""

from __future__ import annotations

import time
from dataclasses import dataclass

from core.tabs import TOKEN_BYTES, Tab, TabRegistry


@dataclass(frozen=True)
class _Snapshot:
    done: bool


@dataclass(frozen=True)
class _Run:
    done: bool

    def snapshot(self) -> _Snapshot:
        return _Snapshot(self.done)


def test_token_finds_its_tab_and_nothing_else() -> None:
    registry = TabRegistry()
    first, second = registry.create("a"), registry.create("b")
    assert registry.find(first.token) is first and registry.find(second.token) is second
    assert registry.find(None) is None and registry.find("") is None and registry.find(first.token[:-1]) is None


def test_tokens_are_long_random_and_distinct() -> None:
    registry = TabRegistry()
    tokens = {registry.create().token for _ in range(200)}
    assert len(tokens) == 200
    assert all(len(token) >= 4 * TOKEN_BYTES // 3 for token in tokens)  # 128 bits, URL-safe base64


def test_idle_tab_is_forgotten_but_a_running_one_is_kept() -> None:
    registry = TabRegistry(idle_ttl_s=0.05)
    idle, busy = registry.create(), registry.create()
    busy.training = _Run(done=False)
    time.sleep(0.1)
    registry.create()  # creating a tab sweeps the idle ones
    assert registry.find(idle.token) is None and registry.find(busy.token) is busy


def test_claiming_keeps_a_tab_alive_and_records_its_session() -> None:
    registry = TabRegistry(idle_ttl_s=0.2)
    tab = registry.create("old-session")
    time.sleep(0.15)
    registry.claim(tab, "new-session")
    time.sleep(0.1)
    registry.create()
    assert registry.find(tab.token) is tab and tab.owner == "new-session"


def test_running_reports_either_run() -> None:
    tab = Tab("t")
    assert not tab.running()
    tab.comparison = _Run(done=False)
    assert tab.running()
    tab.comparison = _Run(done=True)
    assert not tab.running()
