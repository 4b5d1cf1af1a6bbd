"""The Compare page through AppTest: the plan per batch size, URLs, Korean, and a tiny comparison to the end."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages import open_page


def _compare(**query: str) -> AppTest:
    return open_page("pages/compare.py", **query)


PLAN, RESULTS = 0, 1  # the page's tables, in order


def _table(at: AppTest, index: int) -> dict[str, list[str]]:
    frame = at.dataframe[index].value
    return {column: [str(v) for v in frame[column]] for column in frame.columns}


def test_defaults_show_the_plan_per_batch_size():
    at = _compare()
    assert not at.exception and not at.warning
    plan = _table(at, PLAN)
    assert plan["batch size"] == ["8", "32", "256"]
    assert plan["iterations per epoch"] == ["100", "25", "4"]  # 800 training rows, 20 epochs
    assert plan["updates (at most)"] == ["2,000", "500", "80"]
    assert any("20 epochs" in caption.value for caption in at.caption)
    assert not at.button(key="cmp_start").disabled


def test_the_url_sets_every_setting_and_is_written_back():
    at = _compare(batch_sizes="16,4", epochs="3", budget="updates", n="500", lr="0.001", lr_rule="linear", seed="7")
    assert at.session_state["cmp_batch_sizes"] == [4, 16]
    assert (at.session_state["cmp_epochs"], at.session_state["cmp_budget"]) == (3, "updates")
    assert (at.session_state["cmp_n_samples"], at.session_state["cmp_seed"]) == (500, 7)
    plan = _table(at, PLAN)
    assert plan["learning rate"] == ["0.001", "0.004"]
    assert plan["updates (at most)"] == ["300", "300"]  # batch 4 on 400 rows: 100 an epoch, 3 epochs
    assert (at.query_params["batch_sizes"], at.query_params["lr_rule"]) == ("4,16", "linear")


@pytest.mark.parametrize(
    ("query", "fragment"),
    [({"batch_sizes": "8"}, "batch_sizes=8"), ({"batch_sizes": "8,apple"}, "batch_sizes=8,apple"),
     ({"budget": "forever"}, "budget=forever"), ({"epochs": "0"}, "epochs=0"), ({"lr_rule": "cubic"}, "lr_rule")],
    ids=["one-batch", "word", "budget", "epochs", "rule"],
)
def test_bad_url_values_warn_and_fall_back(query, fragment):
    at = _compare(**query)
    assert not at.exception
    assert any(fragment in warning.value for warning in at.warning)
    assert len(_table(at, PLAN)["batch size"]) >= 2


def test_fewer_than_two_batch_sizes_is_refused_with_a_message():
    at = _compare()
    at.multiselect(key="cmp_batch_sizes").set_value([8]).run()
    assert any("at least 2" in error.value for error in at.error)
    assert at.button(key="cmp_start").disabled


def test_the_page_speaks_korean():
    at = _compare(lang="ko")
    assert at.title[0].value == "배치 사이즈 비교"
    assert "배치 사이즈" in _table(at, PLAN)
    assert at.button(key="cmp_start").label == "비교 시작"


def test_a_tiny_comparison_runs_to_the_end_and_fills_the_table():
    at = _compare(batch_sizes="8,64", epochs="2", n="200")
    at.button(key="cmp_start").click().run()
    deadline = time.monotonic() + 60
    while not at.session_state["tab_runs"].runs["comparison"].snapshot().done and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
    at.run()
    assert not at.exception
    assert at.session_state["tab_runs"].runs["comparison"].snapshot().status == "finished"
    results = _table(at, RESULTS)
    assert list(results) == ["measure", "B=8", "B=64"]
    rows = {measure: (small, large) for measure, small, large in zip(*results.values(), strict=True)}
    assert rows["updates made"] == ("40", "6") and rows["status"] == ("finished", "finished")
    assert all("(estimate)" in cell for cell in rows["peak memory per step"])
    assert all(cell != "—" for cell in rows["val acc"] + rows["gap: train acc − val acc (pp)"])
    assert any("Finished" in s.value for s in at.success)
    assert any(metric.label.startswith("Critical batch size") for metric in at.metric)
    assert any("borne out" in md.value for md in at.markdown)
