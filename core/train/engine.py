"""The training engine: one config, tensors on the device, a fast loop whose counts equal ``plan()``.

No DataLoader: each epoch permutes the training tensors once with a seeded
``torch.randperm`` and slices the batches as views, which gives exactly
DataLoader's batches (the last one partial, or dropped with ``drop_last``)
without per-sample collation. Metrics stay on the device and are read back
in chunks, so a CUDA run never waits for the host between updates. ``Trainer.train`` is one loop that asks
a step (``core.train.step.Step``) for each update: on CUDA the captured one (``core.train.graph_step``), one
graph replay per update; elsewhere the eager one below, which is fastest there.

>>> result = Trainer(TrainConfig(n_samples=200, epochs=2)).train()
>>> result.updates_done == TrainConfig(n_samples=200, epochs=2).plan().total_updates
True
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.i18n import Message, message
from core.maths.batching import BatchPlan, Framework, SettingsError, split_sizes
from core.maths.catalog import DATASETS, DEVICES
from core.maths.config import TrainConfig, TrainPlan, _require_choice
from core.maths.records import BoundaryGrid, EpochRecord, UpdateHistory
from core.runtime.throughput import ModelShape, ThroughputCache
from core.train.datasets import load_dataset
from core.train.graph_step import StaticStep
from core.train.mnist import Progress
from core.train.models import build_model, functional_forward
from core.train.optimizers import make_optimizer
from core.train.step import Step, apply_update

EVAL_BATCH = 8_192  # rows per forward pass when evaluating, to bound memory on large validation sets


EngineStatus = Literal["finished", "stopped", "diverged"]
StepMode = Literal["auto", "eager", "static"]  # auto: the captured graph step on CUDA, the eager loop elsewhere


def model_shape(config: TrainConfig) -> ModelShape:
    """The layer sizes of ``config``'s model: with the batch size, what its throughput on a device depends on."""
    return tuple(config.layers())


def choose_device(available: Sequence[str], rates: Mapping[str, float | None], batch_size: int) -> tuple[str, Message]:
    """Among ``available`` devices (in today's order of preference), the measured fastest, else the first; and why.

    >>> choose_device(["cuda", "cpu"], {"cuda": 47_890.0, "cpu": 92_836.0}, 32)[0]
    'cpu'
    >>> choose_device(["cuda", "cpu"], {"cuda": 47_890.0}, 32)[1].key
    'engine.device_choice.default'
    """
    known = {name: rate for name, rate in rates.items() if name in available and rate is not None}
    if len(known) == len(available):
        chosen = max(available, key=lambda name: known[name])
        other = max((name for name in available if name != chosen), key=lambda name: known[name])
        return chosen, message("engine.device_choice.measured", device=Message(f"device.{chosen}"),
                               rate=known[chosen], other=Message(f"device.{other}"), other_rate=known[other],
                               batch=batch_size)
    return available[0], message("engine.device_choice.default", device=Message(f"device.{available[0]}"),
                                 other=Message(f"device.{available[1]}"), batch=batch_size)


def auto_device(
    shape: ModelShape | None = None, batch_size: int | None = None, *, throughputs: ThroughputCache | None = None
) -> tuple[torch.device, Message | None]:
    """What ``device="auto"`` trains on for this model and batch size, and why (None: only the CPU is here).

    The faster device where every available one has a measurement at this batch size in ``throughputs``, else
    the first of CUDA, MPS and CPU that is available. Only the caller's own measurements count: with none,
    the choice is that fixed order, whatever other runs in this process measured.
    """
    available = [name for name, present in (("cuda", torch.cuda.is_available()),
                                            ("mps", torch.backends.mps.is_available())) if present] + ["cpu"]
    if len(available) == 1 or shape is None or batch_size is None:
        return torch.device(available[0]), None
    rates = {name: None if throughputs is None else throughputs.get(name, shape, batch_size) for name in available}
    chosen, why = choose_device(available, rates, batch_size)
    return torch.device(chosen), why


def resolve_device(requested: str) -> tuple[torch.device, Message | None]:
    """The device to train on, and a message when the requested one is not available."""
    _require_choice("device", requested, DEVICES)
    has_cuda = torch.cuda.is_available()
    has_mps = torch.backends.mps.is_available()
    if requested == "auto":
        return auto_device()[0], None
    if requested == "cuda" and not has_cuda:
        return torch.device("cpu"), message("engine.device_fallback.cuda")
    if requested == "mps" and not has_mps:
        return torch.device("cpu"), message("engine.device_fallback.mps")
    return torch.device(requested), None


def split_indices(
    n_samples: int, validation_split: float, framework: Framework, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Row indices of the training and validation sets, as the framework's own split picks them."""
    n_train, _ = split_sizes(n_samples, validation_split, framework)
    if framework == "keras":
        # model.fit(validation_split=v) takes the LAST rows, before any shuffling.
        order = torch.arange(n_samples)
    else:
        # Same indices as random_split(range(n), [n_train, n_val], generator=torch.Generator().manual_seed(seed)).
        order = torch.randperm(n_samples, generator=torch.Generator().manual_seed(seed))
    return order[:n_train], order[n_train:]


def fast_step(optimizer: torch.optim.Optimizer) -> Callable[[], None]:
    """A callable equal to ``optimizer.step()``; for fused Adam it calls the fused kernel directly.

    The direct call uses ``torch._fused_adam_``, a private op: it is used only where a start-up check on this
    torch and this device type gave exactly ``optimizer.step()``'s weights, else ``optimizer.step`` is returned.
    """
    group = optimizer.param_groups[0]
    simple_adam = (
        isinstance(optimizer, torch.optim.Adam) and len(optimizer.param_groups) == 1 and group.get("fused")
        and not any(group.get(flag) for flag in ("amsgrad", "maximize", "capturable", "differentiable",
                                                  "decoupled_weight_decay"))
        and hasattr(torch, "_fused_adam_")
    )
    if not simple_adam or not direct_fused_adam_agrees(group["params"][0].device.type):
        return optimizer.step
    return _direct_fused_adam(optimizer)


def _direct_fused_adam(optimizer: torch.optim.Optimizer) -> Callable[[], None]:
    # Optimizer.step spends more time in Python bookkeeping (hooks, profiler records, regrouping the tensors)
    # than in the fused kernel on a small CPU model: ~130 us of ~215 us per step at batch 8. The kernel calls
    # below are the ones torch.optim.adam._fused_adam makes, on the optimizer's own state.
    group = optimizer.param_groups[0]
    params: list[torch.Tensor] = group["params"]
    buffers: list[list[torch.Tensor]] = []

    def step() -> None:
        if not buffers:
            optimizer.step()  # the first step creates the state (moments and step counters)
            states = [optimizer.state[p] for p in params]
            buffers.extend([[s["exp_avg"] for s in states], [s["exp_avg_sq"] for s in states],
                            [s["step"] for s in states]])
            return
        exp_avgs, exp_avg_sqs, steps = buffers
        beta1, beta2 = group["betas"]
        torch._foreach_add_(steps, 1)
        grads = cast(list[torch.Tensor], [p.grad for p in params])
        torch._fused_adam_(
            params, grads, exp_avgs, exp_avg_sqs, [], steps, amsgrad=False, lr=group["lr"], beta1=beta1, beta2=beta2,
            weight_decay=group["weight_decay"], eps=group["eps"], maximize=False, grad_scale=None, found_inf=None,
        )

    return step


@functools.cache
def direct_fused_adam_agrees(device_type: str) -> bool:
    """True when the direct fused-Adam call gives exactly ``optimizer.step()``'s weights here (checked once)."""
    generator = torch.Generator().manual_seed(0)  # its own generator: the user's seed stays untouched
    start = torch.randn(4, 3, generator=generator)
    grads = [torch.randn(4, 3, generator=generator) for _ in range(4)]
    weights = []
    try:
        for direct in (False, True):
            weight = nn.Parameter(start.clone().to(device_type))
            optimizer = torch.optim.Adam([weight], lr=0.01, fused=True)
            step = _direct_fused_adam(optimizer) if direct else optimizer.step
            for grad in grads:
                weight.grad = grad.to(device_type)
                step()
            weights.append(weight.detach().cpu())
    except (RuntimeError, TypeError):  # the op changed its signature, or the device has no fused Adam
        return False
    return torch.equal(weights[0], weights[1])


@dataclass(frozen=True)
class TrainResult:
    """How a call to ``Trainer.train`` ended, with everything it recorded."""

    status: EngineStatus
    message: Message  # how it ended, in any language: ``message.text(lang)``; ``str(message)`` is English
    updates: UpdateHistory
    epochs: tuple[EpochRecord, ...]
    updates_done: int
    samples_seen: int
    elapsed_s: float
    diverged_at: int | None  # the 1-based update whose loss was first NaN or infinite
    budget_reached: bool = False  # True when max_updates or time_budget_s ended training before the plan did
    peak_memory_bytes: int | None = None  # CUDA only: torch.cuda.max_memory_allocated during training (process-wide)


def grid_bounds(x: torch.Tensor, margin: float = 0.1) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) covering 2-D points with ``margin`` of the span (at least 0.1) each side."""
    lo, hi = x.min(dim=0).values.tolist(), x.max(dim=0).values.tolist()
    pads = [max(margin * (h - low), 0.1) for low, h in zip(lo, hi, strict=True)]
    return lo[0] - pads[0], hi[0] + pads[0], lo[1] - pads[1], hi[1] + pads[1]


@torch.inference_mode()
def decision_boundary(
    model: nn.Module, bounds: tuple[float, float, float, float], *, resolution: int = 80
) -> BoundaryGrid:
    """Evaluate a 2-D classifier on a ``resolution`` x ``resolution`` mesh over ``bounds``."""
    device = next(model.parameters()).device
    xs = torch.linspace(bounds[0], bounds[1], resolution)
    ys = torch.linspace(bounds[2], bounds[3], resolution)
    mesh_y, mesh_x = torch.meshgrid(ys, xs, indexing="ij")  # (R, R) each
    points = torch.stack([mesh_x.reshape(-1), mesh_y.reshape(-1)], dim=1).to(device)  # (R*R, 2)
    was_training = model.training
    model.eval()
    probabilities = torch.softmax(model(points), dim=1).reshape(resolution, resolution, -1).float().cpu()
    model.train(was_training)
    return BoundaryGrid(
        xs=xs.numpy(), ys=ys.numpy(), probabilities=probabilities.numpy(), predicted=probabilities.argmax(-1).numpy()
    )


class _UpdateLog:
    """Per-update arrays that grow with the updates made, not the plan; the prefix [:count] is final once written,
    so views of it stay valid when the arrays grow (growing copies them; the old ones are left as they were)."""

    FIRST_ROWS = 1_024

    def __init__(self, batch_plan: BatchPlan, learning_rates: np.ndarray | float) -> None:
        self._epoch_sizes = batch_plan.epoch_batch_sizes()  # (updates per epoch,)
        self._epoch_samples = np.cumsum(self._epoch_sizes)  # samples seen within an epoch after each update
        self._per_epoch = batch_plan.updates_per_epoch
        self._total = batch_plan.total_updates
        self._learning_rates = learning_rates  # (T,) schedule, or one constant rate
        self.count = 0
        self._rows = 0
        self.loss = np.zeros(0, dtype=np.float32)
        self.accuracy = np.zeros(0, dtype=np.float32)
        self.wall_time = np.zeros(0, dtype=np.float64)
        self.reserve(min(self._total, self.FIRST_ROWS))

    def reserve(self, rows: int) -> None:
        """Make room for ``rows`` updates (at least doubling, at most the plan), keeping what was written."""
        if rows <= self._rows:
            return
        rows = min(self._total, max(rows, 2 * self._rows))
        index = np.arange(rows)
        epochs_before, within = np.divmod(index, self._per_epoch)
        self.update = index + 1
        self.epoch = self.update / self._per_epoch
        self.batch_size = self._epoch_sizes[within]
        self.samples_seen = epochs_before * self._epoch_samples[-1] + self._epoch_samples[within]
        rates = self._learning_rates
        self.lr = rates[:rows] if isinstance(rates, np.ndarray) else np.full(rows, rates, dtype=np.float64)
        for name in ("loss", "accuracy", "wall_time"):
            old = getattr(self, name)
            grown = np.zeros(rows, dtype=old.dtype)
            grown[: self.count] = old[: self.count]
            setattr(self, name, grown)
        self._rows = rows

    def samples_after(self, updates: int) -> int:
        """Training samples seen after ``updates`` updates, recorded or not (``metrics=False`` records none)."""
        if updates == 0:
            return 0
        epochs_before, within = divmod(updates - 1, self._per_epoch)
        return int(epochs_before * self._epoch_samples[-1] + self._epoch_samples[within])

    def view(self) -> UpdateHistory:
        """Read-only views of what has been recorded so far."""
        n = self.count
        arrays = []
        for full in (self.update, self.epoch, self.batch_size, self.loss, self.accuracy, self.lr,
                     self.samples_seen, self.wall_time):
            part = full[:n]
            part.flags.writeable = False
            arrays.append(part)
        return UpdateHistory(*arrays)


class EagerStep:
    """The eager step: each batch gathered into one reused buffer, then ``apply_update``; metrics stay on the device."""

    def __init__(
        self, model: nn.Sequential, optimizer: torch.optim.Optimizer, x_train: torch.Tensor, y_train: torch.Tensor,
        batch_plan: BatchPlan, learning_rates: np.ndarray | None,
    ) -> None:
        self.optimizer = optimizer
        self.record = True
        self._x_train, self._y_train = x_train, y_train
        self._batch = batch_plan.batch_size
        iterations = batch_plan.iterations_per_epoch
        self._used = self._batch * (iterations - 1) + batch_plan.last_batch_size  # rows per epoch; drop_last drops
        self._forward, self._optimizer_step = functional_forward(model), fast_step(optimizer)
        self._parameters = list(model.parameters())
        self._group = optimizer.param_groups[0]
        self._learning_rates = learning_rates  # (T,) one per update, or None: the optimizer's own rate throughout
        self._made = 0  # updates made, all epochs: the index into the schedule
        # One reusable batch buffer: gathering into it allocates nothing, so no page faults per step, and the
        # gathered rows are still in cache for the forward pass. Row b of an epoch is x_train[order[b]].
        x_buffer = torch.empty((self._batch, x_train.shape[1]), dtype=x_train.dtype, device=x_train.device)
        self._x_outs = [x_buffer] * (iterations - 1) + [x_buffer[: batch_plan.last_batch_size]]
        self._orders: Sequence[torch.Tensor] = ()
        self._y_batches: Sequence[torch.Tensor] = ()
        self._y_epoch = y_train
        self._first_row = 0  # the epoch's row where the updates not yet read back start
        self._losses: list[torch.Tensor] = []  # each 0-d: kept on the device, as reading one would make CUDA wait
        self._logits: list[torch.Tensor] = []  # each (B, C), detached

    def start_epoch(self, order: torch.Tensor) -> None:
        """Slice the coming epoch's batches of ``order`` (views, no copies)."""
        self._y_epoch = self._y_train[order]
        self._orders = torch.split(order[: self._used], self._batch)
        self._y_batches = torch.split(self._y_epoch[: self._used], self._batch)
        self._first_row = 0
        self._losses.clear()
        self._logits.clear()

    def run(self, batch: int) -> None:
        """The update on the epoch's ``batch``-th batch, at this update's learning rate."""
        if self._learning_rates is not None:
            self._group["lr"] = float(self._learning_rates[self._made])
        self._made += 1
        x_batch = torch.index_select(self._x_train, 0, self._orders[batch], out=self._x_outs[batch])  # (B, F)
        logits, loss = apply_update(self._forward, self._parameters, self._optimizer_step, x_batch,
                                    self._y_batches[batch])
        if self.record:
            self._losses.append(loss.detach())
            self._logits.append(logits.detach())

    def read(self, first: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Losses and right predictions of the updates run since the last read (``first`` to ``stop - 1``)."""
        assert len(self._losses) == stop - first, "the eager step reads back every update it ran, in order"
        losses = torch.stack(self._losses).float().cpu().numpy()  # (K,)
        predictions = torch.cat(self._logits).argmax(dim=1)  # (samples read,)
        rows = slice(self._first_row, self._first_row + len(predictions))
        hits = (predictions == self._y_epoch[rows]).cpu().numpy()
        offsets = np.concatenate([[0], np.cumsum([len(logits) for logits in self._logits])[:-1]])
        self._first_row = rows.stop
        self._losses.clear()
        self._logits.clear()
        return losses, np.add.reduceat(hits.astype(np.int64), offsets)


@dataclass
class _TrainCall:
    """One call of ``Trainer.train``: how it was asked to run and how far it has got."""

    metrics: bool
    should_stop: Callable[[], bool] | None
    on_chunk: Callable[[Trainer], None] | None
    flush_interval_s: float
    clock: Callable[[], float]
    start: float
    status: EngineStatus = "finished"
    diverged_at: int | None = None
    update: int = 0  # updates made so far, all epochs
    times: list[float] = field(default_factory=list)  # seconds since start after each update not yet read back
    last_flush: float = 0.0


class Trainer:
    """Holds the data, model and optimizer of one run, and trains it."""

    def __init__(
        self,
        config: TrainConfig | TrainPlan,
        *,
        data: tuple[torch.Tensor, torch.Tensor] | None = None,
        progress: Progress | None = None,
        step: StepMode = "auto",
        throughputs: ThroughputCache | None = None,
    ) -> None:
        """``config``: settings (validated here) or a ``TrainPlan`` (validated already, so not again).

        ``step="static"`` runs the graph step's static buffers on any device (captured only on CUDA).
        ``throughputs``: the measurements ``device="auto"`` may compare (the caller's own; none: GPU first).
        """
        checked = config if isinstance(config, TrainPlan) else config.checked()
        self.config = config = checked.config
        self.plan = checked.batches
        self.device_choice: Message | None = None  # why device="auto" picked this device
        self.device_message: Message | None = None  # why the requested device is not used
        if config.device == "auto":
            self.device, self.device_choice = auto_device(model_shape(config), config.batch_size,
                                                          throughputs=throughputs)
        else:
            self.device, self.device_message = resolve_device(config.device)
        spec = DATASETS[config.dataset]
        x, y = data if data is not None else load_dataset(
            config.dataset, config.n_samples, noise=config.noise, seed=config.seed, progress=progress
        )
        if len(x) != config.n_samples or len(y) != config.n_samples:
            raise SettingsError("data_rows", rows=len(x), n=config.n_samples)
        train_idx, val_idx = split_indices(config.n_samples, config.validation_split, config.framework, config.seed)
        self.x_train, self.y_train = x[train_idx].to(self.device), y[train_idx].to(self.device)
        self.x_val, self.y_val = x[val_idx].to(self.device), y[val_idx].to(self.device)
        self.bounds = grid_bounds(x) if spec.is_2d else None
        # Distinct seeds per random stream: the split uses seed (as random_split), init seed + 1, shuffling seed + 2.
        self.model = build_model(
            config.model, spec.n_features, spec.n_classes, hidden_layers=config.hidden_layers,
            hidden_width=config.hidden_width, activation=config.activation, seed=config.seed + 1,
        ).to(self.device)
        self._learning_rates = (None if config.lr_schedule is None
                                else np.asarray(config.lr_schedule, dtype=np.float64))  # (T,) per update
        self.step_message: Message | None = None  # why a CUDA run uses the eager step, when it does
        self.step: Step = self._static_step() if step == "static" or (
            step == "auto" and self.device.type == "cuda") else self._eager_step()
        self._shuffle_generator = torch.Generator().manual_seed(config.seed + 2)
        self._log = _UpdateLog(self.plan, config.learning_rate if self._learning_rates is None
                               else self._learning_rates)
        self.epoch_records: list[EpochRecord] = []
        self.updates_done = 0
        self.elapsed_s = 0.0
        self.budget_reached = False
        self.peak_memory_bytes: int | None = None

    def _eager_step(self) -> EagerStep:
        optimizer = make_optimizer(self.config.optimizer, list(self.model.parameters()), self.config.learning_rate)
        return EagerStep(self.model, optimizer, self.x_train, self.y_train, self.plan, self._learning_rates)

    def _static_step(self) -> Step:
        """The captured step, or the eager one (saying why) where this torch has no fused, tensor-lr optimizer."""
        try:
            return StaticStep(
                self.model, self.config.optimizer, self.x_train, self.y_train, self.plan.epoch_batch_sizes().tolist(),
                learning_rate=self.config.learning_rate, total_updates=self.plan.total_updates,
                schedule=self.config.lr_schedule,
            )
        except (RuntimeError, ValueError, TypeError) as error:
            self.step_message = message("engine.step.graph_failed", error=f"{type(error).__name__}: {error}")
            return self._eager_step()

    @property
    def static(self) -> StaticStep | None:
        """The captured step's buffers when this run uses them (else None: the eager step)."""
        return self.step if isinstance(self.step, StaticStep) else None

    @property
    def optimizer(self) -> torch.optim.Optimizer:
        """The optimizer the step updates the weights with."""
        return self.step.optimizer

    @property
    def history(self) -> UpdateHistory:
        """Per-update records so far (read-only views)."""
        return self._log.view()

    @property
    def uses_graph(self) -> bool:
        """True when updates are replays of captured CUDA graphs (known once ``train`` has started)."""
        return self.static is not None and self.static.captured

    def prepare(self) -> None:
        """Capture the CUDA graphs now (``train`` does it otherwise); on failure, fall back to the eager step."""
        if self.static is None or self.static.captured:
            return
        try:
            self.static.capture()
        except RuntimeError as error:  # the capture left the weights as they were: train them eagerly
            self.step = self._eager_step()
            self.step_message = message("engine.step.graph_failed", error=f"{type(error).__name__}: {error}")

    @property
    def samples_seen(self) -> int:
        """Training samples processed so far."""
        return self._log.samples_after(self.updates_done)

    def boundary_grid(self, resolution: int = 80) -> BoundaryGrid | None:
        """The current model's decision boundary over the data, for 2-D data sets (else None)."""
        return None if self.bounds is None else decision_boundary(self.model, self.bounds, resolution=resolution)

    @torch.inference_mode()
    def evaluate(self, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
        """Mean cross-entropy and accuracy of the current model on (x, y)."""
        self.model.eval()
        loss_sum = torch.zeros((), device=self.device)
        correct = torch.zeros((), device=self.device, dtype=torch.int64)
        for xb, yb in zip(torch.split(x, EVAL_BATCH), torch.split(y, EVAL_BATCH), strict=True):
            logits = self.model(xb)
            loss_sum += F.cross_entropy(logits, yb, reduction="sum")
            correct += (logits.argmax(dim=1) == yb).sum()
        self.model.train()
        return loss_sum.item() / len(y), correct.item() / len(y)

    def train(
        self,
        *,
        metrics: bool = True,
        should_stop: Callable[[], bool] | None = None,
        on_chunk: Callable[[Trainer], None] | None = None,
        flush_interval_s: float = 0.1,
        clock: Callable[[], float] = time.perf_counter,
    ) -> TrainResult:
        """Run every epoch of the plan; ``should_stop`` is asked before each update, ``on_chunk`` after each read-back.

        ``metrics=False`` records nothing (no per-update or per-epoch records, no divergence check): the
        bare loop, for measuring what recording costs. With ``max_updates`` or ``time_budget_s`` set, training
        ends ("finished") once the budget is spent; an epoch cut short gets no epoch record. ``clock`` times
        the run (wall times, throughput, the time budget): a run that shares a slot passes one that stands still
        while it waits for its turn. The first update is read back at once, so a page can show it.
        """
        if self.updates_done:
            raise RuntimeError("This Trainer has already trained; create a new one to train again.")
        self.prepare()
        self.step.record = metrics
        if self.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(self.device)
        self.model.train()
        run = _TrainCall(metrics, should_stop, on_chunk, flush_interval_s, clock, start=clock())
        for epoch in range(1, self.plan.epochs + 1):
            made = self._train_epoch(run)
            self._end_epoch(run, epoch, made)
            if run.status != "finished" or self.budget_reached:
                break
        if self.device.type == "cuda":
            self.peak_memory_bytes = int(torch.cuda.max_memory_allocated(self.device))
        return TrainResult(
            status=run.status,
            message=self._message(run.status, run.diverged_at),
            updates=self.history,
            epochs=tuple(self.epoch_records),
            updates_done=self.updates_done,
            samples_seen=self.samples_seen,
            elapsed_s=self.elapsed_s,
            diverged_at=run.diverged_at,
            budget_reached=self.budget_reached,
            peak_memory_bytes=self.peak_memory_bytes,
        )

    def _train_epoch(self, run: _TrainCall) -> int:
        """One epoch's updates, until its end, a stop, the budget or a divergence; returns the updates made."""
        if self.config.shuffle:
            order = torch.randperm(self.plan.train_samples, generator=self._shuffle_generator).to(self.device)
        else:
            order = torch.arange(self.plan.train_samples, device=self.device)
        self.step.start_epoch(order)
        run.last_flush = run.clock()
        last = self.plan.iterations_per_epoch - 1
        for batch in range(last + 1):
            if run.should_stop is not None and run.should_stop():
                run.status = "stopped"
                return batch
            self.step.run(batch)
            run.update += 1
            if self._budget_spent(run):
                self.budget_reached = True
            if (run.metrics and self._note_time(run, may_flush=batch < last)) or self.budget_reached:
                return batch + 1
        return last + 1

    def _budget_spent(self, run: _TrainCall) -> bool:
        """True when ``max_updates`` or ``time_budget_s`` ends training before the plan does."""
        limit, seconds = self.config.max_updates, self.config.time_budget_s
        return run.update < self.plan.total_updates and (
            (limit is not None and run.update >= limit)
            or (seconds is not None and run.clock() - run.start >= seconds)
        )

    def _note_time(self, run: _TrainCall, *, may_flush: bool) -> bool:
        """Time the update just made and, when a flush is due, read the chunk back; True when training diverged."""
        now = run.clock()
        run.times.append(now - run.start)
        if may_flush and (now - run.last_flush >= run.flush_interval_s or run.update == 1):
            run.diverged_at = self._flush(run)
            if run.diverged_at is not None:
                return True
            run.last_flush = run.clock()
            if run.on_chunk is not None:
                run.on_chunk(self)
        return False

    def _end_epoch(self, run: _TrainCall, epoch: int, made: int) -> None:
        """Read back the epoch's last chunk, count what was done, and record the epoch if it ran to its end."""
        if run.metrics and run.diverged_at is None and run.times:
            run.diverged_at = self._flush(run)
        if run.diverged_at is not None:
            run.status = "diverged"
        self.updates_done = run.update if run.diverged_at is None else run.diverged_at
        self.elapsed_s = run.clock() - run.start
        if run.status == "finished" and run.metrics and made == self.plan.iterations_per_epoch:
            self.epoch_records.append(self._epoch_record(epoch))
        if run.on_chunk is not None and run.metrics:
            run.on_chunk(self)

    def _flush(self, run: _TrainCall) -> int | None:
        """Read the updates not yet read back into the log; return the first diverged update, if any."""
        update = run.update
        first_update = update - len(run.times) + 1  # 1-based
        self._log.reserve(update)
        sizes = self._log.batch_size[first_update - 1:update]
        losses, correct = self.step.read(first_update - 1, update)  # (K,) each
        rows = slice(first_update - 1, update)
        self._log.loss[rows] = losses
        self._log.accuracy[rows] = correct / sizes
        self._log.wall_time[rows] = run.times
        run.times.clear()
        bad = np.flatnonzero(~np.isfinite(losses))
        if bad.size:
            # Keep the history up to and including the update that diverged; what came after is meaningless.
            diverged_at = first_update + int(bad[0])
            self._log.count = self.updates_done = diverged_at
            return diverged_at
        self._log.count = self.updates_done = update
        return None

    def _epoch_record(self, epoch: int) -> EpochRecord:
        per_epoch = self.plan.updates_per_epoch
        rows = slice((epoch - 1) * per_epoch, epoch * per_epoch)
        sizes = self._log.batch_size[rows]
        weights = sizes / sizes.sum()
        val_loss = val_accuracy = None
        if self.plan.val_samples:
            val_loss, val_accuracy = self.evaluate(self.x_val, self.y_val)
        return EpochRecord(
            epoch=epoch,
            train_loss=float(np.dot(self._log.loss[rows], weights)),
            train_accuracy=float(np.dot(self._log.accuracy[rows], weights)),
            val_loss=val_loss,
            val_accuracy=val_accuracy,
            last_batch_loss=float(self._log.loss[rows.stop - 1]),
            updates_done=epoch * per_epoch,
            samples_seen=int(self._log.samples_seen[rows.stop - 1]),
            wall_time=self.elapsed_s,
        )

    def _message(self, status: EngineStatus, diverged_at: int | None) -> Message:
        if diverged_at is not None:
            epoch, iteration = self.position(diverged_at)
            return message("engine.diverged", update=diverged_at, epoch=epoch, iteration=iteration)
        if status == "stopped":
            return message("engine.stopped", done=self.updates_done, total=self.plan.total_updates)
        if self.budget_reached:
            return message("engine.finished_budget", updates=self.updates_done, samples=self.samples_seen)
        return message("engine.finished", epochs=self.plan.epochs, updates=self.updates_done,
                       samples=self.samples_seen)

    def position(self, updates_done: int) -> tuple[int, int]:
        """(epoch, iteration within that epoch), both 1-based, of the ``updates_done``-th update (0: (1, 0))."""
        if updates_done == 0:
            return 1, 0
        epoch, iteration = divmod(updates_done - 1, self.plan.updates_per_epoch)
        return epoch + 1, iteration + 1
