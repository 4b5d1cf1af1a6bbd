"""What one training step holds in memory: one estimate for the Compare table and the batch-size finder."""

from __future__ import annotations

import torch

from core.datasets import DATASETS
from core.engine import TrainConfig
from core.models import build_model

FLOAT_BYTES = 4  # float32 everywhere in the engine
OPTIMIZER_STATE_COPIES = {"sgd": 0, "momentum": 1, "adam": 2}  # parameter-sized buffers each optimizer keeps


def step_memory_estimate(config: TrainConfig, batch_size: int | None = None) -> int:
    """Bytes one training step holds on a CPU: weights, gradients, optimizer state and saved activations.

    Activations count the input batch and every layer's output (what autograd keeps for the backward pass);
    allocator overhead and the data set are not included. PyTorch's memory profiler puts the default MLP's
    peak at batch 512 at 285,248 bytes against this 289,824 (tests/test_memory.py checks within x1.5); the
    finder's former estimate said 560,160.
    """
    batch = config.batch_size if batch_size is None else batch_size
    spec = DATASETS[config.dataset]
    model = build_model(config.model, spec.n_features, spec.n_classes, hidden_layers=config.hidden_layers,
                        hidden_width=config.hidden_width, activation=config.activation)
    parameters = sum(p.numel() for p in model.parameters())
    per_sample = spec.n_features
    with torch.no_grad():
        x = torch.zeros(1, spec.n_features)
        for layer in model:
            x = layer(x)
            per_sample += x.numel()
    floats = parameters * (2 + OPTIMIZER_STATE_COPIES[config.optimizer]) + batch * per_sample
    return FLOAT_BYTES * floats
