"""Learning-rate scaling rules and warm-up schedules: the seed's numbers, exactly, and what a run records."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.maths.batching import plan
from core.maths.config import TrainConfig
from core.maths.lr import (
    LINEAR_SCALING_LIMIT,
    LRSettings,
    ScheduleError,
    adam_sqrt_scaling,
    exceeds_linear_limit,
    lr_at,
    sample_steps,
    scale_lr,
    schedule,
    warmup_updates,
)
from core.runtime.slots import RunQueue
from core.train.runner import TrainingRun
from core.views.learning_rate import settings_from_query, settings_to_query


def test_seed_linear_rule_gives_0_008_for_batch_256_exactly():
    assert scale_lr(0.001, 256, 32, "linear") == 0.008


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        pytest.param("none", 0.001, id="none"),
        pytest.param("linear", 0.004, id="linear"),
        pytest.param("sqrt", 0.002, id="sqrt"),
    ],
)
def test_each_rule_scales_a_fourfold_batch(rule, expected):
    assert scale_lr(0.001, 128, 32, rule) == pytest.approx(expected, rel=1e-12)


def test_unknown_rule_is_refused_with_a_message():
    with pytest.raises(ScheduleError, match="one of none, linear, sqrt"):
        scale_lr(0.001, 64, 32, "cubic")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param((0.0, 64, 32), "greater than 0", id="zero-lr"),
        pytest.param((math.nan, 64, 32), "finite number", id="nan-lr"),
        pytest.param((0.001, 0, 32), "at least 1", id="zero-batch"),
        pytest.param((0.001, 64, 2.5), "at least 1", id="fractional-base"),
    ],
)
def test_bad_scaling_inputs_are_refused(args, fragment):
    with pytest.raises(ScheduleError, match=fragment):
        scale_lr(*args, "linear")


@given(st.floats(1e-6, 1.0), st.integers(1, 10_000), st.integers(1, 10_000))
def test_sqrt_rule_is_the_geometric_mean_of_none_and_linear(lr, batch, base):
    root = scale_lr(lr, batch, base, "sqrt")
    assert root == pytest.approx(math.sqrt(scale_lr(lr, batch, base, "none") * scale_lr(lr, batch, base, "linear")))


def test_linear_scaling_warns_above_8k():
    assert LINEAR_SCALING_LIMIT == 8_192
    assert not exceeds_linear_limit(8_192)
    assert exceeds_linear_limit(8_193)


def test_adam_square_root_rule_follows_malladi_et_al():
    h = adam_sqrt_scaling(0.001, 128, 32, beta1=0.9, beta2=0.999, eps=1e-8)  # kappa = 4
    assert h.lr == pytest.approx(0.002)
    assert h.beta1 == pytest.approx(1 - 4 * 0.1)
    assert h.beta2 == pytest.approx(1 - 4 * 0.001)
    assert h.eps == pytest.approx(0.5e-8)


def test_adam_rule_at_the_base_batch_changes_nothing():
    h = adam_sqrt_scaling(0.001, 32, 32)
    assert (h.lr, h.beta1, h.beta2, h.eps) == pytest.approx((0.001, 0.9, 0.999, 1e-8))


@pytest.mark.parametrize("batch", [pytest.param(320, id="beta1-reaches-0"), pytest.param(1_000, id="beta1-negative")])
def test_adam_rule_refuses_a_kappa_that_makes_beta1_non_positive(batch):
    with pytest.raises(ScheduleError, match="largest batch size it reaches with these betas is 319"):
        adam_sqrt_scaling(0.001, batch, 32)


def test_adam_rule_just_below_the_limit_still_works():
    assert adam_sqrt_scaling(0.001, 319, 32).beta1 > 0


def test_adam_rule_refuses_a_beta_outside_0_1():
    with pytest.raises(ScheduleError, match="beta2 must be at least 0 and below 1"):
        adam_sqrt_scaling(0.001, 64, 32, beta2=1.0)


def test_seed_warmup_lasts_96_updates_for_1000_samples_at_batch_32():
    p = plan(1_000, 32, 10)
    assert p.iterations_per_epoch == 32
    assert warmup_updates(p, 3) == 96


def test_seed_warmup_schedule_numbers():
    lrs = schedule(plan(1_000, 32, 10), initial_lr=0.0001, final_lr=0.001, warmup_epochs=3)
    assert len(lrs) == 320
    assert lrs[0] == 0.0001  # update 1
    assert lrs[95] == pytest.approx(0.0001 + 0.0009 * 95 / 96)  # update 96, the last warm-up update
    assert lrs[96] == 0.001  # update 97: the first after warm-up reaches the target
    assert set(lrs[96:]) == {0.001}


def test_warmup_matches_the_per_epoch_form_at_each_epoch_start():
    lrs = schedule(plan(1_000, 32, 10), initial_lr=0.0001, final_lr=0.001, warmup_epochs=3)
    for epoch in range(4):  # initial + (final - initial) * epoch / warmup_epochs
        assert lrs[epoch * 32] == pytest.approx(0.0001 + 0.0009 * epoch / 3)


@pytest.mark.parametrize("decay", ["constant", "linear", "cosine"])
@pytest.mark.parametrize(
    ("n", "batch", "epochs", "warmup"),
    [
        pytest.param(1_000, 32, 10, 3, id="seed"),
        pytest.param(200, 20, 10, 0, id="no-warmup"),
        pytest.param(10, 1, 2, 5, id="warmup-longer-than-run"),
        pytest.param(100, 100, 3, 1, id="full-batch"),
    ],
)
def test_schedule_has_one_rate_per_update_and_rises_during_warmup(n, batch, epochs, warmup, decay):
    p = plan(n, batch, epochs)
    lrs = schedule(p, initial_lr=1e-4, final_lr=1e-3, warmup_epochs=warmup, decay=decay, min_lr=1e-5)
    assert len(lrs) == p.total_updates
    w = min(warmup_updates(p, warmup), p.total_updates)
    assert all(a < b for a, b in zip(lrs[:w], lrs[1:w], strict=False))
    assert all(1e-5 <= lr <= 1e-3 for lr in lrs[w:])
    assert all(a >= b for a, b in zip(lrs[w:], lrs[w + 1:], strict=False))


@pytest.mark.parametrize(
    ("decay", "expected_last"),
    [
        pytest.param("linear", 0.001 - 0.001 * 9 / 10, id="linear"),
        pytest.param("cosine", 0.5 * 0.001 * (1 + math.cos(math.pi * 9 / 10)), id="cosine"),
    ],
)
def test_decay_after_warmup_heads_for_the_floor(decay, expected_last):
    lrs = schedule(plan(10, 1, 2), initial_lr=0.0, final_lr=0.001, warmup_epochs=1, decay=decay)
    assert lrs[10] == 0.001
    assert lrs[-1] == pytest.approx(expected_last)


def test_decay_floor_above_the_target_is_refused():
    with pytest.raises(ScheduleError, match="floor 0.01 is above the final learning rate 0.001"):
        schedule(plan(100, 10, 3), final_lr=0.001, decay="cosine", min_lr=0.01)


def test_lr_at_is_a_pure_function_of_the_step():
    kwargs = {"initial_lr": 0.0001, "final_lr": 0.001, "warmup": 96, "total": 320}
    assert [lr_at(s, **kwargs) for s in (0, 48, 96, 319)] == pytest.approx([0.0001, 0.00055, 0.001, 0.001])


def test_sample_steps_keeps_the_corners_of_a_long_schedule():
    steps = sample_steps(1_000_000, 12_345, max_points=100)
    assert {0, 12_344, 12_345, 999_999} <= set(steps)
    assert len(steps) <= 104 and steps == sorted(steps)


def test_a_training_run_records_exactly_the_scheduled_rates():
    config = TrainConfig(n_samples=100, batch_size=10, epochs=4, validation_split=0.0, hidden_width=4,
                         device="cpu")
    lrs = schedule(config.plan(), initial_lr=0.0001, final_lr=0.01, warmup_epochs=2, decay="cosine")
    run = TrainingRun(replace(config, lr_schedule=lrs), queue=RunQueue(1))
    run.start()
    assert run.join(timeout=60)
    snapshot = run.snapshot()
    assert snapshot.status == "finished"
    assert tuple(snapshot.updates.lr) == lrs


def test_page_settings_round_trip_through_the_url():
    settings = LRSettings(batch_size=512, base_lr=0.002, warmup_epochs=5, decay="cosine", min_lr=1e-5)
    parsed, problems = settings_from_query(settings_to_query(settings))
    assert (parsed, problems) == (settings, [])


@pytest.mark.parametrize(
    ("query", "name", "reason"),
    [
        pytest.param({"batch_size": "big"}, "batch_size", "malformed", id="malformed"),
        pytest.param({"base_lr": "-1"}, "base_lr", "out_of_range", id="negative-lr"),
        pytest.param({"decay": "exponential"}, "decay", "malformed", id="unknown-decay"),
        pytest.param({"min_lr": "0.5", "final_lr": "0.001"}, "min_lr", "out_of_range", id="floor-above-target"),
    ],
)
def test_bad_url_values_fall_back_to_defaults(query, name, reason):
    settings, problems = settings_from_query(query)
    assert [(p.name, p.reason) for p in problems] == [(name, reason)]
    assert getattr(settings, name) == getattr(LRSettings(), name)
