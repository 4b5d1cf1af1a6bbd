"""Widgets shared by pages: controls made from a setting's Param, a number box paired with a log-scale slider, and
choices that survive a language switch.

A setting's widget is keyed ``<page>_<settings field>`` (``calc_n_samples``, ``paths_learning_rate``) whatever
its URL name, so one rule gives every key, and ``widget_values`` fills them all from a settings object.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar, cast

import streamlit as st

from core.views.params import Param
from ui.lang import current_lang, tr
from ui.present import control

T = TypeVar("T")
Option = TypeVar("Option")  # the type of a choice widget's options


def widget_key(page: str, field: str) -> str:
    """The key of the widget that edits settings field ``field`` on ``page``."""
    return f"{page}_{field}"


def widget_values(page: str, params: Sequence[Param], *sources: object) -> dict[str, object]:
    """Widget key -> value of every parameter, from the first of ``sources`` with its field; unset (None) left out."""
    values: dict[str, object] = {}
    for param in params:
        source = next(source for source in sources if hasattr(source, param.attribute))
        values[widget_key(page, param.attribute)] = getattr(source, param.attribute)
    return {key: value for key, value in values.items() if value is not None}


def settings_from_widgets(page: str, params: Sequence[Param], base: T) -> T:
    """``base`` (a settings dataclass) with every setting whose widget holds a value in this session taken from it."""
    state = st.session_state
    keys = {param.attribute: widget_key(page, param.attribute) for param in params}
    return replace(base, **{field: state[key] for field, key in keys.items() if key in state})  # type: ignore[type-var]


def param_input(
    page: str, param: Param, label: str, widget: Callable[..., Any] | None = None, **kwargs: Any
) -> Any:
    """The control of one setting, made from its Param, unless the URL hides it (``<name>_hide=true``).

    Its range or choices are the Param's, so a page never restates them; its key is ``widget_key``. The widget
    is a checkbox (bool), a radio (choice, through ``choice``), a number box (int) or a slider (float) unless
    ``widget`` says otherwise; ``kwargs`` go to it (help, step, format, format_func, disabled, ...).
    """
    key = widget_key(page, param.attribute)

    def render() -> Any:
        if param.kind == "bool":
            return (widget or st.checkbox)(label, key=key, **kwargs)
        if param.kind == "choice":
            return choice(widget or st.radio, label, param.choices, key=key, **kwargs)
        default_widget = st.number_input if param.kind == "int" else st.slider
        return (widget or default_widget)(label, *param.bounds, key=key, **kwargs)

    return control(param.name, key, render)


def nice_values(low: int, high: int, current: int) -> list[int]:
    """Slider stops from ``low`` to ``high``: 1-2-5 steps and powers of two, plus ``current``."""
    stops = {low, high, current}
    for exponent in range(0, int(math.log10(max(high, 1))) + 1):
        for mantissa in (1, 2, 5):
            stops.add(mantissa * 10**exponent)
    power = 1
    while power <= high:
        stops.add(power)
        power *= 2
    return sorted(value for value in stops if low <= value <= high)


def log_number(
    label: str, drag_label: str, key: str, low: int, high: int, help: str | None = None, disabled: bool = False,
    *, slider_high: int | None = None, explain_refusals: bool = False,
) -> int:
    """A number box with a log-scale slider under it; both edit the same value in ``st.session_state[key]``.

    The slider reaches ``slider_high`` (default ``high``); the box takes ``low`` to ``high``. With
    ``explain_refusals`` the box takes any whole number, and one outside the range is replaced by the
    nearest allowed value with a warning that names the range and the value in use (instead of the
    browser's silent red box that keeps the old result).
    """
    drag_key = f"{key}__drag"
    raw = st.session_state.get(key, low)
    value = min(max(int(raw if raw is not None else st.session_state.get(f"{key}__ok", low)), low), high)
    # A refusal is said until the value changes again (a rerun of the page must not hide it).
    refused_key = f"{key}__refused"
    if explain_refusals and raw != value:
        st.session_state[refused_key] = ("" if raw is None else raw, value)
    elif st.session_state.get(refused_key, (None, value))[1] != value:
        st.session_state.pop(refused_key, None)
    st.session_state[key] = value
    st.session_state[f"{key}__ok"] = value
    st.session_state[drag_key] = value

    def _from_drag() -> None:
        st.session_state[key] = st.session_state[drag_key]

    if explain_refusals:
        st.number_input(label, step=1, key=key, help=help, disabled=disabled)
        if refused_key in st.session_state:
            st.warning(tr("input.refused", label=label, raw=st.session_state[refused_key][0], low=low, high=high,
                          used=value))
    else:
        st.number_input(label, min_value=low, max_value=high, step=1, key=key, help=help, disabled=disabled)
    top = max(min(slider_high if slider_high is not None else high, high), value)
    if top > low:
        st.select_slider(
            drag_label,
            options=nice_values(low, top, value),
            key=drag_key,
            format_func=lambda v: f"{v:,}",
            on_change=_from_drag,
            label_visibility="collapsed",
            disabled=disabled,
        )
    return int(st.session_state[key])


def choice(
    widget: Callable[..., object], label: str, options: Sequence[Option], *, key: str,
    format_func: Callable[[Any], str], on_change: Callable[[], None] | None = None, **kwargs: Any,
) -> Option:
    """A radio, select box, segmented control or pills with translated labels that keeps its value across languages.

    Streamlit stores such a widget's value as its *formatted* label (streamlit issues #4264, #11268), so a label
    that changes with the language loses the value, or raises KeyError in a callback. The value lives under
    ``key``, free of language; the widget itself is keyed per language and seeded from it on every run.
    """
    options = list(options)
    widget_key = f"{key}__{current_lang()}"
    state = st.session_state
    value = state.get(key)
    if _is_option(value, options):
        # Before the widget exists in this run: allowed, and wins over its old state. On every run, so the browser
        # is always sent the value: a widget coming back with the page's language may hold a value that a late
        # request (see _changed) put back on the server only, and is otherwise drawn at its first option.
        state[widget_key] = value

    def _changed() -> None:
        # A click is a new value on the widget of the page's language. The browser resends every widget it
        # still shows with each request, and a request sent before it drew the page in a new language (the
        # switch's own rerun, a live view's timed fragment rerun) can arrive after the server did: Streamlit
        # dropped the old language's widget state then, so takes the resent, unchanged value for a change.
        # Acting on it reset the data set's size mid-run (on_change -> dataset_changed) and could restore a
        # value from before the switch.
        if widget_key != f"{key}__{current_lang()}" or state[widget_key] == state.get(key):
            return
        state[key] = state[widget_key]
        if on_change is not None:
            on_change()

    chosen = widget(label, options, key=widget_key, format_func=format_func, on_change=_changed, **kwargs)
    state[key] = chosen
    return cast(Option, chosen)  # one of ``options`` (a segmented control with nothing chosen: None)


def _is_option(value: object, options: Sequence[Any]) -> bool:
    if isinstance(value, list):  # multi-select pills
        return all(item in options for item in value)
    return value is not None and value in options
