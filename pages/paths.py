"""Descent paths: batch, stochastic and mini-batch gradient descent drawn on one loss surface."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.shell import require_app_shell

require_app_shell()  # before the heavy imports: see ui/shell.py

from core.figures.paths import paths_figure
from core.i18n import fmt_float, fmt_int
from core.maths.descent import (
    DescentPath,
    PathsSettings,
    Surface,
    descend_all,
    loss_surface,
    target_updates,
)
from core.views.paths import (
    LEARNING_RATES,
    SCHEMA,
    VIEW_SCHEMA,
    PathsPage,
    PathsView,
    page_from_query,
    page_to_query,
)
from ui.lang import current_lang, tr
from ui.present import control
from ui.urlstate import keep_settings, restore_settings, url_problems_ui
from ui.widgets import log_number, param_input, widget_key, widget_values

PAGE = "paths"
PARAM_NAMES = [*SCHEMA.names, *VIEW_SCHEMA.names]
SHOWN_FOR = "paths_shown_for"  # the settings the "first k updates" slider was last set for


def _key(name: str) -> str:
    return widget_key(PAGE, name)


@st.cache_data(max_entries=32, show_spinner=False)
def _surface(n: int, noise: float, seed: int) -> Surface:
    """The loss surface of one data set, shared by every session that asks for it."""
    return loss_surface(n, noise, seed)


@st.cache_data(max_entries=32, show_spinner=False)
def _paths(settings: PathsSettings) -> list[DescentPath]:
    """The three descent paths of ``settings``."""
    return descend_all(settings)


def _widget_values(page: PathsPage) -> dict[str, object]:
    """The widgets' values, and the settings a link's ``shown`` belongs to (so the slider does not jump to the end)."""
    settings, view = page
    return {**widget_values(PAGE, SCHEMA.params, settings), **widget_values(PAGE, VIEW_SCHEMA.params, view),
            SHOWN_FOR: settings if view.shown is not None else None}


def settings_ui() -> PathsSettings:
    """The settings widgets; returns the settings they describe."""
    st.subheader(tr("paths.settings"))
    n_param = SCHEMA.param("n")
    n = control("n", _key("n_samples"), lambda: log_number(
        tr("paths.n"), tr("calc.drag", label=tr("paths.n")), _key("n_samples"), *n_param.bounds,
        help=tr("paths.n_help", low=n_param.bounds[0], high=fmt_int(n_param.bounds[1]))))
    batch_size = control("batch_size", _key("batch_size"), lambda: log_number(
        tr("paths.batch_size"), tr("calc.drag", label=tr("paths.batch_size")), _key("batch_size"), 1, n,
        help=tr("paths.batch_size_help")))
    current_lr = float(st.session_state[_key("learning_rate")])  # within the Param's range: the URL was checked
    lr = control("lr", _key("learning_rate"), lambda: st.select_slider(
        tr("paths.lr"), sorted({*LEARNING_RATES, current_lr}), key=_key("learning_rate"),
        format_func=lambda v: f"{v:g}", help=tr("paths.lr_help")))
    epochs = param_input(PAGE, SCHEMA.param("epochs"), tr("paths.epochs"), st.slider, help=tr("paths.epochs_help"))
    budget = param_input(PAGE, SCHEMA.param("budget"), tr("paths.budget"), horizontal=True,
                         format_func=lambda b: tr(f"paths.budget.{b}"), help=tr("paths.budget_help"))
    noise = param_input(PAGE, SCHEMA.param("noise"), tr("paths.noise"), step=0.1, help=tr("paths.noise_help"))
    seed = param_input(PAGE, SCHEMA.param("seed"), tr("paths.seed"), step=1, help=tr("paths.seed_help"))
    return PathsSettings(n_samples=n, batch_size=batch_size, learning_rate=float(lr), epochs=int(epochs), budget=budget,
                         seed=int(seed), noise=round(float(noise), 4))


def budget_ui(settings: PathsSettings, paths: list[DescentPath]) -> None:
    """What the chosen budget means in updates for each method."""
    if settings.budget == "epochs":
        planned = {path.method: fmt_int(path.plan.total_updates) for path in paths}
        st.markdown(tr("paths.budget_note.epochs", n=fmt_int(settings.n_samples), epochs=settings.epochs,
                       batch_updates=planned["batch"], sgd_updates=planned["stochastic"],
                       mini_updates=planned["mini-batch"]))
    else:
        st.markdown(tr("paths.budget_note.updates", updates=fmt_int(target_updates(settings)),
                       epochs=settings.epochs))


def _shown_ui(settings: PathsSettings, paths: list[DescentPath]) -> PathsView:
    """The 'first k updates' slider; it jumps to the end whenever the settings change (not when a link set both)."""
    most = max(path.updates for path in paths)
    if most < 1:
        return PathsView(0)
    if st.session_state.get(SHOWN_FOR) != settings:
        st.session_state[SHOWN_FOR] = settings
        st.session_state[_key("shown")] = most
    # A diverging path ends before its planned updates, which bounded a link's value: the slider ends there.
    st.session_state[_key("shown")] = min(st.session_state.get(_key("shown"), most), most)
    shown = int(st.slider(tr("paths.shown"), 0, most, key=_key("shown"), help=tr("paths.shown_help")))
    return PathsView(None if shown == most else shown)


def table_ui(paths: list[DescentPath]) -> None:
    """Per method: batch size, updates made, epochs covered, samples seen and final loss."""
    rows = {
        tr("paths.table.method"): [tr(f"paths.method.{p.method}") for p in paths],
        tr("paths.table.batch_size"): [fmt_int(p.batch_size) for p in paths],
        tr("paths.table.updates"): [fmt_int(p.updates) for p in paths],
        tr("paths.table.epochs"): [fmt_float(p.epochs_covered, 3) for p in paths],
        tr("paths.table.samples"): [fmt_int(p.samples_seen) for p in paths],
        tr("paths.table.final_loss"): [f"{p.loss[-1]:.4g}" for p in paths],
        tr("paths.table.status"): [
            tr("paths.status.diverged" if p.diverged_at else "paths.status.ok") for p in paths
        ],
    }
    st.table(pd.DataFrame(rows).set_index(tr("paths.table.method")))
    for path in paths:
        if path.diverged_at is not None:
            st.warning(tr("paths.diverged", method=tr(f"paths.method.{path.method}"),
                          update=fmt_int(path.diverged_at)))


def main() -> None:
    """Wire the page: URL -> settings -> cached surface and paths -> figure and table -> URL."""
    restore_settings(PAGE, PARAM_NAMES, page_from_query, _widget_values)
    st.title(tr("paths.title"))
    st.caption(tr("paths.intro"))
    url_problems_ui(PAGE)
    settings_col, view_col = st.columns([1, 2.6], gap="large")
    with settings_col:
        settings = settings_ui()
    surface = _surface(settings.n_samples, settings.noise, settings.seed)
    paths = _paths(settings)
    with view_col:
        budget_ui(settings, paths)
        figure_slot = st.container()
        view = _shown_ui(settings, paths)
        shown = max(path.updates for path in paths) if view.shown is None else view.shown
        with figure_slot:
            st.plotly_chart(paths_figure(surface, paths, shown, lang=current_lang()), key="paths_chart")
        table_ui(paths)
        w_min, b_min = surface.minimum
        st.caption(tr("paths.minimum", w=fmt_float(w_min, 4), b=fmt_float(b_min, 4),
                      loss=f"{surface.minimum_loss:.4g}"))
        st.caption(tr("paths.data", n=fmt_int(settings.n_samples), noise=fmt_float(settings.noise, 2)))
    keep_settings(PAGE, (settings, view), page_to_query((settings, view)), current_lang())
    with st.expander(tr("paths.how")):
        st.markdown(tr("paths.how_body"))
    st.caption(tr("paths.share"))


main()
