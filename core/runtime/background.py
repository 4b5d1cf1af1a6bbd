"""The life of a background run: queued, started once, stopped on request, abandoned when nobody watches it.

Every run kind (training, comparison, data-parallel, the batch-size finder) is a ``BackgroundRun`` and so a
``LiveRun``, the one shape a page drives. The worker thread publishes immutable snapshots (one reference swap
each), so a page can read ``snapshot()`` from any thread at any time. A run is kept alive by ``heartbeat()``
calls from its page, or by ``keepalive()`` saying that the page is still open (a hidden browser tab polls
rarely); when neither holds for ``heartbeat_timeout_s``, the run stops itself as "abandoned" and frees its
training slot. A run that trains takes turns in the server's time-shared slots (``core.runtime.slots``):
between two updates it hands its slot on when its turn is over, and the time it waits is not training time.
Every time here comes from the run's ``clock``, which a test may replace.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar, runtime_checkable

from core.runtime import runlog
from core.runtime.slots import RunQueue, default_queue, max_run_seconds

StateT = TypeVar("StateT")
SnapshotT_co = TypeVar("SnapshotT_co", bound="LiveSnapshot", covariant=True)


HEARTBEAT_TIMEOUT_S = 20.0  # a closed tab frees its slot well within 30 s; keepalive covers hidden tabs


class LiveSnapshot(Protocol):
    """What every run's snapshot says, whatever its kind: its status, and whether it has ended."""

    @property
    def status(self) -> str:
        """Where the run stands ("waiting", "running", ..., "finished", "stopped", "failed", "abandoned")."""
        ...

    @property
    def done(self) -> bool:
        """True once the run has ended, whatever the reason."""
        ...


@runtime_checkable
class LiveRun(Protocol[SnapshotT_co]):
    """What a page needs of a live job of any kind: start it, keep it alive, read it, stop it."""

    def start(self) -> None:
        """Start working in the background (once)."""
        ...

    def stop(self) -> None:
        """Ask the run to stop soon."""
        ...

    def heartbeat(self) -> None:
        """Tell the run its page is still open."""
        ...

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the run to end; True if it has."""
        ...

    def snapshot(self) -> SnapshotT_co:
        """The run now, immutable."""
        ...

    @property
    def abandoned(self) -> bool:
        """True once the run stopped because nobody watched it."""
        ...


_STARTED: weakref.WeakSet[BackgroundRun[object]] = weakref.WeakSet()  # every run started in this process, alive


def stop_all(timeout_s: float = 5.0) -> int:
    """Stop every run of this process and wait up to ``timeout_s`` in all for their threads; returns how many ran.

    A server shutting down calls this before the interpreter tears torch down under a running training thread.
    """
    runs = [run for run in list(_STARTED) if run._thread is not None and run._thread.is_alive()]
    for run in runs:
        run.stop()
    deadline = time.monotonic() + timeout_s
    for run in runs:
        run.join(max(0.0, deadline - time.monotonic()))
    return len(runs)


class BackgroundRun(Generic[StateT]):
    """A run that works in a daemon thread, takes turns in ``queue`` and publishes ``StateT``; its kind's
    ``snapshot()`` makes it a ``LiveRun``.

    ``max_seconds`` bounds its training time (None: ``$BEL_MAX_RUN_SECONDS``); ``clock`` gives every time it
    reads (heartbeats, turns, training time).
    """

    thread_name = "background-run"

    def __init__(
        self, initial: StateT, *, queue: RunQueue | None = None, heartbeat_timeout_s: float = HEARTBEAT_TIMEOUT_S,
        keepalive: Callable[[], bool] | None = None, max_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._published = initial  # immutable; the worker swaps it whole, never edits it
        self._queue = queue
        self._heartbeat_timeout_s = heartbeat_timeout_s
        self._keepalive = keepalive
        self._max_seconds = max_seconds if max_seconds is not None else max_run_seconds()
        self._clock = clock
        self._stop = threading.Event()
        self._abandoned = False
        self._last_heartbeat = clock()
        self._thread: threading.Thread | None = None
        self._train_started: float | None = None  # when training began: training time counts from here
        self._paused_s = 0.0  # time spent waiting between turns since training began, not counted as training

    @property
    def queue(self) -> RunQueue:
        """The training slots this run takes turns in: the one it was given, else (once started) the server's."""
        if self._queue is None:
            raise RuntimeError("A run is given the server's training slots when it starts; start it first.")
        return self._queue

    def start(self) -> None:
        """Start working in the background (once)."""
        if self._thread is not None:
            raise RuntimeError("This run has already been started; create a new one to run again.")
        if self._queue is None:
            self._queue = default_queue()  # the server's slots, unless the run was given its own
        self._before_start()
        self.heartbeat()
        self._thread = threading.Thread(target=self._work, name=self.thread_name, daemon=True)
        _STARTED.add(self)  # type: ignore[arg-type]
        self._thread.start()

    def stop(self) -> None:
        """Ask the run to stop before its next update (or to leave the queue)."""
        if not self._stop.is_set():
            runlog.record("stop_requested", run=id(self))
        self._stop.set()

    def heartbeat(self) -> None:
        """Tell the run its page is still open."""
        self._last_heartbeat = self._clock()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; True if it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._thread is not None and not self._thread.is_alive()

    @property
    def abandoned(self) -> bool:
        """True once the run stopped because nobody watched it."""
        return self._abandoned

    def training_clock(self) -> float:
        """Seconds of training so far: the time in this run's turns, not the time it waited between them (0 before)."""
        if self._train_started is None:
            return 0.0
        return self._clock() - self._train_started - self._paused_s

    def _publish_snapshot(self, snapshot: StateT) -> None:
        self._published = snapshot  # one reference swap: readers see the old or the new state, never a mix

    def _cancelled(self) -> bool:
        """True when the run should stop: asked to, or abandoned (noticed here)."""
        if not self._stop.is_set() and self._clock() - self._last_heartbeat > self._heartbeat_timeout_s:
            if self._keepalive is not None and self._keepalive():
                self.heartbeat()  # the page is open but polls rarely (a hidden tab): keep going
            else:
                self._abandoned = True
                self._stop.set()
                runlog.record("abandoned", run=id(self))
        return self._stop.is_set()

    def _begin_training(self) -> None:
        """Start the training clock (the run holds its first turn)."""
        self._train_started = self._clock()

    def _at_time_limit(self, **log: object) -> bool:
        """True (and logged as "capped") once the run has trained for its ``max_seconds``."""
        if self._max_seconds is None or self.training_clock() < self._max_seconds:
            return False
        runlog.record("capped", run=id(self), **log, seconds=self._max_seconds)
        return True

    def _hand_over_turn(
        self, pause: Callable[[], None] = lambda: None, resume: Callable[[], None] = lambda: None
    ) -> float | None:
        """At the end of a turn that another run waits for, ``pause()``, hand the slot on and ``resume()`` at the
        next turn; the seconds waited (0.0 when the turn goes on), or None when the run was cancelled meanwhile."""
        if not self.queue.turn_over(self):
            return 0.0
        paused = self._clock()
        pause()
        try:
            keeps_going = self.queue.hand_over(self, cancelled=self._cancelled)
        finally:
            resume()
        seconds = self._clock() - paused
        if self._train_started is not None:
            self._paused_s += seconds
        return seconds if keeps_going else None

    def _before_start(self) -> None:
        """Hook run in the caller's thread just before the worker starts."""

    def _work(self) -> None:
        raise NotImplementedError
