"""The plain records a run leaves behind (histories, snapshots, noise and finder results); no torch.

Workers in ``core.train`` fill them; ``core.views`` and ``core.figures`` read them. All are frozen: a
snapshot handed to a page never changes under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from core.i18n import Message
from core.maths.batching import BatchPlan
from core.maths.config import TrainConfig

DEFAULT_DRAWS = 24  # mini-batches drawn per batch size when measuring gradient noise
CompareStatus = Literal["waiting", "running", "measuring", "finished", "stopped", "failed", "abandoned"]


@dataclass(frozen=True)
class CompareSnapshot:
    """Where a comparison stands: one runner snapshot per batch size started so far, and the noise report."""

    status: CompareStatus
    configs: tuple[TrainConfig, ...]
    runs: tuple[Snapshot, ...]  # in the order of configs; shorter while later runs have not started
    current: int  # index of the run training now (or last trained)
    noise: NoiseReport | None
    message: Message | None  # why it failed (``message.text(lang)``); None otherwise

    @property
    def done(self) -> bool:
        """True once the comparison has ended, whatever the reason."""
        return self.status in ("finished", "stopped", "failed", "abandoned")


StopReason = Literal["dataset", "max_batch", "memory", "oom", "time", "busy"]


STOP_REASONS: tuple[StopReason, ...] = ("dataset", "max_batch", "memory", "oom", "time", "busy")


@dataclass(frozen=True)
class FinderPoint:
    """One measured batch size."""

    batch_size: int
    steps: int  # timed updates (after one untimed warm-up update)
    seconds: float
    samples_per_s: float
    peak_memory_bytes: int
    memory_estimated: bool  # True: estimated from tensor sizes; False: measured by torch.cuda


@dataclass(frozen=True)
class FinderResult:
    """A whole sweep: the measured points in order, and why it stopped."""

    points: tuple[FinderPoint, ...]
    stop_reason: StopReason
    stopped_at: int | None  # the batch size that was not measured (memory, oom, time); None otherwise
    device: str
    train_samples: int

    @property
    def best(self) -> FinderPoint | None:
        """The point with the highest throughput (None when nothing was measured)."""
        return max(self.points, key=lambda p: p.samples_per_s) if self.points else None


@dataclass(frozen=True)
class UpdateHistory:
    """Per-update records, index i = update i + 1; arrays are read-only."""

    update: np.ndarray  # int64, 1-based update number
    epoch: np.ndarray  # float64, epochs completed after this update: 0.5 = half way through the first
    batch_size: np.ndarray  # int64, samples in this update's batch
    loss: np.ndarray  # float32, the batch's mean cross-entropy
    accuracy: np.ndarray  # float32, fraction of the batch classified correctly (before the update)
    lr: np.ndarray  # float64, learning rate used by this update
    samples_seen: np.ndarray  # int64, training samples processed up to and including this update
    wall_time: np.ndarray  # float64, seconds since training started

    def __len__(self) -> int:
        return len(self.update)


@dataclass(frozen=True)
class EpochRecord:
    """Summary of one completed epoch."""

    epoch: int
    train_loss: float  # sample-weighted mean batch loss over the epoch (weights changing as it trains)
    train_accuracy: float
    val_loss: float | None  # None when there is no validation set
    val_accuracy: float | None
    last_batch_loss: float  # what the lesson prints: Epoch {e}/{E}, Loss: {loss:.4f}
    updates_done: int
    samples_seen: int
    wall_time: float


@dataclass(frozen=True)
class BoundaryGrid:
    """Class probabilities of a 2-D model over a mesh: row i is ``ys[i]``, column j is ``xs[j]``."""

    xs: np.ndarray  # (R,)
    ys: np.ndarray  # (R,)
    probabilities: np.ndarray  # (R, R, C) float32
    predicted: np.ndarray  # (R, R) int64, argmax class


RunStatus = Literal["waiting", "running", "finished", "stopped", "capped", "diverged", "failed", "abandoned"]


FINAL_STATUSES: frozenset[str] = frozenset({"finished", "stopped", "capped", "diverged", "failed", "abandoned"})


@dataclass(frozen=True)
class RunProgress:
    """Where a run stands."""

    epoch: int  # 1-based epoch the latest update belongs to
    iteration: int  # 1-based update within that epoch (0 before the first)
    updates_done: int
    total_updates: int
    elapsed_s: float  # training time: the run's own turns, not waiting for them nor preparing the data
    eta_s: float | None  # wall time left at the present pace, waits between turns included; None until timed
    samples_per_s: float | None

    @property
    def fraction(self) -> float:
        """Share of the planned updates done, 0..1."""
        return self.updates_done / self.total_updates


@dataclass(frozen=True)
class FinalEvaluation:
    """The trained model on the whole training and validation sets, at its final weights."""

    train_loss: float
    train_accuracy: float
    val_loss: float | None  # None without a validation set
    val_accuracy: float | None
    peak_memory_bytes: int | None  # CUDA: torch.cuda.max_memory_allocated while training (process-wide); else None


@dataclass(frozen=True)
class Snapshot:
    """An immutable view of a run at one moment; safe to read from any thread."""

    status: RunStatus
    message: Message  # what the run is doing or how it ended: ``message.text(lang)``; ``str(message)`` is English
    config: TrainConfig
    plan: BatchPlan
    updates: UpdateHistory
    epochs: tuple[EpochRecord, ...]
    progress: RunProgress
    boundary: BoundaryGrid | None  # latest decision boundary, 2-D data sets only
    device: str | None  # None until the data is on a device
    device_message: Message | None  # why the requested device was not used, if it was not
    queue_position: int | None  # 1-based place in the queue while waiting for a slot
    diverged_at: int | None
    final: FinalEvaluation | None = None  # set once the run has ended, when the run was asked for it
    device_choice: Message | None = None  # why device="auto" picked this device (said only when there was a choice)
    sharing: int = 1  # runs taking turns in the server's training slots when this was published (1: alone)

    @property
    def done(self) -> bool:
        """True once the run has ended, whatever the reason."""
        return self.status in FINAL_STATUSES


def throughput(history: UpdateHistory) -> float | None:
    """Samples per second of training: samples seen over the time of the last update (evaluation not counted)."""
    if not len(history) or history.wall_time[-1] <= 0:
        return None
    return float(history.samples_seen[-1]) / float(history.wall_time[-1])


def _empty_history() -> UpdateHistory:
    arrays = [np.zeros(0, dtype=dtype) for dtype in (np.int64, np.float64, np.int64, np.float32, np.float32,
                                                      np.float64, np.int64, np.float64)]
    for array in arrays:
        array.flags.writeable = False
    return UpdateHistory(*arrays)


@dataclass(frozen=True)
class NoiseScale:
    """The two-batch-size estimate of ``B_simple = tr(Σ) / |G|²``."""

    b_small: int
    b_big: int
    grad_sq_small: float  # |G_B|² averaged over the draws at b_small
    grad_sq_big: float
    trace_sigma: float  # estimated tr(Σ): total variance of one sample's gradient
    grad_sq: float  # estimated |G|²: squared norm of the true (expected) gradient
    b_simple: float | None  # None when the estimates are not both positive (too few draws, or |G| ≈ 0)


@dataclass(frozen=True)
class NoiseReport:
    """Gradient noise at one set of weights, for each batch size compared."""

    batch_sizes: tuple[int, ...]
    cosine: tuple[float, ...]  # mean cosine similarity of mini-batch and full-batch gradients, per batch size
    cosine_std: tuple[float, ...]  # its standard deviation over the draws
    scale: NoiseScale
    draws: int  # mini-batches drawn per batch size and measurement
    full_grad_norm: float  # |gradient over the whole training set|
    weights: str  # which weights were measured: "initial"
