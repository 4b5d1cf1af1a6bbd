"""The lesson's generated code runs and agrees with the plan; its questions carry the lesson's answers."""

from __future__ import annotations

import contextlib
import io
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core.maths.batching import plan
from core.maths.lr import scale_lr, warmup_updates
from core.views.learning_rate import settings_from_query, settings_to_query
from core.views.lesson import (
    FIRST_FIT_BATCH,
    FIRST_FIT_CODE,
    FIRST_FIT_EPOCHS,
    FIRST_FIT_N,
    KERAS_EXAMPLE,
    LESSON_LR_SCALING,
    LESSON_WARMUP,
    PYTORCH_EXAMPLE,
    QUESTIONS,
    SECTIONS,
    WORKED_BATCH,
    WORKED_EPOCHS,
    WORKED_N,
    CodeSettings,
    framework_plan,
    keras_code,
    lesson_formula,
    pytorch_code,
    question,
    training_query,
)
from core.views.training import config_from_query
from tests.conftest import examples


@settings(max_examples=examples(25), deadline=None)
@given(n=st.integers(2, 300), batch_size=st.integers(1, 64), epochs=st.integers(1, 3),
       val_split=st.sampled_from([0.0, 0.1, 0.2, 0.34]), drop_last=st.booleans())
def test_generated_pytorch_code_runs_and_makes_the_planned_batches(n, batch_size, epochs, val_split, drop_last):
    s = CodeSettings(n, min(batch_size, n), epochs, val_split, drop_last)
    p = plan(s.n_samples, s.batch_size, s.epochs, validation_split=s.validation_split, drop_last=s.drop_last)
    assume(p.iterations_per_epoch > 0)  # the lesson's loop prints the last batch's loss: it needs a batch
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


def test_every_section_has_one_question_maker_in_the_lessons_order():
    assert tuple(QUESTIONS) == SECTIONS
    with pytest.raises(ValueError, match="unknown lesson section"):
        question("not a section")


def test_integer_answers_accept_typed_numbers():
    q = question("worked", 0)
    assert q.is_correct(785.0) and not q.is_correct(784)


# --- the lesson's examples, exactly --------------------------------------------------------------------------------


def test_pytorch_example_is_the_lessons_loop_and_its_dataloader_matches_the_training_page():
    code = pytorch_code(PYTORCH_EXAMPLE)
    assert "random_split" not in code  # the lesson has no validation split
    assert "X_train = torch.randn(1000, 10)\ny_train = torch.randint(0, 2, (1000,))" in code
    assert "dataloader = DataLoader(\n    dataset,\n    batch_size=32,\n    shuffle=True," in code
    assert "optimizer = torch.optim.Adam(model.parameters())" in code and "epochs = 10" in code
    namespace: dict[str, object] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, namespace)  # noqa: S102 - the code the lesson shows must really run
    page, problems = config_from_query(training_query(PYTORCH_EXAMPLE, "pytorch"))
    assert problems == [] and page.dataset == "random" and page.model == "linear" and page.learning_rate == 0.001
    assert len(namespace["dataloader"]) == page.plan().iterations_per_epoch == 32
    assert page.plan().total_updates == framework_plan(PYTORCH_EXAMPLE, "pytorch").total_updates == 320
    lines = out.getvalue().splitlines()
    assert len(lines) == 10 and all(re.fullmatch(r"Epoch \d+/10, Loss: \d+\.\d{4}", line) for line in lines)


def test_keras_example_and_its_link_count_the_lessons_mnist_fit():
    p = framework_plan(KERAS_EXAMPLE, "keras")
    assert (p.n_samples, p.train_samples, p.iterations_per_epoch, p.total_updates) == (60_000, 48_000, 1500, 15000)
    code = keras_code(KERAS_EXAMPLE)
    assert "X_train[:" not in code and "validation_split=0.2," in code  # all 60,000 images, as the lesson loads them
    query = training_query(KERAS_EXAMPLE, "keras")
    assert (query["dataset"], query["n"], query["val_split"]) == ("mnist", "60000", "0.2")
    page = config_from_query(query)[0].plan()  # counted only: MNIST is not downloaded
    assert (page.iterations_per_epoch, page.total_updates) == (1500, 15000)


def test_worked_calculation_uses_the_lessons_names():
    assert lesson_formula(plan(WORKED_N, WORKED_BATCH, WORKED_EPOCHS)) == [
        "iterations_per_epoch = 1000 / 50 = 20", "total_iterations = 20 * 20 = 400"]
    assert lesson_formula(plan(1000, 32, 10))[0] == "iterations_per_epoch = ceil(1000 / 32) = 32"


def test_first_fit_is_200_samples_in_10_updates_per_epoch():
    assert FIRST_FIT_CODE == "model.fit(train_set, epochs=10, batch_size=20)"
    p = plan(FIRST_FIT_N, FIRST_FIT_BATCH, FIRST_FIT_EPOCHS)
    assert (p.updates_per_epoch, p.total_updates) == (10, 100)


def test_warm_up_tip_and_its_learning_rate_page_link_are_one_run():
    settings, problems = settings_from_query(settings_to_query(LESSON_WARMUP))
    assert problems == [] and settings == LESSON_WARMUP
    p = settings.plan()
    assert (settings.n_samples, settings.batch_size) == (1000, 32)
    assert (settings.initial_lr, settings.final_lr) == (0.0001, 0.001)
    assert warmup_updates(p, settings.warmup_epochs) == question("tips", 0).answer == 96
    assert scale_lr(LESSON_LR_SCALING.base_lr, LESSON_LR_SCALING.batch_size, 32, "linear") == 0.008
