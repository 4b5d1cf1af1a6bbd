"""Keep this session's training run alive on every page, and show where it stands in the sidebar."""

from __future__ import annotations

import streamlit as st

from ui.lang import tr

RUN_KEY = "train_run"
HEARTBEAT_S = 5.0  # well inside the runner's 30 s heartbeat timeout


def active_run() -> object | None:
    """The session's training run while it has not ended, else None."""
    run = st.session_state.get(RUN_KEY)
    return run if run is not None and not run.snapshot().done else None


def sidebar_run_status() -> None:
    """While a run trains, heartbeat it from whatever page is open (a closed tab stops the heartbeats)."""
    if active_run() is None:
        return

    @st.fragment(run_every=HEARTBEAT_S)
    def _beat() -> None:
        run = st.session_state.get(RUN_KEY)
        if run is None:
            return
        run.heartbeat()
        snapshot = run.snapshot()
        if snapshot.done:
            st.caption(tr(f"train.status.{snapshot.status}", update=snapshot.diverged_at or 0,
                          place=snapshot.queue_position or 0))
            return
        progress = snapshot.progress
        st.caption(tr("sidebar.training", epoch=progress.epoch, epochs=snapshot.plan.epochs,
                      percent=round(100 * progress.fraction)))

    _beat()
