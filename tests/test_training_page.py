"""The Training page through AppTest: the plan before training, a tiny real run, Stop, and bad URLs."""

from __future__ import annotations

import re
import time

import pytest
import torch
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.errors import AppTestError

import ui.lang as lang
from tests.pages import metrics, open_page


def _training(**query: str) -> AppTest:
    return open_page("pages/training.py", **query)


_metrics = metrics


def _wait_until(at: AppTest, done, timeout: float = 60.0) -> AppTest:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run()
        if done(at):
            return at
        time.sleep(0.2)
    raise AssertionError("the page never reached the expected state")


def _run_status(at: AppTest) -> str:
    run = at.session_state["tab_runs"].runs.get("training")
    return run.snapshot().status if run is not None else "none"


def test_plan_is_shown_before_training():
    at = _training(dataset="moons", n="1000", batch_size="32", epochs="10", val_split="0.2")
    assert not at.exception
    metrics = _metrics(at)
    assert (metrics["Iterations per epoch"], metrics["Total updates"]) == ("25", "250")


def test_train_runs_to_the_planned_updates_and_logs_like_the_lesson():
    at = _training(dataset="moons", n="200", batch_size="32", epochs="3", val_split="0.2")
    at.button(key="train_start").click().run()
    _wait_until(at, lambda a: _run_status(a) == "finished")
    at.run()  # draw the final snapshot (the status may have changed after the previous draw)
    snapshot = at.session_state["tab_runs"].runs["training"].snapshot()
    assert len(snapshot.updates) == snapshot.plan.total_updates == 15
    log = "\n".join(code.value for code in at.code)
    assert "Epoch 1/3, Loss: " in log and "Epoch 3/3, Loss: " in log
    assert not at.exception


def test_stop_ends_a_long_run_and_keeps_its_history():
    at = _training(dataset="moons", n="20000", batch_size="1", epochs="10", val_split="0.0")
    at.button(key="train_start").click().run()
    _wait_until(at, lambda a: len(a.session_state["tab_runs"].runs["training"].snapshot().updates) > 0)
    at.button(key="train_stop").click().run()
    _wait_until(at, lambda a: _run_status(a) == "stopped")
    at.run()
    snapshot = at.session_state["tab_runs"].runs["training"].snapshot()
    assert 0 < len(snapshot.updates) < snapshot.plan.total_updates
    assert any("Stopped" in s.value for s in at.success)


def test_a_second_click_on_train_does_not_start_a_second_run():
    at = _training(dataset="moons", n="20000", batch_size="1", epochs="10", val_split="0.0")
    at.button(key="train_start").click().run()
    first = at.session_state["tab_runs"].runs["training"]
    assert at.button(key="train_start").disabled
    with pytest.raises(AppTestError, match="disabled"):  # the second click finds Train disabled
        at.button(key="train_start").click().run()
    at.run()
    assert at.session_state["tab_runs"].runs.get("training") is first and not first.snapshot().done
    assert not at.session_state["tab_runs"].past  # the first run was not archived to make room for a second
    at.button(key="train_stop").click().run()
    assert at.session_state["tab_runs"].runs.get("training") is first


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        pytest.param({"lr": "abc"}, "`lr=abc` is not a valid value", id="malformed-lr"),
        pytest.param({"dataset": "imagenet"}, "`dataset=imagenet` is not a valid value", id="unknown-dataset"),
        pytest.param({"epochs": "100000"}, "`epochs=100000` is out of range", id="epochs-out-of-range"),
    ],
)
def test_bad_training_url_warns_and_falls_back(query, fragment):
    at = _training(**query)
    assert not at.exception
    assert any(fragment in w.value for w in at.warning)


def test_random_labels_dataset_says_there_is_nothing_to_learn():
    at = _training(dataset="random", n="1000")
    assert any("nothing to learn" in info.value for info in at.info)


def test_training_page_in_korean():
    at = _training(lang="ko")
    assert at.title[0].value == "실시간 학습"


def test_warm_up_and_scaling_from_the_url_become_the_run_schedule():
    at = _training(dataset="moons", n="200", batch_size="64", epochs="4", val_split="0.2", lr="0.001",
                   lr_rule="linear", warmup_epochs="2", decay="cosine")
    at.button(key="train_start").click().run()
    _wait_until(at, lambda a: _run_status(a) == "finished")
    snapshot = at.session_state["tab_runs"].runs["training"].snapshot()
    lrs = snapshot.updates.lr
    assert max(lrs) == pytest.approx(0.001 * 64 / 32)  # the seed's linear rule
    assert lrs[0] == pytest.approx(0.1 * 0.002)  # warm-up starts at a tenth of the peak
    assert len(lrs) == snapshot.plan.total_updates


def test_hidden_controls_keep_their_url_values_and_stay_hidden():
    at = _training(dataset="moons", n="500", batch_size="50", epochs="5", batch_size_hide="true", present="true")
    assert not at.exception
    assert all(w.key != "train_batch_size" for w in at.number_input)
    assert _metrics(at)["Iterations per epoch"] == "8"  # 400 training samples / 50
    assert at.query_params["batch_size_hide"] in ("true", ["true"])


def test_the_readme_link_to_the_lessons_pytorch_example_trains_all_1000_rows_and_prints_its_lines():
    # README: /training?dataset=random&n=1000&batch_size=32&epochs=10&model=linear&lr=0.001
    at = _training(dataset="random", n="1000", batch_size="32", epochs="10", model="linear", lr="0.001")
    assert not at.exception and not at.warning
    metrics = _metrics(at)
    assert (metrics["Iterations per epoch"], metrics["Total updates"]) == ("32", "320")
    assert (metrics["Training samples"], metrics["Validation samples"]) == ("1,000", "0")
    at.button(key="train_start").click().run()
    _wait_until(at, lambda a: _run_status(a) == "finished")
    at.run()
    snapshot = at.session_state["tab_runs"].runs["training"].snapshot()
    assert len(snapshot.updates) == snapshot.plan.total_updates == 320
    log = "\n".join(code.value for code in at.code if "Epoch 1/10" in code.value).splitlines()
    assert len(log) == 10 and all(re.fullmatch(r"Epoch \d+/10, Loss: \d+\.\d{4}", line) for line in log)
    assert log[-1].startswith("Epoch 10/10, Loss: ") and "val_loss" not in "\n".join(log)


def test_korean_page_says_the_device_fall_back_and_the_stop_in_korean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # a CPU-only machine, even where a GPU exists
    # AppTest formats the selectboxes' values between runs, outside the script, where the session's language is not
    # readable: pin it, so that the Korean labels the page drew are matched with Korean labels.
    monkeypatch.setattr(lang, "current_lang", lambda: "ko")
    at = _training(lang="ko", device="cuda", dataset="moons", n="20000", batch_size="1", epochs="10", val_split="0.0")
    at.button(key="train_start").click().run()
    _wait_until(at, lambda a: len(a.session_state["tab_runs"].runs["training"].snapshot().updates) > 0)
    at.button(key="train_stop").click().run()
    _wait_until(at, lambda a: _run_status(a) == "stopped")
    at.run()
    snapshot = at.session_state["tab_runs"].runs["training"].snapshot()
    assert snapshot.device == "cpu" and snapshot.device_message is not None
    assert [w.value for w in at.warning] == ["CUDA를 요청했지만 여기에는 CUDA GPU가 없어 CPU에서 학습합니다."]
    assert [s.value for s in at.success] == ["중지했습니다. 지금까지의 기록은 남아 있습니다."]
    shown = [alert.value for alert in (*at.success, *at.warning, *at.info, *at.error)]
    for text in shown:
        words = [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in {"CUDA", "GPU", "CPU"}]
        assert words == [], text
        assert "Stopped" not in text and "not available" not in text
    assert not at.exception


def test_the_batch_size_finder_measures_in_the_background_and_shows_its_best() -> None:
    at = _training(dataset="moons", n="200", batch_size="32", epochs="3", val_split="0.2", device="cpu")
    at.button(key="finder_run").click().run()
    sweep = at.session_state["tab_runs"].runs["finder"]
    assert at.button(key="finder_run").disabled or sweep.snapshot().done  # no second sweep while one measures
    _wait_until(at, lambda a: sweep.snapshot().done and any("Best measured" in s.value for s in a.success))
    result = sweep.snapshot().result
    assert sweep.snapshot().status == "finished" and result is not None and result.best is not None
    assert at.session_state["measured_throughput"] == result.best.samples_per_s
    assert not at.exception


def test_a_link_sets_the_finders_memory_budget_and_the_page_keeps_it_in_the_url() -> None:
    at = _training(memory_budget="256")
    assert not at.exception and not at.warning
    assert at.number_input(key="train_memory_budget_mib").value == 256
    assert at.query_params["memory_budget"] in ("256", ["256"])
