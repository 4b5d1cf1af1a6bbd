"""Compare batch sizes: the same model, data and initial weights trained with 2-4 batch sizes, side by side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import streamlit as st

from ui.shell import require_app_shell

require_app_shell()  # before the heavy imports: see ui/shell.py

from core.figures.compare import noise_figure
from core.figures.training import XAxis
from core.i18n import fmt_duration, fmt_float, fmt_int
from core.maths.batching import split_sizes
from core.maths.catalog import DATASETS
from core.maths.config import TrainConfig
from core.maths.limits import TRAIN_MAX_EPOCHS
from core.maths.records import CompareSnapshot, NoiseReport
from core.train.compare import ComparisonRun
from core.views.compare import (
    MAX_RUNS,
    PARAMS,
    Budget,
    CompareConfig,
    LrRule,
    compare_from_query,
    compare_to_query,
)
from core.views.compare_results import RunSummary, summarise, verdicts
from ui.lang import current_lang, say, tr
from ui.live import chart_controls, curves_ui, data_ui, epochs_ui, learning_rate_ui, status_alert, warmup_ui
from ui.livepage import LivePage
from ui.present import control
from ui.widgets import nice_values, widget_values


def _widget_values(config: CompareConfig) -> dict[str, object]:
    return {PAGE.key("batch_sizes"): list(config.batch_sizes), **widget_values("cmp", PARAMS, config, config.base)}


def settings_ui() -> CompareConfig | None:
    """Every comparison setting as a widget; None while fewer than two batch sizes are picked."""
    key = PAGE.key
    with st.container(border=True):
        st.markdown(f"**{tr('compare.section.runs')}**")
        chosen = [int(b) for b in st.session_state[key("batch_sizes")]]
        # Offer sizes up to the training set of the chosen data (a bigger one would be refused on reload).
        train = split_sizes(int(st.session_state[key("n_samples")]), TrainConfig().validation_split)[0]
        options = sorted({*nice_values(1, min(4096, train), 1), *chosen})
        batch_sizes = control("batch_sizes", key("batch_sizes"), lambda: st.multiselect(
            tr("compare.batch_sizes"), options, key=key("batch_sizes"), max_selections=MAX_RUNS, format_func=fmt_int,
            help=tr("compare.batch_sizes_help")))
        budget: Budget = PAGE.input("budget", tr("compare.budget"), st.segmented_control, help=tr(
            "compare.budget_help"), format_func=lambda b: tr(f"compare.budget.{b}")) or "epochs"
        epochs = epochs_ui(key, TRAIN_MAX_EPOCHS, tr("calc.epochs_help"), disabled=budget == "time")
        seconds = st.session_state[key("seconds")]
        if budget == "time":
            seconds = PAGE.input("seconds", tr("compare.seconds"), step=0.5)
        lr_rule: LrRule = PAGE.input("lr_rule", tr("compare.lr_rule"), st.segmented_control, help=tr(
            "compare.lr_rule_help"), format_func=lambda r: tr(f"compare.lr_rule.{r}")) or "none"
        warmup_epochs, decay = warmup_ui(PAGE.input)
    with st.container(border=True):
        st.markdown(f"**{tr('compare.section.data')}**")
        dataset, n = data_ui(key)
        lr = learning_rate_ui(key)
        seed = PAGE.input("seed", tr("train.seed"), step=1)
    if len(batch_sizes) < 2:
        st.error(tr("compare.too_few"))
        return None
    base = replace(TrainConfig(), dataset=dataset, n_samples=n, noise=DATASETS[dataset].default_noise, epochs=epochs,
                   learning_rate=lr, seed=int(seed))
    return CompareConfig(base, tuple(sorted(int(b) for b in batch_sizes)), budget=budget, seconds=float(seconds),
                         lr_rule=lr_rule, warmup_epochs=warmup_epochs, decay=decay)


def plan_ui(config: CompareConfig) -> None:
    """What each batch size will do before anything runs; raises ValueError when the settings cannot train."""
    plans = config.validate()
    st.markdown(f"**{tr('compare.plan')}**")
    rows = []
    timed = config.budget == "time"  # how far a timed run gets depends on the machine: no count to show
    for run_config, plan in zip(config.run_configs(), plans, strict=True):
        rows.append({
            tr("compare.col.batch"): fmt_int(run_config.batch_size),
            tr("compare.col.lr"): f"{run_config.learning_rate:.3g}",
            tr("compare.col.iterations"): fmt_int(plan.iterations_per_epoch),
            tr("compare.col.updates_planned"): "—" if timed else fmt_int(run_config.update_limit),
            tr("compare.col.epochs_planned"): "—" if timed else fmt_float(
                run_config.update_limit / plan.updates_per_epoch),
        })
    st.dataframe(rows, hide_index=True, key="cmp_plan_table")
    notes: dict[str, dict[str, object]] = {
        "epochs": {"epochs": config.base.epochs},
        "updates": {"updates": fmt_int(config.budget_updates()), "reference": config.reference_batch,
                    "epochs": config.base.epochs},
        "time": {"seconds": fmt_float(config.seconds, 1)},
    }
    note = notes[config.budget]
    st.caption(tr(f"compare.budget_note.{config.budget}", **note))


def progress_ui(snapshot: CompareSnapshot) -> None:
    """Each batch size's progress and the status, redrawn several times a second."""
    lang = current_lang()
    for i, config in enumerate(snapshot.configs):
        if i >= len(snapshot.runs):
            st.progress(0.0, text=tr("compare.pending", batch=config.batch_size))
            continue
        run = snapshot.runs[i]
        p = run.progress
        if config.time_budget_s is not None:
            fraction = 1.0 if run.done else min(1.0, p.elapsed_s / config.time_budget_s)
            text = tr("compare.progress_time", batch=config.batch_size, updates=fmt_int(p.updates_done),
                      elapsed=fmt_float(p.elapsed_s, 1), seconds=fmt_float(config.time_budget_s, 1))
        else:
            fraction = min(1.0, p.fraction)
            text = tr("compare.progress", batch=config.batch_size, updates=fmt_int(p.updates_done),
                      total=fmt_int(p.total_updates))
        if p.samples_per_s:
            text += " · " + tr("train.throughput", rate=fmt_float(p.samples_per_s, 0))
            text += " · " + tr("train.elapsed", time=fmt_duration(p.elapsed_s, lang))
        st.progress(fraction, text=text)
    status = snapshot.status
    batch = snapshot.configs[snapshot.current].batch_size
    text = tr(f"compare.status.{status}", batch=batch, index=snapshot.current + 1, count=len(snapshot.configs),
              message=say(snapshot.message))
    if status == "stopped" and snapshot.message is not None:
        text += " " + say(snapshot.message)  # why, when the run did not stop on a click (the server's time limit)
    status_alert(status, text)


def _memory(summary: RunSummary) -> str:
    value = f"{summary.peak_memory_bytes / 1024:,.1f} KiB" if summary.peak_memory_bytes < 2**20 else (
        f"{summary.peak_memory_bytes / 2**20:,.1f} MiB")
    return tr("compare.memory_estimate" if summary.memory_is_estimate else "compare.memory_measured", value=value)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def results_ui(summaries: list[RunSummary], noise: NoiseReport | None) -> None:
    """The results table: one column per batch size, one row per measure."""
    st.markdown(f"**{tr('compare.results')}**")

    def cosine(s: RunSummary) -> float | None:
        if noise is None or s.batch_size not in noise.batch_sizes:
            return None
        return noise.cosine[noise.batch_sizes.index(s.batch_size)]

    measures: dict[str, Callable[[RunSummary], str]] = {
        "lr": lambda s: f"{s.learning_rate:.3g}",
        "status": lambda s: tr(f"compare.run_status.{s.status}"),
        "updates": lambda s: fmt_int(s.updates),
        "epochs": lambda s: fmt_float(s.epochs_done, 2),
        "wall": lambda s: _fmt(s.wall_time_s, 2),
        "rate": lambda s: fmt_float(s.samples_per_s, 0) if s.samples_per_s else "—",
        "memory": _memory,
        "train_loss": lambda s: _fmt(s.train_loss),
        "val_loss": lambda s: _fmt(s.val_loss),
        "train_acc": lambda s: _fmt(s.train_accuracy),
        "val_acc": lambda s: _fmt(s.val_accuracy),
        "gap_acc": lambda s: _fmt(None if s.accuracy_gap is None else 100 * s.accuracy_gap, 1),
        "gap_loss": lambda s: _fmt(s.loss_gap),
        "noise": lambda s: _fmt(s.loss_noise),
        "cosine": lambda s: _fmt(cosine(s), 2),
    }
    rows = [{tr("compare.col.measure"): tr(f"compare.col.{name}"),
             **{tr("compare.run_label", batch=s.batch_size): cell(s) for s in summaries}}
            for name, cell in measures.items()]
    st.dataframe(rows, hide_index=True, height="content", key="cmp_results_table")
    st.caption(tr("compare.results_note"))


def noise_ui(noise: NoiseReport) -> None:
    """The critical batch size estimate beside the batch sizes tried."""
    st.markdown(f"**{tr('compare.noise')}**")
    scale = noise.scale
    value = tr("compare.bsimple_none") if scale.b_simple is None else fmt_float(scale.b_simple, 1)
    st.metric(tr("compare.bsimple"), value, help=tr("compare.bsimple_help", small=scale.b_small, big=scale.b_big),
              border=True)
    st.plotly_chart(noise_figure(noise, lang=current_lang()), key="cmp_noise_chart")
    st.caption(tr("compare.bsimple_caption", tried=", ".join(fmt_int(b) for b in noise.batch_sizes),
                  trace=f"{scale.trace_sigma:.4g}", g2=f"{scale.grad_sq:.4g}"))
    if scale.b_simple is None:
        st.info(tr("compare.bsimple_undefined"))
    st.caption(tr("compare.noise_note", draws=noise.draws))


def verdicts_ui(summaries: list[RunSummary], noise: NoiseReport | None) -> None:
    """The lesson's claims against the measured numbers."""
    lines = verdicts(summaries, noise, current_lang())
    if not lines:
        return
    st.markdown(f"**{tr('compare.verdicts')}**")
    st.markdown("\n".join(f"- {line}" for line in lines))
    st.caption(tr("compare.verdicts_note"))


def live_charts_ui(snapshot: CompareSnapshot, view: tuple[XAxis, float, bool], live: bool) -> None:
    """Every batch size's curves on one figure, results, gradient noise and verdicts, at the charts' pace."""
    if not snapshot.runs:
        return
    st.markdown(f"**{tr('compare.curves')}**")
    # Largest batch first: the figures draw the last run boldest, with its raw per-update loss and epoch ends,
    # so the smallest batch, whose update-to-update noise is the point, goes last.
    runs = sorted(snapshot.runs, key=lambda r: -r.config.batch_size)
    curves_ui([(tr("compare.run_label", batch=run.config.batch_size), run) for run in runs], view, live,
              snapshot.done, key_prefix="cmp_")
    summaries = [summarise(r) for r in snapshot.runs if r.done]
    if summaries:
        results_ui(summaries, snapshot.noise)
    if snapshot.noise is not None:
        noise_ui(snapshot.noise)
    if not live:
        verdicts_ui(summaries, snapshot.noise)


def view_ui(run: Any) -> tuple[XAxis, float, bool]:
    """The chart controls once there is a run, on the x axis its budget reads best against: its own measure."""
    if run is None:
        return "epochs", 0.8, False
    first = run.configs[0]
    return chart_controls("cmp", "time" if first.time_budget_s is not None else "updates"
                          if first.max_updates is not None else "epochs")


PAGE: LivePage[CompareConfig, CompareConfig] = LivePage(
    page="cmp", kind="comparison", texts="compare", start_text="compare.start", idle_text="compare.press_start",
    params=PARAMS, extra_names=("batch_sizes",), parse=compare_from_query, to_query=compare_to_query,
    to_widgets=_widget_values, settings_ui=settings_ui, job=lambda config: config, plan_ui=plan_ui,
    run_class=ComparisonRun, device_auto=True, view_ui=view_ui, draw_progress=progress_ui, draw_charts=live_charts_ui,
    sidebar_line=lambda snapshot: tr("sidebar.comparing", current=snapshot.current + 1, total=len(snapshot.configs)),
    run_data=lambda config: config.base,
)
PAGE.show()
