"""The optimizer registry: per name in ``catalog.OPTIMIZERS``, how to build it eagerly and for a captured graph.

The names and how many parameter-sized buffers each keeps (``catalog.OPTIMIZER_STATE_COPIES``) stay torch-free
in ``core.maths.catalog``, their labels in the string tables (``optimizer.<name>``); the torch classes live
here. A name offered in the catalog but missing here is an error (``unwired_optimizers`` finds it, and a test
asserts there is none), never a silent fallback.

>>> optimizer = make_optimizer("momentum", list(torch.nn.Linear(2, 2).parameters()), 0.1)
>>> type(optimizer).__name__, optimizer.defaults["momentum"]
('SGD', 0.9)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from core.i18n import LANGS, TABLES
from core.maths import catalog
from core.maths.batching import SettingsError

MOMENTUM = 0.9  # the "momentum" optimizer's SGD momentum


@dataclass(frozen=True)
class OptimizerRecipe:
    """One optimizer family: its torch class, its options, and what a CUDA graph's replay of it needs more."""

    cls: type[torch.optim.Optimizer]
    options: Mapping[str, Any] = field(default_factory=dict)
    captured_options: Mapping[str, Any] = field(default_factory=dict)


RECIPES: dict[str, OptimizerRecipe] = {
    "sgd": OptimizerRecipe(torch.optim.SGD),
    "momentum": OptimizerRecipe(torch.optim.SGD, {"momentum": MOMENTUM}),
    # capturable: Adam's step counters live on the device and nothing in step() asks the host for a value.
    "adam": OptimizerRecipe(torch.optim.Adam, captured_options={"capturable": True}),
}


def unwired_optimizers() -> list[str]:
    """Names the catalog offers without a recipe here, a state count there or a label in every language."""
    return [name for name in catalog.OPTIMIZERS
            if name not in RECIPES or name not in catalog.OPTIMIZER_STATE_COPIES
            or any(f"optimizer.{name}" not in TABLES[lang] for lang in LANGS)]


def _recipe(name: str) -> OptimizerRecipe:
    try:
        return RECIPES[name]
    except KeyError:
        raise SettingsError("unknown_choice", name="optimizer", value=repr(name),
                            choices=", ".join(RECIPES)) from None


def make_optimizer(name: str, params: Sequence[nn.Parameter], learning_rate: float) -> torch.optim.Optimizer:
    """The named optimizer in its fastest implementation the device supports (fused, else foreach, else plain)."""
    recipe = _recipe(name)
    implementations: tuple[dict[str, Any], ...] = ({"fused": True}, {"foreach": True}, {})
    for implementation in implementations:
        try:
            return recipe.cls(params, lr=learning_rate, **recipe.options, **implementation)  # type: ignore[call-arg]
        except (RuntimeError, ValueError, TypeError):
            continue  # this implementation is not available for these tensors: try the next one
    raise RuntimeError(f"Could not create the {name} optimizer.")  # unreachable: the plain one always exists


def graph_optimizer(name: str, params: Sequence[nn.Parameter], lr: torch.Tensor) -> torch.optim.Optimizer:
    """The named optimizer in a form a CUDA graph can replay: fused kernels that read the learning rate from ``lr``."""
    if name not in RECIPES:
        raise ValueError(f"No graph-capturable form of the {name!r} optimizer; choose one of {tuple(RECIPES)}.")
    recipe = RECIPES[name]
    # Fused SGD keeps no host-side state after its first step (the momentum buffers exist by then).
    return recipe.cls(params, lr=lr, fused=True, **recipe.options, **recipe.captured_options)  # type: ignore[call-arg]
