"""Classroom presentation: `present=true` for large type and a folded sidebar, `<control>_hide=true` per control.

Like TensorFlow Playground's `<control>_hide`, a teacher's link can show a page with a single slider.
Both kinds of parameter, and Streamlit's own `embed` options, survive every rewrite of the URL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

T = TypeVar("T")

VIEW_PARAMS = ("present", "embed", "embed_options")
_TRUE = {"true", "1", "yes", "on"}
# Large type for a projector: Streamlit sizes text in rem, so scaling the root scales the page.
_PRESENTER_CSS = """
<style>
html { font-size: 125%; }
[data-testid="stMetricValue"] { font-size: 3.2rem; }
.block-container { padding-top: 2rem; max-width: 100%; }
</style>
"""


def _flag(name: str) -> bool:
    return str(st.query_params.get(name, "")).strip().lower() in _TRUE


def presenting() -> bool:
    """True when the URL asks for presenter mode."""
    return _flag("present")


def hidden(control: str) -> bool:
    """True when the URL hides ``control`` (its URL name), e.g. `batch_size_hide=true`."""
    return _flag(f"{control}_hide")


def view_params() -> dict[str, str]:
    """The URL parameters that shape the view rather than the settings: presenter, embed, hidden controls."""
    return {
        name: str(value)
        for name, value in st.query_params.to_dict().items()
        if name in VIEW_PARAMS or name.endswith("_hide")
    }


def apply_presenter_style() -> None:
    """Enlarge the type when presenting."""
    if presenting():
        st.markdown(_PRESENTER_CSS, unsafe_allow_html=True)


def results_first_on_narrow_screens(results_key: str) -> None:
    """On a phone, where Streamlit stacks columns, put the column holding ``st.container(key=results_key)`` first."""
    # Style-only HTML goes to Streamlit's event container, so the rule takes no room on the page.
    st.html(f"<style>@media (max-width: 640px) {{ [data-testid=\"stColumn\"]:has(.st-key-{results_key}) "
            "{ order: -1; } }</style>")


def wrap_button_labels(key_prefix: str) -> None:
    """Let the labels of buttons keyed ``key_prefix…`` wrap onto a second line instead of ending in "…"."""
    st.html(f'<style>[class*="st-key-{key_prefix}"] button :is(p, div) '
            "{ white-space: normal; overflow: visible; text-overflow: clip; }</style>")


def control(name: str, key: str, render: Callable[[], T]) -> T:
    """Draw a control unless the URL hides it; a hidden control keeps the value in ``st.session_state[key]``."""
    if hidden(name):
        return st.session_state[key]  # type: ignore[no-any-return]
    return render()
