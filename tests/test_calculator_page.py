"""The calculator page, driven through Streamlit's AppTest: inputs and URLs in, metrics and warnings out."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages import APP, metrics, open_page, query_value


def _app(**query: str) -> AppTest:
    return open_page(None, **query)


_metrics = metrics


def test_landing_page_shows_the_seed_worked_calculation():
    at = _app(lang="en")
    assert not at.exception
    metrics = _metrics(at)
    assert (metrics["Iterations per epoch"], metrics["Total updates"]) == ("20", "400")
    assert "iterations_per_epoch = 1000 / 50 = 20" in at.code[0].value


def test_changing_inputs_changes_the_metrics():
    at = _app(lang="en")
    at.number_input(key="calc_n_samples").set_value(200).run()
    at.number_input(key="calc_batch_size").set_value(20).run()
    at.number_input(key="calc_epochs").set_value(10).run()
    metrics = _metrics(at)
    assert (metrics["Iterations per epoch"], metrics["Total updates"]) == ("10", "100")
    assert at.query_params["n"] == ["200"] or at.query_params["n"] == "200"


def test_drop_last_changes_the_count_and_warns_about_wasted_samples():
    at = _app(lang="en", n="1000", batch_size="32", epochs="1")
    assert _metrics(at)["Iterations per epoch"] == "32"
    at.checkbox(key="calc_drop_last").check().run()
    assert _metrics(at)["Iterations per epoch"] == "31"
    assert any("throws away 8 samples" in w.value for w in at.warning)


def test_query_params_set_the_state():
    at = _app(lang="en", n="1001", batch_size="32", epochs="3", val_split="0.2", framework="keras")
    metrics = _metrics(at)
    assert (metrics["Training samples"], metrics["Validation samples"]) == ("800", "201")
    assert (metrics["Iterations per epoch"], metrics["Total updates"]) == ("25", "75")
    assert at.radio(key="calc_framework__en").value == "keras"


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        pytest.param({"n": "lots"}, "`n=lots` is not a valid value", id="malformed"),
        pytest.param({"epochs": "5000"}, "`epochs=5000` is out of range", id="out-of-range"),
        pytest.param({"n": "1"}, "The link sets no batch size, and the default batch size 50 is larger than the "
                     "link's dataset size 1, so the batch size is 1", id="default-fitted-to-the-link"),
        pytest.param({"batch_size": "5,0"}, "`batch_size=5,0` is ambiguous", id="comma-not-a-thousands-separator"),
    ],
)
def test_a_bad_query_shows_a_warning_and_falls_back(query, fragment):
    at = _app(lang="en", **query)
    assert not at.exception
    assert any(fragment in w.value for w in at.warning)
    assert _metrics(at)["Total updates"]  # the page still works


def test_presets_load_the_lesson_examples():
    at = _app(lang="en")
    at.button(key="preset_preset.mnist").click().run()
    metrics = _metrics(at)
    assert (metrics["Training samples"], metrics["Iterations per epoch"], metrics["Total updates"]) == (
        "48,000", "1,500", "15,000")


def test_settings_that_no_framework_accepts_show_the_reason_not_a_traceback():
    at = _app(lang="en", n="1", val_split="0.5", framework="keras")
    assert not at.exception
    assert any("Keras cannot split 1 sample with" in e.value for e in at.error)


def test_korean_url_shows_korean_labels():
    at = _app(lang="ko")
    assert _metrics(at)["에폭당 반복 수"] == "20"
    assert at.title[0].value == "배치 · 에폭 계산기"


def test_a_link_without_a_batch_size_names_no_batch_size_of_its_own():
    at = _app(lang="en", n="1")
    assert not any("link's batch size" in w.value for w in at.warning)
    assert at.number_input(key="calc_batch_size").value == 1


@pytest.mark.parametrize("typed", [False, True], ids=["url", "typed"])
def test_a_batch_above_the_dataset_is_one_full_batch(typed):
    at = _app(lang="en", n="100") if typed else _app(lang="en", n="100", batch_size="500")
    if typed:
        at.number_input(key="calc_batch_size").set_value(500).run()
    assert not at.exception and not at.warning
    assert at.number_input(key="calc_batch_size").value == 500
    assert _metrics(at)["Iterations per epoch"] == "1"
    assert any("one full batch" in c.value for c in at.caption)
    assert any("the DataLoader makes one full batch of all 100" in i.value for i in at.info)


def test_the_batch_size_stays_when_the_dataset_shrinks_below_it():
    at = _app(lang="en", n="1000", batch_size="500")
    at.number_input(key="calc_n_samples").set_value(100).run()
    assert not at.exception
    assert at.number_input(key="calc_batch_size").value == 500
    assert _metrics(at)["Iterations per epoch"] == "1"


@pytest.mark.parametrize("typed", [0, -5])
def test_typed_epochs_out_of_range_say_the_range_and_show_the_value_in_use(typed):
    at = _app(lang="en")
    at.number_input(key="calc_epochs").set_value(typed).run()
    assert not at.exception
    assert at.number_input(key="calc_epochs").value == 1
    assert any(f"Epochs: {typed} cannot be used. The allowed range is 1 to 1,000; the value in use is 1." in w.value
               for w in at.warning)
    assert _metrics(at)["Total updates"] == "20"  # 20 iterations x the 1 epoch in use, not the old 400


@pytest.mark.parametrize(("lang", "fragment"), [("en", "EN"), ("ko", "KO")])
def test_an_unknown_language_is_announced(lang, fragment):
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["lang"] = lang
    at.query_params["lang"] = "fr"
    at.run()
    notices = [i.value for i in at.info if "`fr`" in i.value]
    assert notices and ("shown in English" in notices[0] if lang == "en" else "한국어로 표시합니다" in notices[0])
    assert at.query_params["lang"] in (lang, [lang])


def test_a_link_with_new_settings_is_applied_in_the_same_session():
    at = _app(lang="en", n="200", batch_size="20", epochs="10")
    at.query_params.clear()
    at.query_params.update({"n": "1000", "batch_size": "50", "epochs": "20"})
    at.run()
    assert (_metrics(at)["Iterations per epoch"], _metrics(at)["Total updates"]) == ("20", "400")


def test_returning_through_the_navigation_keeps_the_settings():
    at = _app(lang="en", n="200", batch_size="20", epochs="10")
    at.query_params.clear()  # the navigation clears the URL on a page switch
    at.run()
    assert _metrics(at)["Total updates"] == "100"


def test_presenter_link_can_show_a_single_slider():
    at = _app(lang="en", n="1000", batch_size="50", epochs="20", present="true", n_hide="true", epochs_hide="true",
              framework_hide="true", val_split_hide="true", drop_last_hide="true", accum_hide="true",
              devices_hide="true")
    assert not at.exception
    assert [w.key for w in at.number_input] == ["calc_batch_size", "whatif_updates", "whatif_iterations",
                                                "whatif_rate"]
    assert _metrics(at)["Total updates"] == "400"
    assert at.query_params["present"] in ("true", ["true"]) and at.query_params["n_hide"] in ("true", ["true"])


_url = query_value


def test_the_what_if_questions_are_in_the_url_and_a_link_asks_them():
    at = _app(lang="en")
    assert (_url(at, "target_updates"), _url(at, "target_iterations"), _url(at, "throughput")) == (
        "1000", "10", "5000.0")
    at.number_input(key="whatif_updates").set_value(2_000).run()
    assert _url(at, "target_updates") == "2000"
    linked = _app(lang="en", target_updates="400", target_iterations="20", throughput="250")
    assert not linked.exception and not linked.warning
    assert [linked.number_input(key=key).value for key in ("whatif_updates", "whatif_iterations", "whatif_rate")] == [
        400, 20, 250.0]
    answers = [m.value for m in linked.markdown]
    assert "20 epochs give 400 updates (20 per epoch)." in answers
    assert "Batch sizes 50–52 give exactly 20 iterations per epoch." in answers
    assert "At 250 samples/s: 4 s per epoch, 1 min 20 s for the whole run." in answers


def test_the_pictures_view_is_in_the_url_and_a_conveyor_epoch_past_the_run_is_reported():
    at = _app(lang="en", shuffle="true", conveyor_epoch="3")
    assert not at.warning
    assert (_url(at, "shuffle"), _url(at, "conveyor_epoch")) == ("true", "3")
    late = _app(lang="en", epochs="2", conveyor_epoch="3")
    assert any("`conveyor_epoch=3` is out of range" in w.value for w in late.warning)
    assert _url(late, "conveyor_epoch") == "1"
