"""The life of a background run: started once, stopped on request, abandoned when nobody watches it.

``TrainingRun`` and ``ComparisonRun`` share this lifecycle. The worker thread publishes immutable
snapshots (one reference swap each), so a page can read ``snapshot()`` from any thread at any time.
A run is kept alive by ``heartbeat()`` calls from its page, or by ``keepalive()`` saying that the page
is still open (a hidden browser tab polls rarely); when neither holds for ``heartbeat_timeout_s``, the
run stops itself as "abandoned" and frees its training slot.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from core.runtime import runlog

StateT = TypeVar("StateT")


HEARTBEAT_TIMEOUT_S = 20.0  # a closed tab frees its slot well within 30 s; keepalive covers hidden tabs


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
    """Start once, stop, heartbeat and join for a run that works in a daemon thread and publishes ``StateT``."""

    thread_name = "background-run"

    def __init__(
        self, initial: StateT, *, heartbeat_timeout_s: float = HEARTBEAT_TIMEOUT_S,
        keepalive: Callable[[], bool] | None = None,
    ) -> None:
        self._published = initial  # immutable; the worker swaps it whole, never edits it
        self._heartbeat_timeout_s = heartbeat_timeout_s
        self._keepalive = keepalive
        self._stop = threading.Event()
        self._abandoned = False
        self._last_heartbeat = time.monotonic()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start working in the background (once)."""
        if self._thread is not None:
            raise RuntimeError("This run has already been started; create a new one to run again.")
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
        self._last_heartbeat = time.monotonic()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; True if it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._thread is not None and not self._thread.is_alive()

    @property
    def abandoned(self) -> bool:
        """True once the run stopped because nobody watched it."""
        return self._abandoned

    def _publish_snapshot(self, snapshot: StateT) -> None:
        self._published = snapshot  # one reference swap: readers see the old or the new state, never a mix

    def _cancelled(self) -> bool:
        """True when the run should stop: asked to, or abandoned (noticed here)."""
        if not self._stop.is_set() and time.monotonic() - self._last_heartbeat > self._heartbeat_timeout_s:
            if self._keepalive is not None and self._keepalive():
                self.heartbeat()  # the page is open but polls rarely (a hidden tab): keep going
            else:
                self._abandoned = True
                self._stop.set()
                runlog.record("abandoned", run=id(self))
        return self._stop.is_set()

    def _before_start(self) -> None:
        """Hook run in the caller's thread just before the worker starts."""

    def _work(self) -> None:
        raise NotImplementedError
