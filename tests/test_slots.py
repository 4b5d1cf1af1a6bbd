"""Time-shared training slots: first turns first, then a rotation; a turn lasts a quantum; nobody is stuck."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from core.runtime.slots import RunQueue, Ticket, max_run_seconds


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Waiter(threading.Thread):
    """Calls ``acquire`` or ``hand_over`` for a token in a thread of its own and records the answer."""

    def __init__(self, action: str, queue: RunQueue, token: str, order: list[str],
                 cancel: threading.Event | None = None) -> None:
        super().__init__(daemon=True)
        self.action, self.queue, self.token, self.order = action, queue, token, order
        self.cancel = cancel or threading.Event()
        self.answer: bool | None = None

    def run(self) -> None:
        call = self.queue.acquire if self.action == "acquire" else self.queue.hand_over
        self.answer = call(self.token, cancelled=self.cancel.is_set, poll_s=0.01)
        if self.answer:
            self.order.append(self.token)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def threads() -> Iterator[list[Waiter]]:
    started: list[Waiter] = []
    yield started
    for waiter in started:
        waiter.cancel.set()
        waiter.join(5)


def _wait(queue: RunQueue, token: str, action: str, order: list[str], threads: list[Waiter]) -> Waiter:
    waiter = Waiter(action, queue, token, order)
    threads.append(waiter)
    waiter.start()
    return waiter


def _until(condition: object) -> None:
    event = threading.Event()
    for _ in range(500):
        if callable(condition) and condition():
            return
        event.wait(0.01)
    raise AssertionError("condition never held")


def test_a_turn_lasts_a_quantum_and_goes_on_when_nobody_waits(clock: FakeClock) -> None:
    queue = RunQueue(1, quantum_s=1.0, clock=clock)
    assert queue.acquire("a", cancelled=lambda: False)
    clock.now = 5.0
    assert not queue.turn_over("a")  # nobody waits: "a" keeps training
    assert queue.hand_over("a", cancelled=lambda: False) and queue.holds("a")


def test_first_turns_come_before_next_turns(clock: FakeClock, threads: list[Waiter]) -> None:
    queue = RunQueue(1, quantum_s=1.0, clock=clock)
    order: list[str] = []
    assert queue.acquire("long", cancelled=lambda: False)
    b = _wait(queue, "b", "acquire", order, threads)
    _until(lambda: queue.ticket("b") is not None)
    c = _wait(queue, "c", "acquire", order, threads)
    _until(lambda: queue.ticket("c") is not None)
    assert queue.ticket("b") == Ticket(ahead=0, wait_s=1.0, sharing=3)
    assert queue.ticket("c") == Ticket(ahead=1, wait_s=2.0, sharing=3)
    assert not queue.turn_over("long")  # its quantum has not passed
    clock.now = 1.0
    assert queue.turn_over("long")
    again = _wait(queue, "long", "hand_over", order, threads)  # "long" waits for its next turn
    b.join(5)
    assert order == ["b"] and queue.holds("b") and not queue.holds("long")
    clock.now = 2.0
    _wait(queue, "b", "hand_over", order, threads)
    c.join(5)
    assert order[:2] == ["b", "c"]  # "c"'s first turn comes before "long"'s next one
    clock.now = 3.0
    _wait(queue, "c", "hand_over", order, threads)
    again.join(5)
    assert order[:3] == ["b", "c", "long"] and queue.running == 1


def test_every_active_run_gets_turns_in_a_rotation(clock: FakeClock, threads: list[Waiter]) -> None:
    queue = RunQueue(1, quantum_s=1.0, clock=clock)
    order: list[str] = []
    tokens = ["a", "b", "c"]
    assert queue.acquire("a", cancelled=lambda: False)
    for token in tokens[1:]:
        _wait(queue, token, "acquire", order, threads)
        _until(lambda token=token: queue.ticket(token) is not None)  # type: ignore[misc]
    holder = "a"
    for turn in range(1, 7):
        clock.now = float(turn)
        assert queue.turn_over(holder)
        count = len(order)
        _wait(queue, holder, "hand_over", order, threads)
        _until(lambda count=count: len(order) > count)  # type: ignore[misc]
        holder = order[-1]
    assert order == ["b", "c", "a", "b", "c", "a"]


def test_two_slots_train_two_runs_at_once(clock: FakeClock, threads: list[Waiter]) -> None:
    queue = RunQueue(2, quantum_s=1.0, clock=clock)
    assert queue.acquire("a", cancelled=lambda: False) and queue.acquire("b", cancelled=lambda: False)
    order: list[str] = []
    _wait(queue, "c", "acquire", order, threads)
    _until(lambda: queue.ticket("c") is not None)
    assert queue.running == 2 and queue.ticket("c") == Ticket(ahead=0, wait_s=1.0, sharing=3)
    queue.release("a")
    _until(lambda: order == ["c"])
    assert queue.holds("b") and queue.holds("c") and not queue.holds("a")


def test_a_cancelled_waiter_leaves_the_line_and_holds_nothing(clock: FakeClock, threads: list[Waiter]) -> None:
    queue = RunQueue(1, quantum_s=1.0, clock=clock)
    assert queue.acquire("a", cancelled=lambda: False)
    order: list[str] = []
    waiter = _wait(queue, "b", "acquire", order, threads)
    _until(lambda: queue.ticket("b") is not None)
    waiter.cancel.set()
    waiter.join(5)
    assert waiter.answer is False and queue.ticket("b") is None and queue.sharing == 1
    queue.release("a")
    assert queue.running == 0 and queue.sharing == 0


def test_releasing_what_is_not_held_is_harmless(clock: FakeClock) -> None:
    queue = RunQueue(1, clock=clock)
    queue.release("nobody")
    assert queue.running == 0 and queue.ticket("nobody") is None


@pytest.mark.parametrize(("value", "expected"), [("", 900.0), ("120", 120.0), ("0", None), ("2.5", 2.5)])
def test_the_time_limit_comes_from_the_environment(value: str, expected: float | None) -> None:
    assert max_run_seconds({"BEL_MAX_RUN_SECONDS": value} if value else {}) == expected


@pytest.mark.parametrize("value", ["-1", "ten", "inf", "nan"])
def test_a_bad_time_limit_is_explained(value: str) -> None:
    with pytest.raises(ValueError, match="BEL_MAX_RUN_SECONDS"):
        max_run_seconds({"BEL_MAX_RUN_SECONDS": value})
