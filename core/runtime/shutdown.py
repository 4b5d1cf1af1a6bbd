"""A server that is told to stop (SIGTERM, Ctrl-C) stops its runs first, then exits cleanly.

Streamlit turns SIGTERM and SIGINT into an orderly stop of its event loop, after which the interpreter shuts
down with the training threads (daemon threads) still inside torch. Python 3.11 ends a daemon thread that
wants the GIL back during that shutdown with ``pthread_exit``, whose unwinding through torch's C++ frames calls
``std::terminate``: the process aborted ("terminate called without an active exception", exit -6, seen in gdb
with the training thread inside ``THPVariable_cross_entropy_loss``). An ``atexit`` hook runs before that
shutdown, in the main thread, while the threads can still be stopped and joined; a data-parallel run ends its
worker processes as it stops. Signal handlers are not needed (nor possible: Streamlit owns the main thread).
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable

from core.runtime import background

STOP_TIMEOUT_S = 6.0  # a run stops before its next update, within milliseconds, or its workers within seconds
KILLED_GRACE_S = 2.0  # after its workers were killed; in all well within the 10 s a deployment waits (SIGKILL)


_lock = threading.Lock()
_hook: Callable[[], None] | None = None


def stop_runs_at_exit(timeout_s: float = STOP_TIMEOUT_S) -> Callable[[], None]:
    """Register (once per process, however often called) the hook that stops every run at exit; returns it."""
    global _hook
    with _lock:
        if _hook is None:
            _hook = _stopper(timeout_s)
            atexit.register(_hook)
        return _hook


def _stopper(timeout_s: float) -> Callable[[], None]:
    def stop_runs() -> None:
        background.stop_all(timeout_s)
        if _stuck():
            # Most likely a data-parallel run still ending its workers on a loaded machine: kill them, let it end.
            for child in multiprocessing.active_children():
                child.kill()
            background.stop_all(KILLED_GRACE_S)
        stuck = _stuck()
        if stuck:
            # A run still inside torch would abort the interpreter's shutdown: leave without that shutdown.
            print(f"shutdown: {len(stuck)} run(s) did not stop within {timeout_s + KILLED_GRACE_S:.0f} s "
                  f"({', '.join(stuck)}); exiting without the interpreter's tear-down", file=sys.stderr, flush=True)
            os._exit(0)

    return stop_runs


def _stuck() -> list[str]:
    """The names of the run threads still alive."""
    names = _run_thread_names()
    return [thread.name for thread in threading.enumerate() if thread.name in names and thread.is_alive()]


def _run_thread_names() -> set[str]:
    """The thread name of every kind of run (each ``BackgroundRun`` subclass names its own)."""
    kinds: list[type[background.BackgroundRun[object]]] = [background.BackgroundRun]
    names: set[str] = set()
    while kinds:
        kind = kinds.pop()
        names.add(kind.thread_name)
        kinds.extend(kind.__subclasses__())
    return names
