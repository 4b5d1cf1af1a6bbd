"""The Descent paths page's settings and their URL parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, replace

from core.maths.descent import BUDGETS, MAX_NOISE, PathsSettings
from core.maths.limits import (
    PATHS_LR_MAX,
    PATHS_LR_MIN,
    PATHS_MAX_EPOCHS,
    PATHS_MAX_SAMPLES,
    PATHS_MIN_SAMPLES,
    SEED_MAX,
)
from core.views.params import Param, ParamProblem, parse_params, to_query

LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)


DEFAULTS = PathsSettings()


PARAMS: tuple[Param, ...] = (
    Param("n", "int", DEFAULTS.n_samples, PATHS_MIN_SAMPLES, PATHS_MAX_SAMPLES, setting="n_samples"),
    Param("batch_size", "int", DEFAULTS.batch_size, 1, PATHS_MAX_SAMPLES),
    Param("lr", "float", DEFAULTS.learning_rate, PATHS_LR_MIN, PATHS_LR_MAX, setting="learning_rate"),
    Param("epochs", "int", DEFAULTS.epochs, 1, PATHS_MAX_EPOCHS),
    Param("budget", "choice", DEFAULTS.budget, choices=BUDGETS),
    Param("seed", "int", DEFAULTS.seed, 0, SEED_MAX),
    Param("noise", "float", DEFAULTS.noise, 0.0, MAX_NOISE),
)


def settings_from_query(query: Mapping[str, str | Sequence[str]]) -> tuple[PathsSettings, list[ParamProblem]]:
    """Settings from a shared URL; values that cannot be used are reported and replaced."""
    values, problems = parse_params(PARAMS, query)
    settings = PathsSettings(**values)  # type: ignore[arg-type]
    if settings.batch_size > settings.n_samples:
        used = min(DEFAULTS.batch_size, settings.n_samples)
        problems.append(ParamProblem("batch_size", str(settings.batch_size), "out_of_range", used))
        settings = replace(settings, batch_size=used)
    return settings, problems


def settings_to_query(settings: PathsSettings) -> dict[str, str]:
    """The shareable URL query of ``settings``."""
    return to_query(PARAMS, asdict(settings))
