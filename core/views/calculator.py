"""The what-if calculator: its settings, their URL form, and the explanation of a plan.

The page shows exactly what this module returns; messages are i18n keys plus
values so that one explanation serves both languages.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field, replace

from core.maths.batching import BatchPlan, Framework, Recommendation, plan, recommend_batch_size
from core.maths.limits import CALC_MAX_EPOCHS, CALC_MAX_SAMPLES
from core.views.params import Param, ParamProblem, Schema

MAX_ACCUM = 1_024


MAX_DEVICES = 1_024


MAX_VAL_SPLIT = 0.95


@dataclass(frozen=True)
class CalculatorSettings:
    """Everything the calculator page lets a learner set."""

    n_samples: int = 1_000
    batch_size: int = 50
    epochs: int = 20
    drop_last: bool = False
    validation_split: float = 0.0
    framework: Framework = "pytorch"
    accum: int = 1
    devices: int = 1

    def plan(self) -> BatchPlan:
        """The batch plan for these settings."""
        return plan(
            self.n_samples,
            self.batch_size,
            self.epochs,
            drop_last=self.drop_last,
            validation_split=self.validation_split,
            grad_accum_steps=self.accum,
            world_size=self.devices,
            framework=self.framework,
        )


DEFAULTS = CalculatorSettings()


SCHEMA = Schema(CalculatorSettings, (
    Param("n", "int", DEFAULTS.n_samples, 1, CALC_MAX_SAMPLES, setting="n_samples"),
    Param("batch_size", "int", DEFAULTS.batch_size, 1, CALC_MAX_SAMPLES),
    Param("epochs", "int", DEFAULTS.epochs, 1, CALC_MAX_EPOCHS),
    Param("drop_last", "bool", DEFAULTS.drop_last),
    Param("val_split", "float", DEFAULTS.validation_split, 0.0, MAX_VAL_SPLIT, setting="validation_split"),
    Param("framework", "choice", DEFAULTS.framework, choices=("pytorch", "keras")),
    Param("accum", "int", DEFAULTS.accum, 1, MAX_ACCUM),
    Param("devices", "int", DEFAULTS.devices, 1, MAX_DEVICES),
))


PARAMS = SCHEMA.params


@dataclass(frozen=True)
class Preset:
    """A worked example from the lesson, as calculator settings."""

    key: str
    settings: CalculatorSettings


# The lesson's three worked examples: 200/20 for 10 epochs, 1000/50/20, and its Keras MNIST fit.
PRESETS: tuple[Preset, ...] = (
    Preset("preset.lesson_200", CalculatorSettings(n_samples=200, batch_size=20, epochs=10)),
    Preset("preset.lesson_1000", CalculatorSettings(n_samples=1_000, batch_size=50, epochs=20)),
    Preset(
        "preset.mnist",
        CalculatorSettings(n_samples=60_000, batch_size=32, epochs=10, validation_split=0.2, framework="keras"),
    ),
)


def reconcile(
    settings: CalculatorSettings, given: Container[str] | None = None
) -> tuple[CalculatorSettings, list[ParamProblem]]:
    """Settings with cross-field conflicts resolved (Keras-only limits), each change reported.

    A batch size above the dataset size is legal (one full batch per epoch, like ``batch_size=len(X_train)``)
    and kept. ``given`` names the values a link set (None: all of them, as when typed); only a default
    the link did not set is fitted to the link's dataset size, and that is reported as ``adjusted``.
    """
    problems: list[ParamProblem] = []
    if given is not None and "batch_size" not in given and settings.batch_size > settings.n_samples:
        problems.append(ParamProblem("batch_size", "", "adjusted", settings.n_samples,
                                     (("default", settings.batch_size), ("n", settings.n_samples))))
        settings = replace(settings, batch_size=settings.n_samples)
    if settings.framework == "keras" and settings.drop_last:
        problems.append(ParamProblem("drop_last", "true", "conflict", False))
        settings = replace(settings, drop_last=False)
    if settings.framework == "keras" and settings.devices > 1:
        problems.append(ParamProblem("devices", str(settings.devices), "conflict", 1))
        settings = replace(settings, devices=1)
    return settings, problems


def settings_from_query(query: Mapping[str, str | Sequence[str]]) -> tuple[CalculatorSettings, list[ParamProblem]]:
    """Calculator settings from a shared URL, with every value that could not be used reported."""
    settings, problems = SCHEMA.parse(query)
    unusable = {problem.name for problem in problems}
    given = {name for name in query if name not in unusable}
    settings, conflicts = reconcile(settings, given)
    # A problem names the value really used, also when a fallback default was fitted afterwards.
    problems = [replace(p, used=getattr(settings, p.name)) if p.name == "batch_size" else p for p in problems]
    return settings, problems + conflicts


def settings_to_query(settings: CalculatorSettings) -> dict[str, str]:
    """The shareable URL query for ``settings``."""
    return SCHEMA.to_query(settings)


@dataclass(frozen=True)
class WhatIf:
    """The what-if helpers' questions: how many epochs for these updates, which batch for these iterations, how long."""

    updates: int = 1_000  # updates wanted
    iterations: int = 10  # iterations per epoch wanted
    rate: float = 5_000.0  # samples per second the run trains at


WHAT_IF_SCHEMA = Schema(WhatIf, (
    Param("target_updates", "int", WhatIf.updates, 1, 10**12, setting="updates"),
    Param("target_iterations", "int", WhatIf.iterations, 1, CALC_MAX_SAMPLES, setting="iterations"),
    Param("throughput", "float", WhatIf.rate, 0.1, 1e9, setting="rate"),
))


@dataclass(frozen=True)
class PicturesView:
    """How the pictures show the plan: batches drawn shuffled or in order, and the epoch the conveyor shows."""

    shuffle: bool = False
    epoch: int = 1


PICTURES_SCHEMA = Schema(PicturesView, (
    Param("shuffle", "bool", PicturesView.shuffle),
    Param("conveyor_epoch", "int", PicturesView.epoch, 1, CALC_MAX_EPOCHS, setting="epoch"),
))


CalculatorPage = tuple[CalculatorSettings, WhatIf, PicturesView]  # what the page's URL and widgets hold


PAGE_SCHEMAS = (SCHEMA, WHAT_IF_SCHEMA, PICTURES_SCHEMA)


def page_from_query(query: Mapping[str, str | Sequence[str]]) -> tuple[CalculatorPage, list[ParamProblem]]:
    """The page's settings, what-if questions and pictures' view from a shared URL, every unusable value reported."""
    settings, problems = settings_from_query(query)
    what_if, what_if_problems = WHAT_IF_SCHEMA.parse(query)
    view, view_problems = PICTURES_SCHEMA.parse(query)
    if view.epoch > settings.epochs:
        view_problems.append(ParamProblem("conveyor_epoch", str(view.epoch), "out_of_range", PicturesView.epoch))
        view = replace(view, epoch=PicturesView.epoch)
    return (settings, what_if, view), problems + what_if_problems + view_problems


def page_to_query(page: CalculatorPage) -> dict[str, str]:
    """The shareable URL query of the whole page."""
    settings, what_if, view = page
    return {**settings_to_query(settings), **WHAT_IF_SCHEMA.to_query(what_if), **PICTURES_SCHEMA.to_query(view)}


@dataclass(frozen=True)
class Note:
    """One explanation line: an i18n key, its values, and how loudly to show it."""

    key: str
    level: str  # "warning" | "info" | "success"
    values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Explanation:
    """Everything the page says about a plan besides the raw counts."""

    formula: list[str]  # code-style lines, as in the lesson's worked calculation
    sentence: Note  # the lesson's "200 / 20 = 10 -> 10 updates = 1 epoch"
    regime_key: str
    recommendation: Recommendation
    recommendation_note: Note
    notes: list[Note]


def _division(numerator: int, denominator: int, rounding: str) -> str:
    """'200 / 20' when exact (as the lesson writes it), else 'ceil(1000 / 32)' or 'floor(1000 / 32)'."""
    if numerator % denominator == 0:
        return f"{numerator} / {denominator}"
    return f"{rounding}({numerator} / {denominator})"


def explain(p: BatchPlan) -> Explanation:
    """The worked formula, regime, seed recommendation and warnings for a plan."""
    rounding = "floor" if p.drop_last else "ceil"
    formula: list[str] = []
    if p.world_size > 1:
        formula.append(f"samples_per_device = ceil({p.train_samples} / {p.world_size}) = {p.samples_per_rank}")
    formula.append(
        f"iterations_per_epoch = {_division(p.samples_per_rank, p.batch_size, rounding)} = {p.iterations_per_epoch}"
    )
    if p.grad_accum_steps > 1:
        formula.append(
            f"updates_per_epoch = {_division(p.iterations_per_epoch, p.grad_accum_steps, 'ceil')}"
            f" = {p.updates_per_epoch}"
        )
    formula.append(f"total_updates = {p.updates_per_epoch} * {p.epochs} = {p.total_updates}")

    sentence = Note(
        "formula.sentence",
        "info",
        {
            "division": _division(p.samples_per_rank, p.batch_size, rounding),
            "iterations": p.iterations_per_epoch,
            "updates": p.updates_per_epoch,
        },
    )
    regime_key = {"batch": "regime.batch", "stochastic": "regime.stochastic", "mini-batch": "regime.mini_batch"}[
        p.regime
    ]

    rec = recommend_batch_size(p.n_samples)
    if rec.contains(p.batch_size):
        rec_note = Note("rec.inside", "success", {"batch": p.batch_size, "low": rec.low, "high": rec.high})
    else:
        side = "rec.below" if p.batch_size < rec.low else "rec.above"
        rec_note = Note(side, "info", {"batch": p.batch_size, "low": rec.low, "high": rec.high})

    notes: list[Note] = []
    if p.total_updates == 0:
        notes.append(Note("warn.zero_updates", "warning", {"batch": p.batch_size, "per_rank": p.samples_per_rank}))
    elif p.batch_size > p.samples_per_rank:
        notes.append(Note("note.full_batch", "info", {"batch": p.batch_size, "per_rank": p.samples_per_rank}))
    if p.dropped_samples:
        share = 100 * p.dropped_samples / (p.samples_per_rank * p.world_size)
        notes.append(
            Note("warn.dropped", "warning", {"dropped": p.dropped_samples, "percent": f"{share:.1f}"})
        )
    if p.has_partial_last_batch:
        notes.append(
            Note(
                "note.partial",
                "info",
                {"full": p.iterations_per_epoch - 1, "batch": p.batch_size, "last": p.last_batch_size},
            )
        )
    if p.padded_samples:
        notes.append(
            Note(
                "note.padded",
                "info",
                {"padded": p.padded_samples, "devices": p.world_size, "per_rank": p.samples_per_rank},
            )
        )
    if p.grad_accum_steps > 1:
        notes.append(
            Note(
                "note.accum",
                "info",
                {"accum": p.grad_accum_steps, "tail": p.trailing_accum_micro_batches},
            )
        )
    return Explanation(formula, sentence, regime_key, rec, rec_note, notes)
