"""The Data-parallel page through AppTest: the plan as the calculator labels it, URLs, Korean, refused values."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from core.maths.batching import plan
from tests.pages import metrics, open_page, query_value

PAGE = "pages/data-parallel.py"


def _page(**query: str) -> AppTest:
    return open_page(PAGE, **query)


@pytest.mark.parametrize(("devices", "n", "batch", "epochs"), [(1, 100, 8, 1), (2, 100, 8, 1), (3, 100, 8, 2),
                                                                (4, 90, 16, 3)])
def test_metrics_carry_the_calculators_labels_and_plans_counts(devices, n, batch, epochs):
    at = _page(devices=str(devices), n=str(n), batch_size=str(batch), epochs=str(epochs))
    assert not at.exception and not at.warning
    p = plan(n, batch, epochs, world_size=devices)
    assert metrics(at) == {"Effective batch size": f"{p.effective_batch_size:,}",
                           "Iterations per epoch": f"{p.iterations_per_epoch:,}",
                           "Total updates": f"{p.total_updates:,}"}
    assert any(f"world_size={devices}" in caption.value and "no validation split" in caption.value
               for caption in at.caption)
    assert not at.button(key="dp_start").disabled
    assert any("Press Start" in info.value for info in at.info)


def test_the_page_speaks_korean():
    at = _page(lang="ko", devices="2", n="100", batch_size="8", epochs="1")
    assert not at.exception
    assert at.title[0].value == "데이터 병렬: 여러 장치가 나눠 맡는 큰 배치 하나"
    assert metrics(at) == {"실질 배치 사이즈": "16", "에폭당 반복 수": "7", "총 가중치 업데이트 수": "7"}
    assert at.button(key="dp_start").label == "데이터 병렬 학습 시작"


def test_the_url_sets_every_setting_and_is_written_back():
    at = _page(devices="3", n="300", batch_size="5", epochs="4", dataset="circles", seed="11")
    state = at.session_state
    assert (state["dp_devices"], state["dp_n_samples"], state["dp_batch_size"], state["dp_epochs"]) == (3, 300, 5, 4)
    assert (state["dp_dataset"], state["dp_seed"]) == ("circles", 11)
    assert [query_value(at, name) for name in ("devices", "n", "batch_size", "epochs", "dataset", "seed")] == [
        "3", "300", "5", "4", "circles", "11"]


@pytest.mark.parametrize(
    ("query", "fragment", "key", "used"),
    [({"devices": "9"}, "`devices=9` is out of range, so 4 is used", "dp_devices", 4),
     ({"devices": "0"}, "`devices=0` is out of range, so 1 is used", "dp_devices", 1),
     ({"epochs": "999"}, "`epochs=999` is out of range, so 20 is used", "dp_epochs", 20),
     ({"n": "5"}, "`n=5` is out of range, so 10 is used", "dp_n_samples", 10),
     ({"batch_size": "eight"}, "`batch_size=eight` is not a valid value, so 8 is used", "dp_batch_size", 8),
     ({"dataset": "mnist"}, "`dataset=mnist` is not a valid value, so moons is used", "dp_dataset", "moons")],
    ids=["devices-high", "devices-low", "epochs", "n", "batch-word", "dataset-download"],
)
def test_bad_url_values_are_clamped_or_replaced_with_a_visible_message(query, fragment, key, used):
    at = _page(**query)
    assert not at.exception
    assert any(fragment in warning.value for warning in at.warning), [w.value for w in at.warning]
    assert at.session_state[key] == used
    assert len(metrics(at)) == 3


def test_a_bad_value_is_reported_in_korean_too():
    at = _page(lang="ko", devices="9")
    assert not at.exception
    assert any("devices=9" in warning.value and "4" in warning.value for warning in at.warning)
    assert at.session_state["dp_devices"] == 4


def test_a_run_to_the_end_shows_the_gradient_difference_and_the_workers_counts():
    at = _page(devices="2", n="40", batch_size="8", epochs="2")
    at.button(key="dp_start").click().run()
    run = at.session_state["tab_runs"].runs["data_parallel"]
    while not run.join(0.2):
        at.run()  # each rerun heartbeats the run, as the open page does
    at.run()
    at.run()  # the live view's last pass, then the full rerun it asks for
    assert not at.exception
    assert run.snapshot().status == "finished"
    shown = metrics(at)
    assert float(shown["Gradient difference"]) <= 1e-6
    assert shown["Iterations per epoch"] == "3" and shown["Total updates"] == "6"
    assert any("Finished: every rank made 6 updates" in success.value for success in at.success)
    assert any("3 iterations per epoch on every rank and 6 updates, as planned" in info.value for info in at.info)
    assert _figure_titles(at)[0] == "Epoch 2: the sample indices each of 2 ranks draws"  # the latest epoch
    at.select_slider(key="dp_epoch_shown__en").set_value(1).run()
    assert _figure_titles(at)[0] == "Epoch 1: the sample indices each of 2 ranks draws"
    assert run.alive_workers() == []


def _figure_titles(at: AppTest) -> list[str]:
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]
