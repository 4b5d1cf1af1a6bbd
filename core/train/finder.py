"""Batch-size finder: measure training throughput (samples/s) and memory for doubling batch sizes.

Like Lightning's ``Tuner.scale_batch_size(mode="power")``: batch sizes 1, 2, 4, ... until the data
set's size, a memory budget, an out-of-memory error or a time budget stops the sweep. Every
measurement is a few real updates of ``core.train.engine.Trainer`` (no second training loop): the first
update of each size is a warm-up (it allocates the optimizer state) and is not timed.

Memory: on CUDA the peak that ``torch.cuda.max_memory_allocated`` saw (it includes the data set
on the GPU); elsewhere an estimate from the sizes of the weights, gradients, optimizer state and
activations, which ``FinderPoint.memory_estimated`` flags.

>>> result = find_batch_size(TrainConfig(n_samples=64, validation_split=0.0), steps=2, time_budget_s=60)
>>> [p.batch_size for p in result.points], result.stop_reason
([1, 2, 4, 8, 16, 32, 64], 'dataset')
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import torch

from core.maths.config import TrainConfig
from core.maths.memory import step_memory_estimate
from core.maths.records import FinderPoint, FinderResult, StopReason
from core.runtime.slots import RunQueue
from core.runtime.throughput import ThroughputCache
from core.train.datasets import load_dataset
from core.train.engine import Trainer

PLANNED_UPDATES = 20_000  # updates planned per batch size; the time budget stops far earlier


def doubling_sizes(limit: int) -> list[int]:
    """1, 2, 4, ... below ``limit``, then ``limit`` itself (Lightning's power mode, capped at the data set)."""
    sizes, size = [], 1
    while size < limit:
        sizes.append(size)
        size *= 2
    return [*sizes, limit]


def _is_oom(error: BaseException) -> bool:
    if isinstance(error, torch.OutOfMemoryError):
        return True
    text = str(error).lower()
    return isinstance(error, RuntimeError) and ("out of memory" in text or "can't allocate memory" in text)


@dataclass(frozen=True)
class _Sweep:
    """How each batch size is measured, and the budgets that end the sweep."""

    data: tuple[torch.Tensor, torch.Tensor]
    steps: int
    min_time_s: float
    size_budget_s: float
    time_budget_s: float
    memory_budget_bytes: int | None
    on_point: Callable[[FinderPoint, int, int], None] | None
    throughputs: ThroughputCache | None

    def over_memory(self, size_bytes: int) -> bool:
        """True when ``size_bytes`` exceeds the memory budget (never without one)."""
        return self.memory_budget_bytes is not None and size_bytes > self.memory_budget_bytes


def _measure(config: TrainConfig, sweep: _Sweep) -> tuple[FinderPoint, str]:
    """Time at least ``steps`` updates and ``min_time_s`` of a ``Trainer`` after one untimed warm-up update."""
    trainer = Trainer(config, data=sweep.data)
    cuda = trainer.device.type == "cuda"

    def sync() -> None:
        if cuda:
            torch.cuda.synchronize(trainer.device)

    if cuda:
        sync()
        torch.cuda.reset_peak_memory_stats(trainer.device)
    calls, timed = 0, 0
    start = end = 0.0

    def should_stop() -> bool:  # asked before every update: call k comes after k - 1 updates
        nonlocal calls, timed, start, end
        calls += 1
        if calls == 2:
            sync()
            start = time.perf_counter()
        elif calls > 2:
            timed = calls - 2
            elapsed = time.perf_counter() - start
            if (timed >= sweep.steps and elapsed >= sweep.min_time_s) or elapsed > sweep.size_budget_s:
                sync()
                end = time.perf_counter()
                return True
        return False

    trainer.train(metrics=False, should_stop=should_stop)
    if not end:  # the plan ran out before the clock did: every update after the first was timed
        sync()
        end, timed = time.perf_counter(), trainer.updates_done - 1
    seconds = max(end - start, 1e-9)
    if cuda:
        peak, estimated = int(torch.cuda.max_memory_allocated(trainer.device)), False
    else:
        peak, estimated = step_memory_estimate(config), True
    point = FinderPoint(batch_size=config.batch_size, steps=timed, seconds=seconds,
                        samples_per_s=timed * config.batch_size / seconds, peak_memory_bytes=peak,
                        memory_estimated=estimated)
    if sweep.throughputs is not None:  # device="auto" compares devices by what its caller measured here
        sweep.throughputs.record_run(trainer.device.type, config, point.samples_per_s)
    return point, str(trainer.device)


def _sweep(
    base: TrainConfig, sizes: list[int], sweep: _Sweep, end_reason: StopReason
) -> tuple[list[FinderPoint], str, StopReason, int | None]:
    """Measure ``sizes`` in turn until one of the budgets stops the sweep: (points, device, why, size stopped at)."""
    points: list[FinderPoint] = []
    device = ""
    train_samples = base.plan().train_samples
    started = 0.0  # set after the first size, which also pays torch's one-off start-up costs (seconds, cold)
    for size in sizes:
        if points and time.perf_counter() - started > sweep.time_budget_s:
            return points, device, "time", size
        if sweep.over_memory(step_memory_estimate(base, size)):
            return points, device, "memory", size
        # Enough epochs that the clock, not the plan, ends the measurement.
        epochs = math.ceil(max(sweep.steps + 2, PLANNED_UPDATES) / (train_samples // size))
        try:
            point, device = _measure(replace(base, batch_size=size, epochs=epochs), sweep)
        except (RuntimeError, torch.OutOfMemoryError) as error:
            if not _is_oom(error):
                raise
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
            return points, device, "oom", size
        if sweep.over_memory(point.peak_memory_bytes):
            return points, device, "memory", size
        points.append(point)
        if len(points) == 1:
            started = time.perf_counter()
        if sweep.on_point is not None:
            sweep.on_point(point, len(points), len(sizes))
    return points, device, end_reason, None


def find_batch_size(
    config: TrainConfig,
    *,
    data: tuple[torch.Tensor, torch.Tensor] | None = None,
    steps: int = 5,
    max_batch_size: int | None = None,
    memory_budget_bytes: int | None = None,
    min_time_s: float = 0.1,
    size_budget_s: float = 0.5,
    time_budget_s: float = 4.0,
    queue: RunQueue | None = None,
    queue_wait_s: float = 10.0,
    on_point: Callable[[FinderPoint, int, int], None] | None = None,
    throughputs: ThroughputCache | None = None,
) -> FinderResult:
    """Sweep doubling batch sizes of ``config``'s model and data; ``on_point(point, done, planned)`` after each.

    Each size trains for at least ``steps`` updates and ``min_time_s`` (at most ``size_budget_s``),
    so that short steps are not timed by a clock's resolution alone.

    The sweep stops at the training set's size (or ``max_batch_size``), before a size whose memory
    (estimated beforehand; on CUDA also measured) exceeds ``memory_budget_bytes``, on an out-of-memory
    error, or once ``time_budget_s`` has passed since the first size was measured. With a ``queue`` it
    waits (up to ``queue_wait_s``) for a training slot, so that it does not compete with training runs.
    Each point is recorded in ``throughputs`` when given: the caller's own cache, for its ``device="auto"``.
    """
    if steps < 1:
        raise ValueError(f"At least one timed step per batch size is needed, got {steps}.")
    base = replace(config, lr_schedule=None, drop_last=True, shuffle=True)
    train_samples = base.plan().train_samples
    limit = train_samples if max_batch_size is None else min(train_samples, max_batch_size)
    end_reason: StopReason = "dataset" if limit == train_samples else "max_batch"
    if data is None:
        data = load_dataset(config.dataset, config.n_samples, noise=config.noise, seed=config.seed)
    sweep = _Sweep(data, steps, min_time_s, size_budget_s, time_budget_s, memory_budget_bytes, on_point, throughputs)
    token = object()
    if queue is not None:
        deadline = time.monotonic() + queue_wait_s
        if not queue.acquire(token, cancelled=lambda: time.monotonic() > deadline):
            return FinderResult((), "busy", None, "", train_samples)
    try:
        points, device, reason, stopped_at = _sweep(base, doubling_sizes(max(1, limit)), sweep, end_reason)
    finally:
        if queue is not None:
            queue.release(token)
    return FinderResult(tuple(points), reason, stopped_at, device, train_samples)
