"""Compare batch sizes: the same model, data and initial weights trained with 2-4 batch sizes, side by side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import streamlit as st

from ui.shell import require_app_shell

require_app_shell()  # before the heavy imports: see ui/shell.py

from core.figures.compare import noise_figure
from core.figures.training import LIVE_POINTS, XAxis, epoch_curves, loss_figure, monitoring_figure, update_curves
from core.i18n import error_message, fmt_duration, fmt_float, fmt_int
from core.maths.batching import split_sizes
from core.maths.catalog import DATASETS
from core.maths.config import TrainConfig
from core.maths.limits import SEED_MAX, TRAIN_LR_MAX, TRAIN_LR_MIN, TRAIN_MAX_BATCH, TRAIN_MAX_EPOCHS, WARMUP_MAX_EPOCHS
from core.maths.lr import DECAYS
from core.maths.records import CompareSnapshot, NoiseReport
from core.maths.thinning import MAX_POINTS
from core.train.compare import ComparisonRun
from core.views.compare import (
    BUDGETS,
    LR_RULES,
    MAX_RUNS,
    MAX_SECONDS,
    PARAMS,
    CompareConfig,
    compare_from_query,
    compare_to_query,
)
from core.views.compare_results import RunSummary, summarise, verdicts
from core.views.training import LEARNING_RATES
from ui.data import preloaded
from ui.lang import current_lang, say, tr
from ui.live import (
    chart_controls,
    class_queue,
    dataset_changed,
    dataset_select,
    run_buttons,
    status_alert,
    stop_button,
    stop_run,
)
from ui.present import control
from ui.runs import EPOCH_CHART_PACE_S, LOSS_CHART_PACE_S, current_tab, keepalive_for, live_chart, live_view
from ui.urlstate import keep_settings, restore_settings, url_problems_ui
from ui.widgets import choice, log_number, nice_values

PREFIX = "cmp_"
PARAM_NAMES = ["batch_sizes", *(param.name for param in PARAMS)]


def _key(name: str) -> str:
    return PREFIX + name


def _widget_values(config: CompareConfig) -> dict[str, object]:
    base = config.base
    values = {"batch_sizes": list(config.batch_sizes), "budget": config.budget, "seconds": config.seconds,
              "lr_rule": config.lr_rule, "warmup_epochs": config.warmup_epochs, "decay": config.decay,
              "epochs": base.epochs, "dataset": base.dataset, "n": base.n_samples, "lr": base.learning_rate,
              "seed": base.seed}
    return {_key(name): value for name, value in values.items()}


def settings_ui() -> CompareConfig | None:
    """Every comparison setting as a widget; None while fewer than two batch sizes are picked."""
    with st.container(border=True):
        st.markdown(f"**{tr('compare.section.runs')}**")
        chosen = [int(b) for b in st.session_state[_key("batch_sizes")]]
        # Offer sizes up to the training set of the chosen data (a bigger one would be refused on reload).
        train = split_sizes(int(st.session_state[_key("n")]), TrainConfig().validation_split)[0]
        options = sorted({*nice_values(1, min(4096, train), 1), *chosen})
        batch_sizes = control("batch_sizes", _key("batch_sizes"), lambda: st.multiselect(
            tr("compare.batch_sizes"), options, key=_key("batch_sizes"), max_selections=MAX_RUNS, format_func=fmt_int,
            help=tr("compare.batch_sizes_help")))
        budget = control("budget", _key("budget"), lambda: choice(
            st.segmented_control, tr("compare.budget"), BUDGETS, key=_key("budget"), help=tr("compare.budget_help"),
            format_func=lambda b: tr(f"compare.budget.{b}"))) or "epochs"
        epochs = control("epochs", _key("epochs"), lambda: log_number(
            tr("calc.epochs"), tr("calc.drag", label=tr("calc.epochs")), _key("epochs"), 1, TRAIN_MAX_EPOCHS,
            help=tr("calc.epochs_help"), disabled=budget == "time"))
        seconds = st.session_state[_key("seconds")]
        if budget == "time":
            seconds = control("seconds", _key("seconds"), lambda: st.slider(
                tr("compare.seconds"), 0.5, MAX_SECONDS, step=0.5, key=_key("seconds")))
        lr_rule = control("lr_rule", _key("lr_rule"), lambda: choice(
            st.segmented_control, tr("compare.lr_rule"), LR_RULES, key=_key("lr_rule"),
            format_func=lambda r: tr(f"compare.lr_rule.{r}"), help=tr("compare.lr_rule_help"))) or "none"
        warmup_epochs = control("warmup_epochs", _key("warmup_epochs"), lambda: st.number_input(
            tr("train.warmup_epochs"), 0, WARMUP_MAX_EPOCHS, step=1, key=_key("warmup_epochs"),
            help=tr("train.warmup_help")))
        decay = control("decay", _key("decay"), lambda: choice(
            st.radio, tr("train.decay"), DECAYS, key=_key("decay"), horizontal=True,
            format_func=lambda d: tr(f"train.decay.{d}")))
    with st.container(border=True):
        st.markdown(f"**{tr('compare.section.data')}**")
        dataset = control("dataset", _key("dataset"), lambda: dataset_select(
            _key("dataset"), dataset_changed(_key("dataset"), _key("n"))))
        spec = DATASETS[dataset]
        n = control("n", _key("n"), lambda: log_number(
            tr("train.n"), tr("calc.drag", label=tr("train.n")), _key("n"), spec.min_size, spec.max_size,
            help=tr("train.n_help", low=spec.min_size, high=spec.max_size)))
        rates = sorted({*LEARNING_RATES, float(st.session_state[_key("lr")])})
        lr = control("lr", _key("lr"), lambda: st.select_slider(
            tr("train.lr"), rates, key=_key("lr"), format_func=lambda v: f"{v:g}", help=tr("train.lr_help")))
        seed = control("seed", _key("seed"), lambda: st.number_input(
            tr("train.seed"), 0, SEED_MAX, step=1, key=_key("seed")))
    if len(batch_sizes) < 2:
        st.error(tr("compare.too_few"))
        return None
    base = replace(TrainConfig(), dataset=dataset, n_samples=n, noise=spec.default_noise, epochs=epochs,
                   learning_rate=min(max(float(lr), TRAIN_LR_MIN), TRAIN_LR_MAX), seed=int(seed))
    sizes = tuple(sorted(min(max(int(b), 1), TRAIN_MAX_BATCH) for b in batch_sizes))
    return CompareConfig(base, sizes, budget=budget, seconds=float(seconds), lr_rule=lr_rule,
                         warmup_epochs=int(warmup_epochs), decay=decay)


def plan_ui(config: CompareConfig) -> bool:
    """What each batch size will do before anything runs; False when the settings cannot train."""
    try:
        plans = config.validate()
    except ValueError as error:
        message = error_message(error)
        st.error(tr("compare.invalid", message=message))
        return False
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
    return True


def _start(config: CompareConfig) -> None:
    tab = current_tab()
    if tab.comparison is not None and not tab.comparison.snapshot().done:
        return  # a double click must not start a second comparison
    base = config.base
    data = preloaded(base.dataset, base.n_samples, base.noise, base.seed)
    run = ComparisonRun(config, data=data, queue=class_queue(), keepalive=keepalive_for(tab))
    run.start()
    tab.comparison = run


def _stop() -> None:
    stop_run(current_tab().comparison)


def controls_ui(config: CompareConfig | None, can_run: bool) -> object:
    """Compare; returns the slot where the live view puts Stop."""
    run = current_tab().comparison
    running = run is not None and not run.snapshot().done
    stop_slot, _ = run_buttons(start_label=tr("compare.start"), start_key="compare_button", running=running,
                               can_start=can_run, on_start=_start, start_args=(config,))
    return stop_slot


def natural_axis(configs: tuple[TrainConfig, ...]) -> XAxis:
    """The x axis a comparison reads best against: its budget's own measure."""
    first = configs[0]
    return "time" if first.time_budget_s is not None else "updates" if first.max_updates is not None else "epochs"


def _progress_ui(snapshot: CompareSnapshot) -> None:
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


def _status_ui(snapshot: CompareSnapshot) -> None:
    status = snapshot.status
    batch = snapshot.configs[snapshot.current].batch_size
    text = tr(f"compare.status.{status}", batch=batch, index=snapshot.current + 1, count=len(snapshot.configs),
              message=say(snapshot.message))
    if status == "stopped" and snapshot.message is not None:
        text += " " + say(snapshot.message)  # why, when the run did not stop on a click (the server's time limit)
    status_alert(status, text)


def charts_ui(snapshot: CompareSnapshot, view: tuple[XAxis, float, bool], live: bool) -> None:
    """Every batch size's curves on one figure, per epoch and per update, on a chosen x axis."""
    lang = current_lang()
    st.markdown(f"**{tr('compare.curves')}**")
    # Largest batch first: the figures draw the last run boldest, with its raw per-update loss and epoch ends,
    # so the smallest batch, whose update-to-update noise is the point, goes last.
    runs = sorted(snapshot.runs, key=lambda r: -r.config.batch_size)
    labels = [tr("compare.run_label", batch=run.config.batch_size) for run in runs]
    epochs_done = tuple(len(r.epochs) for r in runs)
    live_chart(
        "cmp_monitoring_chart",
        lambda: monitoring_figure([epoch_curves(r, lb) for r, lb in zip(runs, labels, strict=True)], lang=lang),
        settings=(lang, tuple(labels)), data=(epochs_done, snapshot.done),
        min_interval_s=EPOCH_CHART_PACE_S if live else 0, live=live)
    x_axis, smoothing, show_lr = view
    live_chart(
        "cmp_loss_chart",
        lambda: loss_figure([update_curves(r, lb) for r, lb in zip(runs, labels, strict=True)], x_axis=x_axis,
                            smoothing=smoothing, show_lr=show_lr, lang=lang,
                            max_points=LIVE_POINTS if live else MAX_POINTS),
        settings=(lang, tuple(labels), x_axis, smoothing, show_lr),
        data=(tuple(len(r.updates) for r in runs), snapshot.done),
        min_interval_s=LOSS_CHART_PACE_S if live else 0, live=live)


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


def live_progress_ui(snapshot: CompareSnapshot) -> None:
    """Each batch size's progress and the status, redrawn several times a second."""
    _progress_ui(snapshot)
    _status_ui(snapshot)


def live_charts_ui(snapshot: CompareSnapshot, view: tuple[XAxis, float, bool], live: bool) -> None:
    """Curves, results, gradient noise and verdicts, redrawn at the charts' pace (light while ``live``)."""
    if not snapshot.runs:
        return
    charts_ui(snapshot, view, live)
    summaries = [summarise(r) for r in snapshot.runs if r.done]
    if summaries:
        results_ui(summaries, snapshot.noise)
    if snapshot.noise is not None:
        noise_ui(snapshot.noise)
    if not live:
        verdicts_ui(summaries, snapshot.noise)


def main() -> None:
    """Wire the page: URL -> settings -> plan per batch size -> Compare -> live fragment."""
    restore_settings("cmp", PARAM_NAMES, compare_from_query, _widget_values)
    st.title(tr("compare.title"))
    st.caption(tr("compare.intro"))
    url_problems_ui("cmp")
    settings_col, live_col = st.columns([1, 2.4], gap="large")
    with settings_col:
        config = settings_ui()
    if config is not None:
        keep_settings("cmp", config, compare_to_query(config), current_lang())
    with live_col:
        can_run = config is not None and plan_ui(config)
        stop_slot = controls_ui(config, can_run)
        comparison = current_tab().comparison
        view = chart_controls("cmp", natural_axis(comparison.configs)) if comparison is not None else (
            "epochs", 0.8, False)
        live_view(lambda: current_tab().comparison, "compare.press_start", live_progress_ui,
                  lambda snapshot, live: live_charts_ui(snapshot, view, live),
                  lambda running: stop_button(stop_slot, "compare_stop", running, _stop),
                  buttons=("compare_button", "compare_stop"))


main()
