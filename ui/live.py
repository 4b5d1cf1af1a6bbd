"""Widgets every live-run page shares: data-set reset, Start/Stop, the status alert and the chart controls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from core.figures.training import X_AXES, XAxis
from core.maths.catalog import DATASETS
from core.runtime.slots import RunQueue, default_queue
from core.train.runner import serve_many_runs, warm_up
from ui.lang import tr
from ui.widgets import choice

STOP_WAIT_S = 0.5  # Stop waits this long for the run to end, so the same rerun already shows it stopped
ALERTS: dict[str, Callable[..., Any]] = {
    "failed": st.error, "diverged": st.warning, "abandoned": st.warning, "capped": st.warning, "finished": st.success,
    "stopped": st.success,
}


warm_up()  # every live page imports this module: the first Train on a fresh server then starts at once


def class_queue() -> RunQueue:
    """The server-wide run queue, with the process set up to serve a class (``core.train.runner.serve_many_runs``)."""
    serve_many_runs()
    return default_queue()


def dataset_changed(
    dataset_key: str, size_key: str, noise_key: str | None = None, val_split_key: str | None = None,
) -> Callable[[], None]:
    """A callback that resets the data-set size (noise, validation split) to the newly chosen data set's defaults."""

    def _changed() -> None:
        spec = DATASETS[st.session_state[dataset_key]]
        st.session_state[size_key] = spec.default_size
        if noise_key is not None:
            st.session_state[noise_key] = spec.default_noise
        if val_split_key is not None:
            st.session_state[val_split_key] = spec.default_val_split  # the lesson's random example has none

    return _changed


def dataset_select(key: str, on_change: Callable[[], None]) -> str:
    """The data-set select box, titles in the session's language."""
    return choice(st.selectbox, tr("train.dataset"), tuple(DATASETS), key=key,
                  format_func=lambda d: tr(f"dataset.{d}.title"), on_change=on_change)


def stop_run(run: Any) -> None:
    """Ask ``run`` to stop and give it a moment to end, so the page can say so at once."""
    if run is not None:
        run.stop()
        run.join(STOP_WAIT_S)


def run_buttons(
    *, start_label: str, start_key: str, running: bool, can_start: bool, on_start: Callable[..., None],
    start_args: tuple[Any, ...],
) -> tuple[Any, Any]:
    """The start button and room beside it: returns (Stop's column, filled by the live view; one more)."""
    start_col, stop_col, other_col = st.columns(3)
    start_col.button(start_label, type="primary", icon=":material/play_arrow:", width="stretch",
                     disabled=running or not can_start, on_click=on_start, args=start_args, key=start_key)
    return stop_col, other_col


def stop_button(slot: Any, key: str, running: bool, on_stop: Callable[[], None]) -> None:
    """Stop, drawn by the live view's fragment: a click reruns only the fragment, which shows the stop at once."""
    slot.button(tr("train.stop"), icon=":material/stop:", width="stretch", disabled=not running, on_click=on_stop,
                key=key)


def status_alert(status: str, text: str) -> None:
    """A run's status as an alert whose colour says how it ended."""
    ALERTS.get(status, st.info)(text)


def chart_controls(prefix: str, natural: XAxis = "updates") -> tuple[XAxis, float, bool]:
    """The x axis, smoothing and learning-rate toggle under a live loss chart."""
    axis_key, natural_key = f"{prefix}_x_axis", f"{prefix}_x_axis_natural"
    if st.session_state.get(axis_key) is None or st.session_state.get(natural_key) != natural:
        st.session_state[axis_key] = natural  # a run whose budget is time reads best against time, and so on
        st.session_state[natural_key] = natural
    # The axis switch gets a row of its own: four options in two languages do not fit beside the slider at 1400 px.
    x_axis = choice(st.segmented_control, tr("train.x_axis"), X_AXES, key=axis_key,
                    format_func=lambda a: tr(f"train.axis.{a}")) or natural
    smooth_col, lr_col = st.columns([3, 2], vertical_alignment="bottom")
    smoothing = smooth_col.slider(tr("train.smoothing"), 0.0, 0.99, 0.8, 0.01, key=f"{prefix}_smoothing")
    show_lr = lr_col.toggle(tr("train.show_lr"), key=f"{prefix}_show_lr")
    return x_axis, smoothing, show_lr
