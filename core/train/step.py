"""The training step: one weight update, written once, and the interface the engine's loop drives.

Two implementations: the engine's ``EagerStep`` (batches sliced as views, metrics kept on the device until
read) and ``graph_step.StaticStep`` (fixed buffers, one CUDA graph replay per update). Both call
``apply_update`` for the update itself, so their losses agree by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
import torch
import torch.nn.functional as F

Forward = Callable[[torch.Tensor], torch.Tensor]


def apply_update(
    forward: Forward, parameters: Sequence[torch.Tensor], optimizer_step: Callable[[], object],
    x: torch.Tensor, y: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One weight update on the batch (x (B, F), y (B,)): forward, cross-entropy, backward, step; (logits, loss)."""
    logits = forward(x)  # (B, C)
    loss = F.cross_entropy(logits, y)
    for parameter in parameters:  # zero_grad(set_to_none=True) without its per-call overhead; a graph allocates anew
        parameter.grad = None
    torch.autograd.backward(loss)
    optimizer_step()
    return logits, loss


class Step(Protocol):
    """What ``Trainer.train`` asks of a step: start an epoch, make the next update, read metrics back."""

    optimizer: torch.optim.Optimizer
    record: bool  # keep each update's loss and right predictions for read(); False: the bare loop (eager only)

    def start_epoch(self, order: torch.Tensor) -> None:
        """Use ``order`` (a permutation of the training rows, on the device) for the coming epoch's batches."""

    def run(self, batch: int) -> None:
        """Make the update on the epoch's ``batch``-th batch (0-based)."""

    def read(self, first: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Losses (float32) and right predictions (int64) of updates ``first`` to ``stop - 1`` (0-based), all run."""
