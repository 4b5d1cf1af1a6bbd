"""Live training: pick data, model and batching, press Train, watch a real PyTorch run unfold."""

from __future__ import annotations

from dataclasses import asdict

import streamlit as st

from core.batching import SettingsError
from core.datasets import DATASETS, load_dataset
from core.engine import ACTIVATIONS, DEVICES, OPTIMIZERS, TrainConfig
from core.i18n import fmt_duration, fmt_float, fmt_int
from core.models import MODELS
from core.runner import TrainingRun
from core.train_figures import X_AXES, boundary_figure, loss_figure, monitoring_figure
from core.training_view import (
    LR_MAX,
    LR_MIN,
    MAX_EPOCHS,
    config_from_query,
    config_to_query,
    epoch_curves,
    epoch_log,
    history_csv,
    history_json,
    run_label,
    update_curves,
)
from ui.lang import current_lang, tr
from ui.runs import RUN_KEY
from ui.shell import require_app_shell
from ui.widgets import log_number

PREFIX = "train_"
PAST_KEY = "train_past"  # list of (label, Snapshot) of this session's earlier runs
MAX_PAST_RUNS = 8
POLL_S = 0.3  # redraw at most ~3 times a second
LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
WIDTHS = (4, 8, 16, 32, 64, 128, 256, 512)


def _key(name: str) -> str:
    return PREFIX + name


def restore_state() -> None:
    """First visit: settings from the URL. Later visits: the settings the widgets held before."""
    if "train_config" not in st.session_state:
        config, problems = config_from_query(st.query_params.to_dict())
        st.session_state.train_config = config
        st.session_state.train_from_url = config
        st.session_state.train_problems = problems
    for name, value in asdict(st.session_state.train_config).items():
        if name != "lr_schedule":
            st.session_state.setdefault(_key(name), value)


def url_problems_ui() -> None:
    """Say which URL values were ignored, until the learner changes something."""
    if st.session_state.train_config != st.session_state.train_from_url:
        st.session_state.train_problems = []
    for problem in st.session_state.train_problems:
        if problem.reason == "conflict":
            st.warning(tr("train.param_conflict", raw=problem.raw, used=problem.used))
        else:
            st.warning(tr(f"param.{problem.reason}", name=problem.name, raw=problem.raw, used=problem.used))


def _dataset_changed() -> None:
    spec = DATASETS[st.session_state[_key("dataset")]]
    st.session_state[_key("n_samples")] = spec.default_size
    st.session_state[_key("noise")] = spec.default_noise


def settings_ui() -> TrainConfig:
    """Every TrainConfig setting as a widget; returns the config they describe."""
    with st.container(border=True):
        st.markdown(f"**{tr('train.section.data')}**")
        dataset = st.selectbox(tr("train.dataset"), tuple(DATASETS), key=_key("dataset"),
                               format_func=lambda d: tr(f"dataset.{d}.title"), on_change=_dataset_changed)
        spec = DATASETS[dataset]
        st.caption(tr(f"dataset.{dataset}.description"))
        n = log_number(tr("train.n"), tr("calc.drag", label=tr("train.n")), _key("n_samples"), spec.min_size,
                       spec.max_size, help=tr("train.n_help", low=spec.min_size, high=spec.max_size))
        noise = st.session_state.get(_key("noise"), spec.default_noise)
        if spec.has_noise:
            noise = st.slider(tr("train.noise"), 0.0, 1.0, step=0.01, key=_key("noise"))
        val_split = st.slider(tr("calc.val_split"), 0.0, 0.9, step=0.05, key=_key("validation_split"),
                              help=tr("calc.val_split_help"))
        framework = st.radio(tr("calc.framework"), ("pytorch", "keras"), key=_key("framework"), horizontal=True,
                             format_func=lambda name: tr(f"framework.{name}"), help=tr("train.framework_help"))
        seed = st.number_input(tr("train.seed"), 0, 2**31 - 1, step=1, key=_key("seed"))
    with st.container(border=True):
        st.markdown(f"**{tr('train.section.model')}**")
        model = st.radio(tr("train.model"), MODELS, key=_key("model"), horizontal=True,
                         format_func=lambda m: tr(f"model.{m}"))
        hidden_layers = int(st.session_state.get(_key("hidden_layers"), 2))
        hidden_width = int(st.session_state.get(_key("hidden_width"), 32))
        activation = str(st.session_state.get(_key("activation"), "relu"))
        if model == "mlp":
            hidden_layers = st.slider(tr("train.hidden_layers"), 1, 4, key=_key("hidden_layers"))
            hidden_width = st.select_slider(tr("train.hidden_width"), WIDTHS, key=_key("hidden_width"))
            activation = st.selectbox(tr("train.activation"), tuple(ACTIVATIONS), key=_key("activation"))
    with st.container(border=True):
        st.markdown(f"**{tr('train.section.training')}**")
        optimizer = st.selectbox(tr("train.optimizer"), OPTIMIZERS, key=_key("optimizer"),
                                 format_func=lambda o: tr(f"optimizer.{o}"))
        current_lr = float(st.session_state[_key("learning_rate")])
        rates = sorted({*LEARNING_RATES, current_lr})
        learning_rate = st.select_slider(tr("train.lr"), rates, key=_key("learning_rate"),
                                         format_func=lambda v: f"{v:g}", help=tr("train.lr_help"))
        batch_size = log_number(tr("calc.batch_size"), tr("calc.drag", label=tr("calc.batch_size")),
                                _key("batch_size"), 1, n, help=tr("calc.batch_size_help"))
        epochs = log_number(tr("calc.epochs"), tr("calc.drag", label=tr("calc.epochs")), _key("epochs"), 1,
                            MAX_EPOCHS, help=tr("calc.epochs_help"))
        shuffle = st.toggle(tr("calc.shuffle"), key=_key("shuffle"))
        drop_last = st.checkbox(tr("calc.drop_last"), key=_key("drop_last"), help=tr("calc.drop_last_help"))
        device = st.selectbox(tr("train.device"), DEVICES, key=_key("device"),
                              format_func=lambda d: tr(f"device.{d}"))
    return TrainConfig(
        dataset=dataset, n_samples=n, noise=float(noise), model=model, hidden_layers=hidden_layers,
        hidden_width=int(hidden_width), activation=activation, optimizer=optimizer,
        learning_rate=min(max(float(learning_rate), LR_MIN), LR_MAX), batch_size=batch_size, epochs=epochs,
        validation_split=round(float(val_split), 4), framework=framework, shuffle=shuffle, drop_last=drop_last,
        seed=int(seed), device=device,
    )


def plan_ui(config: TrainConfig) -> bool:
    """The batch arithmetic of this run before it starts; False when the settings cannot train."""
    try:
        p = config.validate()
    except ValueError as error:
        message = error.message(current_lang()) if isinstance(error, SettingsError) else str(error)
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
    """Move the finished current run into this session's past runs."""
    run = st.session_state.get(RUN_KEY)
    if run is None:
        return
    snapshot = run.snapshot()
    if len(snapshot.updates):
        past = st.session_state.setdefault(PAST_KEY, [])
        past.append((run_label(len(past) + 1, snapshot.config), snapshot))
        del past[:-MAX_PAST_RUNS]
    st.session_state[RUN_KEY] = None


def _start(config: TrainConfig) -> None:
    current = st.session_state.get(RUN_KEY)
    if current is not None and not current.snapshot().done:
        return  # a double click must not start a second run
    _archive_current()
    data = None
    if not DATASETS[config.dataset].needs_download:
        data = _dataset(config.dataset, config.n_samples, config.noise, config.seed)
    run = TrainingRun(config, data=data)
    run.start()
    st.session_state[RUN_KEY] = run


def _stop() -> None:
    run = st.session_state.get(RUN_KEY)
    if run is not None:
        run.stop()


def _reset() -> None:
    _stop()
    st.session_state[RUN_KEY] = None
    st.session_state[PAST_KEY] = []


@st.cache_resource(max_entries=16, show_spinner=False)
def _dataset(dataset: str, n: int, noise: float, seed: int) -> tuple[object, object]:
    """The data set's tensors, shared (not copied) by every session asking for the same settings."""
    return load_dataset(dataset, n, noise=noise, seed=seed)


def controls_ui(config: TrainConfig, can_train: bool) -> None:
    """Train, Stop and Reset."""
    run = st.session_state.get(RUN_KEY)
    running = run is not None and not run.snapshot().done
    train, stop, reset = st.columns(3)
    train.button(tr("train.train"), type="primary", icon=":material/play_arrow:", width="stretch",
                 disabled=running or not can_train, on_click=_start, args=(config,), key="train_button")
    stop.button(tr("train.stop"), icon=":material/stop:", width="stretch", disabled=not running, on_click=_stop,
                key="stop_button")
    reset.button(tr("train.reset"), icon=":material/restart_alt:", width="stretch", on_click=_reset,
                 key="reset_button")


def _status_ui(snapshot: object) -> None:
    status = snapshot.status
    text = tr(f"train.status.{status}", update=snapshot.diverged_at or 0, place=snapshot.queue_position or 0)
    if status == "failed":
        st.error(f"{text} {snapshot.message}")
    elif status in ("diverged", "abandoned"):
        st.warning(text)
    elif status in ("finished", "stopped"):
        st.success(text)
    else:
        st.info(text)
    if snapshot.device_message:
        st.warning(tr("train.device_fallback", requested=tr(f"device.{snapshot.config.device}"),
                      used=snapshot.device or "cpu"))


def _progress_ui(snapshot: object) -> None:
    lang = current_lang()
    p = snapshot.progress
    parts = [tr("train.progress", epoch=p.epoch, epochs=snapshot.plan.epochs, iteration=p.iteration,
                iterations=snapshot.plan.iterations_per_epoch)]
    parts.append(tr("train.elapsed", time=fmt_duration(p.elapsed_s, lang)))
    if p.eta_s is not None and not snapshot.done:
        parts.append(tr("train.eta", time=fmt_duration(p.eta_s, lang)))
    if p.samples_per_s:
        parts.append(tr("train.throughput", rate=fmt_float(p.samples_per_s, 0)))
    if snapshot.device:
        parts.append(snapshot.device)
    st.progress(min(1.0, p.fraction), text=" · ".join(parts))


def _past_runs(selected_only: bool = True) -> list[tuple[str, object]]:
    past = st.session_state.get(PAST_KEY, [])
    if not selected_only:
        return past
    chosen = set(st.session_state.get("train_compare", []))
    return [(label, snap) for label, snap in past if label in chosen]


def charts_ui(snapshot: object, label: str) -> None:
    """The seed's monitoring figure, loss per update, and the decision boundary for 2-D data."""
    lang = current_lang()
    others = _past_runs()
    epoch_runs = [epoch_curves(s, name) for name, s in others] + [epoch_curves(snapshot, label)]
    st.plotly_chart(monitoring_figure(epoch_runs, lang=lang), key="monitoring_chart")
    axis_col, smooth_col, lr_col = st.columns([3, 2, 1.2])
    x_axis = axis_col.segmented_control(tr("train.x_axis"), X_AXES, default="updates", key="train_x_axis",
                                        format_func=lambda a: tr(f"train.axis.{a}")) or "updates"
    smoothing = smooth_col.slider(tr("train.smoothing"), 0.0, 0.99, 0.8, 0.01, key="train_smoothing")
    show_lr = lr_col.toggle(tr("train.show_lr"), key="train_show_lr")
    update_runs = [update_curves(s, name) for name, s in others] + [update_curves(snapshot, label)]
    st.plotly_chart(loss_figure(update_runs, x_axis=x_axis, smoothing=smoothing, show_lr=show_lr, lang=lang),
                    key="loss_chart")
    spec = DATASETS[snapshot.config.dataset]
    if spec.is_2d and snapshot.boundary is not None:
        x, y = _dataset(snapshot.config.dataset, snapshot.config.n_samples, snapshot.config.noise,
                        snapshot.config.seed)
        grid = snapshot.boundary
        st.plotly_chart(
            boundary_figure(grid.xs, grid.ys, grid.predicted, grid.probabilities.max(axis=-1), x.numpy(), y.numpy(),
                            n_classes=spec.n_classes, lang=lang),
            key="boundary_chart",
        )


def log_ui(snapshot: object) -> None:
    """The epoch log in the seed's print format."""
    lines = epoch_log(snapshot, current_lang())
    st.markdown(f"**{tr('train.log')}**")
    st.code("\n".join(lines[-100:]) if lines else tr("train.log_empty"), language=None)
    if lines and not DATASETS[snapshot.config.dataset].learnable and snapshot.epochs[-1].val_accuracy is not None:
        st.info(tr("train.chance", acc=f"{snapshot.epochs[-1].val_accuracy:.3f}"))


def downloads_ui(snapshot: object) -> None:
    """The run's history as CSV and JSON."""
    if not len(snapshot.updates):
        return
    csv_col, json_col = st.columns(2)
    csv_col.download_button(tr("train.download_csv"), history_csv(snapshot), "training-history.csv", "text/csv",
                            key="download_csv", width="stretch", on_click="ignore")
    json_col.download_button(tr("train.download_json"), history_json(snapshot), "training-history.json",
                             "application/json", key="download_json", width="stretch", on_click="ignore")


def live_ui() -> None:
    """Everything that changes while a run trains; polled by a fragment while a run is active."""
    run = st.session_state.get(RUN_KEY)
    if run is None:
        st.info(tr("train.press_train"))
        return
    run.heartbeat()
    snapshot = run.snapshot()
    _progress_ui(snapshot)
    _status_ui(snapshot)
    label = run_label(len(st.session_state.get(PAST_KEY, [])) + 1, snapshot.config)
    charts_ui(snapshot, label)
    log_ui(snapshot)
    if snapshot.done:
        downloads_ui(snapshot)
        if st.session_state.get("train_polling"):
            st.session_state.train_polling = False
            st.rerun(scope="app")  # stop polling: the full rerun defines the fragment without run_every


def past_runs_ui() -> None:
    """Choose earlier runs of this session to overlay on the charts."""
    past = _past_runs(selected_only=False)
    if not past:
        return
    labels = [label for label, _ in past]
    st.pills(tr("train.compare"), labels, selection_mode="multi", key="train_compare", default=labels[-1:])


def main() -> None:
    """Wire the page: URL -> settings -> plan -> Train -> live fragment."""
    require_app_shell()
    restore_state()
    st.title(tr("train.title"))
    st.caption(tr("train.intro"))
    url_problems_ui()
    settings_col, live_col = st.columns([1, 2.4], gap="large")
    with settings_col:
        config = settings_ui()
    st.session_state.train_config = config
    st.query_params.from_dict({**config_to_query(config), "lang": current_lang()})
    with live_col:
        can_train = plan_ui(config)
        controls_ui(config, can_train)
        past_runs_ui()
        run = st.session_state.get(RUN_KEY)
        polling = run is not None and not run.snapshot().done
        st.session_state.train_polling = polling
        st.fragment(live_ui, run_every=POLL_S if polling else None)()


main()
