"""Live training: pick data, model and batching, press Train, watch a real PyTorch run unfold."""

from __future__ import annotations

from dataclasses import asdict

import streamlit as st

from ui.shell import require_app_shell

require_app_shell()  # before the heavy imports: see ui/shell.py

from core.figures.training import (
    LIVE_POINTS,
    XAxis,
    boundary_figure,
    epoch_curves,
    loss_figure,
    monitoring_figure,
    update_curves,
)
from core.i18n import error_message, fmt_duration, fmt_float, fmt_int
from core.maths.batching import FRAMEWORKS
from core.maths.catalog import ACTIVATIONS, DATASETS, DEVICES, MODELS, OPTIMIZERS
from core.maths.config import TrainConfig
from core.maths.limits import SEED_MAX, TRAIN_LR_MAX, TRAIN_LR_MIN, TRAIN_MAX_EPOCHS, WARMUP_MAX_EPOCHS
from core.maths.lr import DECAYS, RULES
from core.maths.records import Snapshot
from core.maths.thinning import MAX_POINTS
from core.train.runner import TrainingRun
from core.views.params import ParamProblem
from core.views.training import (
    LEARNING_RATES,
    PARAMS,
    SCHEDULE_PARAMS,
    ScheduleChoice,
    config_from_query,
    config_to_query,
    epoch_log,
    history_csv,
    history_json,
    run_label,
    schedule_from_query,
    schedule_to_query,
    with_schedule,
)
from ui.data import cached_dataset, preloaded
from ui.finder import finder_ui
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
from ui.present import control, hidden
from ui.runs import (
    BOUNDARY_PACE_S,
    EPOCH_CHART_PACE_S,
    LOG_PACE_S,
    LOSS_CHART_PACE_S,
    current_tab,
    keepalive_for,
    live_chart,
    live_view,
    paced,
)
from ui.urlstate import keep_settings, restore_settings, url_problems_ui
from ui.widgets import choice, log_number

PREFIX = "train_"
PARAM_NAMES = [param.name for param in (*PARAMS, *SCHEDULE_PARAMS)]
MAX_PAST_RUNS = 8
WIDTHS = (4, 8, 16, 32, 64, 128, 256, 512)


def _key(name: str) -> str:
    return PREFIX + name


def _parse(query: dict[str, str]) -> tuple[tuple[TrainConfig, ScheduleChoice], list[ParamProblem]]:
    config, problems = config_from_query(query)
    schedule_choice, schedule_problems = schedule_from_query(query)
    return (config, schedule_choice), problems + schedule_problems


def _widget_values(settings: tuple[TrainConfig, ScheduleChoice]) -> dict[str, object]:
    config, schedule_choice = settings
    values = {**asdict(config), **asdict(schedule_choice)}
    return {_key(name): value for name, value in values.items() if name != "lr_schedule"}


def _conflict(problem: ParamProblem) -> str:
    return tr("train.param_conflict", raw=problem.raw, used=problem.used)


def schedule_ui() -> ScheduleChoice:
    """Learning-rate scaling with the batch size, warm-up and decay (the lesson's two tips)."""
    keys = [_key(name) for name in ("lr_rule", "warmup_epochs", "decay")]
    if all(hidden(name) for name in ("lr_rule", "warmup_epochs", "decay")):
        return ScheduleChoice(*(st.session_state[key] for key in keys))
    active = st.session_state[keys[0]] != "none" or st.session_state[keys[1]] > 0
    with st.expander(tr("train.schedule"), expanded=active):
        rule = control("lr_rule", keys[0], lambda: choice(
            st.radio, tr("train.lr_rule"), RULES, key=keys[0], horizontal=True,
            format_func=lambda r: tr(f"train.rule.{r}"), help=tr("train.lr_rule_help")))
        warmup = control("warmup_epochs", keys[1], lambda: st.number_input(
            tr("train.warmup_epochs"), 0, WARMUP_MAX_EPOCHS, step=1, key=keys[1], help=tr("train.warmup_help")))
        decay = control("decay", keys[2], lambda: choice(
            st.radio, tr("train.decay"), DECAYS, key=keys[2], horizontal=True,
            format_func=lambda d: tr(f"train.decay.{d}")))
    return ScheduleChoice(rule, int(warmup), decay)


def settings_ui() -> tuple[TrainConfig, ScheduleChoice]:
    """Every TrainConfig setting as a widget; returns the config they describe."""
    with st.container(border=True):
        st.markdown(f"**{tr('train.section.data')}**")
        dataset = control("dataset", _key("dataset"), lambda: dataset_select(
            _key("dataset"),
            dataset_changed(_key("dataset"), _key("n_samples"), _key("noise"), _key("validation_split"))))
        spec = DATASETS[dataset]
        st.caption(tr(f"dataset.{dataset}.description"))
        n = control("n", _key("n_samples"), lambda: log_number(
            tr("train.n"), tr("calc.drag", label=tr("train.n")), _key("n_samples"), spec.min_size, spec.max_size,
            help=tr("train.n_help", low=spec.min_size, high=spec.max_size)))
        noise = st.session_state.get(_key("noise"), spec.default_noise)
        if spec.has_noise:
            noise = st.slider(tr("train.noise"), 0.0, 1.0, step=0.01, key=_key("noise"))
        val_split = control("val_split", _key("validation_split"), lambda: st.slider(
            tr("calc.val_split"), 0.0, 0.9, step=0.05, key=_key("validation_split"), help=tr("calc.val_split_help")))
        framework = choice(st.radio, tr("calc.framework"), FRAMEWORKS, key=_key("framework"),
                           horizontal=True, format_func=lambda name: tr(f"framework.{name}"),
                           help=tr("train.framework_help"))
        seed = control("seed", _key("seed"), lambda: st.number_input(
            tr("train.seed"), 0, SEED_MAX, step=1, key=_key("seed")))
    with st.container(border=True):
        st.markdown(f"**{tr('train.section.model')}**")
        model = control("model", _key("model"), lambda: choice(
            st.radio, tr("train.model"), MODELS, key=_key("model"), horizontal=True,
            format_func=lambda m: tr(f"model.{m}")))
        hidden_layers = int(st.session_state.get(_key("hidden_layers"), 2))
        hidden_width = int(st.session_state.get(_key("hidden_width"), 32))
        activation = str(st.session_state.get(_key("activation"), "relu"))
        if model == "mlp":
            hidden_layers = st.slider(tr("train.hidden_layers"), 1, 4, key=_key("hidden_layers"))
            hidden_width = st.select_slider(tr("train.hidden_width"), WIDTHS, key=_key("hidden_width"))
            activation = st.selectbox(tr("train.activation"), ACTIVATIONS, key=_key("activation"))
    with st.container(border=True):
        st.markdown(f"**{tr('train.section.training')}**")
        optimizer = control("optimizer", _key("optimizer"), lambda: choice(
            st.selectbox, tr("train.optimizer"), OPTIMIZERS, key=_key("optimizer"),
            format_func=lambda o: tr(f"optimizer.{o}")))
        current_lr = float(st.session_state[_key("learning_rate")])
        rates = sorted({*LEARNING_RATES, current_lr})
        learning_rate = control("lr", _key("learning_rate"), lambda: st.select_slider(
            tr("train.lr"), rates, key=_key("learning_rate"), format_func=lambda v: f"{v:g}", help=tr("train.lr_help")))
        batch_size = control("batch_size", _key("batch_size"), lambda: log_number(
            tr("calc.batch_size"), tr("calc.drag", label=tr("calc.batch_size")), _key("batch_size"), 1, n,
            help=tr("calc.batch_size_help")))
        epochs = control("epochs", _key("epochs"), lambda: log_number(
            tr("calc.epochs"), tr("calc.drag", label=tr("calc.epochs")), _key("epochs"), 1, TRAIN_MAX_EPOCHS,
            help=tr("calc.epochs_help")))
        shuffle = control("shuffle", _key("shuffle"), lambda: st.toggle(tr("calc.shuffle"), key=_key("shuffle")))
        drop_last = control("drop_last", _key("drop_last"), lambda: st.checkbox(
            tr("calc.drop_last"), key=_key("drop_last"), help=tr("calc.drop_last_help")))
        device = control("device", _key("device"), lambda: choice(
            st.selectbox, tr("train.device"), DEVICES, key=_key("device"), format_func=lambda d: tr(f"device.{d}")))
        schedule_choice = schedule_ui()
    config = TrainConfig(
        dataset=dataset, n_samples=n, noise=float(noise), model=model, hidden_layers=hidden_layers,
        hidden_width=int(hidden_width), activation=activation, optimizer=optimizer,
        learning_rate=min(max(float(learning_rate), TRAIN_LR_MIN), TRAIN_LR_MAX), batch_size=batch_size, epochs=epochs,
        validation_split=round(float(val_split), 4), framework=framework, shuffle=shuffle, drop_last=drop_last,
        seed=int(seed), device=device,
    )
    return config, schedule_choice


def plan_ui(config: TrainConfig) -> bool:
    """The batch arithmetic of this run before it starts; False when the settings cannot train."""
    try:
        p = config.validate()
    except ValueError as error:
        message = error_message(error)
        st.error(tr("train.invalid", message=message))
        return False
    headline = st.columns(2)
    headline[0].metric(tr("metric.iterations_per_epoch"), fmt_int(p.iterations_per_epoch), border=True)
    headline[1].metric(tr("metric.total_updates"), fmt_int(p.total_updates), border=True)
    counts = st.columns(3)
    counts[0].metric(tr("train.samples_per_epoch"), fmt_int(p.samples_per_epoch))
    counts[1].metric(tr("metric.train_samples"), fmt_int(p.train_samples))
    counts[2].metric(tr("metric.val_samples"), fmt_int(p.val_samples))
    if not DATASETS[config.dataset].learnable:
        st.info(tr("train.random_labels"))
    return True


def _archive_current() -> None:
    """Move the finished current run into this tab's past runs."""
    tab = current_tab()
    if tab.training is None:
        return
    snapshot = tab.training.snapshot()
    if len(snapshot.updates):
        tab.past.append((run_label(len(tab.past) + 1, snapshot.config), snapshot))
        del tab.past[:-MAX_PAST_RUNS]
    tab.training = None


def _start(config: TrainConfig) -> None:
    tab = current_tab()
    if tab.training is not None and not tab.training.snapshot().done:
        return  # a double click must not start a second run
    _archive_current()
    run = TrainingRun(config, data=preloaded(config.dataset, config.n_samples, config.noise, config.seed),
                      queue=class_queue(), keepalive=keepalive_for(tab))
    run.start()
    tab.training = run


def _stop() -> None:
    stop_run(current_tab().training)


def _reset() -> None:
    _stop()
    tab = current_tab()
    tab.training = None
    tab.past.clear()


def controls_ui(config: TrainConfig, can_train: bool) -> object:
    """Train and Reset; returns the slot where the live view puts Stop."""
    run = current_tab().training
    running = run is not None and not run.snapshot().done
    stop_slot, reset = run_buttons(start_label=tr("train.train"), start_key="train_button", running=running,
                                   can_start=can_train, on_start=_start, start_args=(config,))
    reset.button(tr("train.reset"), icon=":material/restart_alt:", width="stretch", on_click=_reset,
                 key="reset_button")
    return stop_slot


def _status_ui(snapshot: Snapshot) -> None:
    status = snapshot.status
    # Waiting (preparing, or the runs ahead of its first turn), a failure and the time limit are said in the run's
    # own words; the other statuses explain themselves.
    own_words = status in ("waiting", "failed", "capped")
    status_alert(status, say(snapshot.message) if own_words else tr(f"train.status.{status}",
                                                                     update=snapshot.diverged_at or 0))
    if snapshot.device_message:
        st.warning(say(snapshot.device_message))
    if snapshot.device_choice:
        st.caption(say(snapshot.device_choice))  # device=auto with a GPU present: which device, and why


def _progress_ui(snapshot: Snapshot) -> None:
    lang = current_lang()
    p = snapshot.progress
    parts = [tr("train.progress", epoch=p.epoch, epochs=snapshot.plan.epochs, iteration=p.iteration,
                iterations=snapshot.plan.iterations_per_epoch)]
    parts.append(tr("train.elapsed", time=fmt_duration(p.elapsed_s, lang)))
    if p.eta_s is not None and not snapshot.done:
        parts.append(tr("train.eta", time=fmt_duration(p.eta_s, lang)))
    if snapshot.sharing > 1 and not snapshot.done:  # why the time left is longer than the run's own speed says
        parts.append(tr("train.sharing", others=snapshot.sharing - 1))
    if p.samples_per_s:
        parts.append(tr("train.throughput", rate=fmt_float(p.samples_per_s, 0)))
    if snapshot.device:
        parts.append(snapshot.device)
    st.progress(min(1.0, p.fraction), text=" · ".join(parts))


def _past_runs(selected_only: bool = True) -> list[tuple[str, Snapshot]]:
    past = current_tab().past
    if not selected_only:
        return list(past)
    chosen = set(st.session_state.get("train_compare", []))
    return [(label, snap) for label, snap in past if label in chosen]


def charts_ui(snapshot: Snapshot, label: str, view: tuple[XAxis, float, bool], live: bool) -> None:
    """The lesson's monitoring figure, loss per update, and the decision boundary for 2-D data.

    While the run trains, each chart is rebuilt at its own pace (the loss twice a second, the per-epoch figure
    and the boundary less often) and sent again unchanged in between, which the browser draws for free.
    """
    lang = current_lang()
    others = _past_runs()
    overlay = tuple(name for name, _ in others)
    live_chart(
        "monitoring_chart",
        lambda: monitoring_figure([epoch_curves(s, n) for n, s in others] + [epoch_curves(snapshot, label)], lang=lang),
        settings=(lang, overlay, label), data=(len(snapshot.epochs), snapshot.done),
        min_interval_s=EPOCH_CHART_PACE_S if live else 0, live=live)
    x_axis, smoothing, show_lr = view
    live_chart(
        "loss_chart",
        lambda: loss_figure([update_curves(s, n) for n, s in others] + [update_curves(snapshot, label)], x_axis=x_axis,
                            smoothing=smoothing, show_lr=show_lr, lang=lang,
                            max_points=LIVE_POINTS if live else MAX_POINTS),
        settings=(lang, overlay, label, x_axis, smoothing, show_lr), data=(len(snapshot.updates), snapshot.done),
        min_interval_s=LOSS_CHART_PACE_S if live else 0, live=live)
    spec = DATASETS[snapshot.config.dataset]
    if spec.is_2d and snapshot.boundary is not None:
        config, grid = snapshot.config, snapshot.boundary
        x, y = cached_dataset(config.dataset, config.n_samples, config.noise, config.seed)
        live_chart(
            "boundary_chart",
            lambda: boundary_figure(grid.xs, grid.ys, grid.predicted, grid.probabilities.max(axis=-1), x.numpy(),
                                    y.numpy(), n_classes=spec.n_classes, lang=lang,
                                    max_points=LIVE_POINTS if live else MAX_POINTS, max_cells=40 if live else 80),
            settings=(lang, label), data=(id(grid), snapshot.done),
            min_interval_s=BOUNDARY_PACE_S if live else 0, live=live)


def log_ui(snapshot: Snapshot) -> None:
    """The epoch log in the lesson's print format."""
    lang = current_lang()
    lines = paced("epoch_log", lambda: epoch_log(snapshot, lang), settings=(lang, id(snapshot.config)),
                  data=(len(snapshot.epochs), snapshot.done), min_interval_s=0 if snapshot.done else LOG_PACE_S)
    st.markdown(f"**{tr('train.log')}**")
    st.code("\n".join(lines[-100:]) if lines else tr("train.log_empty"), language=None)
    if lines and not DATASETS[snapshot.config.dataset].learnable and snapshot.epochs[-1].val_accuracy is not None:
        st.info(tr("train.chance", acc=f"{snapshot.epochs[-1].val_accuracy:.3f}"))


def downloads_ui(snapshot: Snapshot) -> None:
    """The run's history as CSV and JSON."""
    if not len(snapshot.updates):
        return
    csv_col, json_col = st.columns(2)
    csv_col.download_button(tr("train.download_csv"), history_csv(snapshot), "training-history.csv", "text/csv",
                            key="download_csv", width="stretch", on_click="ignore")
    json_col.download_button(tr("train.download_json"), history_json(snapshot), "training-history.json",
                             "application/json", key="download_json", width="stretch", on_click="ignore")


def live_progress_ui(snapshot: Snapshot) -> None:
    """The progress bar and status, redrawn several times a second."""
    _progress_ui(snapshot)
    _status_ui(snapshot)


def live_charts_ui(snapshot: Snapshot, view: tuple[XAxis, float, bool], live: bool) -> None:
    """The charts, log and downloads, redrawn at the charts' pace (light while ``live``)."""
    label = run_label(len(current_tab().past) + 1, snapshot.config)
    charts_ui(snapshot, label, view, live)
    log_ui(snapshot)
    if not live:
        downloads_ui(snapshot)


def past_runs_ui() -> None:
    """Choose earlier runs of this session to overlay on the charts."""
    past = _past_runs(selected_only=False)
    if not past:
        return
    labels = [label for label, _ in past]
    st.pills(tr("train.compare"), labels, selection_mode="multi", key="train_compare", default=labels[-1:])


def main() -> None:
    """Wire the page: URL -> settings -> plan -> Train -> live fragment."""
    restore_settings("train", PARAM_NAMES, _parse, _widget_values)
    st.title(tr("train.title"))
    st.caption(tr("train.intro"))
    url_problems_ui("train", _conflict)
    settings_col, live_col = st.columns([1, 2.4], gap="large")
    with settings_col:
        config, schedule_choice = settings_ui()
    keep_settings("train", (config, schedule_choice), {**config_to_query(config), **schedule_to_query(schedule_choice)},
                  current_lang())
    config = with_schedule(config, schedule_choice)
    with live_col:
        can_train = plan_ui(config)
        stop_slot = controls_ui(config, can_train)
        past_runs_ui()
        view = chart_controls("train") if current_tab().training is not None else ("updates", 0.8, False)
        live_view(lambda: current_tab().training, "train.press_train", live_progress_ui,
                  lambda snapshot, live: live_charts_ui(snapshot, view, live),
                  lambda running: stop_button(stop_slot, "stop_button", running, _stop),
                  buttons=("train_button", "reset_button", "stop_button"))
    with st.expander(tr("train.finder"), expanded=False):
        finder_ui(config)


main()
