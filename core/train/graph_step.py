"""A training update on static buffers, captured as one CUDA graph per batch size: one launch per update on a GPU.

The lesson's MLPs are launch-bound on a GPU: an eager update is dozens of small kernels, each costing more to
launch than to run. Captured once and replayed, the whole update (gather the batch, forward, loss, backward,
optimizer step, metrics) is one ``graph.replay()``. A replay can only touch fixed addresses, so everything
that changes between updates lives in device tensors the graph reads and writes: the epoch's order of rows,
an offset into it, a counter of updates made, the learning rate (refreshed in the graph from the schedule),
and per-update loss and correct-prediction logs that the engine reads back in chunks.

A graph bakes in its shapes, so a partial last batch gets a graph of its own: one more capture per run (a few
milliseconds) keeps every update a single replay, where running that batch eagerly would cost an eager
update every epoch and a second code path whose numbers must stay equal to the first.

Off CUDA nothing is captured and the same step runs eagerly, so its logic is tested on any machine:

>>> from core.maths.batching import plan
>>> from core.train.models import build_model
>>> sizes = plan(10, 4, 1).epoch_batch_sizes().tolist()  # the batch size (so the graph) of each iteration
>>> sizes
[4, 4, 2]
>>> x, y = torch.randn(10, 2, generator=torch.Generator().manual_seed(0)), torch.arange(10) % 2
>>> step = StaticStep(build_model("linear", 2, 2, seed=0), "sgd", x, y, sizes, learning_rate=0.1, total_updates=3)
>>> step.capture()  # a no-op off CUDA
False
>>> step.start_epoch(torch.arange(10))
>>> for batch in range(len(sizes)):
...     step.run(batch)
>>> losses, correct = step.read(0, 3)
>>> losses.shape, step.replays
((3,), {2: 1, 4: 2})
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from core.train.models import functional_forward
from core.train.optimizers import graph_optimizer
from core.train.step import apply_update

WARMUP_STEPS = 3  # eager updates per batch size before capture, as torch's whole-network capture recipe runs


# One capture at a time in this process: entering a capture synchronizes the device and empties the allocator's
# cache, which must not land inside another run's capture.
_CAPTURE_LOCK = threading.Lock()


class StaticStep:
    """The captured step: one training update on fixed-size buffers, recorded as a CUDA graph per batch size."""

    def __init__(
        self,
        model: nn.Sequential,
        optimizer: str,
        x_train: torch.Tensor,
        y_train: torch.Tensor,
        batch_sizes: Sequence[int],
        *,
        learning_rate: float,
        total_updates: int,
        schedule: Sequence[float] | np.ndarray | None = None,
    ) -> None:
        device = x_train.device
        self.device = device
        self.x_train, self.y_train = x_train, y_train
        self._batch_sizes = tuple(batch_sizes)  # (iterations per epoch,) the size of each batch of an epoch
        self.sizes = tuple(sorted(set(batch_sizes)))
        self.record = True  # the graph logs every update's metrics on the device in any case
        first_lr = float(schedule[0]) if schedule is not None else learning_rate
        # float32: the fused CUDA kernels read a tensor learning rate as a float pointer.
        self.lr = torch.tensor(first_lr, dtype=torch.float32, device=device)
        self._schedule = None if schedule is None else torch.as_tensor(
            np.asarray(schedule, dtype=np.float32), device=device)  # (T,)
        self._params = list(model.parameters())
        self.optimizer = graph_optimizer(optimizer, self._params, self.lr)
        self._forward = functional_forward(model)
        self.order = torch.arange(len(x_train), device=device)  # rows of this epoch, in the order they are used
        self.offset = torch.zeros(1, dtype=torch.int64, device=device)  # position of the next batch in the order
        self.step = torch.zeros(1, dtype=torch.int64, device=device)  # updates made, all epochs
        self.losses = torch.zeros(total_updates, dtype=torch.float32, device=device)  # (T,) loss of each update
        self.correct = torch.zeros(total_updates, dtype=torch.int64, device=device)  # (T,) right predictions
        self._positions = {size: torch.arange(size, device=device) for size in self.sizes}
        self._graphs: dict[int, torch.cuda.CUDAGraph] = {}
        self.replays = dict.fromkeys(self.sizes, 0)  # updates run per batch size

    @property
    def captured(self) -> bool:
        """True once every batch size has its CUDA graph."""
        return bool(self._graphs)

    def capture(self) -> bool:
        """On CUDA, warm up and capture one graph per batch size, then restore the start state; else do nothing.

        Returns whether graphs were captured. Warm-up updates are real updates, so the weights, the optimizer
        state and the counters are put back afterwards: the first replay is the run's first update.
        """
        if self.device.type != "cuda" or self._graphs:
            return bool(self._graphs)
        # Warm-up runs the capturable optimizer uncaptured on purpose, as torch's recipe does; since torch 2.13
        # (this project's floor) an optimizer is built with its once-only warning about that already spent, so
        # nothing warns (tests/test_graph_step.py checks it on a GPU, with warnings as errors).
        start = [p.detach().clone() for p in self._params]
        with _CAPTURE_LOCK:
            try:
                self._warm_up_and_capture()
            except BaseException:
                self._graphs.clear()
                raise
            finally:
                self._restore(start)
        return True

    def start_epoch(self, order: torch.Tensor) -> None:
        """Use ``order`` (a permutation of the training rows) for the coming epoch's batches."""
        self.order.copy_(order)
        self.offset.zero_()

    def run(self, batch: int) -> None:
        """The update on the epoch's ``batch``-th batch: a replay when captured, else the same ops eagerly."""
        size = self._batch_sizes[batch]
        graph = self._graphs.get(size)
        if graph is not None:
            graph.replay()
        else:
            self._update(size)
        self.replays[size] += 1

    def read(self, first: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Losses (float32) and right predictions (int64) of updates ``first`` to ``stop - 1`` (0-based)."""
        return self.losses[first:stop].cpu().numpy(), self.correct[first:stop].cpu().numpy()

    def _warm_up_and_capture(self) -> None:
        side = torch.cuda.Stream(self.device)  # type: ignore[no-untyped-call]
        side.wait_stream(torch.cuda.current_stream(self.device))
        with torch.cuda.stream(side):  # warm-up on a side stream, as torch.cuda.graphs asks
            for size in self.sizes:
                for _ in range(WARMUP_STEPS):
                    self._rewind()  # every warm-up batch starts at offset 0, so it never runs past the order
                    self._update(size)
        torch.cuda.current_stream(self.device).wait_stream(side)
        for size in self.sizes:
            graph = torch.cuda.CUDAGraph()
            for parameter in self._params:  # so the captured backward allocates its gradients in the graph
                parameter.grad = None
            # thread_local: other runs may use the GPU from their own threads while this one captures.
            with torch.cuda.graph(graph, capture_error_mode="thread_local"):
                self._update(size)
            self._graphs[size] = graph

    def _update(self, size: int) -> None:
        rows = self.order.index_select(0, self._positions[size] + self.offset)  # (B,)
        x = self.x_train.index_select(0, rows)  # (B, F)
        y = self.y_train.index_select(0, rows)  # (B,)
        if self._schedule is not None:
            self.lr.copy_(self._schedule.index_select(0, self.step).squeeze(0))
        logits, loss = apply_update(self._forward, self._params, self.optimizer.step, x, y)
        with torch.no_grad():
            self.losses.index_copy_(0, self.step, loss.detach().unsqueeze(0))
            self.correct.index_copy_(0, self.step, (logits.argmax(dim=1) == y).sum().unsqueeze(0))
            self.step.add_(1)
            self.offset.add_(size)

    def _rewind(self) -> None:
        self.offset.zero_()
        self.step.zero_()

    @torch.no_grad()
    def _restore(self, start: list[torch.Tensor]) -> None:
        """Put back the weights and a fresh optimizer's state, in place (the graphs hold these addresses)."""
        for parameter, value in zip(self._params, start, strict=True):
            parameter.copy_(value)
        # A fresh Adam starts from zero moments and step 0; zeroed SGD momentum makes the next update
        # buf = 0.9 * 0 + grad = grad, exactly what a first step does.
        for state in self.optimizer.state.values():
            for value in state.values():
                if isinstance(value, torch.Tensor):
                    value.zero_()
        if self._schedule is not None:
            self.lr.copy_(self._schedule[0])
        self._rewind()
        self.losses.zero_()
        self.correct.zero_()
        self.replays = dict.fromkeys(self.sizes, 0)
