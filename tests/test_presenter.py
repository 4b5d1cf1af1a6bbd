"""Presenter links: `present=true` and `<control>_hide=true` on every page with settings, kept in the URL."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages import open_page


def _widget_keys(at: AppTest) -> set[str]:
    keys = set()
    for kind in ("number_input", "slider", "select_slider", "radio", "selectbox", "multiselect", "checkbox", "toggle"):
        keys |= {widget.key for widget in getattr(at, kind) if widget.key}
    return keys


@pytest.mark.parametrize(
    ("page", "control", "widget_key", "query"),
    [
        pytest.param("pages/calculator.py", "epochs", "calc_epochs", {"epochs": "7"}, id="calculator"),
        pytest.param("pages/training.py", "lr", "train_learning_rate", {"lr": "0.003"}, id="training"),
        pytest.param("pages/compare.py", "batch_sizes", "cmp_batch_sizes", {"batch_sizes": "16,128"}, id="compare"),
        pytest.param("pages/paths.py", "batch_size", "paths_batch_size", {"batch_size": "10"}, id="paths"),
        pytest.param("pages/learning-rate.py", "base_lr", "lr_base_lr", {"base_lr": "0.002"}, id="learning-rate"),
    ],
)
def test_a_hidden_control_disappears_keeps_its_url_value_and_stays_hidden(page, control, widget_key, query):
    at = open_page(page, present="true", **{f"{control}_hide": "true", **query})
    assert not at.exception
    assert widget_key not in _widget_keys(at)
    # The page used the hidden control's URL value: it writes the same value back.
    for name, value in {f"{control}_hide": "true", "present": "true", **query}.items():
        assert at.query_params[name] in (value, [value])
