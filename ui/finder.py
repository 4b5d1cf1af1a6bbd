"""The batch-size finder section: a button that measures throughput per batch size, then its figure and table."""

from __future__ import annotations

import streamlit as st

from core.figures.finder import throughput_figure
from core.i18n import error_message, fmt_float
from core.maths.config import TrainConfig
from core.maths.records import FinderPoint, FinderResult
from core.train.engine import resolve_device
from core.train.finder import find_batch_size
from ui.lang import current_lang, tr
from ui.live import class_queue
from ui.runs import THROUGHPUT_KEY

RESULT_KEY = "finder_result"
DEFAULT_BUDGET_MIB = 1_024


def _run(config: TrainConfig, budget_mib: int) -> FinderResult:
    bar = st.progress(0.0)

    def on_point(point: FinderPoint, done: int, planned: int) -> None:
        bar.progress(done / planned, text=tr("finder.progress", batch=point.batch_size,
                                             rate=fmt_float(point.samples_per_s, 0), done=done, planned=planned))

    result = find_batch_size(config, memory_budget_bytes=budget_mib * 2**20, queue=class_queue(),
                             on_point=on_point)
    bar.empty()
    return result


def _result_ui(result: FinderResult) -> None:
    message = tr(f"finder.stop.{result.stop_reason}", batch=result.stopped_at or 0)
    (st.warning if result.stop_reason in ("oom", "busy") else st.info)(message)
    best = result.best
    if best is None:
        return
    st.success(tr("finder.best", rate=fmt_float(best.samples_per_s, 0), batch=best.batch_size,
                  device=result.device))
    st.plotly_chart(throughput_figure(result, lang=current_lang()), key="finder_chart")
    st.dataframe(
        [
            {
                tr("finder.col.batch_size"): p.batch_size,
                tr("finder.col.samples_per_s"): round(p.samples_per_s),
                tr("finder.col.memory"): round(p.peak_memory_bytes / 2**20, 2),
                tr("finder.col.steps"): p.steps,
                tr("finder.col.seconds"): round(p.seconds, 4),
            }
            for p in result.points
        ],
        hide_index=True,
        key="finder_table",
    )
    st.caption(tr("finder.memory_estimated" if best.memory_estimated else "finder.memory_measured"))


def finder_ui(config: TrainConfig) -> FinderResult | None:
    """Measure samples/s of ``config``'s model and data per batch size; keeps the best in session state."""
    st.subheader(tr("finder.header"))
    try:
        train_samples = config.validate().train_samples
    except ValueError as error:
        message = error_message(error)
        st.error(tr("finder.invalid", message=message))
        return None
    device, _ = resolve_device(config.device)
    st.caption(tr("finder.intro", device=str(device), train=train_samples))
    budget_col, button_col = st.columns([2, 1], vertical_alignment="bottom")
    budget = budget_col.number_input(tr("finder.memory_budget"), 1, 1_048_576, value=DEFAULT_BUDGET_MIB, step=256,
                                     key="finder_budget", help=tr("finder.memory_budget_help"))
    if button_col.button(tr("finder.run"), key="finder_run", icon=":material/speed:", width="stretch"):
        result = _run(config, int(budget))
        st.session_state[RESULT_KEY] = result
        if result.best is not None:
            st.session_state[THROUGHPUT_KEY] = result.best.samples_per_s
    shown: FinderResult | None = st.session_state.get(RESULT_KEY)
    if shown is not None:
        _result_ui(shown)
    return shown
