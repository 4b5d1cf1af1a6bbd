"""Data parallel: W worker processes train one model with torch.distributed, and the page shows what each draws."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from ui.shell import require_app_shell

require_app_shell()  # before the heavy imports: see ui/shell.py

from core.figures.data_parallel import draws_figure, loss_figure
from core.figures.training import LIVE_POINTS
from core.i18n import fmt_float, fmt_int
from core.maths.limits import DP_MAX_EPOCHS, DP_MAX_SAMPLES
from core.maths.thinning import MAX_POINTS
from core.runtime.tabs import Tab
from core.train.data_parallel import DataParallelRun
from core.views.data_parallel import (
    PARAMS,
    DataParallelConfig,
    DataParallelSnapshot,
    EpochDraws,
    config_from_query,
    config_to_query,
    sample_range,
    sampler_code,
)
from ui.lang import current_lang, say, tr
from ui.live import epochs_ui, status_alert
from ui.livepage import LivePage
from ui.present import control
from ui.runs import LOG_PACE_S, LOSS_CHART_PACE_S, live_chart
from ui.widgets import choice, log_number, widget_values

GRADIENT_TOLERANCE = 1e-6  # float32 rounding of an average of a few gradients stays far below this
EPOCH_KEY = "dp_epoch_shown"
LATEST = 0  # the epoch choice that follows the run
SMALL_GRID = 500  # cells of the draws grid redrawn at the loss chart's pace while live


def settings_ui() -> DataParallelConfig:
    """The run's settings as widgets; returns one consistent settings object."""
    key = PAGE.key
    with st.container(border=True):
        st.markdown(f"**{tr('dp.section.devices')}**")
        devices = PAGE.input("devices", tr("dp.devices"), step=1, help=tr("dp.devices_help"))
        batch_high = min(DP_MAX_SAMPLES, int(st.session_state[key("n_samples")]))
        batch_size = control("batch_size", key("batch_size"), lambda: log_number(
            tr("dp.batch_size"), tr("calc.drag", label=tr("dp.batch_size")), key("batch_size"), 1, batch_high,
            help=tr("dp.batch_size_help")))
        epochs = epochs_ui(key, DP_MAX_EPOCHS, tr("dp.epochs_help", high=DP_MAX_EPOCHS))
    with st.container(border=True):
        st.markdown(f"**{tr('dp.section.data')}**")
        dataset = PAGE.input("dataset", tr("train.dataset"), st.selectbox,
                             format_func=lambda d: tr(f"dataset.{d}.title"))
        low, high = sample_range(dataset, int(devices))
        n = control("n", key("n_samples"), lambda: log_number(
            tr("train.n"), tr("calc.drag", label=tr("train.n")), key("n_samples"), low, high,
            help=tr("train.n_help", low=low, high=high)))
        seed = PAGE.input("seed", tr("train.seed"), step=1)
    return replace(DataParallelConfig(), devices=int(devices), n_samples=int(n),
                   batch_size=min(int(batch_size), int(n)), epochs=int(epochs), dataset=dataset, seed=int(seed))


def plan_ui(config: DataParallelConfig) -> None:
    """The counts the run will make, labelled as the calculator labels them."""
    p = config.plan()
    columns = st.columns(3)
    columns[0].metric(tr("metric.effective_batch_size"), fmt_int(p.effective_batch_size), border=True,
                      help=tr("dp.global_batch_help", devices=config.devices, batch=config.batch_size))
    columns[1].metric(tr("metric.iterations_per_epoch"), fmt_int(p.iterations_per_epoch), border=True,
                      help=tr("metric.iterations_per_epoch_help"))
    columns[2].metric(tr("metric.total_updates"), fmt_int(p.total_updates), border=True,
                      help=tr("metric.total_updates_help"))
    padding = tr("dp.plan_padded" if p.padded_samples else "dp.plan_even", devices=config.devices,
                 per_rank=p.samples_per_rank, padded=p.padded_samples, total=p.samples_per_rank * config.devices)
    st.caption(tr("dp.plan_note", n=config.n_samples, batch=config.batch_size, epochs=config.epochs,
                  devices=config.devices, per_rank=p.samples_per_rank) + " " + padding)


def epoch_choice_ui(run: DataParallelRun | None) -> int:
    """Which epoch the draws figure shows: the latest (following the run) or a chosen one."""
    if run is None or run.config.epochs == 1:
        return LATEST
    options = (LATEST, *range(1, run.config.epochs + 1))
    if st.session_state.get(EPOCH_KEY) not in options:
        st.session_state[EPOCH_KEY] = LATEST
    return int(choice(st.select_slider, tr("dp.epoch_shown"), options, key=EPOCH_KEY,
                      format_func=lambda e: tr("dp.epoch_latest") if e == LATEST else str(e)))


def progress_ui(snapshot: DataParallelSnapshot) -> None:
    """The progress bar and the run's status, redrawn several times a second."""
    p = snapshot.plan
    latest = snapshot.epochs[-1] if snapshot.epochs else None
    done = snapshot.updates_done
    st.progress(min(1.0, done / max(p.total_updates, 1)), text=tr(
        "dp.progress", updates=done, total=p.total_updates, epoch=latest.epoch if latest else 1, epochs=p.epochs,
        iteration=latest.drawn if latest else 0, iterations=p.iterations_per_epoch))
    status_alert(snapshot.status, say(snapshot.message))
    if snapshot.start_s is not None and snapshot.backend is not None:
        st.caption(tr("dp.started_in", devices=snapshot.config.devices, backend=snapshot.backend,
                      seconds=fmt_float(snapshot.start_s, 1)))


def gradient_ui(snapshot: DataParallelSnapshot) -> None:
    """The proof: DDP's averaged gradient equals one process's gradient on the global batch."""
    check = snapshot.gradient
    if check is None:
        return
    value_col, text_col = st.columns([1, 2.2], vertical_alignment="center")
    value_col.metric(tr("dp.grad_diff"), f"{check.max_abs_diff:.1e}", help=tr("dp.grad_diff_help"), border=True)
    with text_col:
        if check.max_abs_diff <= GRADIENT_TOLERANCE:
            st.success(tr("dp.grad_same", batch=check.global_batch), icon=":material/check_circle:")
        else:
            st.warning(tr("dp.grad_differs", diff=f"{check.max_abs_diff:.1e}"))
        st.caption(tr("dp.grad_caption", devices=snapshot.config.devices, batch=check.global_batch,
                      params=check.parameters, largest=f"{check.max_abs_grad:.3g}"))


def counts_ui(snapshot: DataParallelSnapshot) -> None:
    """What the workers counted themselves, against the plan."""
    counts, p = snapshot.counts, snapshot.plan
    if counts is None:
        return
    per_epoch = {n for rank in counts.iterations for n in rank}
    updates = set(counts.updates)
    if per_epoch == {p.iterations_per_epoch} and updates == {p.total_updates}:
        st.info(tr("dp.counts_match" if p.padded_samples else "dp.counts_match_even",
                   iterations=p.iterations_per_epoch, updates=p.total_updates,
                   samples=sum(counts.samples), padded=p.padded_samples * p.epochs), icon=":material/fact_check:")
    else:
        st.error(tr("dp.counts_differ", iterations=sorted(per_epoch), updates=sorted(updates),
                    planned_iterations=p.iterations_per_epoch, planned_updates=p.total_updates))


def _shown(snapshot: DataParallelSnapshot, epoch: int) -> EpochDraws | None:
    if not snapshot.epochs:
        return None
    if epoch == LATEST:
        return snapshot.epochs[-1]
    return next((draws for draws in snapshot.epochs if draws.epoch == epoch), None)


def charts_ui(snapshot: DataParallelSnapshot, epoch: int, live: bool) -> None:
    """The gradient proof, the counts, the draws of the shown epoch and the loss per update."""
    lang = current_lang()
    gradient_ui(snapshot)
    counts_ui(snapshot)
    run_id = id(PAGE.run())  # a new run with the same settings must not reuse the last figures
    draws = _shown(snapshot, epoch)
    if draws is not None:
        # A small grid fills in cell by cell; a large one (thousands of cells) is redrawn at a calmer pace.
        pace = LOSS_CHART_PACE_S if draws.indices.size <= SMALL_GRID else LOG_PACE_S
        live_chart("dp_draws_chart", lambda: draws_figure(snapshot.plan, draws, lang=lang),
                   settings=(lang, run_id, epoch), data=(draws.epoch, draws.drawn, snapshot.done),
                   min_interval_s=pace if live else 0, live=live)
        st.caption(tr("dp.fig_caption"))
    if snapshot.epochs:
        points = LIVE_POINTS if live else MAX_POINTS
        live_chart("dp_loss_chart", lambda: loss_figure(snapshot.plan, snapshot.epochs, lang=lang, max_points=points),
                   settings=(lang, run_id, points), data=(snapshot.updates_done, snapshot.done),
                   min_interval_s=LOSS_CHART_PACE_S if live else 0, live=live)


def _follow_the_new_run(tab: Tab) -> None:
    st.session_state[EPOCH_KEY] = LATEST


PAGE: LivePage[DataParallelConfig, DataParallelConfig] = LivePage(
    page="dp", kind="data_parallel", texts="dp", start_text="dp.start", idle_text="dp.press_start",
    params=PARAMS, parse=config_from_query, to_query=config_to_query,
    to_widgets=lambda config: widget_values("dp", PARAMS, config), settings_ui=settings_ui, job=lambda config: config,
    plan_ui=plan_ui, run_class=DataParallelRun, view_ui=epoch_choice_ui, draw_progress=progress_ui,
    draw_charts=charts_ui, on_start=_follow_the_new_run,
    sidebar_line=lambda snapshot: tr("sidebar.data_parallel", epoch=snapshot.epochs[-1].epoch if snapshot.epochs else 1,
                                     epochs=snapshot.plan.epochs, devices=snapshot.config.devices),
)
job, live_col = PAGE.show()
if job is not None:
    with live_col, st.expander(tr("dp.how")):
        run = PAGE.run()
        backend = run.snapshot().backend if run is not None else None
        st.markdown(tr("dp.how_body", backend=backend or "gloo", sampler=sampler_code(job)))
