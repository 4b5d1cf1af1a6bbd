"""The Data-parallel page's settings, its URL parameters and the records its run publishes; no torch.

A data-parallel run trains one model in ``devices`` worker processes (``core.train.data_parallel``). Each
rank draws its own share of every epoch through a ``DistributedSampler(shuffle=True, seed=seed)``, which pads
the shuffled indices by repeating the first few, so that the total divides by ``devices``; every rank
then holds ``ceil(n / devices)`` samples. Every sample trains (no validation split), so the counts are those of
``plan(n, batch_size, epochs, world_size=devices)``:

>>> config = DataParallelConfig(devices=3, n_samples=100, batch_size=8, epochs=2)
>>> p = config.plan()
>>> p.samples_per_rank, p.padded_samples, p.iterations_per_epoch, p.total_updates, p.effective_batch_size
(34, 2, 5, 10, 24)

The padding duplicates sit at the end of the padded list, which rank ``r`` reads from position ``r`` in steps of
``devices``; so they are the last draws of the last ranks:

>>> padding_mask(p).nonzero()
(array([1, 2]), array([4, 4]), array([1, 1]))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Literal

import numpy as np

from core.i18n import Message
from core.maths.batching import BatchPlan, plan
from core.maths.catalog import DATASETS, dataset_spec
from core.maths.limits import DP_MAX_DEVICES, DP_MAX_EPOCHS, DP_MAX_SAMPLES, SEED_MAX
from core.views.params import Param, ParamProblem, parse_params, to_query

DP_MODEL = "mlp"  # one hidden layer of HIDDEN_WIDTH ReLU units: tiny, so the run is about the data, not the model
HIDDEN_LAYERS, HIDDEN_WIDTH = 1, 16
LEARNING_RATE = 0.1  # plain SGD: every rank steps with the same averaged gradient, so the replicas stay equal


# The data sets a worker can build on its own; MNIST would have to be downloaded first.
DP_DATASETS: tuple[str, ...] = tuple(name for name, spec in DATASETS.items() if not spec.needs_download)


DpStatus = Literal["waiting", "starting", "running", "finished", "stopped", "failed", "abandoned"]


FINAL: tuple[DpStatus, ...] = ("finished", "stopped", "failed", "abandoned")


@dataclass(frozen=True)
class DataParallelConfig:
    """One data-parallel run: ``devices`` ranks, each drawing ``batch_size`` samples per iteration."""

    devices: int = 2
    n_samples: int = 100
    batch_size: int = 8  # per rank; the global batch is devices x batch_size
    epochs: int = 2
    dataset: str = "moons"
    seed: int = 0

    def plan(self) -> BatchPlan:
        """The counts of this run: every sample trains, split between ``devices`` ranks."""
        return plan(self.n_samples, self.batch_size, self.epochs, world_size=self.devices)

    def validate(self) -> BatchPlan:
        """Raise ValueError (a SettingsError where the tables explain it) when the run cannot start; else the plan."""
        if self.dataset not in DP_DATASETS:
            raise ValueError(f"The data-parallel page cannot download {self.dataset!r}; choose one of {DP_DATASETS}.")
        if not 1 <= self.devices <= DP_MAX_DEVICES:
            raise ValueError(f"devices must be 1 to {DP_MAX_DEVICES}, got {self.devices}.")
        low, high = sample_range(self.dataset, self.devices)
        if not low <= self.n_samples <= high:
            raise ValueError(f"n must be {low} to {high} for {self.dataset}, got {self.n_samples}.")
        if not 1 <= self.epochs <= DP_MAX_EPOCHS:
            raise ValueError(f"epochs must be 1 to {DP_MAX_EPOCHS}, got {self.epochs}.")
        return self.plan()


DEFAULT = DataParallelConfig()


PARAMS: tuple[Param, ...] = (
    Param("devices", "int", DEFAULT.devices, 1, DP_MAX_DEVICES),
    Param("n", "int", DEFAULT.n_samples, 1, DP_MAX_SAMPLES, setting="n_samples"),
    Param("batch_size", "int", DEFAULT.batch_size, 1, DP_MAX_SAMPLES),
    Param("epochs", "int", DEFAULT.epochs, 1, DP_MAX_EPOCHS),
    Param("dataset", "choice", DEFAULT.dataset, choices=DP_DATASETS),
    Param("seed", "int", DEFAULT.seed, 0, SEED_MAX),
)


def _clamped(spec: Param, raw: str) -> int | None:
    """A whole number out of ``spec``'s range moved to the nearest end of it; None when ``raw`` is no number."""
    values, problems = parse_params([replace(spec, low=None, high=None)], {spec.name: raw})
    value = values[spec.attribute]
    if problems or not isinstance(value, int):
        return None
    low, high = int(spec.low if spec.low is not None else value), int(spec.high if spec.high is not None else value)
    return min(max(value, low), high)


def config_from_query(query: Mapping[str, str | Sequence[str]]) -> tuple[DataParallelConfig, list[ParamProblem]]:
    """The run's settings from a shared URL; a number out of range is moved into it, and every change is reported.

    >>> config, problems = config_from_query({"devices": "9", "n": "50", "batch_size": "x"})
    >>> config.devices, config.n_samples, config.batch_size
    (4, 50, 8)
    >>> [(p.name, p.reason, p.used) for p in problems]
    [('devices', 'out_of_range', 4), ('batch_size', 'malformed', 8)]
    """
    values, problems = parse_params(PARAMS, query)
    kept: list[ParamProblem] = []
    for problem in problems:
        spec = next(param for param in PARAMS if param.name == problem.name)
        clamped = _clamped(spec, problem.raw) if problem.reason == "out_of_range" and spec.kind == "int" else None
        if clamped is not None:
            values[spec.attribute] = clamped
            problem = replace(problem, used=clamped)
        kept.append(problem)
    config = DataParallelConfig(**values)  # type: ignore[arg-type]
    low, high = sample_range(config.dataset, config.devices)
    if not low <= config.n_samples <= high:
        used = min(max(config.n_samples, low), high)
        kept = [problem for problem in kept if problem.name != "n"]
        kept.append(ParamProblem("n", str(config.n_samples), "out_of_range", used))
        config = replace(config, n_samples=used)
    return config, kept


def sample_range(dataset: str, devices: int) -> tuple[int, int]:
    """The data-set sizes a run on ``devices`` ranks may use: every rank needs a sample, the figure at most a few."""
    spec = dataset_spec(dataset)
    return max(spec.min_size, devices), min(spec.max_size, DP_MAX_SAMPLES)


def config_to_query(config: DataParallelConfig) -> dict[str, str]:
    """The shareable URL query of a run's settings."""
    return to_query(PARAMS, asdict(config))


def sampler_code(config: DataParallelConfig) -> str:
    """The sampler each rank builds, as code.

    >>> sampler_code(DataParallelConfig(devices=2, seed=7))
    'DistributedSampler(dataset, num_replicas=2, rank=rank, shuffle=True, seed=7)'
    """
    return f"DistributedSampler(dataset, num_replicas={config.devices}, rank=rank, shuffle=True, seed={config.seed})"


def padding_mask(p: BatchPlan) -> np.ndarray:
    """(devices, iterations, width) True where a rank draws one of DistributedSampler's padding duplicates.

    Rank ``r``'s ``k``-th draw of an epoch is position ``k * devices + r`` of the padded list; the positions from
    ``train_samples`` on repeat the list's first ``padded_samples`` indices.
    """
    devices, iterations, width = p.world_size, p.iterations_per_epoch, draw_width(p)
    k = np.arange(iterations * width).reshape(iterations, width)
    position = k[None, :, :] * devices + np.arange(devices)[:, None, None]
    return (position >= p.train_samples) & (k[None, :, :] < p.samples_per_rank)


def draw_width(p: BatchPlan) -> int:
    """Draws in one rank's fullest iteration: the batch size, or a rank's whole share when that is smaller."""
    return min(p.batch_size, p.samples_per_rank)


@dataclass(frozen=True)
class EpochDraws:
    """Which sample each rank drew in each iteration of one epoch, and each rank's loss on its batch.

    The arrays are read-only copies: a page may keep them while the run goes on.
    """

    epoch: int  # 1-based
    indices: np.ndarray  # (devices, iterations, width) int32 sample index; -1 not drawn (yet, or a short last batch)
    losses: np.ndarray  # (devices, iterations) float64; NaN not drawn yet

    @property
    def drawn(self) -> int:
        """Iterations that every rank has finished."""
        done = ~np.isnan(self.losses).any(axis=0)
        return int(np.argmin(done)) if not done.all() else int(done.size)


@dataclass(frozen=True)
class GradientCheck:
    """The first update's all-reduced gradient against one process's gradient on the same global batch."""

    max_abs_diff: float  # over every parameter entry
    max_abs_grad: float  # the largest gradient entry, for scale
    global_batch: int  # samples in the ranks' first batches together (padding duplicates count twice)
    parameters: int


@dataclass(frozen=True)
class RankCounts:
    """What the workers counted themselves: iterations each rank drew per epoch, optimizer steps, samples."""

    iterations: tuple[tuple[int, ...], ...]  # [rank][epoch]
    updates: tuple[int, ...]  # optimizer steps per rank
    samples: tuple[int, ...]  # samples drawn per rank over the run


@dataclass(frozen=True)
class DataParallelSnapshot:
    """Where a data-parallel run stands; immutable, safe to read from any thread."""

    status: DpStatus
    message: Message
    config: DataParallelConfig
    plan: BatchPlan
    epochs: tuple[EpochDraws, ...]  # the epochs started so far, the current one last
    backend: str | None = None  # "gloo" or "nccl" once the workers run
    start_s: float | None = None  # seconds from starting the processes to every rank in the process group
    gradient: GradientCheck | None = None
    counts: RankCounts | None = None  # once every rank has finished
    failed_rank: int | None = None
    queue_position: int | None = None

    @property
    def done(self) -> bool:
        """True once the run has ended, whatever the reason."""
        return self.status in FINAL

    @property
    def updates_done(self) -> int:
        """Updates (iterations every rank finished) so far."""
        return sum(epoch.drawn for epoch in self.epochs)
