"""Comparing batch sizes: budgets, learning-rate rules, shared initial weights, URLs, results and verdicts."""

from __future__ import annotations

import dataclasses
import math
import re
import time
from collections.abc import Iterator

import numpy as np
import plotly.graph_objects as go
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core.figures.compare import noise_figure
from core.i18n import Message, t
from core.maths.config import TrainConfig
from core.maths.lr import scale_lr
from core.maths.memory import step_memory_estimate
from core.runtime.slots import RunQueue
from core.train.compare import ComparisonRun
from core.train.engine import Trainer
from core.train.runner import TrainingRun
from core.views.compare import (
    DEFAULT_BATCH_SIZES,
    CompareConfig,
    compare_from_query,
    compare_to_query,
    parse_batch_sizes,
)
from core.views.compare_results import summarise, verdicts
from tests.conftest import examples

TINY = TrainConfig(n_samples=200, epochs=2, device="cpu")  # 160 training rows


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """One intra-op thread, as the app's runs use: tiny models only lose time to a contended thread pool."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# ---- learning-rate rules -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("rule", "batch", "base", "expected"),
    [
        ("none", 256, 32, 0.001),
        ("linear", 256, 32, 0.008),  # the seed's tip: 0.001 * (256 / 32)
        ("linear", 32, 32, 0.001),
        ("sqrt", 128, 32, 0.002),
        ("sqrt", 8, 8, 0.001),
    ],
    ids=["none", "linear-seed-tip", "linear-base", "sqrt-x4", "sqrt-base"],
)
def test_learning_rate_rules(rule, batch, base, expected):
    assert scale_lr(0.001, batch, base, rule) == pytest.approx(expected)


def test_an_unknown_learning_rate_rule_is_refused():
    with pytest.raises(ValueError, match="rule"):
        scale_lr(0.01, 8, 8, "cubic")  # type: ignore[arg-type]


def test_the_rule_scales_from_the_smallest_batch_size():
    config = CompareConfig(dataclasses.replace(TINY, learning_rate=0.01), (16, 4, 64), lr_rule="linear")
    assert [c.learning_rate for c in config.run_configs()] == pytest.approx([0.04, 0.01, 0.16])


# ---- budgets -----------------------------------------------------------------------------------------------

def test_equal_epochs_gives_each_batch_size_its_own_update_count():
    configs = CompareConfig(TINY, (8, 32, 256)).run_configs()
    assert [c.update_limit for c in configs] == [2 * 20, 2 * 5, 2 * 1]
    assert all(c.max_updates is None and c.time_budget_s is None for c in configs)


@pytest.mark.parametrize("batch_sizes", [(8, 32, 256), (7, 50), (3, 10, 33, 160)], ids=["seed", "odd", "four"])
def test_equal_updates_makes_every_run_make_the_reference_batch_updates(batch_sizes):
    config = CompareConfig(TINY, batch_sizes, budget="updates")
    expected = dataclasses.replace(TINY, batch_size=min(batch_sizes)).plan().total_updates
    assert config.budget_updates() == expected
    for run_config in config.run_configs():
        result = Trainer(run_config).train()
        assert (result.status, result.updates_done) == ("finished", expected)
        assert result.budget_reached == (run_config.plan().total_updates > expected)


def test_equal_time_gives_every_run_the_same_seconds():
    config = CompareConfig(dataclasses.replace(TINY, n_samples=1_000), (8, 256), budget="time", seconds=0.3)
    for run_config in config.run_configs():
        assert run_config.time_budget_s == 0.3
        trainer = Trainer(run_config)
        result = trainer.train()
        assert result.status == "finished" and result.budget_reached and result.elapsed_s >= 0.3
        assert result.updates_done < run_config.plan().total_updates
        # It stopped at the first update that ended past the budget: every update before it ended inside.
        assert trainer.history.wall_time[-1] >= 0.3 and (trainer.history.wall_time[:-2] < 0.3).all()


def test_runs_differ_only_in_batch_size_learning_rate_and_budget():
    configs = CompareConfig(TINY, (8, 32, 128), budget="updates", lr_rule="sqrt").run_configs()
    varying = {"batch_size", "learning_rate", "epochs", "max_updates", "time_budget_s"}
    for config in configs[1:]:
        for field in dataclasses.fields(TrainConfig):
            if field.name not in varying:
                assert getattr(config, field.name) == getattr(configs[0], field.name), field.name


def test_every_run_starts_from_the_same_initial_weights_and_data_split():
    trainers = [Trainer(c) for c in CompareConfig(TINY, (8, 32, 128)).run_configs()]
    first = trainers[0]
    for trainer in trainers[1:]:
        for name, tensor in first.model.state_dict().items():
            assert torch.equal(tensor, trainer.model.state_dict()[name]), name
        assert torch.equal(first.x_train, trainer.x_train) and torch.equal(first.x_val, trainer.x_val)


@pytest.mark.parametrize(
    ("batch_sizes", "match"),
    [((8,), "2 to 4"), ((1, 2, 4, 8, 16), "2 to 4"), ((8, 8), "differ")],
    ids=["one", "five", "duplicate"],
)
def test_a_comparison_needs_two_to_four_different_batch_sizes(batch_sizes, match):
    with pytest.raises(ValueError, match=match):
        CompareConfig(TINY, batch_sizes).validate()


# ---- engine and runner additions ---------------------------------------------------------------------------

def test_max_updates_stops_mid_epoch_and_records_only_whole_epochs():
    result = Trainer(dataclasses.replace(TINY, batch_size=8, epochs=3, max_updates=30)).train()
    assert (result.updates_done, len(result.updates), len(result.epochs)) == (30, 30, 1)  # 20 updates an epoch
    assert result.status == "finished" and result.message.key == "engine.finished_budget"
    assert "budget" in result.message.text("en")


def test_max_updates_on_an_epoch_boundary_keeps_that_epoch():
    result = Trainer(dataclasses.replace(TINY, batch_size=8, epochs=3, max_updates=40)).train()
    assert (result.updates_done, len(result.epochs)) == (40, 2)


@pytest.mark.parametrize(("field", "value"), [("max_updates", 0), ("time_budget_s", -1.0),
                                              ("time_budget_s", math.inf)], ids=["zero-updates", "negative", "inf"])
def test_bad_budgets_are_refused(field, value):
    with pytest.raises(ValueError, match=field):
        dataclasses.replace(TINY, **{field: value}).validate()


def test_a_run_asked_for_it_evaluates_its_final_weights():
    run = TrainingRun(dataclasses.replace(TINY, max_updates=7), queue=RunQueue(1), final_evaluation=True)
    assert run.snapshot().progress.total_updates == 7
    run.start()
    assert run.join(30)
    snapshot = run.snapshot()
    assert snapshot.status == "finished" and len(snapshot.updates) == 7
    assert snapshot.final is not None and 0 <= snapshot.final.train_accuracy <= 1
    assert snapshot.final.val_loss is not None and snapshot.final.peak_memory_bytes is None  # CPU: not measured


# ---- URL ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "expected"),
    [("8,32,256", (8, 32, 256)), (" 256, 8 ", (8, 256)), ("8,8,64", (8, 64)), ("8", None), ("1,2,4,8,16", None),
     ("8,x", None), ("0,8", None), ("8,1000000", None), ("", None), ("8.5,16", None)],
    ids=["seed", "unsorted", "duplicate", "one", "five", "word", "zero", "huge", "empty", "fraction"],
)
def test_batch_sizes_from_the_url(raw, expected):
    assert parse_batch_sizes(raw) == expected


def test_an_empty_url_gives_the_seed_comparison():
    config, problems = compare_from_query({})
    assert problems == []
    assert config.batch_sizes == DEFAULT_BATCH_SIZES == (8, 32, 256)
    assert (config.base.dataset, config.base.n_samples, config.budget, config.lr_rule) == ("moons", 1_000, "epochs",
                                                                                           "none")


def test_malformed_url_values_fall_back_and_are_reported():
    config, problems = compare_from_query({"batch_sizes": "8,banana", "budget": "forever", "epochs": "-3",
                                           "lr_rule": "linear"})
    assert config.batch_sizes == DEFAULT_BATCH_SIZES and config.budget == "epochs" and config.base.epochs == 20
    assert config.lr_rule == "linear"
    assert {(p.name, p.reason) for p in problems} == {("batch_sizes", "malformed"), ("budget", "malformed"),
                                                      ("epochs", "out_of_range")}


def test_a_data_set_size_outside_its_range_is_clamped():
    config, problems = compare_from_query({"dataset": "moons", "n": "5"})
    assert config.base.n_samples == 10 and [(p.name, p.used) for p in problems][0] == ("n", 10)


@pytest.mark.parametrize(
    ("query", "used"),
    [
        pytest.param({"batch_sizes": "8"}, "8,32,256", id="one-size"),
        pytest.param({"batch_sizes": "5000", "n": "100"}, "8,32,80", id="one-size-above-the-training-set"),
        pytest.param({"batch_sizes": "8,5000", "n": "100"}, "8,80", id="above-the-training-set"),
        pytest.param({"batch_sizes": "1,2,4,8,16"}, "8,32,256", id="five"),
    ],
)
def test_unusable_batch_sizes_name_the_rule_and_what_is_used(query, used):
    config, problems = compare_from_query(query)
    [problem] = [p for p in problems if p.name == "batch_sizes"]
    train = config.base.plan().train_samples
    assert (problem.reason, problem.used, dict(problem.details)) == ("malformed", used, {"train": train})
    assert ",".join(map(str, config.batch_sizes)) == used
    message = t("param.malformed.batch_sizes", "en", raw=problem.raw, used=problem.used, **dict(problem.details))
    assert f"2–4 distinct batch sizes, each from 1 to the training-set size {train:,}" in message
    assert f"Using {used} instead" in message


def test_default_batch_sizes_fitted_to_a_small_link_dataset_are_reported():
    config, problems = compare_from_query({"n": "100"})
    assert config.batch_sizes == (8, 32, 80)
    assert [(p.name, p.reason, p.used) for p in problems] == [("batch_sizes", "adjusted", "8,32,80")]


@given(raw=st.lists(st.integers(-5, 30_000), max_size=6).map(lambda xs: ",".join(map(str, xs))),
       n=st.integers(10, 20_000))
@settings(max_examples=examples(100), deadline=None)
def test_url_batch_sizes_are_always_usable_or_reported(raw, n):
    config, problems = compare_from_query({"batch_sizes": raw, "n": str(n)})
    train = config.base.plan().train_samples
    sizes = config.batch_sizes
    assert 2 <= len(set(sizes)) == len(sizes) <= 4 and all(1 <= b <= train for b in sizes)
    reported = [p for p in problems if p.name == "batch_sizes"]
    assert bool(reported) == (sizes != tuple(sorted({int(x) for x in raw.split(",") if x})))


@given(
    sizes=st.lists(st.integers(1, 16_000), min_size=2, max_size=4, unique=True),  # up to moons' largest train set
    epochs=st.integers(1, 500), budget=st.sampled_from(["epochs", "updates", "time"]),
    rule=st.sampled_from(["none", "linear", "sqrt"]), seed=st.integers(0, 2**31 - 1),
)
@settings(max_examples=examples(50), deadline=None)
def test_the_url_round_trips(sizes, epochs, budget, rule, seed):
    base = dataclasses.replace(TrainConfig(), n_samples=20_000, epochs=epochs, seed=seed)
    config = CompareConfig(base, tuple(sorted(sizes)), budget=budget, lr_rule=rule, seconds=2.5)
    again, problems = compare_from_query(compare_to_query(config))
    assert problems == [] and again == config


# ---- memory, results and verdicts --------------------------------------------------------------------------

def test_the_cpu_memory_estimate_grows_with_the_batch_and_the_optimizer_state():
    small, large = (step_memory_estimate(dataclasses.replace(TINY, batch_size=b)) for b in (8, 256))
    sgd = step_memory_estimate(dataclasses.replace(TINY, batch_size=8, optimizer="sgd"))
    parameters = 2 * 32 + 32 + 32 * 32 + 32 + 32 * 2 + 2  # the default MLP on 2-D data: 1,218 weights
    assert small - sgd == 4 * 2 * parameters  # Adam keeps two moments per weight
    assert large - small == 4 * (256 - 8) * (2 + 32 * 4 + 2)  # input, 2 x (linear + relu) outputs, logits


@pytest.fixture
def finished() -> ComparisonRun:
    run = ComparisonRun(CompareConfig(TINY, (8, 64), noise_draws=4), queue=RunQueue(1))
    run.start()
    assert run.join(60)
    return run


def test_a_comparison_trains_each_batch_size_in_turn_then_measures_noise(finished):
    snapshot = finished.snapshot()
    assert snapshot.status == "finished" and snapshot.done
    assert [r.config.batch_size for r in snapshot.runs] == [8, 64]
    assert [len(r.updates) for r in snapshot.runs] == [40, 6]
    assert snapshot.noise is not None and snapshot.noise.batch_sizes == (8, 64)
    for run in snapshot.runs:  # each run keeps its own clock, from its own start
        wall = run.updates.wall_time
        assert (wall >= 0).all() and (np.diff(wall) >= 0).all()
    assert snapshot.runs[1].updates.wall_time[0] < snapshot.runs[0].updates.wall_time[-1]


def test_the_results_table_rows_hold_the_measured_numbers(finished):
    small, large = (summarise(r) for r in finished.snapshot().runs)
    assert (small.updates, large.updates, small.updates_per_epoch, large.updates_per_epoch) == (40, 6, 20, 3)
    assert small.epochs_done == large.epochs_done == 2
    assert small.memory_is_estimate and small.peak_memory_bytes < large.peak_memory_bytes
    assert small.samples_per_s and small.time_per_epoch_s and small.loss_noise is not None
    assert small.accuracy_gap == pytest.approx(small.train_accuracy - small.val_accuracy)
    assert small.loss_gap == pytest.approx(small.val_loss - small.train_loss)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_claim_gets_a_verdict_with_its_numbers(finished, lang):
    snapshot = finished.snapshot()
    lines = verdicts([summarise(r) for r in snapshot.runs], snapshot.noise, lang)
    assert len(lines) == 7
    assert all("8" in line and "64" in line for line in lines)
    assert "6.7" in lines[0]  # 20 vs 3 updates per epoch


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_noise_figure_marks_b_simple_beside_the_batch_sizes_tried(finished, lang):
    noise = finished.snapshot().noise
    figure = go.Figure(noise_figure(noise, lang=lang).to_dict())  # validates every property
    tried, line = figure.data[0], figure.data[-1]
    assert list(tried.x) == [8, 64] and list(tried.y) == pytest.approx(noise.cosine)
    if noise.scale.b_simple is not None:
        assert list(line.x) == [noise.scale.b_simple] * 2 and "B_simple" in line.name


def test_stop_skips_the_batch_sizes_not_yet_trained():
    config = CompareConfig(dataclasses.replace(TINY, n_samples=20_000, epochs=10), (1, 64))
    run = ComparisonRun(config, queue=RunQueue(1))
    run.start()
    deadline = time.monotonic() + 30
    while not (run.snapshot().runs and len(run.snapshot().runs[0].updates)) and time.monotonic() < deadline:
        run.heartbeat()
        time.sleep(0.02)
    run.stop()
    assert run.join(30)
    snapshot = run.snapshot()
    assert snapshot.status == "stopped" and len(snapshot.runs) == 1 and snapshot.noise is None


def test_warm_up_gives_every_run_its_own_per_update_schedule():
    config = CompareConfig(dataclasses.replace(TrainConfig(), n_samples=200, epochs=3), (8, 32), lr_rule="linear",
                           warmup_epochs=1,
                           decay="cosine")
    for run in config.run_configs():
        assert len(run.lr_schedule) == run.plan().total_updates
        assert run.lr_schedule[0] == pytest.approx(run.learning_rate / 10)
        assert max(run.lr_schedule) == pytest.approx(run.learning_rate)
    parsed, problems = compare_from_query(compare_to_query(config))
    assert problems == [] and (parsed.warmup_epochs, parsed.decay) == (1, "cosine")


# ---- what a comparison says, in both languages ---------------------------------------------------------------

def _english_words(text: str) -> list[str]:
    """Latin-letter words in ``text`` other than technical names: an English sentence leaking into Korean."""
    return [w for w in re.findall(r"[A-Za-z_]{2,}", text) if w not in {"RuntimeError", "boom", "CUDA", "GPU"}]


def _ended(run: ComparisonRun):  # type: ignore[no-untyped-def]
    run.start()
    assert run.join(60)
    return run.snapshot()


def test_a_finished_comparison_carries_no_failure_message(finished):
    assert finished.snapshot().message is None


def test_a_failed_run_fails_the_comparison_with_its_translatable_message():
    wrong_size = (torch.zeros(7, 2), torch.zeros(7, dtype=torch.int64))
    snapshot = _ended(ComparisonRun(CompareConfig(TINY, (8, 64)), data=wrong_size, queue=RunQueue(1)))
    assert snapshot.status == "failed" and isinstance(snapshot.message, Message)
    assert snapshot.message.key == "runner.failed"
    assert snapshot.message.text("en") == "Training failed: The data has 7 rows but the config asks for 200."
    korean = t("compare.status.failed", "ko", message=snapshot.message.text("ko"))  # what the page shows
    assert korean == "비교에 실패했습니다. 학습에 실패했습니다: 데이터의 행 수(7)가 설정의 샘플 수(200)와 다릅니다."
    assert _english_words(korean) == []


def test_an_error_in_the_comparison_itself_keeps_its_own_text_in_a_translated_sentence(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ComparisonRun, "_measure_noise", broken)
    snapshot = _ended(ComparisonRun(CompareConfig(TINY, (8, 64), noise_draws=4), queue=RunQueue(1)))
    assert snapshot.status == "failed" and snapshot.message is not None
    assert snapshot.message.text("en") == "RuntimeError: boom"
    korean = t("compare.status.failed", "ko", message=snapshot.message.text("ko"))
    assert korean == "비교에 실패했습니다. RuntimeError: boom" and _english_words(korean) == []


@pytest.mark.parametrize(
    ("config", "english"),
    [
        (CompareConfig(TINY, (8,)), "Compare 2 to 4 batch sizes, got 1."),
        (CompareConfig(TINY, (8, 8)), "The batch sizes must differ, got 8,8."),
        (CompareConfig(TINY, (8, 64), budget="steps"), "Unknown budget 'steps'; choose one of epochs, updates, time."),
        (CompareConfig(TINY, (8, 64), budget="time", seconds=0.0),
         "The time budget must be between 0 and 60 s, got 0.0."),
    ],
    ids=["count", "distinct", "budget", "seconds"],
)
def test_a_refused_comparison_is_explained_in_both_languages(config, english):
    with pytest.raises(ValueError) as caught:
        config.validate()
    assert str(caught.value) == caught.value.message("en") == english
    korean = caught.value.message("ko")
    assert re.search("[가-힣]", korean)
    assert [w for w in _english_words(korean) if w not in {"steps", "epochs", "updates", "time"}] == [], korean


def test_a_comparison_on_auto_device_reads_only_its_owners_measurements(monkeypatch):
    from core.runtime.throughput import ThroughputCache
    from core.train import engine

    seen: list[object] = []
    real = engine.auto_device

    def recording(*args, throughputs=None):  # type: ignore[no-untyped-def]
        seen.append(throughputs)
        return real(*args, throughputs=throughputs)

    monkeypatch.setattr(engine, "auto_device", recording)
    mine = ThroughputCache()
    config = CompareConfig(dataclasses.replace(TINY, device="auto"), (8, 64), noise_draws=4)
    assert _ended(ComparisonRun(config, queue=RunQueue(1), throughputs=mine)).status == "finished"
    assert len(seen) == 3 and all(cache is mine for cache in seen)  # two runs and the noise measurement
