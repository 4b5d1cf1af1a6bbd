"""The batch-size finder: doubling sizes, real Trainer steps, and each way a sweep stops."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
import torch

import core.train.finder as finder
from core.figures.finder import throughput_figure
from core.maths.config import TrainConfig
from core.maths.memory import step_memory_estimate
from core.maths.records import FinderPoint, FinderResult
from core.runtime.slots import RunQueue
from core.train.finder import doubling_sizes, find_batch_size

TINY = TrainConfig(n_samples=50, validation_split=0.2, hidden_layers=1, hidden_width=8, device="cpu")
FAST = {"steps": 2, "min_time_s": 0.0, "size_budget_s": 0.2, "time_budget_s": 60.0}


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        pytest.param(1, [1], id="one"),
        pytest.param(8, [1, 2, 4, 8], id="power-of-two"),
        pytest.param(40, [1, 2, 4, 8, 16, 32, 40], id="capped-at-dataset"),
    ],
)
def test_doubling_sizes_end_at_the_limit(limit, expected):
    assert doubling_sizes(limit) == expected


def test_sweep_stops_at_the_training_set_size():
    result = find_batch_size(TINY, **FAST)
    assert [p.batch_size for p in result.points] == [1, 2, 4, 8, 16, 32, 40]
    assert result.stop_reason == "dataset" and result.stopped_at is None
    assert result.train_samples == 40 and result.device == "cpu"
    assert all(p.samples_per_s > 0 and p.steps >= 1 for p in result.points)  # fewer than 2 if time-boxed
    assert result.best is max(result.points, key=lambda p: p.samples_per_s)


def test_sweep_stops_before_a_size_over_the_memory_budget():
    budget = step_memory_estimate(TINY, 4)
    result = find_batch_size(TINY, memory_budget_bytes=budget, **FAST)
    assert [p.batch_size for p in result.points] == [1, 2, 4]
    assert (result.stop_reason, result.stopped_at) == ("memory", 8)
    assert all(p.memory_estimated and p.peak_memory_bytes <= budget for p in result.points)


def test_sweep_stops_at_a_requested_largest_batch():
    result = find_batch_size(TINY, max_batch_size=6, **FAST)
    assert [p.batch_size for p in result.points] == [1, 2, 4, 6]
    assert result.stop_reason == "max_batch"


def test_sweep_stops_when_its_time_budget_is_spent():
    result = find_batch_size(TINY, **{**FAST, "time_budget_s": 0.0})  # spent once size 1 is measured
    assert [p.batch_size for p in result.points] == [1]
    assert (result.stop_reason, result.stopped_at) == ("time", 2)


def test_out_of_memory_is_caught_and_reported(monkeypatch):
    real = finder._measure

    def measure(config, *args):  # type: ignore[no-untyped-def]
        if config.batch_size >= 8:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real(config, *args)

    monkeypatch.setattr(finder, "_measure", measure)
    result = find_batch_size(TINY, **FAST)
    assert [p.batch_size for p in result.points] == [1, 2, 4]
    assert (result.stop_reason, result.stopped_at) == ("oom", 8)


def test_other_errors_are_not_mistaken_for_out_of_memory(monkeypatch):
    def measure(config, *args):  # type: ignore[no-untyped-def]
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied")

    monkeypatch.setattr(finder, "_measure", measure)
    with pytest.raises(RuntimeError, match="shapes"):
        find_batch_size(TINY, **FAST)


def test_a_busy_queue_makes_the_sweep_give_up_without_measuring():
    queue = RunQueue(1)
    holder = object()
    assert queue.acquire(holder, cancelled=lambda: False)
    result = find_batch_size(TINY, queue=queue, queue_wait_s=0.05, **FAST)
    queue.release(holder)
    assert (result.points, result.stop_reason) == ((), "busy")
    assert queue.running == 0


def test_memory_estimate_grows_with_batch_size_and_optimizer_state():
    sgd, adam = (TrainConfig(optimizer=name) for name in ("sgd", "adam"))
    assert step_memory_estimate(adam, 64) > step_memory_estimate(adam, 32)
    assert step_memory_estimate(adam, 32) > step_memory_estimate(sgd, 32)
    # moons MLP 2 -> 32 -> 32 -> 2: 1,218 weights; Adam keeps weight, gradient and two moments; one sample
    # leaves its input and every layer's output (linear and activation) for the backward pass.
    parameters = 3 * 32 + 33 * 32 + 33 * 2
    assert step_memory_estimate(adam, 1) == 4 * (4 * parameters + (2 + 4 * 32 + 2))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_throughput_figure_is_a_valid_plotly_figure_on_a_log_axis(lang):
    points = tuple(FinderPoint(b, 5, 0.01, b * 100.0, b * 1_000, True) for b in (1, 2, 4, 8))
    built = throughput_figure(FinderResult(points, "dataset", None, "cpu", 8), lang=lang)
    fig = go.Figure(built.to_dict())  # validates every property
    assert fig.layout.xaxis.type == "log"
    assert list(fig.layout.xaxis.tickvals) == [1, 2, 4, 8]
    assert list(built.data[0].y) == [100.0, 200.0, 400.0, 800.0]
