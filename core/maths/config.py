"""One training run's settings, checked before anything heavy is built; no torch."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from core.maths.batching import FRAMEWORKS, BatchPlan, Framework, SettingsError, plan
from core.maths.catalog import ACTIVATIONS, DEVICES, MODELS, OPTIMIZERS, DatasetSpec, dataset_spec, model_layers
from core.maths.limits import MAX_TOTAL_UPDATES


@dataclass(frozen=True)
class TrainConfig:
    """Every setting of one training run; the defaults train a good moons classifier in a few seconds."""

    dataset: str = "moons"
    n_samples: int = 1_000
    noise: float = 0.2
    model: str = "mlp"
    hidden_layers: int = 2
    hidden_width: int = 32
    activation: str = "relu"
    optimizer: str = "adam"
    learning_rate: float = 0.01
    batch_size: int = 32
    epochs: int = 30
    validation_split: float = 0.2
    framework: Framework = "pytorch"  # whose validation split: random_split-like (pytorch) or last rows (keras)
    shuffle: bool = True
    drop_last: bool = False
    seed: int = 0
    device: str = "auto"
    lr_schedule: tuple[float, ...] | None = None  # one learning rate per update; None: learning_rate throughout
    max_updates: int | None = None  # stop (finished) after this many updates, mid-epoch if need be; None: the plan's
    time_budget_s: float | None = None  # stop (finished) once this many seconds of training have passed; None: none

    def plan(self) -> BatchPlan:
        """The batch/epoch arithmetic of this run, as ``core.maths.batching.plan`` computes it."""
        return plan(
            self.n_samples,
            self.batch_size,
            self.epochs,
            drop_last=self.drop_last,
            validation_split=self.validation_split,
            framework=self.framework,
        )

    def checked(self) -> TrainPlan:
        """These settings validated once, with their batch plan: what a run carries so that nothing checks again."""
        return TrainPlan(self, self.validate())

    def validate(self) -> BatchPlan:
        """Raise ValueError with a readable message if the settings cannot run; else return the plan."""
        spec = dataset_spec(self.dataset)
        _require_choice("model", self.model, MODELS)
        _require_choice("activation", self.activation, ACTIVATIONS)
        _require_choice("optimizer", self.optimizer, OPTIMIZERS)
        _require_choice("framework", self.framework, FRAMEWORKS)
        _require_choice("device", self.device, DEVICES)
        spec.check_size(self.n_samples)
        self._check_numbers(spec)
        batch_plan = self.plan()
        self._check_plan(batch_plan)
        self._check_limits()
        return batch_plan

    def _check_numbers(self, spec: DatasetSpec) -> None:
        """The learning rate, the noise and the model's shape."""
        if not (math.isfinite(self.learning_rate) and self.learning_rate > 0):
            raise SettingsError("lr_positive", value=self.learning_rate)
        if spec.has_noise and not (math.isfinite(self.noise) and self.noise >= 0):
            raise SettingsError("noise", value=self.noise)
        model_layers(self.model, 1, 2, hidden_layers=self.hidden_layers, hidden_width=self.hidden_width,
                     activation=self.activation)

    def _check_plan(self, batch_plan: BatchPlan) -> None:
        """At least one update, at most MAX_TOTAL_UPDATES, and a schedule of one valid rate per update."""
        if batch_plan.total_updates == 0:
            raise SettingsError("drop_every_batch", batch=self.batch_size, train=batch_plan.train_samples)
        if batch_plan.total_updates > MAX_TOTAL_UPDATES:
            raise SettingsError("too_many_updates", updates=batch_plan.total_updates, limit=MAX_TOTAL_UPDATES)
        if self.lr_schedule is None:
            return
        if len(self.lr_schedule) != batch_plan.total_updates:
            raise SettingsError("schedule_length", got=len(self.lr_schedule), needed=batch_plan.total_updates)
        if not all(math.isfinite(lr) and lr >= 0 for lr in self.lr_schedule):
            raise SettingsError("schedule_values")

    def _check_limits(self) -> None:
        """``max_updates`` a whole number of at least 1, ``time_budget_s`` a positive number of seconds."""
        if self.max_updates is not None and not (isinstance(self.max_updates, int) and self.max_updates >= 1):
            raise SettingsError("max_updates", value=repr(self.max_updates))
        if self.time_budget_s is not None and not (math.isfinite(self.time_budget_s) and self.time_budget_s > 0):
            raise SettingsError("time_budget", value=repr(self.time_budget_s))

    def layers(self) -> list[tuple[int, int]]:
        """(inputs, outputs) of each linear layer of this run's model on its data set."""
        spec = dataset_spec(self.dataset)
        return model_layers(self.model, spec.n_features, spec.n_classes, hidden_layers=self.hidden_layers,
                            hidden_width=self.hidden_width, activation=self.activation)

    @property
    def update_limit(self) -> int:
        """Updates this run makes at most: the plan's total, or fewer with ``max_updates``."""
        total = self.plan().total_updates
        return total if self.max_updates is None else min(total, self.max_updates)


@dataclass(frozen=True)
class TrainPlan:
    """A ``TrainConfig`` that passed ``validate()`` (make it with ``config.checked()``) and its batch plan."""

    config: TrainConfig
    batches: BatchPlan

    def without_limits(self) -> TrainPlan:
        """The same run with no ``max_updates`` or time budget: still valid, as no other check reads them."""
        return TrainPlan(replace(self.config, max_updates=None, time_budget_s=None), self.batches)

    @property
    def update_limit(self) -> int:
        """Updates this run makes at most: the plan's total, or fewer with ``max_updates``."""
        limit = self.config.max_updates
        return self.batches.total_updates if limit is None else min(self.batches.total_updates, limit)


def _require_choice(name: str, value: str, choices: Sequence[str]) -> None:
    if value not in choices:
        raise SettingsError("unknown_choice", name=name, value=repr(value), choices=", ".join(choices))
