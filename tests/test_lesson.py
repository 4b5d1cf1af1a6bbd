"""The lesson's generated code runs and agrees with the plan; its questions carry the seed's answers."""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core.batching import plan
from core.lesson import SECTIONS, CodeSettings, keras_code, pytorch_code, question


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 300), batch_size=st.integers(1, 64), epochs=st.integers(1, 3),
       val_split=st.sampled_from([0.0, 0.1, 0.2, 0.34]), drop_last=st.booleans())
def test_generated_pytorch_code_runs_and_makes_the_planned_batches(n, batch_size, epochs, val_split, drop_last):
    s = CodeSettings(n, min(batch_size, n), epochs, val_split, drop_last)
    p = plan(s.n, s.batch_size, s.epochs, validation_split=s.val_split, drop_last=s.drop_last)
    assume(p.iterations_per_epoch > 0)  # the seed's loop prints the last batch's loss: it needs a batch
    namespace: dict[str, object] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(pytorch_code(s), namespace)  # noqa: S102 - the code the lesson shows must really run
    assert len(namespace["dataloader"]) == p.iterations_per_epoch
    lines = out.getvalue().splitlines()
    assert len(lines) == epochs and lines[0].startswith(f"Epoch 1/{epochs}, Loss: ")


def test_generated_keras_code_states_the_keras_counts():
    code = keras_code(CodeSettings(1001, 32, 3, 0.2))
    assert "batch_size=32,  # batch size: 25 iterations per epoch" in code
    assert "epochs=3,  # epochs: 75 weight updates in all" in code
    assert "validation_split=0.2,  # first 800 rows train, last 201 validate" in code
    compile(code, "keras_example.py", "exec")


def test_generated_code_comments_are_translated():
    assert "에폭당 반복 25번" in keras_code(CodeSettings(1001, 32, 3, 0.2), "ko")


@pytest.mark.parametrize(
    ("section", "answer"),
    [
        pytest.param("batch_size", 10, id="100-problems-10-at-a-time"),
        pytest.param("how_it_works", 10, id="200-samples-batch-20"),
        pytest.param("guide", "32–64", id="5000-samples-medium"),
        pytest.param("whole_vs_batches", 1, id="whole-dataset-one-update"),
        pytest.param("names", "stochastic", id="batch-1-is-SGD"),
        pytest.param("worked", 785, id="10000-64-5"),
        pytest.param("code", 25, id="keras-1001-at-0.2"),
        pytest.param("monitoring", 10, id="10-epochs-10-points"),
        pytest.param("tips", 96, id="warm-up-3-epochs-of-32"),
    ],
)
def test_first_question_of_each_section_uses_the_lesson_numbers(section, answer):
    assert question(section, 0).answer == answer


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("variant", range(6))
def test_every_question_is_answerable_and_checks_its_own_answer(section, variant):
    q = question(section, variant)
    assert q.is_correct(q.answer)
    assert not q.is_correct("not an answer")
    if q.kind == "choice":
        assert q.answer in q.choices


def test_integer_answers_accept_typed_numbers():
    q = question("worked", 0)
    assert q.is_correct(785.0) and not q.is_correct(784)
