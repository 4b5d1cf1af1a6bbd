"""Batch sizes side by side: same data, model, initial weights and seed; only the batch size (and lr) differ.

A ``CompareConfig`` turns into one ``TrainConfig`` per batch size under a budget (equal epochs, equal
updates or equal wall-clock seconds). A ``ComparisonRun`` trains them one after another through
``core.train.runner.TrainingRun`` (so the server-wide queue still bounds CPU use), then measures gradient noise
at the shared initial weights. ``summarise`` and ``verdicts`` turn the finished runs into the results
table and a verdict on each of the lesson's claims about small and large batches.

>>> config = CompareConfig(TrainConfig(epochs=2), (8, 256), budget="updates")
>>> [(c.batch_size, c.max_updates) for c in config.run_configs()]
[(8, 200), (256, 200)]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from core.maths.batching import BatchPlan, SettingsError, split_sizes
from core.maths.catalog import DATASETS
from core.maths.config import TrainConfig
from core.maths.limits import (
    MAX_TOTAL_UPDATES,
    SEED_MAX,
    TRAIN_LR_MAX,
    TRAIN_LR_MIN,
    TRAIN_MAX_BATCH,
    TRAIN_MAX_EPOCHS,
    WARMUP_MAX_EPOCHS,
)
from core.maths.lr import DECAYS, RULES, Decay, Rule, peak_schedule, scale_lr
from core.maths.records import DEFAULT_DRAWS
from core.views.params import Param, ParamProblem, format_value, parse_params, to_query

Budget = Literal["epochs", "updates", "time"]


LrRule = Rule


BUDGETS: tuple[Budget, ...] = ("epochs", "updates", "time")


LR_RULES: tuple[LrRule, ...] = RULES


DEFAULT_BATCH_SIZES = (8, 32, 256)  # the lesson's small, recommended and large batch


DEFAULT_EPOCHS = 20


DEFAULT_SECONDS = 3.0


MIN_RUNS, MAX_RUNS = 2, 4


MAX_SECONDS = 60.0


MAX_UPDATES_PER_S = 20_000  # sizes a time-budget run's plan: well above the few thousand steps/s a CPU makes here


DEFAULT = TrainConfig(epochs=DEFAULT_EPOCHS)


PARAMS: tuple[Param, ...] = (
    Param("epochs", "int", DEFAULT_EPOCHS, 1, TRAIN_MAX_EPOCHS),
    Param("budget", "choice", "epochs", choices=BUDGETS),
    Param("seconds", "float", DEFAULT_SECONDS, 0.5, MAX_SECONDS),
    Param("dataset", "choice", DEFAULT.dataset, choices=tuple(DATASETS)),
    Param("n", "int", DEFAULT.n_samples, 1, max(spec.max_size for spec in DATASETS.values()), setting="n_samples"),
    Param("lr", "float", DEFAULT.learning_rate, TRAIN_LR_MIN, TRAIN_LR_MAX, setting="learning_rate"),
    Param("lr_rule", "choice", "none", choices=LR_RULES),
    Param("warmup_epochs", "int", 0, 0, WARMUP_MAX_EPOCHS),
    Param("decay", "choice", "constant", choices=DECAYS),
    Param("seed", "int", DEFAULT.seed, 0, SEED_MAX),
)


@dataclass(frozen=True)
class CompareConfig:
    """Everything a comparison needs; ``base`` holds the shared settings (its batch size is ignored)."""

    base: TrainConfig
    batch_sizes: tuple[int, ...]
    budget: Budget = "epochs"
    seconds: float = DEFAULT_SECONDS  # per batch size, for the "time" budget
    lr_rule: LrRule = "none"
    warmup_epochs: int = 0  # warm up every run from a tenth of its learning rate over this many epochs
    decay: Decay = "constant"  # after warm-up
    noise_draws: int = DEFAULT_DRAWS

    @property
    def reference_batch(self) -> int:
        """B_base: the smallest batch size, whose epochs set the "updates" budget and the lr rules' base."""
        return min(self.batch_sizes)

    def budget_updates(self) -> int:
        """Updates every run makes under the "updates" budget: what the reference batch makes in ``epochs``."""
        return replace(self.base, batch_size=self.reference_batch).plan().total_updates

    def run_configs(self) -> tuple[TrainConfig, ...]:
        """One TrainConfig per batch size, in the order given; they differ only in batch size, lr and budget."""
        configs = []
        for batch in self.batch_sizes:
            lr = scale_lr(self.base.learning_rate, batch, self.reference_batch, self.lr_rule)
            config = replace(self.base, batch_size=batch, learning_rate=lr, lr_schedule=None, max_updates=None,
                             time_budget_s=None)
            per_epoch = replace(config, epochs=1).plan().updates_per_epoch
            if self.budget == "updates":
                updates = self.budget_updates()
                config = replace(config, epochs=max(1, math.ceil(updates / per_epoch)), max_updates=updates)
            elif self.budget == "time":
                cap = min(MAX_TOTAL_UPDATES, math.ceil(self.seconds * MAX_UPDATES_PER_S))
                config = replace(config, epochs=max(1, cap // per_epoch), time_budget_s=self.seconds)
            configs.append(replace(config, lr_schedule=peak_schedule(config.plan(), lr, self.warmup_epochs,
                                                                     self.decay)))
        return tuple(configs)

    def validate(self) -> tuple[BatchPlan, ...]:
        """Raise ValueError when the comparison cannot run; else each run's plan."""
        if not MIN_RUNS <= len(self.batch_sizes) <= MAX_RUNS:
            raise SettingsError("compare_count", low=MIN_RUNS, high=MAX_RUNS, count=len(self.batch_sizes))
        if len(set(self.batch_sizes)) != len(self.batch_sizes):
            raise SettingsError("compare_distinct", sizes=_join(self.batch_sizes))
        if self.budget not in BUDGETS:
            raise SettingsError("unknown_choice", name="budget", value=repr(self.budget), choices=", ".join(BUDGETS))
        if not (math.isfinite(self.seconds) and 0 < self.seconds <= MAX_SECONDS):
            raise SettingsError("compare_seconds", maximum=MAX_SECONDS, value=self.seconds)
        return tuple(config.validate() for config in self.run_configs())


def parse_batch_sizes(raw: str, high: int = TRAIN_MAX_BATCH) -> tuple[int, ...] | None:
    """``"8, 32,256"`` -> (8, 32, 256): 2-4 distinct whole numbers from 1 to ``high``, sorted; else None."""
    values = _whole_numbers(raw)
    if values is None or not MIN_RUNS <= len(values) <= MAX_RUNS or values[0] < 1 or values[-1] > high:
        return None
    return values


def _whole_numbers(raw: str) -> tuple[int, ...] | None:
    try:
        return tuple(sorted({int(part) for part in raw.replace(" ", "").split(",") if part}))
    except ValueError:
        return None


def fit_batch_sizes(wanted: Sequence[int], train: int) -> tuple[int, ...]:
    """2-4 distinct batch sizes from 1 to ``train`` that stay close to ``wanted``.

    Sizes above the training set become the full batch ``train`` (they would all train alike); when fewer
    than two distinct sizes are left, the lesson's sizes are fitted instead, then a quarter batch and the full one.
    """
    for sizes in (wanted, DEFAULT_BATCH_SIZES):
        fitted = tuple(sorted({min(b, train) for b in sizes if b >= 1}))
        if MIN_RUNS <= len(fitted) <= MAX_RUNS:
            return fitted
    return tuple(sorted({max(1, train // 4), max(train, 2)}))


def compare_from_query(query: Mapping[str, str | Sequence[str]]) -> tuple[CompareConfig, list[ParamProblem]]:
    """A comparison from a shared URL; values that cannot be used are reported and replaced.

    Batch sizes must be 2-4 distinct sizes from 1 to the training-set size; what replaces them stays as
    close to the link's as it can (see ``fit_batch_sizes``), and the message names the training-set size.
    """
    values, problems = parse_params(PARAMS, query)
    dataset = str(values["dataset"])
    spec = DATASETS[dataset]
    n = int(values["n_samples"]) if "n" in query else spec.default_size  # type: ignore[call-overload]
    used = spec.clamp_size(n)
    if used != n:
        problems.append(ParamProblem("n", str(n), "out_of_range", used))
        n = used
    train, _ = split_sizes(n, DEFAULT.validation_split, DEFAULT.framework)
    batch_sizes: tuple[int, ...] = DEFAULT_BATCH_SIZES
    if "batch_sizes" in query:
        raw = query["batch_sizes"]
        text = raw if isinstance(raw, str) else (raw[-1] if raw else "")
        parsed = parse_batch_sizes(text, high=train)
        if parsed is None:
            batch_sizes = fit_batch_sizes(_whole_numbers(text) or (), train)
            problems.append(ParamProblem("batch_sizes", text, "malformed", _join(batch_sizes), (("train", train),)))
        else:
            batch_sizes = parsed
    elif DEFAULT_BATCH_SIZES[-1] > train:
        batch_sizes = fit_batch_sizes(DEFAULT_BATCH_SIZES, train)
        problems.append(ParamProblem("batch_sizes", "", "adjusted", _join(batch_sizes),
                                     (("default", _join(DEFAULT_BATCH_SIZES)), ("train", train))))
    base = replace(DEFAULT, dataset=dataset, n_samples=n, noise=spec.default_noise,
                   epochs=int(values["epochs"]),  # type: ignore[call-overload]
                   learning_rate=float(values["learning_rate"]), seed=int(values["seed"]))  # type: ignore[arg-type, call-overload]
    config = CompareConfig(base, batch_sizes, budget=values["budget"],  # type: ignore[arg-type]
                           seconds=float(values["seconds"]), lr_rule=values["lr_rule"],  # type: ignore[arg-type]
                           warmup_epochs=int(values["warmup_epochs"]),  # type: ignore[call-overload]
                           decay=values["decay"])  # type: ignore[arg-type]
    return config, problems


def compare_to_query(config: CompareConfig) -> dict[str, str]:
    """The shareable URL query of a comparison."""
    base = config.base
    values = {"epochs": base.epochs, "budget": config.budget, "seconds": config.seconds, "dataset": base.dataset,
              "n_samples": base.n_samples, "learning_rate": base.learning_rate, "lr_rule": config.lr_rule,
              "warmup_epochs": config.warmup_epochs, "decay": config.decay, "seed": base.seed}
    return {"batch_sizes": _join(config.batch_sizes), **to_query(PARAMS, values)}


def _join(batch_sizes: Sequence[int]) -> str:
    return ",".join(format_value(b) for b in batch_sizes)
