"""The batch-size finder section: a button that measures throughput per batch size, then its figure and table.

The sweep is a background run (``core.train.finder_run.FinderRun``) held by the tab like every live run, so the
page stays responsive while it measures, and a reload finds the sweep (or its result) again.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.figures.finder import throughput_figure
from core.i18n import error_message, fmt_float
from core.maths.config import TrainConfig
from core.maths.records import FinderResult
from core.runtime.background import LiveRun
from core.train.engine import resolve_device
from core.train.finder_run import FinderRun, FinderSnapshot
from ui.lang import current_lang, tr
from ui.live import class_queue
from ui.runs import THROUGHPUT_KEY, current_tab, keepalive_for

KIND = "finder"  # the tab's run of this kind
RESULT_KEY = "finder_result"
POLL_S = 0.5  # the progress bar follows the sweep at this pace; each size takes a good part of a second


def _start(config: TrainConfig, budget_mib: int) -> None:
    tab = current_tab()
    current = tab.runs.get(KIND)
    if current is not None and not current.snapshot().done:
        return  # a double click must not start a second sweep
    run = FinderRun(config, memory_budget_bytes=budget_mib * 2**20, queue=class_queue(), keepalive=keepalive_for(tab),
                    throughputs=tab.throughputs)  # what it measures, this tab's device="auto" reads
    run.start()
    tab.runs[KIND] = run


def _progress(snapshot: FinderSnapshot) -> None:
    if not snapshot.points:
        st.progress(0.0)
        return
    point, done = snapshot.points[-1], len(snapshot.points)
    st.progress(done / snapshot.planned, text=tr("finder.progress", batch=point.batch_size,
                                                 rate=fmt_float(point.samples_per_s, 0), done=done,
                                                 planned=snapshot.planned))


def _measuring_ui(run: LiveRun[FinderSnapshot]) -> None:
    """The sweep's progress, polled from a fragment until it ends; then the whole page draws its result."""

    @st.fragment(run_every=POLL_S)
    def _poll() -> None:
        snapshot = run.snapshot()
        if snapshot.done:
            st.rerun(scope="app")
        run.heartbeat()
        _progress(snapshot)

    _poll()


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


def _finished(snapshot: FinderSnapshot | None) -> FinderResult | None:
    """The result of the tab's last sweep (kept in the session, its best rate for the calculator's estimate)."""
    if snapshot is not None and snapshot.status == "failed":
        st.error(tr("finder.invalid", message=snapshot.error))
    if snapshot is not None and snapshot.result is not None and st.session_state.get(RESULT_KEY) is not snapshot.result:
        st.session_state[RESULT_KEY] = snapshot.result
        if snapshot.result.best is not None:
            st.session_state[THROUGHPUT_KEY] = snapshot.result.best.samples_per_s
    return st.session_state.get(RESULT_KEY)


def finder_ui(config: TrainConfig, budget_ui: Callable[[], int]) -> FinderResult | None:
    """Measure samples/s of ``config``'s model and data per batch size (``budget_ui`` draws the memory budget in
    MiB); keeps the best in session state."""
    st.subheader(tr("finder.header"))
    try:
        train_samples = config.validate().train_samples
    except ValueError as error:
        message = error_message(error)
        st.error(tr("finder.invalid", message=message))
        return None
    device, _ = resolve_device(config.device)
    st.caption(tr("finder.intro", device=str(device), train=train_samples))
    run = current_tab().runs.get(KIND)  # a click's callback has started it before the script runs
    snapshot = None if run is None else run.snapshot()
    measuring = run is not None and snapshot is not None and not snapshot.done
    budget_col, button_col = st.columns([2, 1], vertical_alignment="bottom")
    with budget_col:
        budget = budget_ui()
    button_col.button(tr("finder.run"), key="finder_run", icon=":material/speed:", width="stretch",
                      disabled=measuring, on_click=_start, args=(config, int(budget)))
    if measuring and run is not None:
        _measuring_ui(run)
        return st.session_state.get(RESULT_KEY)
    shown = _finished(snapshot)
    if shown is not None:
        _result_ui(shown)
    return shown
