"""Keep this session's background runs alive on every page, and show where they stand in the sidebar."""

from __future__ import annotations

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
