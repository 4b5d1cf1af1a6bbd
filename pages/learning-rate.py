"""The learning-rate page: scale the learning rate with the batch size, then warm it up update by update."""

from __future__ import annotations

import math

import streamlit as st

from ui.shell import require_app_shell

require_app_shell()  # before the heavy imports: see ui/shell.py

from core.figures.schedules import schedule_figure
from core.i18n import fmt_int
from core.maths.batching import BatchPlan, SettingsError
from core.maths.lr import (
    LINEAR_SCALING_LIMIT,
    RULES,
    LRSettings,
    ScheduleError,
    adam_sqrt_scaling,
    exceeds_linear_limit,
    scale_lr,
    warmup_updates,
)
from core.views.learning_rate import ADAM_SCHEMA, SCHEMA, AdamSettings, LRPage, page_from_query, page_to_query
from ui.lang import current_lang, say, tr
from ui.present import control
from ui.urlstate import keep_settings, restore_settings, url_problems_ui
from ui.widgets import log_number, param_input, widget_key, widget_values

PAGE = "lr"
PARAM_NAMES = [*SCHEMA.names, *ADAM_SCHEMA.names]
LR_FORMAT = "%.6g"


def _key(name: str) -> str:
    return widget_key(PAGE, name)


def fmt_lr(value: float) -> str:
    """A learning rate without float noise: 0.008, 0.00282843, 1e-08."""
    return f"{value:.6g}"


def _widget_values(page: LRPage) -> dict[str, object]:
    return {**widget_values(PAGE, SCHEMA.params, page[0]), **widget_values(PAGE, ADAM_SCHEMA.params, page[1])}


def _format_used(used: object) -> object:
    return fmt_lr(used) if isinstance(used, float) else used


def _lr_input(label_key: str, name: str, *, help_key: str | None = None) -> float:
    """A learning rate's number box over its Param's range."""
    return float(param_input(PAGE, SCHEMA.param(name), tr(label_key), st.number_input, step=0.0001, format=LR_FORMAT,
                             help=tr(help_key) if help_key else None))


def _log_number(label_key: str, name: str, *, help_key: str | None = None) -> int:
    """The number box and log slider of setting ``name`` (its URL name), over its Param's range."""
    label, param = tr(label_key), SCHEMA.param(name)
    key = _key(param.attribute)
    return int(control(name, key, lambda: log_number(
        label, tr("calc.drag", label=label), key, *param.bounds, help=tr(help_key) if help_key else None)))


def scaling_ui() -> tuple[float, int, int]:
    """The scaling-rule calculator: base lr, base batch and new batch in, the three rules out."""
    st.subheader(tr("lr.scaling.header"))
    st.caption(tr("lr.scaling.caption"))
    inputs = st.columns(3)
    with inputs[0]:
        base_lr = _lr_input("lr.base_lr", "base_lr", help_key="lr.base_lr_help")
    with inputs[1]:
        base_batch = _log_number("lr.base_batch_size", "base_batch_size", help_key="lr.base_batch_size_help")
    with inputs[2]:
        batch = _log_number("lr.batch_size", "batch_size", help_key="lr.batch_size_help")
    kappa = batch / base_batch
    st.markdown(tr("lr.kappa", batch=batch, base=base_batch, kappa=f"{kappa:g}"))
    columns = st.columns(3)
    for column, rule in zip(columns, RULES, strict=True):
        column.metric(tr(f"lr.rule.{rule}"), fmt_lr(scale_lr(base_lr, batch, base_batch, rule)),
                      help=tr(f"lr.rule.{rule}_help"), border=rule == "linear")
    linear, root = scale_lr(base_lr, batch, base_batch, "linear"), scale_lr(base_lr, batch, base_batch, "sqrt")
    st.markdown(f"**{tr('lr.formula')}**")
    st.code(
        f"learning_rate = {base_lr:g} * ({batch} / {base_batch}) = {fmt_lr(linear)}\n"
        f"learning_rate = {base_lr:g} * sqrt({batch} / {base_batch}) = {fmt_lr(root)}",
        language="python",
    )
    if exceeds_linear_limit(batch):
        st.warning(tr("lr.warn.linear_limit", batch=batch, limit=LINEAR_SCALING_LIMIT))
    st.info(tr("lr.note.rules"))
    return base_lr, base_batch, batch


def adam_ui(base_lr: float, base_batch: int, batch: int) -> AdamSettings:
    """Adam's learning rate, betas and epsilon by the square-root rule (Malladi et al. 2022); returns Adam's inputs."""
    st.markdown(f"**{tr('lr.adam.header')}**")
    st.caption(tr("lr.adam.caption"))
    inputs = st.columns(3)
    with inputs[0]:
        beta1 = param_input(PAGE, ADAM_SCHEMA.param("beta1"), tr("lr.adam.beta1"), st.number_input, step=0.01,
                            format="%.4f")
    with inputs[1]:
        beta2 = param_input(PAGE, ADAM_SCHEMA.param("beta2"), tr("lr.adam.beta2"), st.number_input, step=0.001,
                            format="%.6f")
    with inputs[2]:
        eps = param_input(PAGE, ADAM_SCHEMA.param("eps"), tr("lr.adam.eps"), st.number_input, step=1e-8,
                          format="%.1e")
    adam = AdamSettings(float(beta1), float(beta2), float(eps))
    try:
        scaled = adam_sqrt_scaling(base_lr, batch, base_batch, beta1=adam.beta1, beta2=adam.beta2, eps=adam.eps)
    except ScheduleError as error:
        st.error(say(error.as_message()))
        return adam
    results = st.columns(4)
    results[0].metric(tr("lr.adam.lr"), fmt_lr(scaled.lr))
    results[1].metric(tr("lr.adam.new_beta1"), fmt_lr(scaled.beta1))
    results[2].metric(tr("lr.adam.new_beta2"), fmt_lr(scaled.beta2))
    results[3].metric(tr("lr.adam.new_eps"), f"{scaled.eps:.3g}")
    if batch < base_batch:
        st.caption(tr("lr.adam.smaller"))
    return adam


def _use_scaled(lr: float) -> None:
    low, high = SCHEMA.param("final_lr").bounds
    st.session_state[_key("final_lr")] = min(max(lr, low), high)


def warmup_inputs_ui(base_lr: float, base_batch: int, batch: int) -> LRSettings:
    """The warm-up widgets; returns the page's whole settings."""
    st.subheader(tr("lr.warmup.header"))
    st.caption(tr("lr.warmup.caption"))
    left, middle, right = st.columns(3)
    with left:
        n = _log_number("lr.n", "n")
        epochs = _log_number("lr.epochs", "epochs")
    with middle:
        initial_lr = _lr_input("lr.initial_lr", "initial_lr", help_key="lr.initial_lr_help")
        final_lr = _lr_input("lr.final_lr", "final_lr", help_key="lr.final_lr_help")
        linear, highest = scale_lr(base_lr, batch, base_batch, "linear"), SCHEMA.param("final_lr").bounds[1]
        st.button(tr("lr.use_scaled", lr=fmt_lr(linear)), key=_key("use_scaled"), on_click=_use_scaled,
                  args=(linear,), disabled=math.isclose(linear, final_lr) or linear > highest)
    with right:
        warmup_epochs = param_input(PAGE, SCHEMA.param("warmup_epochs"), tr("lr.warmup_epochs"), step=1,
                                    help=tr("lr.warmup_epochs_help"))
        decay = param_input(PAGE, SCHEMA.param("decay"), tr("lr.decay"), format_func=lambda d: tr(f"lr.decay.{d}"),
                            horizontal=True)
        min_lr = _lr_input("lr.min_lr", "min_lr", help_key="lr.min_lr_help") if decay != "constant" else float(
            st.session_state[_key("min_lr")])
    return LRSettings(
        base_lr=base_lr, base_batch_size=base_batch, batch_size=batch, initial_lr=initial_lr, final_lr=final_lr,
        warmup_epochs=int(warmup_epochs), n_samples=n, epochs=epochs, decay=decay, min_lr=min_lr,
    )


def warmup_results_ui(settings: LRSettings, p: BatchPlan) -> None:
    """The warm-up in numbers, in words and as the schedule per update."""
    warmup, total = warmup_updates(p, settings.warmup_epochs), p.total_updates
    counts = st.columns(3)
    counts[0].metric(tr("metric.iterations_per_epoch"), fmt_int(p.iterations_per_epoch), border=True)
    counts[1].metric(tr("lr.metric.warmup_updates"), fmt_int(warmup), help=tr("lr.metric.warmup_updates_help"),
                     border=True)
    counts[2].metric(tr("metric.total_updates"), fmt_int(total), border=True)
    rates = st.columns(3)
    rates[0].metric(tr("lr.metric.first_lr"), fmt_lr(settings.lr(1)))
    if warmup < total:
        rates[1].metric(tr("lr.metric.target_lr", update=warmup + 1), fmt_lr(settings.lr(warmup + 1)),
                        help=tr("lr.metric.target_lr_help"))
    rates[2].metric(tr("lr.metric.last_lr"), fmt_lr(settings.lr(total)))
    if warmup:
        st.markdown(tr("lr.warmup.sentence", epochs=settings.warmup_epochs, per_epoch=p.updates_per_epoch,
                       updates=warmup, initial=fmt_lr(settings.initial_lr), final=fmt_lr(settings.final_lr)))
    else:
        st.info(tr("lr.warn.no_warmup"))
    if warmup >= total:
        st.warning(tr("lr.warn.warmup_longer", warmup=warmup, total=total, final=fmt_lr(settings.final_lr)))
    st.plotly_chart(schedule_figure(settings, lang=current_lang()), key="lr_schedule_chart")


def main() -> None:
    """Wire the page: URL -> widgets -> scaling rules and schedule -> URL."""
    restore_settings(PAGE, PARAM_NAMES, page_from_query, _widget_values)
    st.title(tr("lr.title"))
    st.caption(tr("lr.intro"))
    url_problems_ui(PAGE, format_used=_format_used)
    base_lr, base_batch, batch = scaling_ui()
    adam = adam_ui(base_lr, base_batch, batch)
    st.divider()
    settings = warmup_inputs_ui(base_lr, base_batch, batch)
    keep_settings(PAGE, (settings, adam), page_to_query((settings, adam)), current_lang())
    try:
        p = settings.validate()
    except SettingsError as error:
        st.error(tr("lr.invalid", message=error.as_message()))
        return
    warmup_results_ui(settings, p)
    st.caption(tr("lr.share"))


main()
