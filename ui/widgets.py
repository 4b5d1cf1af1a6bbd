"""Widgets shared by pages: a number box paired with a log-scale slider."""

from __future__ import annotations

import math

import streamlit as st


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
    label: str, drag_label: str, key: str, low: int, high: int, help: str | None = None, disabled: bool = False
) -> int:
    """A number box with a log-scale slider under it; both edit the same value in ``st.session_state[key]``."""
    drag_key = f"{key}__drag"
    value = min(max(int(st.session_state.get(key, low)), low), high)
    st.session_state[key] = value
    st.session_state[drag_key] = value

    def _from_drag() -> None:
        st.session_state[key] = st.session_state[drag_key]

    st.number_input(label, min_value=low, max_value=high, step=1, key=key, help=help, disabled=disabled)
    if high > low:
        st.select_slider(
            drag_label,
            options=nice_values(low, high, value),
            key=drag_key,
            format_func=lambda v: f"{v:,}",
            on_change=_from_drag,
            label_visibility="collapsed",
            disabled=disabled,
        )
    return int(st.session_state[key])
