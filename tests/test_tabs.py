"""A tab's runs found again by token: unguessable, forgotten only when its page has closed and nothing runs."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from core.runtime.tabs import TOKEN_BYTES, Tab, TabRegistry


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


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _registry(open_owners: set[str], clock: _Clock, on_forget: list[int] | None = None) -> TabRegistry:
    return TabRegistry(closed_ttl_s=60, is_open=lambda owner: owner in open_owners, clock=clock, sweep_every_s=None,
                       on_forget=None if on_forget is None else lambda: on_forget.append(1))


def test_closed_tab_is_forgotten_and_emptied_after_the_grace_period() -> None:
    clock, forgotten = _Clock(), []
    registry = _registry(set(), clock, forgotten)
    tab = registry.create("gone")
    tab.past.append(("Run 1", object()))
    tab.views["loss_chart"] = object()
    clock.now = 59
    assert registry.sweep() == 0 and registry.find(tab.token) is tab  # a reload comes back within this
    clock.now = 61
    assert registry.sweep() == 1 and registry.find(tab.token) is None
    assert tab.past == [] and tab.views == {} and tab.training is None and forgotten == [1]


def test_open_tab_is_kept_however_long_it_idles() -> None:
    clock = _Clock()
    registry = _registry({"watching"}, clock)
    tab = registry.create("watching")
    for minute in range(1, 100):
        clock.now = 60.0 * minute
        registry.sweep()
    assert registry.find(tab.token) is tab


def test_closed_tab_with_a_running_run_is_kept_until_the_run_ends() -> None:
    clock = _Clock()
    registry = _registry(set(), clock)
    tab = registry.create("gone")
    tab.training = _Run(done=False)
    clock.now = 1_000
    assert registry.sweep() == 0 and registry.find(tab.token) is tab
    tab.training = _Run(done=True)  # abandoned by its heartbeat timeout
    assert registry.sweep() == 1 and registry.find(tab.token) is None


def test_claiming_keeps_a_tab_and_records_its_session() -> None:
    clock = _Clock()
    registry = _registry(set(), clock)
    tab = registry.create("old-session")
    clock.now = 50
    registry.claim(tab, "new-session")  # a reload's new session
    clock.now = 100
    assert registry.sweep() == 0 and registry.find(tab.token) is tab and tab.owner == "new-session"


def test_a_forgotten_tab_whose_session_comes_back_is_registered_again() -> None:
    clock = _Clock()
    registry = _registry(set(), clock)
    tab = registry.create("away")
    clock.now = 100
    registry.sweep()
    registry.claim(tab, "away")
    assert registry.find(tab.token) is tab


def test_janitor_sweeps_on_its_own_and_ends_when_no_tab_is_left() -> None:
    forgotten = threading.Event()
    registry = TabRegistry(closed_ttl_s=0, sweep_every_s=0.01, on_forget=forgotten.set)
    before = set(threading.enumerate())
    registry.create("gone")
    janitors = [t for t in set(threading.enumerate()) - before if t.name == "tab-janitor"]
    assert forgotten.wait(10)
    assert len(registry) == 0
    for janitor in janitors:
        janitor.join(10)
    assert janitors and not any(t.is_alive() for t in janitors)


def test_running_reports_either_run() -> None:
    tab = Tab("t")
    assert not tab.running()
    tab.comparison = _Run(done=False)
    assert tab.running()
    tab.comparison = _Run(done=True)
    assert not tab.running()
