"""Time-shared training slots: every active run makes progress, so a short run never waits behind a long one.

A server has ``max_concurrent`` training slots (half its cores). A run asks for a *turn* with ``acquire``; it
trains for at most ``quantum_s`` and then, between two updates, calls ``share``: if another run is waiting,
it hands its slot over and queues for its next turn, else it simply goes on. Runs that have not trained yet go
first (their first update shows within a few quanta, however many long runs share the server); the others
take turns in a rotation, first come first served. A paused run holds nothing: no slot, no CPU.

>>> slots = RunQueue(1, quantum_s=60.0)
>>> slots.acquire("a", cancelled=lambda: False)
True
>>> slots.ticket("a") is None, slots.running
(True, 1)
>>> slots.release("a"); slots.running
0
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

MAX_RUNS_ENV = "BEL_MAX_CONCURRENT_RUNS"
MAX_RUN_SECONDS_ENV = "BEL_MAX_RUN_SECONDS"
MAX_RUN_SECONDS = 900.0  # a run's training time at most, by default: 15 min, a lesson's worth; 0 means no limit
QUANTUM_S = 0.1  # a turn: 30 runs pressed together all train within ~3 s; a hand-over costs well under 1 %
POLL_S = 0.05  # how often a waiting run looks whether it was stopped (a turn given to it wakes it at once)


def max_concurrent_runs(environ: dict[str, str] | None = None, cpu_count: int | None = None) -> int:
    """Runs allowed to train at once: ``$BEL_MAX_CONCURRENT_RUNS``, else half the cores (at least 1)."""
    value = (os.environ if environ is None else environ).get(MAX_RUNS_ENV, "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"{MAX_RUNS_ENV} must be a whole number of at least 1, got {value!r}.")
        return int(value)
    # The other half of the cores stays with the Streamlit server, which renders every student's page.
    return max(1, (cpu_count or os.cpu_count() or 1) // 2)


def max_run_seconds(environ: dict[str, str] | None = None) -> float | None:
    """The longest a run may train, in seconds of its own turns: ``$BEL_MAX_RUN_SECONDS`` (0: no limit), else 15 min."""
    value = (os.environ if environ is None else environ).get(MAX_RUN_SECONDS_ENV, "").strip()
    if not value:
        return MAX_RUN_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        raise ValueError(f"{MAX_RUN_SECONDS_ENV} must be a number of seconds (0 for no limit), got {value!r}.")
    return seconds or None


@dataclass(frozen=True)
class Ticket:
    """Where a run that has not trained yet stands: how many such runs are ahead of it, and the wait that means."""

    ahead: int  # runs waiting for their first turn before this one
    wait_s: float  # about how long until its first turn
    sharing: int  # runs that share the slots now (training, paused between turns, or waiting to start)


class RunQueue:
    """Time-shared training slots with a quantum (thread-safe); tokens are the runs themselves."""

    def __init__(self, max_concurrent: int, *, quantum_s: float = QUANTUM_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_concurrent < 1:
            raise ValueError(f"At least one run must be allowed to train, got {max_concurrent}.")
        self.max_concurrent = max_concurrent
        self.quantum_s = quantum_s
        self._clock = clock
        self._lock = threading.Lock()
        self._fresh: deque[object] = deque()  # waiting for their first turn, in order of arrival
        self._rotation: deque[object] = deque()  # trained before, waiting for their next turn
        self._turns: dict[int, float] = {}  # id(token) -> when its current turn began, for each slot holder
        self._granted: dict[int, threading.Event] = {}  # id(token) -> set when a waiting token gets its turn

    def acquire(self, token: object, cancelled: Callable[[], bool], poll_s: float = POLL_S) -> bool:
        """Wait for ``token``'s first turn (True), or until ``cancelled()`` says to give up (False)."""
        with self._lock:
            if id(token) in self._turns:
                return True
            self._fresh.append(token)
            granted = self._granted[id(token)] = threading.Event()
            self._dispatch()
        return self._wait(token, granted, cancelled, poll_s)

    def turn_over(self, token: object) -> bool:
        """True when ``token``'s turn has lasted a quantum and another run waits for a slot (a cheap check)."""
        began = self._turns.get(id(token))  # plain reads, no lock: asked before every update
        return began is not None and self._clock() - began >= self.quantum_s and bool(self._fresh or self._rotation)

    def hand_over(self, token: object, cancelled: Callable[[], bool], poll_s: float = POLL_S) -> bool:
        """Give ``token``'s slot to the next waiting run and wait for its next turn (True), or until ``cancelled()``
        says to give up (False). With nobody waiting any more, a new turn begins at once."""
        with self._lock:
            if id(token) not in self._turns:
                return True  # not a slot holder: nothing to hand over
            if not self._fresh and not self._rotation:
                self._turns[id(token)] = self._clock()
                return True
            del self._turns[id(token)]
            self._rotation.append(token)
            granted = self._granted[id(token)] = threading.Event()
            self._dispatch()
        return self._wait(token, granted, cancelled, poll_s)

    def release(self, token: object) -> None:
        """Give back ``token``'s slot or its place in the line; harmless if it holds neither."""
        with self._lock:
            self._forget(token)
            self._dispatch()

    def holds(self, token: object) -> bool:
        """True while ``token`` has a turn (it may train)."""
        return id(token) in self._turns

    def ticket(self, token: object) -> Ticket | None:
        """Where ``token`` stands while it waits for its first turn; None otherwise."""
        with self._lock:
            for ahead, waiting in enumerate(self._fresh):
                if waiting is token:
                    # Every slot is busy (else it would have its turn): the runs ahead take a quantum each.
                    rounds = ahead // self.max_concurrent + 1
                    return Ticket(ahead, rounds * self.quantum_s, self._sharing())
            return None

    @property
    def running(self) -> int:
        """How many runs hold a slot now."""
        with self._lock:
            return len(self._turns)

    @property
    def sharing(self) -> int:
        """How many runs share the slots now: training, paused between turns, or waiting for their first."""
        with self._lock:
            return self._sharing()

    def _sharing(self) -> int:
        return len(self._turns) + len(self._rotation) + len(self._fresh)

    def _wait(self, token: object, granted: threading.Event, cancelled: Callable[[], bool], poll_s: float) -> bool:
        while not granted.wait(poll_s):
            if cancelled():
                with self._lock:
                    self._forget(token)  # a turn that came with the cancellation goes straight to the next run
                    self._dispatch()
                return False
        return True

    def _forget(self, token: object) -> None:
        """Take ``token`` out of every line and slot (lock held)."""
        for line in (self._fresh, self._rotation):
            if token in line:
                line.remove(token)
        self._turns.pop(id(token), None)
        self._granted.pop(id(token), None)

    def _dispatch(self) -> None:
        """Give free slots to the waiting runs: first turns before next turns (lock held)."""
        while len(self._turns) < self.max_concurrent and (self._fresh or self._rotation):
            token = self._fresh.popleft() if self._fresh else self._rotation.popleft()
            self._turns[id(token)] = self._clock()
            self._granted.pop(id(token)).set()


@functools.cache
def default_queue() -> RunQueue:
    """The server-wide training slots, created on first use."""
    return RunQueue(max_concurrent_runs())
