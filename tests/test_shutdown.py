"""A stopping server's exit hook: registered once, it stops and joins every run before the interpreter shuts down."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from core.runtime import shutdown

ROOT = Path(__file__).resolve().parents[1]


def test_the_hook_is_registered_once_however_often_the_app_runs() -> None:
    assert shutdown.stop_runs_at_exit() is shutdown.stop_runs_at_exit()


def test_every_kind_of_run_is_known_by_its_thread_name() -> None:
    import core.train.compare
    import core.train.data_parallel
    import core.train.runner  # noqa: F401 - each defines a kind of run

    assert {"training-run", "comparison", "data-parallel"} <= shutdown._run_thread_names()


def _exit_with_a_running_run(timeout_s: float, stubborn: bool) -> subprocess.CompletedProcess[str]:
    """A process that starts a run which works until stopped (or, ``stubborn``, never stops), then exits."""
    code = textwrap.dedent(f"""
        import threading, time
        from core.runtime import shutdown
        from core.runtime.background import BackgroundRun

        class Run(BackgroundRun[int]):
            thread_name = "test-run"

            def _work(self) -> None:
                while {stubborn} or not self._cancelled():
                    time.sleep(0.01)
                print("stopped", flush=True)

        shutdown.stop_runs_at_exit({timeout_s})
        Run(0).start()
        time.sleep(0.2)
    """)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.mark.slow
def test_a_run_is_stopped_and_joined_when_the_process_exits() -> None:
    done = _exit_with_a_running_run(5.0, stubborn=False)
    assert done.returncode == 0 and done.stdout == "stopped\n" and done.stderr == ""


@pytest.mark.slow
def test_a_run_that_will_not_stop_does_not_hold_the_exit_up() -> None:
    done = _exit_with_a_running_run(0.2, stubborn=True)
    assert done.returncode == 0 and done.stdout == ""
    assert "1 run(s) did not stop" in done.stderr and "test-run" in done.stderr
