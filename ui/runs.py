"""Keep this session's background runs alive on every page, and show where they stand in the sidebar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ui.lang import tr

RUN_KEY = "train_run"  # the Training page's TrainingRun
COMPARE_KEY = "compare_run"  # the Compare page's ComparisonRun
THROUGHPUT_KEY = "measured_throughput"  # best samples/s from the batch-size finder, read by the calculator
HEARTBEAT_S = 5.0  # well inside the runners' 30 s heartbeat timeout


def _active(key: str) -> Any:
    run = st.session_state.get(key)
    return run if run is not None and not run.snapshot().done else None


def sidebar_run_status() -> None:
    """While a run trains, heartbeat it from whatever page is open (a closed tab stops the heartbeats)."""
    if _active(RUN_KEY) is None and _active(COMPARE_KEY) is None:
        return

    @st.fragment(run_every=HEARTBEAT_S)
    def _beat() -> None:
        training, comparison = _active(RUN_KEY), _active(COMPARE_KEY)
        if training is not None:
            training.heartbeat()
            snapshot = training.snapshot()
            st.caption(tr("sidebar.training", epoch=snapshot.progress.epoch, epochs=snapshot.plan.epochs,
                          percent=round(100 * snapshot.progress.fraction)))
        if comparison is not None:
            comparison.heartbeat()
            snapshot = comparison.snapshot()
            st.caption(tr("sidebar.comparing", current=snapshot.current + 1, total=len(snapshot.configs)))

    _beat()


POLL_S = 0.3  # a live view redraws at most ~3 times a second


def live_view(run_key: str, idle_message_key: str, draw: Callable[[Any], None]) -> None:
    """Draw a background run's latest snapshot from a fragment that polls only while the run is active.

    When the run ends, one full rerun redefines the fragment without ``run_every``, which stops the polling
    and lets the rest of the page (buttons, past runs) catch up.
    """
    polling_key = f"{run_key}_polling"
    run = st.session_state.get(run_key)
    polling = run is not None and not run.snapshot().done
    st.session_state[polling_key] = polling

    def _live() -> None:
        current = st.session_state.get(run_key)
        if current is None:
            st.info(tr(idle_message_key))
            return
        current.heartbeat()
        snapshot = current.snapshot()
        draw(snapshot)
        if snapshot.done and st.session_state.get(polling_key):
            st.session_state[polling_key] = False
            st.rerun(scope="app")

    st.fragment(_live, run_every=POLL_S if polling else None)()
