"""What the Training page shows of a run: URL settings, the lesson's epoch log, curves and exports.

Pure functions of a ``TrainConfig`` or a runner ``Snapshot``; the page only places what they return.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace

from core.i18n import fmt_duration, fmt_float, t, t_markdown
from core.maths.batching import FRAMEWORKS
from core.maths.catalog import ACTIVATIONS, DATASETS, DEVICES, MODELS, OPTIMIZERS
from core.maths.config import TrainConfig
from core.maths.limits import (
    SEED_MAX,
    TRAIN_HIDDEN_WIDTHS,
    TRAIN_LR_MAX,
    TRAIN_LR_MIN,
    TRAIN_MAX_BATCH,
    TRAIN_MAX_EPOCHS,
    TRAIN_MAX_HIDDEN_LAYERS,
    TRAIN_MAX_NOISE,
    WARMUP_MAX_EPOCHS,
)
from core.maths.lr import DECAYS, RULES, Decay, Rule, peak_schedule, scale_lr
from core.maths.records import Snapshot
from core.views.params import Param, ParamProblem, Schema

DEFAULT_CONFIG = TrainConfig()


LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # slider stops



PARAMS: tuple[Param, ...] = (
    Param("dataset", "choice", DEFAULT_CONFIG.dataset, choices=tuple(DATASETS)),
    Param("n", "int", DEFAULT_CONFIG.n_samples, 1, max(spec.max_size for spec in DATASETS.values()),
          setting="n_samples"),
    Param("noise", "float", DEFAULT_CONFIG.noise, 0.0, TRAIN_MAX_NOISE),
    Param("batch_size", "int", DEFAULT_CONFIG.batch_size, 1, TRAIN_MAX_BATCH),
    Param("epochs", "int", DEFAULT_CONFIG.epochs, 1, TRAIN_MAX_EPOCHS),
    Param("val_split", "float", DEFAULT_CONFIG.validation_split, 0.0, 0.9, setting="validation_split"),
    Param("lr", "float", DEFAULT_CONFIG.learning_rate, TRAIN_LR_MIN, TRAIN_LR_MAX, setting="learning_rate"),
    Param("optimizer", "choice", DEFAULT_CONFIG.optimizer, choices=OPTIMIZERS),
    Param("model", "choice", DEFAULT_CONFIG.model, choices=MODELS),
    Param("hidden_layers", "int", DEFAULT_CONFIG.hidden_layers, 1, TRAIN_MAX_HIDDEN_LAYERS),
    Param("hidden_width", "int", DEFAULT_CONFIG.hidden_width, TRAIN_HIDDEN_WIDTHS[0], TRAIN_HIDDEN_WIDTHS[-1]),
    Param("activation", "choice", DEFAULT_CONFIG.activation, choices=ACTIVATIONS),
    Param("framework", "choice", DEFAULT_CONFIG.framework, choices=FRAMEWORKS),
    Param("seed", "int", DEFAULT_CONFIG.seed, 0, SEED_MAX),
    Param("device", "choice", DEFAULT_CONFIG.device, choices=DEVICES),
    Param("shuffle", "bool", DEFAULT_CONFIG.shuffle),
    Param("drop_last", "bool", DEFAULT_CONFIG.drop_last),
)
SCHEMA = Schema(TrainConfig, PARAMS)  # the Training URL's settings, checked against TrainConfig's fields


@dataclass(frozen=True)
class ScheduleChoice:
    """How the Training page turns its learning rate into a per-update schedule."""

    lr_rule: Rule = "none"  # scale the learning rate from a batch of BASE_BATCH to the chosen batch size
    warmup_epochs: int = 0  # rise from a tenth of the learning rate over this many epochs
    decay: Decay = "constant"  # after warm-up


BASE_BATCH = 32  # the lesson's reference batch size: learning_rate = 0.001 * (batch_size / 32)


SCHEDULE_PARAMS: tuple[Param, ...] = (
    Param("lr_rule", "choice", "none", choices=RULES),
    Param("warmup_epochs", "int", 0, 0, WARMUP_MAX_EPOCHS),
    Param("decay", "choice", "constant", choices=DECAYS),
)
SCHEDULE_SCHEMA = Schema(ScheduleChoice, SCHEDULE_PARAMS)


def schedule_from_query(query: Mapping[str, str | Sequence[str]]) -> tuple[ScheduleChoice, list[ParamProblem]]:
    """The learning-rate schedule choice from a shared URL."""
    return SCHEDULE_SCHEMA.parse(query)


def schedule_to_query(choice: ScheduleChoice) -> dict[str, str]:
    """The URL query of a schedule choice."""
    return SCHEDULE_SCHEMA.to_query(choice)


def with_schedule(config: TrainConfig, choice: ScheduleChoice) -> TrainConfig:
    """``config`` with its learning rate scaled by the rule and, with warm-up or decay, a per-update schedule."""
    peak = scale_lr(config.learning_rate, config.batch_size, BASE_BATCH, choice.lr_rule)
    scaled = replace(config, learning_rate=peak, lr_schedule=None)
    try:
        batch_plan = scaled.plan()
    except ValueError:
        return scaled  # the page explains invalid settings itself
    return replace(scaled, lr_schedule=peak_schedule(batch_plan, peak, choice.warmup_epochs, choice.decay))


def config_from_query(query: Mapping[str, str | Sequence[str]]) -> tuple[TrainConfig, list[ParamProblem]]:
    """A training config from a shared URL; values that cannot be used are reported and replaced."""
    config, problems = SCHEMA.parse(query)
    spec = DATASETS[config.dataset]
    if "dataset" in query and "val_split" not in query:
        # A link that names a data set and no split gets that data set's split: none for the lesson's random data.
        config = replace(config, validation_split=spec.default_val_split)
    if "dataset" in query and "n" not in query:
        config = replace(config, n_samples=spec.default_size)
    elif (used := spec.clamp_size(config.n_samples)) != config.n_samples:
        problems.append(ParamProblem("n", str(config.n_samples), "out_of_range", used))
        config = replace(config, n_samples=used)
    if "noise" not in query:
        config = replace(config, noise=spec.default_noise)
    try:
        config.validate()
    except ValueError:
        # The combination cannot train (e.g. drop_last with a batch larger than the data): keep the page usable.
        problems.append(ParamProblem("batch_size", str(config.batch_size), "conflict", DEFAULT_CONFIG.batch_size))
        config = replace(config, batch_size=min(DEFAULT_CONFIG.batch_size, config.n_samples), drop_last=False)
    return config, problems


def config_to_query(config: TrainConfig) -> dict[str, str]:
    """The shareable URL query of a config."""
    return SCHEMA.to_query(config)


@dataclass(frozen=True)
class FinderChoice:
    """How the Training page's batch-size finder sweeps."""

    memory_budget_mib: int = 1_024  # no batch size whose estimated memory exceeds this is measured


FINDER_SCHEMA = Schema(FinderChoice, (
    Param("memory_budget", "int", FinderChoice.memory_budget_mib, 1, 1_048_576, setting="memory_budget_mib"),
))
TrainingSettings = tuple[TrainConfig, ScheduleChoice, FinderChoice]  # what the Training page's URL and widgets hold
SETTINGS_PARAMS = (*PARAMS, *SCHEDULE_PARAMS, *FINDER_SCHEMA.params)  # every parameter of the Training page's URL


def settings_from_query(query: Mapping[str, str | Sequence[str]]) -> tuple[TrainingSettings, list[ParamProblem]]:
    """The Training page's settings from a shared URL: the config, its learning-rate schedule and the finder's."""
    config, problems = config_from_query(query)
    schedule_choice, schedule_problems = schedule_from_query(query)
    finder, finder_problems = FINDER_SCHEMA.parse(query)
    return (config, schedule_choice, finder), problems + schedule_problems + finder_problems


def settings_to_query(settings: TrainingSettings) -> dict[str, str]:
    """The shareable URL query of the Training page's settings."""
    config, schedule_choice, finder = settings
    return {**config_to_query(config), **schedule_to_query(schedule_choice), **FINDER_SCHEMA.to_query(finder)}


def epoch_log(snapshot: Snapshot, lang: str = "en") -> list[str]:
    """One line per finished epoch in the lesson's format, ``Epoch 1/10, Loss: 0.6931`` (the last batch's loss).

    Validation figures follow only when the run has a validation set; without one the line is the lesson's, exactly.
    """
    total = snapshot.plan.epochs
    lines = []
    for record in snapshot.epochs:
        line = f"Epoch {record.epoch}/{total}, Loss: {record.last_batch_loss:.4f}"
        if snapshot.plan.val_samples and record.val_loss is not None and record.val_accuracy is not None:
            line += "  " + t("train.log.val", lang, loss=f"{record.val_loss:.4f}", acc=f"{record.val_accuracy:.4f}")
        lines.append(line)
    return lines


def progress_text(snapshot: Snapshot, lang: str = "en") -> str:
    """The progress bar's text: where the run is, its time, time left, who it shares with, its speed and device."""
    p = snapshot.progress
    parts: list[str] = [t_markdown("train.progress", lang, epoch=p.epoch, epochs=snapshot.plan.epochs,
                                   iteration=p.iteration, iterations=snapshot.plan.iterations_per_epoch)]
    parts.append(t_markdown("train.elapsed", lang, time=fmt_duration(p.elapsed_s, lang)))
    if p.eta_s is not None and not snapshot.done:
        parts.append(t_markdown("train.eta", lang, time=fmt_duration(p.eta_s, lang)))
    if snapshot.sharing > 1 and not snapshot.done:  # why the time left is longer than the run's own speed says
        parts.append(t_markdown("train.sharing", lang, others=snapshot.sharing - 1))
    if p.samples_per_s:
        parts.append(t_markdown("train.throughput", lang, rate=fmt_float(p.samples_per_s, 0)))
    if snapshot.device:
        parts.append(snapshot.device)
    return " · ".join(parts)


def run_label(index: int, config: TrainConfig) -> str:
    """A short name for a run in legends: number, batch size and learning rate."""
    return f"#{index} · B={config.batch_size} · lr={config.learning_rate:g}"


def history_csv(snapshot: Snapshot) -> str:
    """Every recorded update as CSV rows, with the epoch summary columns on each epoch's last update."""
    h = snapshot.updates
    by_update = {record.updates_done: record for record in snapshot.epochs}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["update", "epoch", "batch_size", "loss", "batch_accuracy", "learning_rate", "samples_seen",
                     "wall_time_s", "epoch_train_loss", "epoch_train_accuracy", "epoch_val_loss",
                     "epoch_val_accuracy"])
    for i in range(len(h)):
        record = by_update.get(int(h.update[i]))
        summary = ["", "", "", ""] if record is None else [
            record.train_loss, record.train_accuracy,
            "" if record.val_loss is None else record.val_loss,
            "" if record.val_accuracy is None else record.val_accuracy,
        ]
        writer.writerow([int(h.update[i]), float(h.epoch[i]), int(h.batch_size[i]), float(h.loss[i]),
                         float(h.accuracy[i]), float(h.lr[i]), int(h.samples_seen[i]), float(h.wall_time[i]),
                         *summary])
    return out.getvalue()


def history_json(snapshot: Snapshot) -> str:
    """The run as JSON: settings, plan, status, per-epoch records (Keras-like) and per-update arrays."""
    h = snapshot.updates
    config = asdict(snapshot.config)
    config.pop("lr_schedule", None)
    document = {
        "config": config,
        "plan": asdict(snapshot.plan),
        "status": snapshot.status,
        "device": snapshot.device,
        "epochs": [asdict(record) for record in snapshot.epochs],
        "history": {
            "loss": [r.train_loss for r in snapshot.epochs],
            "accuracy": [r.train_accuracy for r in snapshot.epochs],
            "val_loss": [r.val_loss for r in snapshot.epochs],
            "val_accuracy": [r.val_accuracy for r in snapshot.epochs],
        },
        "updates": {name: getattr(h, name).tolist() for name in
                    ("update", "epoch", "batch_size", "loss", "accuracy", "lr", "samples_seen", "wall_time")},
    }
    return json.dumps(document, allow_nan=True)
