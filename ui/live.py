"""Widgets every live page shares: settings they have in common, the status alert, the curves and their controls."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from core.figures.training import (
    LIVE_POINTS,
    X_AXES,
    XAxis,
    epoch_curves,
    loss_figure,
    monitoring_figure,
    update_curves,
)
from core.maths.catalog import DATASETS
from core.maths.lr import Decay
from core.maths.thinning import MAX_POINTS
from core.runtime.slots import RunQueue, default_queue
from core.train.runner import serve_many_runs, warm_up
from core.views.training import LEARNING_RATES
from ui.lang import current_lang, tr
from ui.present import control
from ui.runs import EPOCH_CHART_PACE_S, LOSS_CHART_PACE_S, live_chart
from ui.widgets import choice, log_number

Key = Callable[[str], str]  # a page's widget key of a settings field (ui.livepage.LivePage.key)
ALERTS: dict[str, Callable[..., Any]] = {
    "failed": st.error, "diverged": st.warning, "abandoned": st.warning, "capped": st.warning, "finished": st.success,
    "stopped": st.success,
}


warm_up()  # every live page imports this module: the first Train on a fresh server then starts at once


def class_queue() -> RunQueue:
    """The server-wide run queue, with the process set up to serve a class (``core.train.runner.serve_many_runs``)."""
    serve_many_runs()
    return default_queue()


def _dataset_changed(key: Key, resets: Sequence[str]) -> Callable[[], None]:
    """A callback that resets the data-set size (and the ``resets`` among noise and validation split) to the newly
    chosen data set's defaults."""

    def _changed() -> None:
        spec = DATASETS[st.session_state[key("dataset")]]
        defaults = {"n_samples": spec.default_size, "noise": spec.default_noise,
                    "validation_split": spec.default_val_split}  # the lesson's random example has no split
        for field in ("n_samples", *resets):
            st.session_state[key(field)] = defaults[field]

    return _changed


def data_ui(key: Key, resets: Sequence[str] = (), *, describe: bool = False) -> tuple[str, int]:
    """The data set (titles in the session's language; ``describe``: its description under it) and its size."""
    dataset = control("dataset", key("dataset"), lambda: choice(
        st.selectbox, tr("train.dataset"), tuple(DATASETS), key=key("dataset"),
        format_func=lambda d: tr(f"dataset.{d}.title"), on_change=_dataset_changed(key, resets)))
    spec = DATASETS[dataset]
    if describe:
        st.caption(tr(f"dataset.{dataset}.description"))
    n = control("n", key("n_samples"), lambda: log_number(
        tr("train.n"), tr("calc.drag", label=tr("train.n")), key("n_samples"), spec.min_size, spec.max_size,
        help=tr("train.n_help", low=spec.min_size, high=spec.max_size)))
    return dataset, n


def epochs_ui(key: Key, high: int, help: str, *, disabled: bool = False) -> int:
    """The number of epochs, a box and a log-scale slider."""
    return control("epochs", key("epochs"), lambda: log_number(
        tr("calc.epochs"), tr("calc.drag", label=tr("calc.epochs")), key("epochs"), 1, high, help=help,
        disabled=disabled))


def learning_rate_ui(key: Key) -> float:
    """The learning rate on the slider's stops (and the URL's value, when it is none of them)."""
    rates = sorted({*LEARNING_RATES, float(st.session_state[key("learning_rate")])})
    return float(control("lr", key("learning_rate"), lambda: st.select_slider(
        tr("train.lr"), rates, key=key("learning_rate"), format_func=lambda v: f"{v:g}", help=tr("train.lr_help"))))


def warmup_ui(control_of: Callable[..., Any]) -> tuple[int, Decay]:
    """Warm-up epochs and the decay after them, each made from the page's table (``LivePage.input``)."""
    warmup = control_of("warmup_epochs", tr("train.warmup_epochs"), step=1, help=tr("train.warmup_help"))
    decay = control_of("decay", tr("train.decay"), horizontal=True, format_func=lambda d: tr(f"train.decay.{d}"))
    return int(warmup), decay


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


def curves_ui(named: Sequence[tuple[str, Any]], view: tuple[XAxis, float, bool], live: bool, done: bool, *,
              key_prefix: str = "") -> None:
    """The lesson's per-epoch figure and the loss per update of each (label, run record), the last drawn boldest.

    While live, each is rebuilt at its own pace and sent again unchanged in between, which the browser draws for free.
    """
    lang = current_lang()
    labels = tuple(label for label, _ in named)
    live_chart(
        f"{key_prefix}monitoring_chart",
        lambda: monitoring_figure([epoch_curves(record, label) for label, record in named], lang=lang),
        settings=(lang, labels), data=(tuple(len(record.epochs) for _, record in named), done),
        min_interval_s=EPOCH_CHART_PACE_S if live else 0, live=live)
    x_axis, smoothing, show_lr = view
    live_chart(
        f"{key_prefix}loss_chart",
        lambda: loss_figure([update_curves(record, label) for label, record in named], x_axis=x_axis,
                            smoothing=smoothing, show_lr=show_lr, lang=lang,
                            max_points=LIVE_POINTS if live else MAX_POINTS),
        settings=(lang, labels, x_axis, smoothing, show_lr),
        data=(tuple(len(record.updates) for _, record in named), done),
        min_interval_s=LOSS_CHART_PACE_S if live else 0, live=live)
