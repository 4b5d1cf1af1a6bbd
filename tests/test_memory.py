"""The one memory estimate of a training step, against the peak PyTorch's memory profiler records."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile

from core.maths.catalog import DATASETS
from core.maths.config import TrainConfig
from core.maths.memory import step_memory_estimate
from core.train.models import build_model
from core.train.optimizers import make_optimizer


def _profiled_peak(config: TrainConfig, tmp_path: Path) -> int:
    """Peak bytes the profiler's memory timeline shows during one step after a warm-up step (optimizer state
    already allocated, as in every step but a run's first)."""
    spec = DATASETS[config.dataset]
    model = build_model(config.model, spec.n_features, spec.n_classes, hidden_layers=config.hidden_layers,
                        hidden_width=config.hidden_width, activation=config.activation)
    optimizer = make_optimizer(config.optimizer, list(model.parameters()), 0.01)
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(config.batch_size, spec.n_features, generator=generator)
    y = torch.randint(0, spec.n_classes, (config.batch_size,), generator=generator)

    def step() -> None:
        for parameter in model.parameters():
            parameter.grad = None
        F.cross_entropy(model(x), y).backward()
        optimizer.step()

    step()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the timeline export is marked experimental
        with profile(activities=[ProfilerActivity.CPU], profile_memory=True, record_shapes=True,
                     with_stack=True) as profiler:
            step()
        path = tmp_path / "timeline.json"
        profiler.export_memory_timeline(str(path), device="cpu")
    _, sizes = json.loads(path.read_text())[:2]
    return max(sum(by_category) for by_category in sizes)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
@pytest.mark.parametrize("batch_size", [512, 20_000])
def test_the_estimate_is_within_half_again_of_the_profiled_peak(tmp_path: Path, optimizer: str, batch_size: int):
    config = TrainConfig(batch_size=batch_size, optimizer=optimizer)
    estimate, measured = step_memory_estimate(config), _profiled_peak(config, tmp_path)
    assert measured / 1.5 <= estimate <= measured * 1.5, (estimate, measured)


def test_the_estimate_of_another_batch_size_is_that_batch_sizes_estimate() -> None:
    config = TrainConfig(batch_size=32)
    assert step_memory_estimate(config, 512) == step_memory_estimate(TrainConfig(batch_size=512))
