"""The Learning-rate page through AppTest: the seed's 0.008, URLs in and out, bad URLs, Korean."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages import APP, metrics, query_value


def _learning_rate(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update({"lang": query.get("lang", "en")})
    at.run()  # st.navigation registers the page's url_path on the first run
    at.query_params.clear()
    at.query_params.update({"lang": "en", **query})
    at.switch_page("pages/learning-rate.py")
    return at.run()


_metrics, _url = metrics, query_value


def test_defaults_show_the_seed_example_0_008():
    at = _learning_rate()
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["Linear rule"] == "0.008"
    assert metrics["No scaling"] == "0.001"
    assert "learning_rate = 0.001 * (256 / 32) = 0.008" in at.code[0].value
    assert (metrics["Iterations per epoch"], metrics["Warm-up updates"]) == ("4", "12")
    assert (metrics["Learning rate at update 1"], metrics["Learning rate at update 13"]) == ("0.0001", "0.001")
    assert _url(at, "batch_size") == "256"


def test_url_sets_the_state_and_the_seed_warmup_gives_96_updates():
    at = _learning_rate(batch_size="32", n="1000", epochs="10", warmup_epochs="3", decay="cosine", base_lr="0.002")
    assert not at.exception
    metrics = _metrics(at)
    assert (metrics["Iterations per epoch"], metrics["Warm-up updates"], metrics["Total updates"]) == (
        "32", "96", "320")
    assert metrics["Learning rate at update 97"] == "0.001"
    assert metrics["Linear rule"] == "0.002"
    assert at.radio(key="lr_decay__en").value == "cosine"


def test_changing_the_batch_size_updates_the_rate_and_the_url():
    at = _learning_rate()
    at.number_input(key="lr_batch_size").set_value(512).run()
    assert _metrics(at)["Linear rule"] == "0.016"
    assert _url(at, "batch_size") == "512"


def test_the_scaled_rate_can_become_the_warmup_target():
    at = _learning_rate()
    at.button(key="lr_use_scaled").click().run()
    assert at.number_input(key="lr_final_lr").value == pytest.approx(0.008)
    assert _url(at, "final_lr") == "0.008"


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        pytest.param({"batch_size": "huge"}, "`batch_size=huge` is not a valid value", id="malformed"),
        pytest.param({"base_lr": "-3"}, "`base_lr=-3` is out of range", id="out-of-range"),
        pytest.param({"decay": "step"}, "`decay=step` is not a valid value", id="unknown-choice"),
    ],
)
def test_a_bad_url_shows_a_warning_and_falls_back(query, fragment):
    at = _learning_rate(**query)
    assert not at.exception
    assert any(fragment in w.value for w in at.warning)
    assert _metrics(at)["Linear rule"] == "0.008"


def test_batch_above_8k_warns_that_linear_scaling_breaks_down():
    at = _learning_rate(batch_size="16384")
    assert any("Goyal et al. 2017" in w.value for w in at.warning)


def test_adam_rule_refuses_a_batch_that_makes_beta1_negative():
    at = _learning_rate(batch_size="1024")
    assert not at.exception
    assert any("largest batch size it reaches with these betas is 319" in e.value for e in at.error)


def test_a_decay_floor_above_the_target_is_explained_not_a_traceback():
    at = _learning_rate(decay="linear")
    at.number_input(key="lr_min_lr").set_value(0.5).run()
    assert not at.exception
    assert any("is above the final learning rate" in e.value for e in at.error)


def test_korean_url_shows_korean_labels():
    at = _learning_rate(lang="ko")
    assert at.title[0].value == "학습률과 배치 사이즈"
    assert _metrics(at)["선형 규칙"] == "0.008"


def test_adams_betas_and_epsilon_are_in_the_url_and_a_link_sets_them():
    at = _learning_rate()
    assert (_url(at, "beta1"), _url(at, "beta2"), _url(at, "eps")) == ("0.9", "0.999", "1e-08")
    at.number_input(key="lr_beta1").set_value(0.95).run()
    assert _url(at, "beta1") == "0.95"
    linked = _learning_rate(beta1="0.8", eps="1e-06")
    assert not linked.exception and not linked.warning
    assert (linked.number_input(key="lr_beta1").value, linked.number_input(key="lr_eps").value) == (0.8, 1e-06)
    assert (_url(linked, "beta1"), _url(linked, "eps")) == ("0.8", "1e-06")


def test_an_out_of_range_beta_in_a_link_is_reported_and_replaced():
    at = _learning_rate(beta2="1.5")
    assert any("`beta2=1.5` is out of range" in warning.value for warning in at.warning)
    assert at.number_input(key="lr_beta2").value == 0.999
