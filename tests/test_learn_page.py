"""The lesson page through AppTest: every section renders, quizzes check answers computed by core."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.lesson import SECTIONS, question

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def lesson() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "en"
    at.switch_page("pages/learn.py")
    return at.run()


def test_every_section_of_the_seed_is_there_in_order(lesson):
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
    lesson.number_input(key="learn_code_b").set_value(64).run()
    keras = next(c.value for c in lesson.code if "model.fit" in c.value)
    assert "batch_size=64,  # batch size: 13 iterations per epoch" in keras


def test_lesson_in_korean():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "ko"
    at.switch_page("pages/learn.py")
    at.run()
    assert at.header[0].value.startswith("1. 배치 사이즈")
