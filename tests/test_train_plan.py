"""Settings are validated once into a TrainPlan that a run carries: nothing downstream checks them again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.maths.batching import BatchPlan, SettingsError
from core.maths.catalog import DATASETS, DatasetSpec
from core.maths.config import TrainConfig, TrainPlan
from core.runtime.slots import RunQueue
from core.train.compare import ComparisonRun, measure_noise
from core.train.engine import Trainer
from core.train.runner import TrainingRun
from core.views.compare import CompareConfig

TINY = TrainConfig(n_samples=60, epochs=1, batch_size=16, device="cpu")


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[TrainConfig]]:
    """Every TrainConfig.validate call from here on, by the config it checked."""
    calls: list[TrainConfig] = []
    validate = TrainConfig.validate

    def counted(self: TrainConfig) -> BatchPlan:
        calls.append(self)
        return validate(self)

    monkeypatch.setattr(TrainConfig, "validate", counted)
    yield calls


def test_checked_settings_carry_their_plan_and_update_limit() -> None:
    checked = TrainConfig(n_samples=60, epochs=3, batch_size=16, max_updates=5, device="cpu").checked()
    assert checked.batches == checked.config.plan() and checked.update_limit == checked.config.update_limit == 5
    assert checked.without_limits().config.max_updates is None and checked.without_limits().batches == checked.batches
    with pytest.raises(SettingsError):
        TrainConfig(n_samples=5).checked()


def test_a_trainer_given_a_plan_does_not_validate_again(validations: list[TrainConfig]) -> None:
    checked = TINY.checked()
    assert len(validations) == 1
    trainer = Trainer(checked)
    assert len(validations) == 1 and trainer.config is TINY and trainer.plan is checked.batches
    Trainer(TINY)  # plain settings are checked by the trainer itself
    assert len(validations) == 2


def test_a_training_run_validates_its_settings_once(validations: list[TrainConfig]) -> None:
    run = TrainingRun(TINY, queue=RunQueue(1))
    run.start()
    assert run.join(60) and run.snapshot().status == "finished"
    assert validations == [TINY]
    TrainingRun(TINY.checked(), queue=RunQueue(1))  # a plan checked by its caller is not checked again
    assert validations == [TINY, TINY]


def test_a_comparison_validates_each_runs_settings_once(validations: list[TrainConfig]) -> None:
    comparison = ComparisonRun(CompareConfig(base=TINY, batch_sizes=(8, 16), noise_draws=2), queue=RunQueue(1))
    comparison.start()
    assert comparison.join(120) and comparison.snapshot().status == "finished"
    assert validations == list(comparison.configs)  # one check per run: before 3 to 4 (runs, trainers, noise)


def test_the_noise_measurement_takes_a_plan_without_its_limits(validations: list[TrainConfig]) -> None:
    checked = TrainPlan(TINY, TINY.plan())  # as a comparison builds it from its own validation
    report = measure_noise(checked, (8, 16), draws=2)
    assert validations == [] and report is not None


@pytest.mark.parametrize("spec", DATASETS.values(), ids=lambda spec: spec.id)
def test_a_data_sets_size_range_is_checked_and_clamped_in_one_place(spec: DatasetSpec) -> None:
    for inside in (spec.min_size, spec.max_size):
        spec.check_size(inside)
        assert spec.clamp_size(inside) == inside
    for outside, nearest in ((spec.min_size - 1, spec.min_size), (spec.max_size + 1, spec.max_size)):
        with pytest.raises(SettingsError) as caught:
            spec.check_size(outside)
        assert caught.value.key == "error.size_range" and spec.clamp_size(outside) == nearest
        with pytest.raises(SettingsError) as from_config:
            TrainConfig(dataset=spec.id, n_samples=outside).validate()
        assert str(from_config.value) == str(caught.value)
