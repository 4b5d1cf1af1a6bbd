"""The what-if calculator: dataset size, batch size and epochs in; iterations, updates and pictures out."""

from __future__ import annotations

import streamlit as st

from ui.shell import require_app_shell

require_app_shell()  # before the heavy imports: see ui/shell.py

from core.figures.batches import conveyor_figure, timeline_figure
from core.i18n import fmt_duration, fmt_float, fmt_int
from core.maths.batching import (
    BatchPlan,
    SettingsError,
    batch_sizes_for_iterations,
    epochs_for_updates,
    estimate_seconds,
)
from core.views.calculator import (
    PICTURES_SCHEMA,
    PRESETS,
    SCHEMA,
    WHAT_IF_SCHEMA,
    CalculatorPage,
    CalculatorSettings,
    Note,
    PicturesView,
    WhatIf,
    explain,
    page_from_query,
    page_to_query,
    reconcile,
)
from core.views.params import ParamProblem
from ui.lang import current_lang, tr
from ui.present import control, hidden, results_first_on_narrow_screens, wrap_button_labels
from ui.runs import THROUGHPUT_KEY
from ui.urlstate import keep_settings, restore_settings, url_problems_ui
from ui.widgets import log_number, param_input, settings_from_widgets, widget_key, widget_values

PAGE = "calc"
WHAT_IF = "whatif"  # the what-if helpers' widget keys: whatif_updates, ...
VIEW = "calc_view"  # the pictures' widget keys: calc_view_shuffle, calc_view_epoch
PARAM_NAMES = [*SCHEMA.names, *WHAT_IF_SCHEMA.names, *PICTURES_SCHEMA.names]
PICTURES_DELAY_S = 1.0
RESULTS_KEY = "calc_results"


def _key(name: str) -> str:
    return widget_key(PAGE, name)


def _load(settings: CalculatorSettings) -> None:
    """Put ``settings`` into the widgets' session state."""
    st.session_state.update(_widget_values(settings))


def _widget_values(page: CalculatorSettings | CalculatorPage) -> dict[str, object]:
    """The widgets' values of a preset's settings, or of the whole page."""
    if isinstance(page, CalculatorSettings):
        return widget_values(PAGE, SCHEMA.params, page)
    settings, what_if, view = page
    return {**widget_values(PAGE, SCHEMA.params, settings), **widget_values(WHAT_IF, WHAT_IF_SCHEMA.params, what_if),
            **widget_values(VIEW, PICTURES_SCHEMA.params, view)}


def _page(settings: CalculatorSettings) -> CalculatorPage:
    """The whole page as its widgets hold it; the conveyor's epoch within the run's epochs."""
    view = settings_from_widgets(VIEW, PICTURES_SCHEMA.params, PicturesView())
    return (settings, settings_from_widgets(WHAT_IF, WHAT_IF_SCHEMA.params, WhatIf()),
            PicturesView(bool(view.shuffle), min(int(view.epoch), settings.epochs)))


def _conflict(problem: ParamProblem) -> str:
    return tr(f"param.conflict.{problem.name}", raw=problem.raw, used=problem.used)


def presets_ui() -> None:
    """Buttons that load the lesson's worked examples."""
    st.caption(tr("calc.presets"))
    wrap_button_labels("preset_")  # the MNIST example's label is long, and larger still on a projector
    for column, preset in zip(st.columns(len(PRESETS)), PRESETS, strict=True):
        column.button(tr(preset.key), key=f"preset_{preset.key}", on_click=_load, args=(preset.settings,),
                      width="stretch")


def _log_number(label_key: str, name: str, slider_high: int | None = None) -> int:
    """The number box and log slider of setting ``name`` (its URL name), over its Param's range."""
    label, param = tr(label_key), SCHEMA.param(name)
    return log_number(label, tr("calc.drag", label=label), _key(param.attribute), *param.bounds,
                      help=tr(f"{label_key}_help"), slider_high=slider_high, explain_refusals=True)


def _batch_size_ui(n: int) -> int:
    """The batch size: any size up to CALC_MAX_SAMPLES (above the data it is one full batch); the slider ends at n."""
    batch_size = _log_number("calc.batch_size", "batch_size", slider_high=n)
    if batch_size > n:
        st.caption(tr("calc.full_batch", n=n))
    return batch_size


def inputs_ui() -> CalculatorSettings:
    """The settings widgets; returns one consistent settings object."""
    n = control("n", _key("n_samples"), lambda: _log_number("calc.n", "n"))
    batch_size = control("batch_size", _key("batch_size"), lambda: _batch_size_ui(n))
    epochs = control("epochs", _key("epochs"), lambda: _log_number("calc.epochs", "epochs"))
    framework = param_input(PAGE, SCHEMA.param("framework"), tr("calc.framework"),
                            format_func=lambda name: tr(f"framework.{name}"), help=tr("calc.framework_help"),
                            horizontal=True)
    keras = framework == "keras"
    if keras:
        st.session_state[_key("drop_last")] = False
        st.session_state[_key("devices")] = 1
    val_split = param_input(PAGE, SCHEMA.param("val_split"), tr("calc.val_split"), step=0.01,
                            help=tr("calc.val_split_help"))
    drop_last = param_input(PAGE, SCHEMA.param("drop_last"), tr("calc.drop_last"), disabled=keras,
                            help=tr("calc.drop_last_keras") if keras else tr("calc.drop_last_help"))
    accum, devices = st.session_state[_key("accum")], st.session_state[_key("devices")]
    if not (hidden("accum") and hidden("devices")):
        with st.expander(tr("calc.advanced")):
            accum = param_input(PAGE, SCHEMA.param("accum"), tr("calc.accum"), step=1, help=tr("calc.accum_help"))
            devices = param_input(PAGE, SCHEMA.param("devices"), tr("calc.devices"), step=1, disabled=keras,
                                  help=tr("calc.keras_single_device") if keras else tr("calc.devices_help"))
    settings, _ = reconcile(
        CalculatorSettings(
            n_samples=n,
            batch_size=batch_size,
            epochs=epochs,
            drop_last=drop_last,
            validation_split=round(float(val_split), 4),
            framework=framework,
            accum=int(accum),
            devices=int(devices),
        )
    )
    return settings


def _note_ui(note: Note) -> None:
    text = tr(note.key, **note.values)
    {"warning": st.warning, "success": st.success}.get(note.level, st.info)(text)


def results_ui(p: BatchPlan) -> None:
    """The counts as metrics, the worked formula, the regime, the lesson's guide and any warnings."""
    st.subheader(tr("calc.results"))
    headline = st.columns(2)
    headline[0].metric(tr("metric.iterations_per_epoch"), fmt_int(p.iterations_per_epoch),
                       help=tr("metric.iterations_per_epoch_help"), border=True)
    headline[1].metric(tr("metric.total_updates"), fmt_int(p.total_updates), help=tr("metric.total_updates_help"),
                       border=True)
    counts = [
        ("metric.train_samples", p.train_samples, None),
        ("metric.val_samples", p.val_samples, None),
        ("metric.last_batch_size", p.last_batch_size, None),
        ("metric.dropped_samples", p.dropped_samples, None),
        ("metric.samples_seen", p.samples_seen, "metric.samples_seen_help"),
        ("metric.effective_batch_size", p.effective_batch_size, "metric.effective_batch_size_help"),
    ]
    if p.grad_accum_steps > 1:
        counts.append(("metric.updates_per_epoch", p.updates_per_epoch, None))
    columns = st.columns(3)
    for i, (key, value, help_key) in enumerate(counts):
        columns[i % 3].metric(tr(key), fmt_int(value), help=tr(help_key) if help_key else None)

    explanation = explain(p)
    st.markdown(f"**{tr('calc.formula')}**")
    st.code("\n".join(explanation.formula), language="python")
    st.markdown(f"**{tr(explanation.sentence.key, **explanation.sentence.values)}**")
    st.markdown(f"**{tr('calc.regime')}** — {tr(explanation.regime_key)}")
    rec = explanation.recommendation
    st.markdown(
        tr("calc.recommendation", n=fmt_int(p.n_samples), size_class=tr(f"rec.class.{rec.size_class}"),
           low=rec.low, high=rec.high)
    )
    _note_ui(explanation.recommendation_note)
    for note in explanation.notes:
        _note_ui(note)


def _draw_pictures(p: BatchPlan) -> None:
    lang = current_lang()
    left, right = st.columns([3, 1])
    with right:
        shuffle = param_input(VIEW, PICTURES_SCHEMA.param("shuffle"), tr("calc.shuffle"), st.toggle)
        epoch = 1
        if p.epochs > 1:
            # The run's epochs bound the slider below the Param's range: fewer epochs move it to the last one.
            epoch_key = widget_key(VIEW, "epoch")
            st.session_state[epoch_key] = min(st.session_state.get(epoch_key, 1), p.epochs)
            epoch = control("conveyor_epoch", epoch_key, lambda: st.slider(
                tr("calc.conveyor_epoch"), 1, p.epochs, key=epoch_key))
    with left:
        st.plotly_chart(conveyor_figure(p, epoch, shuffle=shuffle, lang=lang), key="conveyor")
    st.plotly_chart(timeline_figure(p, lang=lang), key="timeline")


def pictures_ui(p: BatchPlan) -> None:
    """The batch conveyor of one epoch and the timeline of the whole run.

    A session's first page load shows the numbers first and draws the charts a moment later:
    the browser spends ~2 s parsing Plotly's bundle, which would otherwise hold back the metrics.
    """
    st.subheader(tr("calc.pictures"))
    state = st.session_state.get("calc_pictures", "pending")
    if state == "ready":
        _draw_pictures(p)
        return

    @st.fragment(run_every=PICTURES_DELAY_S)
    def _deferred() -> None:
        if st.session_state.get("calc_pictures") == "armed":
            st.session_state.calc_pictures = "ready"
            st.rerun(scope="app")  # a full rerun draws the charts and stops this timer
        st.session_state.calc_pictures = "armed"
        st.caption(tr("calc.drawing"))

    _deferred()


def what_if_ui(p: BatchPlan) -> None:
    """Answers to the usual what-if questions, from the same arithmetic."""
    st.subheader(tr("calc.whatif"))
    lang = current_lang()
    updates_col, iterations_col, time_col = st.columns(3)
    with updates_col:
        target = param_input(WHAT_IF, WHAT_IF_SCHEMA.param("target_updates"), tr("whatif.target_updates"), step=100)
        if p.updates_per_epoch > 0:
            epochs = epochs_for_updates(int(target), p.updates_per_epoch)
            st.markdown(tr("whatif.epochs_needed", epochs=epochs, updates=epochs * p.updates_per_epoch,
                           per_epoch=p.updates_per_epoch))
    with iterations_col:
        wanted = param_input(WHAT_IF, WHAT_IF_SCHEMA.param("target_iterations"), tr("whatif.target_iterations"),
                             step=1)
        sizes = batch_sizes_for_iterations(p.samples_per_rank, int(wanted), drop_last=p.drop_last)
        if not sizes:
            st.markdown(tr("whatif.batch_none", k=int(wanted), n=p.samples_per_rank))
        elif len(sizes) == 1:
            st.markdown(tr("whatif.batch_single", low=sizes[0], k=int(wanted)))
        else:
            st.markdown(tr("whatif.batch_range", low=sizes[0], high=sizes[-1], k=int(wanted)))
    with time_col:
        measured = st.session_state.get(THROUGHPUT_KEY)
        if measured and st.session_state.get("whatif_rate_measured") != measured:
            # A new measurement from the Training page's batch-size finder replaces the guess once.
            st.session_state.whatif_rate = round(float(measured), 1)
            st.session_state.whatif_rate_measured = measured
        rate = param_input(WHAT_IF, WHAT_IF_SCHEMA.param("throughput"), tr("whatif.throughput"), st.number_input,
                           step=100.0)
        if measured and float(rate) == round(float(measured), 1):
            st.caption(tr("whatif.measured"))
        st.markdown(
            tr(
                "whatif.time",
                rate=fmt_float(float(rate), 1),
                epoch_time=fmt_duration(estimate_seconds(p.samples_per_epoch, float(rate)), lang),
                total_time=fmt_duration(estimate_seconds(p.samples_seen, float(rate)), lang),
            )
        )


def main() -> None:
    """Wire the calculator: URL -> widgets -> plan -> outputs -> URL."""
    restore_settings(PAGE, PARAM_NAMES, page_from_query, _widget_values)
    st.title(tr("calc.title"))
    st.caption(tr("calc.intro"))
    url_problems_ui("calc", _conflict)
    presets_ui()
    results_first_on_narrow_screens(RESULTS_KEY)
    inputs_col, results_col = st.columns([1, 2], gap="large")
    with inputs_col, st.expander(tr("calc.inputs"), expanded=True):
        settings = inputs_ui()
    try:
        p = settings.plan()
    except SettingsError as error:
        with results_col:
            st.error(tr("calc.invalid", message=error.as_message()))
    else:
        with results_col, st.container(key=RESULTS_KEY):
            results_ui(p)
        pictures_ui(p)
        what_if_ui(p)
        st.caption(tr("calc.share"))
    page = _page(settings)
    keep_settings(PAGE, page, page_to_query(page), current_lang())


main()
