"""The lesson page through AppTest: every section renders, quizzes check answers computed by core."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from streamlit.testing.v1 import AppTest

from core.views.lesson import FIRST_FIT_CODE, SECTIONS, question
from core.views.links import TARGETS
from core.views.training import config_from_query
from tests.pages import APP, open_page, query_value


@pytest.fixture
def lesson() -> AppTest:
    return open_page("pages/learn.py")


def test_every_section_of_the_lesson_is_there_in_order(lesson):
    assert not lesson.exception
    headers = [h.value for h in lesson.header]
    assert headers[0].startswith("1. Batch size") and len(headers) == len(SECTIONS)


def test_an_answer_gets_instant_feedback_right_or_wrong(lesson):
    answer = int(question("worked", 0).answer)
    lesson.number_input(key="learn_answer_worked_0").set_value(answer).run()
    assert any("Right: 785" in s.value for s in lesson.success)
    lesson.number_input(key="learn_answer_worked_0").set_value(answer + 1).run()
    assert any("the answer is 785" in e.value for e in lesson.error)


def test_another_question_changes_the_numbers(lesson):
    first = next(c.value for c in lesson.markdown if "10,000 samples, batch 64, 5 epochs" in c.value)
    lesson.button(key="learn_new_worked").click().run()
    assert not any(first == c.value for c in lesson.markdown)


def test_generated_code_follows_the_settings(lesson):
    lesson.number_input(key="learn_keras_n_samples").set_value(1000).run()
    lesson.number_input(key="learn_keras_batch_size").set_value(64).run()
    keras = next(c.value for c in lesson.code if "history = model.fit" in c.value)
    assert "batch_size=64,  # batch size: 13 iterations per epoch" in keras


def test_lesson_in_korean():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "ko"
    at.switch_page("pages/learn.py")
    at.run()
    assert at.header[0].value.startswith("1. 배치 사이즈")


def _links(at: AppTest, label: str) -> list[dict[str, str]]:
    return [dict(parse_qsl(link.proto.query_string)) for link in at.get("page_link") if link.proto.label == label]


def test_every_link_of_the_lesson_names_only_what_its_page_knows_and_the_page_takes_it(lesson):
    by_path = {page.split("/")[-1].removesuffix(".py"): page for page in TARGETS} | {"": "pages/calculator.py"}
    links = [(link.proto.page, dict(parse_qsl(link.proto.query_string))) for link in lesson.get("page_link")]
    assert len(links) == 11
    for path, query in links:
        query.pop("lang")
        target = TARGETS[by_path[path.strip("/")]]
        assert set(query) <= target.names, path
        _, problems = target.parse(query)
        assert [p for p in problems if p.reason != "adjusted"] == [], path


def _counts(at: AppTest) -> list[tuple[str, str]]:
    metrics = [metric.value for metric in at.metric if metric.label in ("Iterations per epoch", "Total updates")]
    return list(zip(metrics[::2], metrics[1::2], strict=True))


def test_first_code_line_and_worked_calculation_use_the_lessons_own_words(lesson):
    codes = [c.value for c in lesson.code]
    assert codes[0] == FIRST_FIT_CODE
    assert any("200 / 20 = 10` → **10 updates = 1 epoch**" in m.value for m in lesson.markdown)
    assert "iterations_per_epoch = 1000 / 50 = 20\ntotal_iterations = 20 * 20 = 400" in codes
    assert any("`total_iterations` is **Total updates**" in c.value for c in lesson.caption)


def test_code_tabs_open_on_the_lessons_examples_and_train_them_with_the_same_counts(lesson):
    assert _counts(lesson)[1:] == [("1,500", "15,000"), ("32", "320")]  # after the worked calculation's 20 / 400
    torch_code = next(c.value for c in lesson.code if "DataLoader" in c.value)
    assert "random_split" not in torch_code and "len(dataloader) == 32" in torch_code
    keras_link, torch_link, _monitoring = _links(lesson, "Train it live")
    for query, counts in ((keras_link, (1500, 15000)), (torch_link, (32, 320))):
        query.pop("lang")
        config, problems = config_from_query(query)
        assert problems == [] and (config.plan().iterations_per_epoch, config.plan().total_updates) == counts
    assert (keras_link["dataset"], keras_link["n"], keras_link["val_split"]) == ("mnist", "60000", "0.2")
    assert (torch_link["dataset"], torch_link["n"], torch_link["val_split"]) == ("random", "1000", "0")


def test_warm_up_section_and_the_learning_rate_page_it_opens_show_the_same_run(lesson):
    text = next(m.value for m in lesson.markdown if m.value.startswith("**Warm-up**"))
    assert "With 1,000 samples and batch 32 that is **96 warm-up updates** (32 per epoch)" in text
    (query,) = _links(lesson, "Open this warm-up on the learning-rate page")
    page = AppTest.from_file(APP, default_timeout=60)
    page.query_params["lang"] = "en"
    page.run()  # st.navigation registers the page's url_path on the first run
    page.query_params.clear()
    page.query_params.update(query)
    page.switch_page("pages/learning-rate.py")
    page.run()
    assert not page.exception and not page.warning
    metrics = {metric.label: metric.value for metric in page.metric}
    assert (metrics["Iterations per epoch"], metrics["Warm-up updates"]) == ("32", "96")
    assert (metrics["Learning rate at update 1"], metrics["Learning rate at update 97"]) == ("0.0001", "0.001")


def test_the_lessons_widgets_and_examples_are_in_the_url_and_a_link_sets_them(lesson):
    assert (query_value(lesson, "problems"), query_value(lesson, "keras_n"), query_value(lesson, "torch_n")) == (
        "100", "60000", "1000")
    lesson.number_input(key="learn_keras_n_samples").set_value(1000).run()
    assert query_value(lesson, "keras_n") == "1000"
    linked = open_page("pages/learn.py", keras_n="1000", keras_batch_size="64", torch_drop_last="true",
                       problems="60", per="8", guide_n="800")
    assert not linked.exception and not linked.warning
    keras = next(c.value for c in linked.code if "history = model.fit" in c.value)
    assert "batch_size=64,  # batch size: 13 iterations per epoch" in keras
    assert linked.checkbox(key="learn_torch_drop_last").value
    assert linked.number_input(key="learn_homework_problems").value == 60
    assert query_value(linked, "guide_n") == "800"


def test_a_batch_larger_than_the_examples_data_in_a_link_is_reported_and_fitted():
    at = open_page("pages/learn.py", keras_n="20", keras_batch_size="64")
    assert any("`keras_batch_size=64` is out of range" in w.value for w in at.warning)
    assert at.number_input(key="learn_keras_batch_size").value == 20
