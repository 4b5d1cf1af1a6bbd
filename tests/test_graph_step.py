"""The graph step: the batches it replays are DataLoader's, and run eagerly it trains as the engine's eager loop does.

CI has no GPU: the static-buffer step runs eagerly on the CPU here (``Trainer(step="static")``); the tests that
capture CUDA graphs are skipped without one, and run as they are on a GPU machine.
"""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader, TensorDataset

from core.maths.batching import plan
from core.maths.catalog import OPTIMIZERS
from core.maths.config import TrainConfig
from core.train.engine import Trainer
from core.train.graph_step import StaticStep
from core.train.models import build_model
from core.train.optimizers import graph_optimizer
from tests.conftest import examples

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (CI has none)")
FIRST_UPDATES = 50  # losses of the graph step and the eager loop must agree over these


def config(**overrides: object) -> TrainConfig:
    """A small MLP run with a partial last batch and more than FIRST_UPDATES updates."""
    settings_: dict[str, object] = dict(dataset="moons", n_samples=250, model="mlp", hidden_layers=2, hidden_width=16,
                                        batch_size=16, epochs=5, validation_split=0.2, device="cpu", seed=3)
    settings_.update(overrides)
    return TrainConfig(**settings_)  # type: ignore[arg-type]


def train_both(cfg: TrainConfig) -> tuple[Trainer, Trainer]:
    """The same run through the static-buffer step and through the engine's eager loop, both trained."""
    static, eager = Trainer(cfg, step="static"), Trainer(cfg, step="eager")
    assert static.static is not None and eager.static is None
    static.train()
    eager.train()
    return static, eager


# ---- which graph for which batch ---------------------------------------------------------------------------


@settings(max_examples=examples(150), deadline=None)
@given(n=st.integers(1, 400), batch_size=st.integers(1, 130), drop_last=st.booleans())
def test_the_replayed_batch_sizes_are_dataloaders(n: int, batch_size: int, drop_last: bool) -> None:
    loader = DataLoader(TensorDataset(torch.arange(n)), batch_size=batch_size, drop_last=drop_last)
    expected = [len(rows) for (rows,) in loader]
    assert plan(n, batch_size, 1, drop_last=drop_last).epoch_batch_sizes().tolist() == expected


def test_one_graph_per_distinct_batch_size() -> None:
    x, y = torch.randn(50, 2), torch.arange(50) % 2
    step = StaticStep(build_model("linear", 2, 2, seed=0), "adam", x, y, plan(50, 16, 1).epoch_batch_sizes().tolist(),
                      learning_rate=0.01, total_updates=4)
    assert step.sizes == (2, 16)
    assert not step.capture() and not step.captured  # nothing is captured off CUDA


@pytest.mark.parametrize(
    ("n_samples", "batch_size", "drop_last", "validation_split", "framework"),
    [
        pytest.param(20, 32, False, 0.0, "pytorch", id="N<B"),
        pytest.param(64, 16, False, 0.0, "pytorch", id="N-divisible-by-B"),
        pytest.param(50, 16, False, 0.0, "pytorch", id="partial-last-batch"),
        pytest.param(50, 16, True, 0.0, "pytorch", id="drop-last"),
        pytest.param(12, 1, False, 0.0, "pytorch", id="B=1"),
        pytest.param(40, 40, False, 0.0, "pytorch", id="B=N"),
        pytest.param(51, 16, False, 0.2, "keras", id="keras-split"),
        pytest.param(51, 8, True, 0.3, "pytorch", id="split-and-drop-last"),
    ],
)
def test_static_step_counts_equal_plan(
    n_samples: int, batch_size: int, drop_last: bool, validation_split: float, framework: str
) -> None:
    cfg = config(dataset="random", model="linear", n_samples=n_samples, batch_size=batch_size, drop_last=drop_last,
                 validation_split=validation_split, framework=framework, epochs=3, optimizer="adam")
    batch_plan = cfg.plan()
    trainer = Trainer(cfg, step="static")
    result = trainer.train()
    assert trainer.static is not None
    per_epoch = batch_plan.epoch_batch_sizes().tolist()
    assert trainer.static.replays == {size: count * 3 for size, count in Counter(per_epoch).items()}
    assert int(trainer.static.step) == result.updates_done == batch_plan.total_updates
    adam_steps = {int(state["step"]) for state in trainer.optimizer.state.values()}
    assert adam_steps == {batch_plan.total_updates}
    assert result.samples_seen == batch_plan.samples_seen
    assert [e.updates_done for e in result.epochs] == [batch_plan.updates_per_epoch * e for e in (1, 2, 3)]


# ---- the same numbers as the eager loop ------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("shuffle", [True, False])
def test_static_step_losses_equal_the_eager_loop(optimizer: str, shuffle: bool) -> None:
    cfg = config(optimizer=optimizer, shuffle=shuffle, learning_rate=0.05 if optimizer != "adam" else 0.01)
    assert cfg.plan().total_updates > FIRST_UPDATES and cfg.plan().has_partial_last_batch
    static, eager = train_both(cfg)
    np.testing.assert_allclose(static.history.loss[:FIRST_UPDATES], eager.history.loss[:FIRST_UPDATES], rtol=0,
                               atol=1e-5)
    # Accuracy counts the same predictions, and the epochs are summarised alike.
    np.testing.assert_allclose(static.history.accuracy, eager.history.accuracy, atol=1e-6)
    assert len(static.epoch_records) == len(eager.epoch_records) == cfg.epochs
    for p, q in zip(static.model.parameters(), eager.model.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_static_step_honours_the_learning_rate_schedule(optimizer: str) -> None:
    total = config().plan().total_updates
    schedule = tuple(0.02 * (1 + np.cos(np.pi * i / total)) / 2 + 1e-3 for i in range(total))  # cosine decay
    static, eager = train_both(config(optimizer=optimizer, lr_schedule=schedule))
    np.testing.assert_allclose(static.history.loss[:FIRST_UPDATES], eager.history.loss[:FIRST_UPDATES], rtol=0,
                               atol=1e-5)
    assert static.static is not None
    assert float(static.static.lr) == pytest.approx(schedule[-1], rel=1e-6)  # the last update's rate was in use


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_a_zero_schedule_leaves_the_weights_alone(optimizer: str) -> None:
    # The rate comes from the schedule on the device, never from learning_rate (here 0.5, which would move them).
    cfg = config(optimizer=optimizer, learning_rate=0.5, lr_schedule=(0.0,) * config().plan().total_updates)
    trainer = Trainer(cfg, step="static")
    start = [p.detach().clone() for p in trainer.model.parameters()]
    trainer.train()
    for before, after in zip(start, trainer.model.parameters(), strict=True):
        torch.testing.assert_close(after, before, rtol=0, atol=0)


def test_stop_and_budget_end_the_static_step_cleanly() -> None:
    calls = iter(range(1_000))
    stopped = Trainer(config(), step="static").train(should_stop=lambda: next(calls) >= 7)
    assert stopped.status == "stopped" and stopped.updates_done == len(stopped.updates) == 7
    budget = Trainer(config(max_updates=20), step="static").train()
    assert budget.budget_reached and budget.updates_done == 20


def test_divergence_is_read_back_from_the_device_logs() -> None:
    cfg = config(dataset="random", n_samples=200, optimizer="sgd", learning_rate=1e30, batch_size=4)
    result = Trainer(cfg, step="static").train(flush_interval_s=0.0)
    assert result.status == "diverged" and result.diverged_at is not None
    assert len(result.updates) == result.diverged_at
    assert not np.isfinite(result.updates.loss[-1]) and np.isfinite(result.updates.loss[:-1]).all()


def test_a_failed_capture_falls_back_to_the_eager_step(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(self: StaticStep) -> bool:
        raise RuntimeError("operation not permitted when stream is capturing")

    monkeypatch.setattr(StaticStep, "capture", fail)
    trainer = Trainer(config(), step="static")
    result = trainer.train()
    assert trainer.static is None and not trainer.uses_graph
    assert trainer.optimizer.defaults["fused"] is True and not isinstance(trainer.optimizer.defaults["lr"],
                                                                          torch.Tensor)
    assert trainer.step_message is not None and trainer.step_message.key == "engine.step.graph_failed"
    assert "stream is capturing" in trainer.step_message.text("en")
    eager = Trainer(config(), step="eager").train()
    np.testing.assert_array_equal(result.updates.loss, eager.updates.loss)


def test_the_cpu_keeps_the_eager_loop_by_default() -> None:
    trainer = Trainer(config())
    assert trainer.static is None and trainer.step_message is None and not trainer.uses_graph


def test_graph_optimizers_read_the_learning_rate_tensor() -> None:
    lr = torch.tensor(0.1)
    for name in OPTIMIZERS:
        optimizer = graph_optimizer(name, list(build_model("linear", 2, 2).parameters()), lr)
        assert optimizer.param_groups[0]["lr"] is lr and optimizer.defaults["fused"] is True
    with pytest.raises(ValueError, match="rmsprop"):
        graph_optimizer("rmsprop", list(build_model("linear", 2, 2).parameters()), lr)


# ---- on a GPU: captured graphs -----------------------------------------------------------------------------


@CUDA
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_captured_graphs_match_the_eager_loop_on_cuda(optimizer: str) -> None:
    cfg = config(device="cuda", optimizer=optimizer)
    graph, eager = Trainer(cfg), Trainer(cfg, step="eager")
    graph.train()
    eager.train()
    assert graph.uses_graph and graph.step_message is None
    np.testing.assert_allclose(graph.history.loss[:FIRST_UPDATES], eager.history.loss[:FIRST_UPDATES], rtol=0,
                               atol=1e-5)
    assert graph.static is not None and int(graph.static.step) == cfg.plan().total_updates


@CUDA
def test_captured_graphs_follow_the_schedule_and_count_like_plan_on_cuda() -> None:
    total = config().plan().total_updates
    cfg = config(device="cuda", lr_schedule=tuple(0.01 * 0.97**i for i in range(total)), drop_last=True)
    graph, eager = Trainer(cfg), Trainer(cfg, step="eager")
    result = graph.train()
    eager.train()
    assert graph.uses_graph and result.updates_done == cfg.plan().total_updates
    np.testing.assert_allclose(graph.history.loss[:FIRST_UPDATES], eager.history.loss[:FIRST_UPDATES], rtol=0,
                               atol=1e-5)


@CUDA
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_warming_up_before_capture_warns_nothing_on_cuda(optimizer: str) -> None:
    trainer = Trainer(config(device="cuda", optimizer=optimizer))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a capturable optimizer stepped uncaptured (the warm-up) must not warn
        trainer.prepare()
    assert trainer.uses_graph


@CUDA
def test_capture_puts_back_the_start_weights_on_cuda() -> None:
    trainer = Trainer(config(device="cuda"))
    start = [p.detach().clone() for p in trainer.model.parameters()]
    trainer.prepare()
    assert trainer.uses_graph
    for before, after in zip(start, trainer.model.parameters(), strict=True):
        torch.testing.assert_close(after, before, rtol=0, atol=0)
    assert all(int(state["step"]) == 0 for state in trainer.optimizer.state.values())
