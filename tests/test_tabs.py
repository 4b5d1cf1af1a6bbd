"""A tab's runs found again by token: unguessable, bound to their browser, compared in constant time, forgotten
only when its page has closed and nothing runs."""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass

import pytest

from core.runtime import tabs
from core.runtime.tabs import TOKEN_BYTES, Tab, TabRegistry, is_browser_secret, new_browser_secret


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


def test_a_tab_opens_again_only_in_the_browser_that_made_it() -> None:
    registry = TabRegistry(sweep_every_s=None)
    mine, other = new_browser_secret(), new_browser_secret()
    tab = registry.create("a", browser=mine)
    assert registry.lookup(tab.token, mine) == ("mine", tab)  # a reload: same URL, same cookie
    assert registry.lookup(tab.token, other) == ("other_browser", None)  # the copied URL in another browser
    assert registry.lookup(tab.token, None) == ("other_browser", None)  # a browser without the cookie
    assert registry.lookup(tab.token, mine[:-1] + ("A" if mine[-1] != "A" else "B")) == ("other_browser", None)


def test_a_tab_made_without_a_browser_secret_opens_in_no_browser() -> None:
    registry = TabRegistry(sweep_every_s=None)
    tab = registry.create("a")
    assert not tab.belongs_to(None) and not tab.belongs_to("") and not tab.belongs_to(new_browser_secret())
    assert registry.lookup(tab.token, new_browser_secret()) == ("other_browser", None)


def test_the_tab_keeps_a_hash_of_the_browser_secret_never_the_secret() -> None:
    secret = new_browser_secret()
    tab = TabRegistry(sweep_every_s=None).create(browser=secret)
    assert secret not in repr(tab) and secret.encode() not in tab.browser and len(tab.browser) == 32


@pytest.mark.parametrize(("token", "found"), [
    (secrets.token_urlsafe(TOKEN_BYTES), "unknown"),  # a server that restarted, a replica gone, a tab forgotten
    (None, "none"),
    ("", "none"),
    ("not-a-token", "none"),
    (secrets.token_urlsafe(TOKEN_BYTES) + "x", "none"),
    ("é" * 22, "none"),
], ids=["well-formed", "missing", "empty", "short", "long", "not-ascii"])
def test_lookup_tells_a_token_this_process_never_held_from_no_token(token: str | None, found: str) -> None:
    assert TabRegistry(sweep_every_s=None).lookup(token, new_browser_secret()) == (found, None)


def test_tokens_and_secrets_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def compare_digest(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(tabs.hmac, "compare_digest", compare_digest)
    registry = TabRegistry(sweep_every_s=None)
    secret = new_browser_secret()
    tab = registry.create(browser=secret)
    assert registry.lookup(tab.token, secret) == ("mine", tab)
    assert len(compared) == 2  # the token, then the browser's secret: both by hmac.compare_digest
    assert all(isinstance(a, bytes) and isinstance(b, bytes) for a, b in compared)


def test_browser_secrets_are_long_random_and_recognised() -> None:
    made = {new_browser_secret() for _ in range(200)}
    assert len(made) == 200 and all(is_browser_secret(secret) for secret in made)
    assert all(len(secret) >= 4 * tabs.BROWSER_SECRET_BYTES // 3 for secret in made)  # 256 bits
    some = next(iter(made))
    assert not is_browser_secret(None) and not is_browser_secret(some[:-1]) and not is_browser_secret(some + "a")
    assert not is_browser_secret(some[:-1] + ";")


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
    assert tab.past == [] and tab.views == {} and tab.runs == {} and forgotten == [1]


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
    tab.runs["training"] = _Run(done=False)
    clock.now = 1_000
    assert registry.sweep() == 0 and registry.find(tab.token) is tab
    tab.runs["training"] = _Run(done=True)  # abandoned by its heartbeat timeout
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
    tab.runs["comparison"] = _Run(done=False)
    assert tab.running()
    tab.runs["comparison"] = _Run(done=True)
    assert not tab.running()


def test_each_tab_keeps_its_own_throughput_measurements():
    from core.runtime.tabs import Tab

    one, other = Tab("a"), Tab("b")
    one.throughputs.record("cpu", ((2, 1),), 32, 1_000.0)
    assert one.throughputs.get("cpu", ((2, 1),), 32) == 1_000.0
    assert other.throughputs.get("cpu", ((2, 1),), 32) is None
