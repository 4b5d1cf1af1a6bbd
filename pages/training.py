"""Live training: pick data, model and batching, press Train, watch a real PyTorch run unfold."""

from __future__ import annotations

import streamlit as st

from ui.shell import require_app_shell

require_app_shell()  # before the heavy imports: see ui/shell.py

from core.figures.training import LIVE_POINTS, XAxis, boundary_figure
from core.i18n import fmt_int
from core.maths.catalog import DATASETS
from core.maths.config import TrainConfig
from core.maths.limits import TRAIN_HIDDEN_WIDTHS, TRAIN_MAX_EPOCHS
from core.maths.records import Snapshot
from core.maths.thinning import MAX_POINTS
from core.runtime.tabs import Tab
from core.train.runner import TrainingRun
from core.views.params import ParamProblem
from core.views.training import (
    SETTINGS_PARAMS,
    FinderChoice,
    ScheduleChoice,
    TrainingSettings,
    epoch_log,
    history_csv,
    history_json,
    progress_text,
    run_label,
    settings_from_query,
    settings_to_query,
    with_schedule,
)
from ui.data import cached_dataset
from ui.finder import finder_ui
from ui.lang import current_lang, say, tr
from ui.live import chart_controls, curves_ui, data_ui, epochs_ui, learning_rate_ui, status_alert, warmup_ui
from ui.livepage import LivePage
from ui.present import control, hidden
from ui.runs import BOUNDARY_PACE_S, LOG_PACE_S, current_tab, live_chart, paced
from ui.widgets import log_number, widget_values

MAX_PAST_RUNS = 8
SCHEDULE_NAMES = ("lr_rule", "warmup_epochs", "decay")


def _conflict(problem: ParamProblem) -> str:
    return tr("train.param_conflict", raw=problem.raw, used=problem.used)


def schedule_ui() -> ScheduleChoice:
    """Learning-rate scaling with the batch size, warm-up and decay (the lesson's two tips)."""
    keys = [PAGE.key(name) for name in SCHEDULE_NAMES]
    if all(hidden(name) for name in SCHEDULE_NAMES):
        return ScheduleChoice(*(st.session_state[key] for key in keys))
    active = st.session_state[keys[0]] != "none" or st.session_state[keys[1]] > 0
    with st.expander(tr("train.schedule"), expanded=active):
        rule = PAGE.input("lr_rule", tr("train.lr_rule"), horizontal=True, format_func=lambda r: tr(f"train.rule.{r}"),
                          help=tr("train.lr_rule_help"))
        warmup, decay = warmup_ui(PAGE.input)
    return ScheduleChoice(rule, warmup, decay)


def settings_ui() -> TrainingSettings:
    """Every TrainConfig setting as a widget; returns the config they describe."""
    key = PAGE.key
    with st.container(border=True):
        st.markdown(f"**{tr('train.section.data')}**")
        dataset, n = data_ui(key, ("noise", "validation_split"), describe=True)
        spec = DATASETS[dataset]
        noise = st.session_state[key("noise")]
        if spec.has_noise:
            noise = PAGE.input("noise", tr("train.noise"), step=0.01)
        val_split = PAGE.input("val_split", tr("calc.val_split"), step=0.05, help=tr("calc.val_split_help"))
        framework = PAGE.input("framework", tr("calc.framework"), horizontal=True,
                               format_func=lambda name: tr(f"framework.{name}"), help=tr("train.framework_help"))
        seed = PAGE.input("seed", tr("train.seed"), step=1)
    with st.container(border=True):
        st.markdown(f"**{tr('train.section.model')}**")
        model = PAGE.input("model", tr("train.model"), horizontal=True, format_func=lambda m: tr(f"model.{m}"))
        layers, width, activation = (st.session_state[key(name)]
                                     for name in ("hidden_layers", "hidden_width", "activation"))
        if model == "mlp":
            widths = sorted({*TRAIN_HIDDEN_WIDTHS, int(width)})
            layers = PAGE.input("hidden_layers", tr("train.hidden_layers"), st.slider)
            width = control("hidden_width", key("hidden_width"), lambda: st.select_slider(
                tr("train.hidden_width"), widths, key=key("hidden_width")))
            activation = PAGE.input("activation", tr("train.activation"), st.selectbox, format_func=str)
    with st.container(border=True):
        st.markdown(f"**{tr('train.section.training')}**")
        optimizer = PAGE.input("optimizer", tr("train.optimizer"), st.selectbox,
                               format_func=lambda o: tr(f"optimizer.{o}"))
        learning_rate = learning_rate_ui(key)
        batch_size = control("batch_size", key("batch_size"), lambda: log_number(
            tr("calc.batch_size"), tr("calc.drag", label=tr("calc.batch_size")), key("batch_size"), 1, n,
            help=tr("calc.batch_size_help")))
        epochs = epochs_ui(key, TRAIN_MAX_EPOCHS, tr("calc.epochs_help"))
        shuffle = PAGE.input("shuffle", tr("calc.shuffle"), st.toggle)
        drop_last = PAGE.input("drop_last", tr("calc.drop_last"), help=tr("calc.drop_last_help"))
        device = PAGE.input("device", tr("train.device"), st.selectbox, format_func=lambda d: tr(f"device.{d}"))
        schedule_choice = schedule_ui()
    config = TrainConfig(
        dataset=dataset, n_samples=n, noise=float(noise), model=model, hidden_layers=int(layers),
        hidden_width=int(width), activation=activation, optimizer=optimizer, learning_rate=float(learning_rate),
        batch_size=batch_size, epochs=epochs, validation_split=round(float(val_split), 4), framework=framework,
        shuffle=shuffle, drop_last=drop_last, seed=int(seed), device=device,
    )
    # The finder's budget is drawn with the finder, below the live view; its value is the widget's (or the URL's).
    return config, schedule_choice, FinderChoice(int(st.session_state[key("memory_budget_mib")]))


def plan_ui(config: TrainConfig) -> None:
    """The batch arithmetic of this run before it starts; raises ValueError when the settings cannot train."""
    p = config.validate()
    headline = st.columns(2)
    headline[0].metric(tr("metric.iterations_per_epoch"), fmt_int(p.iterations_per_epoch), border=True)
    headline[1].metric(tr("metric.total_updates"), fmt_int(p.total_updates), border=True)
    counts = st.columns(3)
    counts[0].metric(tr("train.samples_per_epoch"), fmt_int(p.samples_per_epoch))
    counts[1].metric(tr("metric.train_samples"), fmt_int(p.train_samples))
    counts[2].metric(tr("metric.val_samples"), fmt_int(p.val_samples))
    if not DATASETS[config.dataset].learnable:
        st.info(tr("train.random_labels"))


def _archive(tab: Tab) -> None:
    """Move the finished current run into this tab's past runs."""
    run = tab.runs.pop("training", None)
    snapshot = None if run is None else run.snapshot()
    if snapshot is not None and len(snapshot.updates):
        tab.past.append((run_label(len(tab.past) + 1, snapshot.config), snapshot))
        del tab.past[:-MAX_PAST_RUNS]


def progress_ui(snapshot: Snapshot) -> None:
    """The progress bar and status, redrawn several times a second."""
    st.progress(min(1.0, snapshot.progress.fraction), text=progress_text(snapshot, current_lang()))
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


def _past_runs() -> list[tuple[str, Snapshot]]:
    chosen = set(st.session_state.get("train_compare", []))
    return [(label, snap) for label, snap in current_tab().past if label in chosen]


def charts_ui(snapshot: Snapshot, label: str, view: tuple[XAxis, float, bool], live: bool) -> None:
    """The lesson's monitoring figure, loss per update (earlier runs chosen beside), and the decision boundary."""
    curves_ui([*_past_runs(), (label, snapshot)], view, live, snapshot.done)
    lang = current_lang()
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


def live_charts_ui(snapshot: Snapshot, view: tuple[XAxis, float, bool], live: bool) -> None:
    """The charts, log and downloads, redrawn at the charts' pace (light while ``live``)."""
    charts_ui(snapshot, run_label(len(current_tab().past) + 1, snapshot.config), view, live)
    log_ui(snapshot)
    if not live:
        downloads_ui(snapshot)


def view_ui(run: TrainingRun | None) -> tuple[XAxis, float, bool]:
    """Earlier runs of this tab to overlay, and the chart controls once there is a run."""
    labels = [label for label, _ in current_tab().past]
    if labels:
        st.pills(tr("train.compare"), labels, selection_mode="multi", key="train_compare", default=labels[-1:])
    return chart_controls("train") if run is not None else ("updates", 0.8, False)


PAGE: LivePage[TrainingSettings, TrainConfig] = LivePage(
    page="train", kind="training", texts="train", start_text="train.train", idle_text="train.press_train",
    params=SETTINGS_PARAMS, parse=settings_from_query, to_query=settings_to_query,
    to_widgets=lambda s: widget_values("train", SETTINGS_PARAMS, *s),
    settings_ui=settings_ui, job=lambda s: with_schedule(s[0], s[1]), plan_ui=plan_ui, run_class=TrainingRun,
    device_auto=True, view_ui=view_ui, draw_progress=progress_ui, draw_charts=live_charts_ui,
    sidebar_line=lambda snapshot: tr("sidebar.training", epoch=snapshot.progress.epoch, epochs=snapshot.plan.epochs,
                                     percent=round(100 * snapshot.progress.fraction)),
    conflict=_conflict, reset=lambda tab: tab.past.clear(), run_data=lambda config: config, on_start=_archive,
)
job, _ = PAGE.show()
if job is not None:
    with st.expander(tr("train.finder"), expanded=False):
        finder_ui(job, lambda: PAGE.input("memory_budget", tr("finder.memory_budget"), step=256,
                                          help=tr("finder.memory_budget_help")))
