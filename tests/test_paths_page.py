"""The Descent paths page through AppTest: defaults, shared URLs, bad URLs, Korean, divergence, scrubbing."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages import open_page


def _paths(**query: str) -> AppTest:
    return open_page("pages/paths.py", **query)


def _table(at: AppTest) -> dict[str, dict[str, str]]:
    """Method -> column -> cell of the per-method table."""
    return at.table[0].value.to_dict(orient="index")


def _query(at: AppTest) -> dict[str, str]:
    """The page's settings in the URL (without the tab's random token)."""
    return {name: at.query_params[name][0] if isinstance(at.query_params[name], list) else at.query_params[name]
            for name in at.query_params if name != "tab"}


def test_defaults_draw_three_paths_and_count_their_updates():
    at = _paths()
    assert not at.exception
    assert at.title[0].value == "Descent paths"
    table = _table(at)
    assert [row["Updates made"] for row in table.values()] == ["10", "2,000", "70"]
    assert [row["Samples seen"] for row in table.values()] == ["2,000", "2,000", "2,000"]
    assert list(table) == ["Batch Gradient Descent", "Stochastic Gradient Descent", "Mini-batch Gradient Descent"]
    assert at.slider(key="paths_shown").value == 2000
    assert len(at.get("plotly_chart")) == 1
    assert not at.warning


def test_shared_url_sets_the_widgets_and_the_same_updates_budget():
    at = _paths(n="100", batch_size="10", lr="0.03", epochs="3", budget="updates", seed="4", noise="1")
    assert not at.exception
    assert at.number_input(key="paths_n_samples").value == 100
    assert at.number_input(key="paths_batch_size").value == 10
    assert at.select_slider(key="paths_learning_rate").value == 0.03
    assert at.radio(key="paths_budget__en").value == "updates"
    assert at.number_input(key="paths_seed").value == 4
    table = _table(at)
    assert [row["Updates made"] for row in table.values()] == ["30", "30", "30"]
    assert [row["Epochs covered"] for row in table.values()] == ["30", "0.3", "3"]
    assert _query(at) == {"n": "100", "batch_size": "10", "lr": "0.03", "epochs": "3", "budget": "updates",
                          "seed": "4", "noise": "1.0", "lang": "en"}


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        pytest.param({"lr": "fast"}, "`lr=fast` is not a valid value", id="malformed-lr"),
        pytest.param({"budget": "time"}, "`budget=time` is not a valid value", id="unknown-budget"),
        pytest.param({"epochs": "1000"}, "`epochs=1000` is out of range", id="epochs-out-of-range"),
        pytest.param({"n": "20", "batch_size": "64"}, "`batch_size=64` is out of range", id="batch-above-n"),
    ],
)
def test_bad_url_warns_and_falls_back_to_a_default(query, fragment):
    at = _paths(**query)
    assert not at.exception
    assert any(fragment in warning.value for warning in at.warning)
    assert _table(at)  # the page still draws


def test_bad_url_warning_is_translated():
    at = _paths(lang="ko", n="lots")
    assert any("`n=lots` 값이 올바르지 않습니다" in warning.value for warning in at.warning)


def test_korean_page_uses_the_seed_names():
    at = _paths(lang="ko")
    assert at.title[0].value == "경사하강 경로"
    assert list(_table(at)) == ["배치 경사하강법", "확률적 경사하강법", "미니배치 경사하강법"]


def test_a_diverging_learning_rate_says_so_and_keeps_the_page():
    at = _paths(lr="10")
    assert not at.exception
    assert sum("diverged at update" in warning.value for warning in at.warning) == 3


def test_scrubbing_and_changing_settings():
    at = _paths()
    at.slider(key="paths_shown").set_value(5).run()
    assert at.slider(key="paths_shown").value == 5
    at.radio(key="paths_budget__en").set_value("updates").run()
    assert at.slider(key="paths_shown").value == 70  # new settings show the whole run again
    assert _query(at)["budget"] == "updates"


def test_a_rerun_with_the_same_settings_reuses_the_computed_paths(monkeypatch):
    import streamlit as st

    import core.maths.descent

    at = _paths()
    descend_all, computed = core.maths.descent.descend_all, []
    monkeypatch.setattr(core.maths.descent, "descend_all",
                        lambda settings: computed.append(settings) or descend_all(settings))
    at.run()
    assert computed == [] and not at.exception  # how fast a rerun is, is benchmarks' business; here: no rework
    st.cache_data.clear()  # the cache is the process's: other tests may have computed these settings already
    at.radio(key="paths_budget__en").set_value("updates").run()
    assert len(computed) == 1 and computed[0].budget == "updates"


def test_the_first_k_updates_are_in_the_url_and_a_link_opens_on_them():
    at = _paths()
    assert "shown" not in _query(at)  # every update shown: nothing to say
    at.slider(key="paths_shown").set_value(5).run()
    assert _query(at)["shown"] == "5"
    linked = _paths(**{name: value for name, value in _query(at).items() if name != "lang"})
    assert not linked.exception and not linked.warning
    assert linked.slider(key="paths_shown").value == 5
    assert _query(linked)["shown"] == "5"


def test_a_link_showing_more_updates_than_the_paths_make_warns_and_shows_them_all():
    at = _paths(shown="2001")
    assert any("`shown=2001` is out of range" in warning.value for warning in at.warning)
    assert at.slider(key="paths_shown").value == 2000
