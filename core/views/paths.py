"""The Descent paths page's settings and their URL parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from core.maths.batching import plan
from core.maths.descent import BUDGETS, MAX_NOISE, PathsSettings, target_updates
from core.maths.limits import (
    PATHS_LR_MAX,
    PATHS_LR_MIN,
    PATHS_MAX_EPOCHS,
    PATHS_MAX_SAMPLES,
    PATHS_MIN_SAMPLES,
    SEED_MAX,
)
from core.views.params import Param, ParamProblem, Schema

LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)


DEFAULTS = PathsSettings()


SCHEMA = Schema(PathsSettings, (
    Param("n", "int", DEFAULTS.n_samples, PATHS_MIN_SAMPLES, PATHS_MAX_SAMPLES, setting="n_samples"),
    Param("batch_size", "int", DEFAULTS.batch_size, 1, PATHS_MAX_SAMPLES),
    Param("lr", "float", DEFAULTS.learning_rate, PATHS_LR_MIN, PATHS_LR_MAX, setting="learning_rate"),
    Param("epochs", "int", DEFAULTS.epochs, 1, PATHS_MAX_EPOCHS),
    Param("budget", "choice", DEFAULTS.budget, choices=BUDGETS),
    Param("seed", "int", DEFAULTS.seed, 0, SEED_MAX),
    Param("noise", "float", DEFAULTS.noise, 0.0, MAX_NOISE),
))


PARAMS = SCHEMA.params


@dataclass(frozen=True)
class PathsView:
    """What the page draws of the paths: their first ``shown`` updates (None: every update, the slider's end)."""

    shown: int | None = None


# The most updates a path can make: stochastic descent over the most samples for the most epochs.
VIEW_SCHEMA = Schema(PathsView, (Param("shown", "int", None, 0, PATHS_MAX_SAMPLES * PATHS_MAX_EPOCHS),))


PathsPage = tuple[PathsSettings, PathsView]  # what the page's URL and widgets hold


def settings_from_query(query: Mapping[str, str | Sequence[str]]) -> tuple[PathsSettings, list[ParamProblem]]:
    """Settings from a shared URL; values that cannot be used are reported and replaced."""
    settings, problems = SCHEMA.parse(query)
    if settings.batch_size > settings.n_samples:
        used = min(DEFAULTS.batch_size, settings.n_samples)
        problems.append(ParamProblem("batch_size", str(settings.batch_size), "out_of_range", used))
        settings = replace(settings, batch_size=used)
    return settings, problems


def settings_to_query(settings: PathsSettings) -> dict[str, str]:
    """The shareable URL query of ``settings``."""
    return SCHEMA.to_query(settings)


def planned_updates(settings: PathsSettings) -> int:
    """The most updates one of the three paths makes when none diverges: stochastic's, or the shared budget."""
    if settings.budget == "updates":
        return target_updates(settings)
    return plan(settings.n_samples, 1, settings.epochs).total_updates


def page_from_query(query: Mapping[str, str | Sequence[str]]) -> tuple[PathsPage, list[ParamProblem]]:
    """The page's settings and view from a shared URL; values that cannot be used are reported and replaced."""
    settings, problems = settings_from_query(query)
    view, view_problems = VIEW_SCHEMA.parse(query)
    if view.shown is not None and view.shown > planned_updates(settings):
        view_problems.append(ParamProblem("shown", str(view.shown), "out_of_range", planned_updates(settings)))
        view = PathsView()
    return (settings, view), problems + view_problems


def page_to_query(page: PathsPage) -> dict[str, str]:
    """The shareable URL query of the page: its settings, and ``shown`` unless every update is shown."""
    return {**settings_to_query(page[0]), **VIEW_SCHEMA.to_query(page[1])}
