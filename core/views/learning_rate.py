"""The Learning-rate page's settings and their URL parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from core.maths.limits import (
    SCHEDULE_LR_MAX,
    SCHEDULE_LR_MIN,
    SCHEDULE_MAX_BATCH,
    SCHEDULE_MAX_EPOCHS,
    SCHEDULE_MAX_SAMPLES,
    WARMUP_MAX_EPOCHS,
)
from core.maths.lr import ADAM_BETA1, ADAM_BETA2, ADAM_EPS, DECAYS, LRSettings
from core.views.params import Param, ParamProblem, Schema, format_value

_DEFAULTS = LRSettings()


SCHEMA = Schema(LRSettings, (
    Param("base_lr", "float", _DEFAULTS.base_lr, SCHEDULE_LR_MIN, SCHEDULE_LR_MAX),
    Param("base_batch_size", "int", _DEFAULTS.base_batch_size, 1, SCHEDULE_MAX_BATCH),
    Param("batch_size", "int", _DEFAULTS.batch_size, 1, SCHEDULE_MAX_BATCH),
    Param("initial_lr", "float", _DEFAULTS.initial_lr, 0.0, SCHEDULE_LR_MAX),
    Param("final_lr", "float", _DEFAULTS.final_lr, SCHEDULE_LR_MIN, SCHEDULE_LR_MAX),
    Param("warmup_epochs", "int", _DEFAULTS.warmup_epochs, 0, WARMUP_MAX_EPOCHS),
    Param("n", "int", _DEFAULTS.n_samples, 1, SCHEDULE_MAX_SAMPLES, setting="n_samples"),
    Param("epochs", "int", _DEFAULTS.epochs, 1, SCHEDULE_MAX_EPOCHS),
    Param("decay", "choice", _DEFAULTS.decay, choices=DECAYS),
    Param("min_lr", "float", _DEFAULTS.min_lr, 0.0, SCHEDULE_LR_MAX),
))


PARAMS = SCHEMA.params


def settings_from_query(query: Mapping[str, str | Sequence[str]]) -> tuple[LRSettings, list[ParamProblem]]:
    """The page's settings from a shared URL; unusable values are reported and replaced by defaults."""
    settings, problems = SCHEMA.parse(query)
    if settings.min_lr > settings.final_lr:
        problems.append(ParamProblem("min_lr", format_value(settings.min_lr), "out_of_range", _DEFAULTS.min_lr))
        settings = replace(settings, min_lr=_DEFAULTS.min_lr)
    return settings, problems


def settings_to_query(settings: LRSettings) -> dict[str, str]:
    """The shareable URL query of the page's settings."""
    return SCHEMA.to_query(settings)


@dataclass(frozen=True)
class AdamSettings:
    """Adam's betas and epsilon at the base batch, which the page scales by the square-root rule."""

    beta1: float = ADAM_BETA1
    beta2: float = ADAM_BETA2
    eps: float = ADAM_EPS


ADAM_SCHEMA = Schema(AdamSettings, (
    Param("beta1", "float", ADAM_BETA1, 0.0, 0.9999),
    Param("beta2", "float", ADAM_BETA2, 0.0, 0.999999),
    Param("eps", "float", ADAM_EPS, 0.0, 1.0, digits=12),
))


LRPage = tuple[LRSettings, AdamSettings]  # what the page's URL and widgets hold


def page_from_query(query: Mapping[str, str | Sequence[str]]) -> tuple[LRPage, list[ParamProblem]]:
    """The page's schedule settings and Adam's from a shared URL; unusable values are reported and replaced."""
    settings, problems = settings_from_query(query)
    adam, adam_problems = ADAM_SCHEMA.parse(query)
    return (settings, adam), problems + adam_problems


def page_to_query(page: LRPage) -> dict[str, str]:
    """The shareable URL query of the whole page."""
    return {**settings_to_query(page[0]), **ADAM_SCHEMA.to_query(page[1])}
