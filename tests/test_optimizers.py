"""The optimizer registry: every optimizer the catalog offers is built, captured and counted, or a test fails."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import core.maths.catalog as catalog
import core.maths.config as config_module
from core.i18n import LANGS, TABLES
from core.maths.batching import SettingsError
from core.maths.config import TrainConfig
from core.train import optimizers
from core.train.engine import Trainer
from core.train.models import build_model


def test_every_offered_optimizer_is_wired_everywhere() -> None:
    assert optimizers.unwired_optimizers() == []
    assert set(optimizers.RECIPES) == set(catalog.OPTIMIZERS) == set(catalog.OPTIMIZER_STATE_COPIES)


def test_an_offered_name_without_a_recipe_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "OPTIMIZERS", (*catalog.OPTIMIZERS, "rmsprop"))
    assert optimizers.unwired_optimizers() == ["rmsprop"]
    monkeypatch.setitem(catalog.OPTIMIZER_STATE_COPIES, "rmsprop", 1)
    assert optimizers.unwired_optimizers() == ["rmsprop"]  # counted for memory, but nothing builds it


def test_an_offered_name_without_a_state_count_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "OPTIMIZERS", (*catalog.OPTIMIZERS, "rmsprop"))
    monkeypatch.setitem(optimizers.RECIPES, "rmsprop", optimizers.OptimizerRecipe(torch.optim.RMSprop))
    for lang in LANGS:
        monkeypatch.setitem(TABLES[lang], "optimizer.rmsprop", "RMSprop")
    assert optimizers.unwired_optimizers() == ["rmsprop"]
    monkeypatch.setitem(catalog.OPTIMIZER_STATE_COPIES, "rmsprop", 1)
    assert optimizers.unwired_optimizers() == []  # recipe, state count and both labels: wired


def test_an_offered_name_without_a_label_in_every_language_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "OPTIMIZERS", (*catalog.OPTIMIZERS, "rmsprop"))
    monkeypatch.setitem(optimizers.RECIPES, "rmsprop", optimizers.OptimizerRecipe(torch.optim.RMSprop))
    monkeypatch.setitem(catalog.OPTIMIZER_STATE_COPIES, "rmsprop", 1)
    monkeypatch.setitem(TABLES["en"], "optimizer.rmsprop", "RMSprop")  # English only
    assert optimizers.unwired_optimizers() == ["rmsprop"]


def test_an_unwired_name_fails_to_train_instead_of_training_as_sgd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config_module, "OPTIMIZERS", (*catalog.OPTIMIZERS, "rmsprop"))  # the settings accept it
    cfg = TrainConfig(n_samples=60, epochs=1, optimizer="rmsprop", device="cpu")
    cfg.validate()
    with pytest.raises(SettingsError, match="rmsprop"):
        Trainer(cfg, step="eager")
    with pytest.raises(SettingsError, match="rmsprop"):
        Trainer(cfg, step="static")  # the captured step falls back to the eager one, which has no recipe either


@pytest.mark.parametrize("name", catalog.OPTIMIZERS)
def test_the_state_count_is_the_parameter_sized_buffers_the_optimizer_keeps(name: str) -> None:
    model = build_model("mlp", 2, 2, hidden_layers=1, hidden_width=8, seed=0)
    optimizer = optimizers.make_optimizer(name, list(model.parameters()), 0.01)
    F.cross_entropy(model(torch.randn(4, 2)), torch.tensor([0, 1, 0, 1])).backward()  # type: ignore[no-untyped-call]
    optimizer.step()
    for parameter in model.parameters():
        buffers = [value for value in optimizer.state[parameter].values()
                   if isinstance(value, torch.Tensor) and value.shape == parameter.shape]
        assert len(buffers) == catalog.OPTIMIZER_STATE_COPIES[name]


@pytest.mark.parametrize("name", catalog.OPTIMIZERS)
def test_the_captured_form_has_the_eager_forms_class_and_options(name: str) -> None:
    params = list(build_model("linear", 2, 2).parameters())
    eager = optimizers.make_optimizer(name, params, 0.1)
    captured = optimizers.graph_optimizer(name, params, torch.tensor(0.1))
    assert type(captured) is type(eager)
    for option, value in optimizers.RECIPES[name].options.items():
        assert eager.defaults[option] == captured.defaults[option] == value
