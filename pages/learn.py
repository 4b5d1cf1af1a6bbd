"""The lesson as a guided walk-through: each section with a live widget, a link and a question."""

from __future__ import annotations

import streamlit as st

from ui.shell import require_app_shell

require_app_shell()  # before the heavy imports: see ui/shell.py

from core.figures.batches import conveyor_figure, timeline_figure
from core.i18n import error_message, fmt_int
from core.maths.batching import BatchPlan, plan, recommend_batch_size
from core.maths.lr import scale_lr, warmup_updates
from core.views.learning_rate import settings_to_query
from core.views.lesson import (
    FIRST_FIT_BATCH,
    FIRST_FIT_CODE,
    FIRST_FIT_EPOCHS,
    FIRST_FIT_N,
    GUIDE_RANGES,
    KERAS_EXAMPLE,
    KERAS_SCHEMA,
    LESSON_LR_SCALING,
    LESSON_SCHEMA,
    LESSON_WARMUP,
    PYTORCH_EXAMPLE,
    SECTIONS,
    TORCH_SCHEMA,
    WORKED_BATCH,
    WORKED_EPOCHS,
    WORKED_N,
    CodeSettings,
    LessonPage,
    LessonWidgets,
    framework_plan,
    keras_code,
    lesson_formula,
    page_from_query,
    page_to_query,
    pytorch_code,
    question,
    training_query,
)
from core.views.links import link_query
from core.views.params import Schema
from ui.lang import current_lang, say, tr
from ui.present import control
from ui.urlstate import keep_settings, restore_settings, url_problems_ui
from ui.widgets import choice, param_input, settings_from_widgets, widget_key, widget_values

PAGE = "learn"
KERAS, TORCH = f"{PAGE}_keras", f"{PAGE}_torch"  # the examples' widget keys: learn_keras_n_samples, ...
PARAM_NAMES = [*LESSON_SCHEMA.names, *KERAS_SCHEMA.names, *TORCH_SCHEMA.names]


def _widget_values(page: LessonPage) -> dict[str, object]:
    widgets, keras, torch = page
    return {**widget_values(PAGE, LESSON_SCHEMA.params, widgets), **widget_values(KERAS, KERAS_SCHEMA.params, keras),
            **widget_values(TORCH, TORCH_SCHEMA.params, torch)}


def _page() -> LessonPage:
    """The page's settings as its widgets hold them."""
    return (settings_from_widgets(PAGE, LESSON_SCHEMA.params, LessonWidgets()),
            settings_from_widgets(KERAS, KERAS_SCHEMA.params, KERAS_EXAMPLE),
            settings_from_widgets(TORCH, TORCH_SCHEMA.params, PYTORCH_EXAMPLE))


def _link(page: str, label_key: str, **query: object) -> None:
    st.page_link(page, label=tr(label_key), icon=":material/arrow_forward:",
                 query_params=link_query(page, query) | {"lang": current_lang()})


def quiz_ui(section: str) -> None:
    """A question computed by core, answered in place with instant feedback."""
    variant_key = f"learn_variant_{section}"
    variant = st.session_state.get(variant_key, 0)
    q = question(section, variant)
    with st.container(border=True):
        st.markdown(f"**{tr('learn.quiz')}** — {tr(q.key, **q.values)}")
        answer_key = f"learn_answer_{section}_{variant}"
        if q.kind == "int":
            given: int | str | None = st.number_input(tr("learn.quiz.answer"), min_value=0, step=1, value=None,
                                                      key=answer_key)
            shown_answer = fmt_int(int(q.answer))
        else:
            labels = {option: tr(f"learn.regime.{option}") if section == "names" else option for option in q.choices}
            given = choice(st.radio, tr("learn.quiz.answer"), q.choices, index=None, key=answer_key,
                             format_func=lambda option: labels[option], horizontal=True)
            shown_answer = labels[str(q.answer)]
        if given is not None:  # feedback as soon as there is an answer
            if q.is_correct(given):
                st.success(tr("learn.quiz.right", answer=shown_answer))
            else:
                st.error(tr("learn.quiz.wrong", answer=shown_answer))
        st.button(tr("learn.quiz.new"), key=f"learn_new_{section}",
                  on_click=lambda: st.session_state.update({variant_key: variant + 1}))


def batch_size_ui() -> None:
    st.markdown(tr("learn.batch_size.text"))
    left, right = st.columns(2)
    with left:
        problems = param_input(PAGE, LESSON_SCHEMA.param("problems"), tr("learn.batch_size.problems"))
    with right:
        per = param_input(PAGE, LESSON_SCHEMA.param("per"), tr("learn.batch_size.per"))
    p = plan(int(problems), min(int(per), int(problems)), 1)
    st.markdown(tr("learn.batch_size.result", problems=fmt_int(p.n_samples), per=p.batch_size,
                   gradings=p.iterations_per_epoch, last=p.last_batch_size))
    _link("pages/calculator.py", "learn.open_calculator", n=p.n_samples, batch_size=p.batch_size, epochs=1)
    st.markdown(tr("learn.batch_size.code"))
    st.code(FIRST_FIT_CODE, language="python")


def how_it_works_ui() -> None:
    st.markdown(tr("learn.how_it_works.text"))
    p = plan(FIRST_FIT_N, FIRST_FIT_BATCH, FIRST_FIT_EPOCHS)
    st.markdown(tr("learn.how_it_works.count", n=p.n_samples, batch=p.batch_size, updates=p.updates_per_epoch))
    # Unshuffled until the learner turns shuffling on, so the batches are numbered rows at first.
    shuffle = param_input(PAGE, LESSON_SCHEMA.param("shuffle"), tr("calc.shuffle"), st.toggle)
    st.plotly_chart(conveyor_figure(p, 1, shuffle=shuffle, lang=current_lang()), key="learn_conveyor")
    _link("pages/calculator.py", "learn.open_calculator", n=p.n_samples, batch_size=p.batch_size, epochs=p.epochs)


def epoch_ui() -> None:
    st.markdown(tr("learn.epoch.text"))
    st.plotly_chart(timeline_figure(plan(FIRST_FIT_N, FIRST_FIT_BATCH, FIRST_FIT_EPOCHS), lang=current_lang()),
                    key="learn_timeline")


def small_vs_large_ui() -> None:
    st.markdown(tr("learn.small_vs_large.text"))
    small, large = st.columns(2)
    for column, prefix in ((small, "small"), (large, "large")):
        with column.container(border=True):
            st.markdown(f"**{tr(f'learn.small_vs_large.{prefix}')}**")
            st.markdown(tr(f"learn.small_vs_large.{prefix}_pros"))
            st.markdown(tr(f"learn.small_vs_large.{prefix}_cons"))
    n = 10_000
    st.markdown(tr("learn.small_vs_large.counts", n=fmt_int(n), small=fmt_int(plan(n, 8, 1).updates_per_epoch),
                   large=fmt_int(plan(n, 256, 1).updates_per_epoch)))
    _link("pages/compare.py", "learn.open_compare", batch_sizes="8,32,256")


def guide_ui() -> None:
    st.markdown(tr("learn.guide.text"))
    rows = [f"| {tr('learn.guide.size')} | {tr('learn.guide.range')} |", "|---|---|"]
    for size_class, batch_range in zip(("small", "medium", "large"), GUIDE_RANGES, strict=True):
        rows.append(f"| {tr(f'rec.class.{size_class}')} | {batch_range} |")
    st.markdown("\n".join(rows))
    n = param_input(PAGE, LESSON_SCHEMA.param("guide_n"), tr("learn.guide.your_n"))
    rec = recommend_batch_size(int(n))
    st.markdown(tr("learn.guide.answer", n=fmt_int(int(n)), size_class=tr(f"rec.class.{rec.size_class}"),
                   low=rec.low, high=rec.high))


def whole_vs_batches_ui() -> None:
    st.markdown(tr("learn.whole_vs_batches.text"))
    n = 60_000
    st.markdown(tr("learn.whole_vs_batches.compare", n=fmt_int(n), whole=plan(n, n, 1).updates_per_epoch,
                   batched=fmt_int(plan(n, 32, 1).updates_per_epoch)))
    _link("pages/calculator.py", "learn.open_calculator", n=n, batch_size=n, epochs=10)


def names_ui() -> None:
    st.markdown(tr("learn.names.text"))
    for key in ("batch", "stochastic", "mini_batch"):
        st.markdown(f"- {tr(f'learn.names.{key}')}")
    _link("pages/paths.py", "learn.open_paths", n=200, batch_size=32)


def worked_ui() -> None:
    st.markdown(tr("learn.worked.text"))
    p = plan(WORKED_N, WORKED_BATCH, WORKED_EPOCHS)
    st.code("\n".join(lesson_formula(p)), language="python")
    st.markdown(tr("learn.worked.result"))
    counts = st.columns(2)
    counts[0].metric(tr("metric.iterations_per_epoch"), fmt_int(p.iterations_per_epoch),
                     help=tr("learn.worked.same_as", name="iterations_per_epoch"), border=True)
    counts[1].metric(tr("metric.total_updates"), fmt_int(p.total_updates),
                     help=tr("learn.worked.same_as", name="total_iterations"), border=True)
    st.caption(tr("learn.worked.names", iterations=tr("metric.iterations_per_epoch"),
                  total=tr("metric.total_updates")))
    _link("pages/calculator.py", "learn.open_calculator", n=p.n_samples, batch_size=p.batch_size, epochs=p.epochs)


def _code_settings(page: str, schema: Schema[CodeSettings]) -> CodeSettings:
    """One example's settings, starting from the lesson's own numbers."""
    params = {param.attribute: param for param in schema.params}
    with st.container(border=True):
        st.caption(tr("learn.code_settings"))
        cols = st.columns(5)
        with cols[0]:
            n = int(param_input(page, params["n_samples"], tr("calc.n")))
        with cols[1]:
            # The example's data set bounds the batch size below the Param's range.
            key = widget_key(page, "batch_size")
            st.session_state[key] = min(st.session_state[key], n)
            batch_size = control(params["batch_size"].name, key, lambda: st.number_input(
                tr("calc.batch_size"), 1, n, key=key))
        with cols[2]:
            epochs = param_input(page, params["epochs"], tr("calc.epochs"))
        with cols[3]:
            val_split = param_input(page, params["validation_split"], tr("calc.val_split"), step=0.05)
        drop_last = False
        if "drop_last" in params:
            with cols[4]:
                drop_last = param_input(page, params["drop_last"], tr("calc.drop_last"))
    return CodeSettings(n, int(batch_size), int(epochs), round(float(val_split), 2), bool(drop_last))


def _code_counts(p: BatchPlan) -> None:
    counts = st.columns(2)
    counts[0].metric(tr("metric.iterations_per_epoch"), fmt_int(p.iterations_per_epoch), border=True)
    counts[1].metric(tr("metric.total_updates"), fmt_int(p.total_updates), border=True)


def code_ui() -> None:
    st.markdown(tr("learn.code.text"))
    lang = current_lang()
    keras_tab, torch_tab = st.tabs([tr("learn.tab.keras"), tr("learn.tab.pytorch")])
    with keras_tab:
        settings = _code_settings(KERAS, KERAS_SCHEMA)
        try:
            code = keras_code(settings, lang)
        except ValueError as error:
            st.warning(say(error_message(error)))
        else:
            _code_counts(framework_plan(settings, "keras"))
            st.code(code, language="python")
            _link("pages/training.py", "learn.open_training", **training_query(settings, "keras"))
    with torch_tab:
        settings = _code_settings(TORCH, TORCH_SCHEMA)
        torch_plan = framework_plan(settings, "pytorch")
        if torch_plan.total_updates == 0:
            st.warning(tr("warn.zero_updates", batch=settings.batch_size, per_rank=torch_plan.samples_per_rank))
        _code_counts(torch_plan)
        st.code(pytorch_code(settings, lang), language="python")
        _link("pages/training.py", "learn.open_training", **training_query(settings, "pytorch"))


def monitoring_ui() -> None:
    st.markdown(tr("learn.monitoring.text"))
    _link("pages/training.py", "learn.open_training", dataset="digits", n=1797, batch_size=32, epochs=10,
          val_split=0.2)


def tips_ui() -> None:
    scaling = LESSON_LR_SCALING
    st.markdown(tr("learn.tips.lr", batch=scaling.batch_size,
                   lr=f"{scale_lr(scaling.base_lr, scaling.batch_size, scaling.base_batch_size, 'linear'):g}"))
    _link("pages/learning-rate.py", "learn.open_lr", base_lr=scaling.base_lr,
          base_batch_size=scaling.base_batch_size, batch_size=scaling.batch_size)
    warmup = LESSON_WARMUP  # the Learning-rate page opens on exactly this run
    p = warmup.plan()
    st.markdown(tr("learn.tips.warmup", n=fmt_int(warmup.n_samples), batch=warmup.batch_size,
                   updates=fmt_int(warmup_updates(p, warmup.warmup_epochs)), per_epoch=p.updates_per_epoch))
    _link("pages/learning-rate.py", "learn.open_lr_warmup", **settings_to_query(warmup))


SECTION_UI = {
    "batch_size": batch_size_ui, "how_it_works": how_it_works_ui, "epoch": epoch_ui,
    "small_vs_large": small_vs_large_ui, "guide": guide_ui, "whole_vs_batches": whole_vs_batches_ui,
    "names": names_ui, "worked": worked_ui, "code": code_ui, "monitoring": monitoring_ui, "tips": tips_ui,
}


def main() -> None:
    """The lesson, section by section, in its own order; its widgets' values in the URL."""
    restore_settings(PAGE, PARAM_NAMES, page_from_query, _widget_values)
    st.title(tr("learn.title"))
    st.caption(tr("learn.strategy"))
    url_problems_ui(PAGE)
    st.markdown(tr("learn.intro"))
    for section in SECTIONS:
        st.header(tr(f"learn.section.{section}"), divider="gray")
        SECTION_UI[section]()
        quiz_ui(section)
    page = _page()
    keep_settings(PAGE, page, page_to_query(page), current_lang())


main()
