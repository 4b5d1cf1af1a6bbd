"""Batch/epoch arithmetic: how many iterations, updates and samples a run makes.

Pure Python (no torch, no Streamlit) so the calculator page answers instantly.
Every count follows a real framework exactly:

- ``framework="pytorch"``: the validation split of
  ``torch.utils.data.random_split(ds, [1 - v, v])``, the batches of
  ``DataLoader`` (``ceil``; ``floor`` with ``drop_last``) and, for several
  devices, a ``DistributedSampler`` with its default padding.
- ``framework="keras"``: ``model.fit(validation_split=v)``, which keeps the
  first ``floor(n * (1 - v))`` rows for training and never drops a batch.

Gradient accumulation follows Lightning and the Hugging Face Trainer: an
epoch's trailing partial group of micro-batches still makes an optimizer step.

>>> p = plan(200, 20, 10)
>>> p.iterations_per_epoch, p.total_updates
(10, 100)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from core.i18n import Message

Framework = Literal["pytorch", "keras"]


Regime = Literal["batch", "stochastic", "mini-batch"]


FRAMEWORKS: tuple[Framework, ...] = ("pytorch", "keras")


class SettingsError(ValueError):
    """Settings no framework would accept; ``key`` and ``values`` let the UI say why in any language."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = f"error.{key}"
        self.values = values
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        """The explanation in ``lang``; a ``field`` value names a setting by its table key."""
        return self.as_message().text(lang)

    def as_message(self) -> Message:
        """The explanation as a translatable value; ``field``, ``dataset`` and ``name`` (a choice) become names."""
        values = dict(self.values)
        if "field" in values:
            values["field"] = Message(f"field.{values['field']}")
        if "dataset" in values:
            values["dataset"] = Message(f"dataset.{values['dataset']}.title")
        if self.key == "error.unknown_choice":
            values["name"] = Message(f"choice.{values['name']}")
        return Message(self.key, values)


@dataclass(frozen=True)
class BatchPlan:
    """Every count of one training run, derived once from its settings."""

    n_samples: int
    batch_size: int
    epochs: int
    drop_last: bool
    validation_split: float
    grad_accum_steps: int
    world_size: int
    framework: Framework
    train_samples: int
    val_samples: int
    samples_per_rank: int  # after DistributedSampler padding; = train_samples on one device
    padded_samples: int  # duplicates DistributedSampler adds so ranks get equal shares
    iterations_per_epoch: int  # batches one rank draws in an epoch
    last_batch_size: int  # size of the final batch of an epoch on one rank (0: no batch)
    dropped_samples: int  # samples (all ranks) that drop_last leaves out of every epoch
    updates_per_epoch: int  # optimizer steps per epoch, after gradient accumulation
    total_updates: int
    samples_per_epoch: int  # samples that go through the model in one epoch, all ranks
    samples_seen: int  # samples_per_epoch * epochs
    effective_batch_size: int  # batch_size * grad_accum_steps * world_size
    regime: Regime

    @property
    def has_partial_last_batch(self) -> bool:
        """True when the last batch of an epoch is smaller than the others."""
        return 0 < self.last_batch_size < self.batch_size

    def epoch_batch_sizes(self) -> np.ndarray:
        """Samples in each iteration of an epoch on one rank, the last one partial as DataLoader makes it (int64).

        >>> plan(1000, 300, 1).epoch_batch_sizes().tolist()
        [300, 300, 300, 100]
        """
        sizes = np.full(self.iterations_per_epoch, self.batch_size, dtype=np.int64)
        if len(sizes):
            sizes[-1] = self.last_batch_size
        return sizes

    @property
    def trailing_accum_micro_batches(self) -> int:
        """Micro-batches in the epoch's last accumulation group, when it is short (else 0)."""
        return self.iterations_per_epoch % self.grad_accum_steps


def _require_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise SettingsError("not_whole", field=name, value=repr(value))
    if value < minimum:
        raise SettingsError("too_small", field=name, minimum=minimum, value=value)
    return int(value)


def _require_split(validation_split: object) -> float:
    if isinstance(validation_split, bool) or not isinstance(validation_split, (int, float)):
        raise SettingsError("split_not_number", value=repr(validation_split))
    v = float(validation_split)
    if not (0.0 <= v < 1.0) or math.isnan(v):
        raise SettingsError("split_range", value=v)
    return v


def split_sizes(n_samples: int, validation_split: float, framework: Framework = "pytorch") -> tuple[int, int]:
    """(train, validation) sample counts as the framework's own split computes them."""
    n = _require_int("n_samples", n_samples, 1)
    v = _require_split(validation_split)
    if framework not in FRAMEWORKS:
        raise SettingsError("framework", value=repr(framework), choices=", ".join(FRAMEWORKS))
    if v == 0.0:
        return n, 0
    if framework == "keras":
        # keras.src.trainers.data_adapters.data_adapter_utils.train_validation_split
        split_at = int(math.floor(n * (1.0 - v)))
        if split_at == 0 or split_at == n:
            raise SettingsError("keras_split_empty", n=n, split=v)
        return split_at, n - split_at
    # torch.utils.data.random_split with fractions: floor each, then hand the
    # remainder out round-robin starting with the first (training) subset.
    lengths = [math.floor(n * frac) for frac in (1 - v, v)]
    for i in range(n - sum(lengths)):
        lengths[i % 2] += 1
    train, val = lengths
    if train == 0:
        raise SettingsError("no_train", n=n, split=v)
    return train, val


def plan(
    n_samples: int,
    batch_size: int,
    epochs: int,
    *,
    drop_last: bool = False,
    validation_split: float = 0.0,
    grad_accum_steps: int = 1,
    world_size: int = 1,
    framework: Framework = "pytorch",
) -> BatchPlan:
    """Count the iterations, updates and samples of a run, as the framework would."""
    batch_size = _require_int("batch_size", batch_size, 1)
    epochs = _require_int("epochs", epochs, 1)
    grad_accum_steps = _require_int("grad_accum_steps", grad_accum_steps, 1)
    world_size = _require_int("world_size", world_size, 1)
    if framework == "keras" and drop_last:
        raise SettingsError("keras_drop_last")
    if framework == "keras" and world_size > 1:
        raise SettingsError("keras_devices")
    train, val = split_sizes(n_samples, validation_split, framework)

    # DistributedSampler(drop_last=False) pads by repeating indices so every
    # rank gets ceil(train / world_size) samples.
    per_rank = -(-train // world_size)
    padded = per_rank * world_size - train
    if drop_last:
        iterations, last = divmod(per_rank, batch_size)
        dropped_per_rank = last
        last_batch = batch_size if iterations else 0
    else:
        iterations = -(-per_rank // batch_size)
        dropped_per_rank = 0
        last_batch = per_rank - (iterations - 1) * batch_size
    updates_per_epoch = -(-iterations // grad_accum_steps)
    samples_per_epoch = (per_rank - dropped_per_rank) * world_size

    if batch_size >= per_rank:
        regime: Regime = "batch"
    elif batch_size == 1:
        regime = "stochastic"
    else:
        regime = "mini-batch"

    return BatchPlan(
        n_samples=int(n_samples),
        batch_size=batch_size,
        epochs=epochs,
        drop_last=bool(drop_last),
        validation_split=float(validation_split),
        grad_accum_steps=grad_accum_steps,
        world_size=world_size,
        framework=framework,
        train_samples=train,
        val_samples=val,
        samples_per_rank=per_rank,
        padded_samples=padded,
        iterations_per_epoch=iterations,
        last_batch_size=last_batch,
        dropped_samples=dropped_per_rank * world_size,
        updates_per_epoch=updates_per_epoch,
        total_updates=updates_per_epoch * epochs,
        samples_per_epoch=samples_per_epoch,
        samples_seen=samples_per_epoch * epochs,
        effective_batch_size=batch_size * grad_accum_steps * world_size,
        regime=regime,
    )


def epochs_for_updates(target_updates: int, updates_per_epoch: int) -> int:
    """Fewest epochs whose updates reach ``target_updates``."""
    target = _require_int("target_updates", target_updates, 1)
    per_epoch = _require_int("updates_per_epoch", updates_per_epoch, 1)
    return -(-target // per_epoch)


def batch_sizes_for_iterations(train_samples: int, iterations: int, *, drop_last: bool = False) -> range:
    """Batch sizes from 1 to ``train_samples`` that give exactly ``iterations`` batches per epoch (may be empty)."""
    n = _require_int("train_samples", train_samples, 1)
    k = _require_int("iterations_per_epoch", iterations, 1)
    if drop_last:
        # floor(n / b) == k  <=>  n // (k + 1) < b <= n // k
        return range(n // (k + 1) + 1, n // k + 1)
    # ceil(n / b) == k  <=>  ceil(n / k) <= b <= ceil(n / (k - 1)) - 1
    lo = -(-n // k)
    hi = n if k == 1 else -(-n // (k - 1)) - 1
    return range(lo, hi + 1) if lo <= hi and -(-n // lo) == k else range(0)


@dataclass(frozen=True)
class Recommendation:
    """The lesson's batch-size guide row for a dataset size."""

    size_class: Literal["small", "medium", "large"]
    low: int
    high: int

    def contains(self, batch_size: int) -> bool:
        """True when ``batch_size`` lies in the recommended range."""
        return self.low <= batch_size <= self.high


# The lesson's table: small (< 1,000) 16-32, medium (1,000-10,000) 32-64, large (> 10,000) 64-256.
RECOMMENDATIONS: tuple[Recommendation, ...] = (
    Recommendation("small", 16, 32),
    Recommendation("medium", 32, 64),
    Recommendation("large", 64, 256),
)


def recommend_batch_size(n_samples: int) -> Recommendation:
    """The lesson's recommended batch-size range for a dataset of ``n_samples``."""
    n = _require_int("n_samples", n_samples, 1)
    if n < 1_000:
        return RECOMMENDATIONS[0]
    if n <= 10_000:
        return RECOMMENDATIONS[1]
    return RECOMMENDATIONS[2]


def epoch_order(n_samples: int, epoch: int, *, shuffle: bool, seed: int = 0) -> np.ndarray:
    """Sample indices in the order one epoch draws them (a fresh permutation per epoch)."""
    n = _require_int("train_samples", n_samples, 1)
    if not shuffle:
        return np.arange(n)
    rng = np.random.default_rng([seed, _require_int("epoch", epoch, 1)])
    return rng.permutation(n)


@dataclass(frozen=True)
class EpochAssignment:
    """Where each training sample goes in one epoch: the batch (iteration) and the device (rank)."""

    batch: np.ndarray  # (N,) 0-based batch index within the epoch; -1 when drop_last leaves it out
    rank: np.ndarray  # (N,) device that draws it (DistributedSampler interleaves ranks)


def batch_assignment(
    n_samples: int,
    batch_size: int,
    epoch: int,
    *,
    shuffle: bool,
    drop_last: bool = False,
    world_size: int = 1,
    seed: int = 0,
) -> EpochAssignment:
    """Sample -> batch index and rank for ``epoch``, like DataLoader over a DistributedSampler."""
    batch_size = _require_int("batch_size", batch_size, 1)
    world_size = _require_int("world_size", world_size, 1)
    order = epoch_order(n_samples, epoch, shuffle=shuffle, seed=seed)
    n = order.size
    per_rank = -(-n // world_size)
    position = np.arange(n)  # only the first n draws are real samples; the rest is padding
    rank = position % world_size
    batch = (position // world_size) // batch_size
    if drop_last:
        batch[batch >= per_rank // batch_size] = -1
    by_sample = EpochAssignment(batch=np.empty_like(batch), rank=np.empty_like(rank))
    by_sample.batch[order] = batch
    by_sample.rank[order] = rank
    return by_sample


def estimate_seconds(samples: int, samples_per_second: float) -> float:
    """Wall time to push ``samples`` through at a measured throughput."""
    if not samples_per_second > 0 or math.isinf(samples_per_second):
        raise SettingsError("throughput", value=samples_per_second)
    return _require_int("samples", samples, 0) / samples_per_second
