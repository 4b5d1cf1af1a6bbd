"""Batch sizes side by side: same data, model, initial weights and seed; only the batch size (and lr) differ.

A ``CompareConfig`` turns into one ``TrainConfig`` per batch size under a budget (equal epochs, equal
updates or equal wall-clock seconds). A ``ComparisonRun`` trains them one after another through
``core.runner.TrainingRun`` (so the server-wide queue still bounds CPU use), then measures gradient noise
at the shared initial weights. ``summarise`` and ``verdicts`` turn the finished runs into the results
table and a verdict on each of the lesson's claims about small and large batches.

>>> config = CompareConfig(TrainConfig(epochs=2), (8, 256), budget="updates")
>>> [(c.batch_size, c.max_updates) for c in config.run_configs()]
[(8, 200), (256, 200)]
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import plotly.graph_objects as go
import torch

from core.background import HEARTBEAT_TIMEOUT_S, BackgroundRun
from core.batching import BatchPlan, SettingsError, split_sizes
from core.datasets import DATASETS
from core.engine import MAX_TOTAL_UPDATES, TrainConfig, Trainer
from core.figures import figure_from_spec
from core.i18n import Message, error_message, fmt_float, t
from core.limits import SEED_MAX, TRAIN_LR_MAX, TRAIN_LR_MIN, TRAIN_MAX_BATCH, TRAIN_MAX_EPOCHS, WARMUP_MAX_EPOCHS
from core.memory import step_memory_estimate
from core.noise import DEFAULT_DRAWS, NoiseReport, measure, model_oracle
from core.params import Param, ParamProblem, format_value, parse_params, to_query
from core.runner import RunQueue, RunStatus, Snapshot, TrainingRun, default_queue, throughput
from core.schedules import DECAYS, RULES, Decay, Rule, peak_schedule, scale_lr
from core.train_figures import RUN_COLOURS

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
    Param("n", "int", DEFAULT.n_samples, 1, max(spec.max_size for spec in DATASETS.values())),
    Param("lr", "float", DEFAULT.learning_rate, TRAIN_LR_MIN, TRAIN_LR_MAX),
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


# ---- URL ---------------------------------------------------------------------------------------------------

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
    n = int(values["n"]) if "n" in query else spec.default_size  # type: ignore[call-overload]
    if not spec.min_size <= n <= spec.max_size:
        used = min(max(n, spec.min_size), spec.max_size)
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
                   learning_rate=float(values["lr"]), seed=int(values["seed"]))  # type: ignore[arg-type, call-overload]
    config = CompareConfig(base, batch_sizes, budget=values["budget"],  # type: ignore[arg-type]
                           seconds=float(values["seconds"]), lr_rule=values["lr_rule"],  # type: ignore[arg-type]
                           warmup_epochs=int(values["warmup_epochs"]),  # type: ignore[call-overload]
                           decay=values["decay"])  # type: ignore[arg-type]
    return config, problems


def compare_to_query(config: CompareConfig) -> dict[str, str]:
    """The shareable URL query of a comparison."""
    base = config.base
    values = {"epochs": base.epochs, "budget": config.budget, "seconds": config.seconds, "dataset": base.dataset,
              "n": base.n_samples, "lr": base.learning_rate, "lr_rule": config.lr_rule,
              "warmup_epochs": config.warmup_epochs, "decay": config.decay, "seed": base.seed}
    return {"batch_sizes": _join(config.batch_sizes), **to_query(PARAMS, values)}


def _join(batch_sizes: Sequence[int]) -> str:
    return ",".join(format_value(b) for b in batch_sizes)


# ---- results ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RunSummary:
    """One batch size's measured results, as the results table shows them."""

    batch_size: int
    learning_rate: float
    status: RunStatus
    updates: int
    epochs_done: float  # samples seen / training samples
    wall_time_s: float
    samples_per_s: float | None
    time_per_epoch_s: float | None
    updates_per_epoch: int
    peak_memory_bytes: int
    memory_is_estimate: bool  # True: CPU estimate from step_memory_estimate; False: measured on CUDA
    train_loss: float | None  # whole training set at the final weights
    train_accuracy: float | None
    val_loss: float | None
    val_accuracy: float | None
    loss_noise: float | None  # standard deviation of the update-to-update change of the batch loss

    @property
    def accuracy_gap(self) -> float | None:
        """Generalisation gap as train accuracy − validation accuracy (positive: better on seen data)."""
        if self.train_accuracy is None or self.val_accuracy is None:
            return None
        return self.train_accuracy - self.val_accuracy

    @property
    def loss_gap(self) -> float | None:
        """Generalisation gap as validation loss − train loss."""
        if self.train_loss is None or self.val_loss is None:
            return None
        return self.val_loss - self.train_loss


def summarise(snapshot: Snapshot) -> RunSummary:
    """The results-table row of one run's latest snapshot."""
    history, plan_ = snapshot.updates, snapshot.plan
    updates = len(history)
    samples = int(history.samples_seen[-1]) if updates else 0
    wall = float(history.wall_time[-1]) if updates else 0.0
    epochs_done = samples / plan_.samples_per_epoch if plan_.samples_per_epoch else 0.0
    final = snapshot.final
    measured = final is not None and final.peak_memory_bytes is not None
    loss = history.loss.astype(np.float64)
    changes = np.diff(loss[np.isfinite(loss)])
    return RunSummary(
        batch_size=snapshot.config.batch_size,
        learning_rate=snapshot.config.learning_rate,
        status=snapshot.status,
        updates=updates,
        epochs_done=epochs_done,
        wall_time_s=wall,
        samples_per_s=throughput(history),  # the figure its progress line shows
        time_per_epoch_s=wall / epochs_done if epochs_done > 0 else None,
        updates_per_epoch=plan_.updates_per_epoch,
        peak_memory_bytes=final.peak_memory_bytes if measured else step_memory_estimate(snapshot.config),  # type: ignore[union-attr, arg-type]
        memory_is_estimate=not measured,
        train_loss=final.train_loss if final else None,
        train_accuracy=final.train_accuracy if final else None,
        val_loss=final.val_loss if final else None,
        val_accuracy=final.val_accuracy if final else None,
        loss_noise=float(changes.std()) if len(changes) >= 2 else None,
    )


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b is not None and b > 0 else None


def _num(value: float, digits: int = 1) -> str:
    return fmt_float(value, digits) if abs(value) >= 10 ** -digits or value == 0 else f"{value:.2g}"


def verdicts(summaries: Sequence[RunSummary], noise: NoiseReport | None, lang: str = "en") -> list[str]:
    """One sentence per seed claim, from the smallest and largest batch's measured numbers."""
    done = [s for s in summaries if s.updates > 0]
    if len(done) < 2:
        return []
    small, large = min(done, key=lambda s: s.batch_size), max(done, key=lambda s: s.batch_size)
    common = {"small": small.batch_size, "large": large.batch_size}

    def say(claim: str, holds: bool, **values: object) -> str:
        verdict = t("compare.verdict.holds" if holds else "compare.verdict.fails", lang)
        return t(f"compare.claim.{claim}", lang, verdict=verdict, **common, **values)

    lines = []
    small_rate = small.updates / small.epochs_done if small.epochs_done else None
    large_rate = large.updates / large.epochs_done if large.epochs_done else None
    ratio = _ratio(small_rate, large_rate)
    if ratio is not None:
        lines.append(say("frequent", ratio > 1, ratio=_num(ratio), small_n=_num(small_rate or 0),
                         large_n=_num(large_rate or 0)))
    ratio = _ratio(small.time_per_epoch_s, large.time_per_epoch_s)
    if ratio is not None:
        lines.append(say("slower", ratio > 1, ratio=_num(ratio), small_s=_num(small.time_per_epoch_s or 0, 3),
                         large_s=_num(large.time_per_epoch_s or 0, 3)))
    ratio = _ratio(large.samples_per_s, small.samples_per_s)
    if ratio is not None:
        lines.append(say("faster", ratio > 1, ratio=_num(ratio), small_r=_num(small.samples_per_s or 0, 0),
                         large_r=_num(large.samples_per_s or 0, 0)))
    ratio = _ratio(small.loss_noise, large.loss_noise)
    if ratio is not None:
        lines.append(say("noisier", ratio > 1, ratio=_num(ratio), small_v=_num(small.loss_noise or 0, 3),
                         large_v=_num(large.loss_noise or 0, 3)))
    if noise is not None and small.batch_size in noise.batch_sizes and large.batch_size in noise.batch_sizes:
        cos_small = noise.cosine[noise.batch_sizes.index(small.batch_size)]
        cos_large = noise.cosine[noise.batch_sizes.index(large.batch_size)]
        lines.append(say("stable", cos_large > cos_small, small_c=_num(cos_small, 2), large_c=_num(cos_large, 2)))
    ratio = _ratio(large.peak_memory_bytes, small.peak_memory_bytes)
    if ratio is not None:
        kind = t("compare.memory_kind.estimate" if large.memory_is_estimate else "compare.memory_kind.measured", lang)
        lines.append(say("memory", ratio > 1, ratio=_num(ratio), small_m=_num(small.peak_memory_bytes / 1024),
                         large_m=_num(large.peak_memory_bytes / 1024), kind=kind))
    if small.accuracy_gap is not None and large.accuracy_gap is not None:
        lines.append(say("generalise", small.accuracy_gap < large.accuracy_gap,
                         small_g=_num(100 * small.accuracy_gap), large_g=_num(100 * large.accuracy_gap)))
    return lines


def noise_figure(report: NoiseReport, *, lang: str = "en") -> go.Figure:
    """Cosine to the full-batch gradient per batch size tried (± one std), with the B_simple estimate marked."""
    sizes = list(report.batch_sizes)
    data: list[dict[str, object]] = [{
        "type": "scatter", "x": sizes, "y": list(report.cosine), "mode": "lines+markers",
        "name": t("compare.fig.tried", lang), "line": {"color": RUN_COLOURS[0], "width": 2},
        "marker": {"size": 9, "color": RUN_COLOURS[0]},
        "error_y": {"type": "data", "array": list(report.cosine_std), "visible": True},
        "text": [f"B={b}" for b in sizes], "hovertemplate": "%{text}: cos %{y:.3f}<extra></extra>",
    }]
    lowest = max(1.0, min(sizes) / 2)
    highest = max(sizes) * 2.0
    b_simple = report.scale.b_simple
    if b_simple is not None:
        lowest, highest = min(lowest, b_simple / 2), max(highest, b_simple * 2)
        data.append({
            "type": "scatter", "x": [b_simple, b_simple], "y": [0, 1], "mode": "lines",
            "name": t("compare.fig.bsimple", lang, value=fmt_float(b_simple, 1)),
            "line": {"color": "#E45756", "width": 2, "dash": "dash"}, "hoverinfo": "skip",
        })
    layout = {
        "height": 300,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "xaxis": {"type": "log", "title": {"text": t("compare.fig.batch", lang)},
                  "range": [math.log10(lowest), math.log10(highest)], "tickvals": sizes},
        "yaxis": {"title": {"text": t("compare.fig.cosine", lang)}, "range": [min(0.0, *report.cosine), 1.05]},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom"},
    }
    return figure_from_spec(data, layout)


# ---- the comparison run --------------------------------------------------------------------------------------

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


@dataclass(frozen=True)
class _Progress:
    """What the comparison's worker publishes: swapped whole, never edited."""

    status: CompareStatus
    runs: tuple[TrainingRun, ...]  # started so far, in the order of configs
    noise: NoiseReport | None = None
    message: Message | None = None


class ComparisonRun(BackgroundRun[_Progress]):
    """Trains each batch size in turn in a daemon thread, then measures gradient noise; poll ``snapshot()``."""

    thread_name = "comparison"

    def __init__(
        self,
        config: CompareConfig,
        *,
        data: tuple[torch.Tensor, torch.Tensor] | None = None,
        queue: RunQueue | None = None,
        heartbeat_timeout_s: float = HEARTBEAT_TIMEOUT_S,
        keepalive: Callable[[], bool] | None = None,
    ) -> None:
        self.config = config
        config.validate()  # bad settings fail here, in the caller
        self.configs = config.run_configs()
        super().__init__(_Progress("waiting", ()), heartbeat_timeout_s=heartbeat_timeout_s, keepalive=keepalive)
        self._data = data
        self._queue = queue

    def _before_start(self) -> None:
        if self._queue is None:
            self._queue = default_queue()

    def stop(self) -> None:
        """Stop the run training now and skip the rest."""
        super().stop()
        for run in self._published.runs:
            run.stop()

    def heartbeat(self) -> None:
        """Tell the comparison (and the run training now) that its page is still open."""
        super().heartbeat()
        for run in self._published.runs:
            run.heartbeat()

    def snapshot(self) -> CompareSnapshot:
        """The comparison now: the worker's published progress and each started run's own snapshot."""
        progress = self._published
        runs = tuple(run.snapshot() for run in progress.runs)
        return CompareSnapshot(progress.status, self.configs, runs, max(0, len(runs) - 1), progress.noise,
                               progress.message)

    def _set(self, **changes: object) -> None:
        self._publish_snapshot(replace(self._published, **changes))  # type: ignore[arg-type]

    def _work(self) -> None:
        assert self._queue is not None  # set by start()
        try:
            self._set(status="running")
            for config in self.configs:
                if self._cancelled():
                    break
                run = TrainingRun(config, data=self._data, queue=self._queue,
                                  heartbeat_timeout_s=self._heartbeat_timeout_s, final_evaluation=True)
                self._set(runs=(*self._published.runs, run))
                run.start()
                while not run.join(0.05):
                    if self._cancelled():
                        run.stop()
                    else:
                        run.heartbeat()
                if run.snapshot().status in ("stopped", "abandoned", "failed"):
                    break
            runs = self._published.runs
            if self.abandoned:
                self._set(status="abandoned")
            elif self._stop.is_set() or len(runs) < len(self.configs):
                failed = bool(runs) and runs[-1].snapshot().status == "failed"
                self._set(status="failed" if failed else "stopped",
                          message=runs[-1].snapshot().message if failed else None)
            else:
                self._set(status="measuring")
                noise = self._measure_noise()
                self._set(status="stopped" if noise is None else "finished", noise=noise)
        except Exception as exc:  # noqa: BLE001 - any failure must reach the page
            self._set(status="failed", message=error_message(exc))

    def _measure_noise(self) -> NoiseReport | None:
        """Gradient noise at the shared initial weights, holding a training slot like a run."""
        assert self._queue is not None
        if not self._queue.acquire(self, cancelled=self._cancelled):
            return None
        try:
            return measure_noise(self.configs[0], self.config.batch_sizes, data=self._data,
                                 draws=self.config.noise_draws)
        finally:
            self._queue.release(self)


def measure_noise(
    config: TrainConfig, batch_sizes: Sequence[int], *, data: tuple[torch.Tensor, torch.Tensor] | None = None,
    draws: int = DEFAULT_DRAWS,
) -> NoiseReport:
    """Gradient noise of ``config``'s model at its initial weights (identical for every batch size compared)."""
    trainer = Trainer(dataclasses.replace(config, max_updates=None, time_budget_s=None), data=data)
    oracle = model_oracle(trainer.model, trainer.x_train, trainer.y_train)
    return measure(oracle, len(trainer.y_train), batch_sizes, draws=draws, seed=config.seed + 3)

