"""core.maths.batching agrees with torch's DataLoader, random_split, DistributedSampler and with Keras fit."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader, DistributedSampler, random_split

from core.maths.batching import (
    SettingsError,
    batch_assignment,
    batch_sizes_for_iterations,
    epochs_for_updates,
    estimate_seconds,
    plan,
    recommend_batch_size,
    split_sizes,
)
from tests.conftest import examples

splits = st.floats(min_value=0.0, max_value=0.95, allow_nan=False).map(lambda v: round(v, 3))


def _loader_batch_sizes(loader: DataLoader) -> list[int]:
    return [len(batch) for batch in loader]


# --- the seed's worked examples ---------------------------------------------------------------


def test_seed_200_samples_batch_20_is_10_updates_per_epoch_and_100_over_10_epochs():
    p = plan(200, 20, 10)
    assert (p.iterations_per_epoch, p.updates_per_epoch, p.total_updates) == (10, 10, 100)
    assert p.last_batch_size == 20 and p.dropped_samples == 0


def test_seed_1000_samples_batch_50_for_20_epochs_is_20_per_epoch_and_400_updates():
    p = plan(1000, 50, 20)
    assert (p.iterations_per_epoch, p.total_updates, p.samples_seen) == (20, 400, 20_000)


def test_seed_keras_mnist_fit_with_validation_split_02():
    p = plan(60_000, 32, 10, validation_split=0.2, framework="keras")
    assert (p.train_samples, p.val_samples) == (48_000, 12_000)
    assert (p.iterations_per_epoch, p.total_updates) == (1_500, 15_000)


@pytest.mark.parametrize(
    ("batch_size", "regime"),
    [pytest.param(1, "stochastic", id="B=1-SGD"), pytest.param(32, "mini-batch", id="B=32-mini-batch"),
     pytest.param(1000, "batch", id="B=N-batch-GD"), pytest.param(5000, "batch", id="B>N-batch-GD")],
)
def test_regime_names_follow_the_seed(batch_size, regime):
    assert plan(1000, batch_size, 1).regime == regime


# --- PyTorch DataLoader --------------------------------------------------------------------------


@settings(max_examples=examples(600), deadline=None)
@given(n=st.integers(1, 400), batch_size=st.integers(1, 450), drop_last=st.booleans())
def test_batches_equal_what_a_real_dataloader_yields(n, batch_size, drop_last):
    sizes = _loader_batch_sizes(DataLoader(torch.arange(n), batch_size=batch_size, drop_last=drop_last))
    p = plan(n, batch_size, 1, drop_last=drop_last)
    assert p.iterations_per_epoch == len(sizes)
    assert p.epoch_batch_sizes().tolist() == sizes  # batch by batch, as the engine and the paths count them
    assert p.last_batch_size == (sizes[-1] if sizes else 0)
    assert p.samples_per_epoch == sum(sizes)
    assert p.dropped_samples == n - sum(sizes)


@settings(max_examples=examples(3000), deadline=None)
@given(n=st.integers(1, 10_000_000), batch_size=st.integers(1, 100_000), drop_last=st.booleans(),
       epochs=st.integers(1, 1000))
def test_iteration_count_equals_len_of_dataloader_at_any_scale(n, batch_size, drop_last, epochs):
    loader = DataLoader(range(n), batch_size=batch_size, drop_last=drop_last)
    p = plan(n, batch_size, epochs, drop_last=drop_last)
    assert p.iterations_per_epoch == len(loader)
    assert p.total_updates == len(loader) * epochs


@pytest.mark.parametrize(
    ("n", "batch_size", "drop_last", "iterations", "last"),
    [
        pytest.param(10, 20, False, 1, 10, id="N<B-one-short-batch"),
        pytest.param(10, 20, True, 0, 0, id="N<B-drop_last-no-batch"),
        pytest.param(100, 20, False, 5, 20, id="N-divisible-by-B"),
        pytest.param(100, 30, False, 4, 10, id="partial-last-batch"),
        pytest.param(100, 30, True, 3, 30, id="partial-last-batch-dropped"),
        pytest.param(7, 1, True, 7, 1, id="B=1"),
        pytest.param(7, 7, True, 1, 7, id="B=N"),
    ],
)
def test_edge_cases_of_batching(n, batch_size, drop_last, iterations, last):
    p = plan(n, batch_size, 3, drop_last=drop_last)
    assert (p.iterations_per_epoch, p.last_batch_size) == (iterations, last)
    assert p.total_updates == 3 * iterations


def test_last_partial_batch_is_dropped_when_drop_last():
    p = plan(1000, 32, 1, drop_last=True)
    assert (p.iterations_per_epoch, p.dropped_samples, p.samples_per_epoch) == (31, 8, 992)


# --- random_split -----------------------------------------------------------------------------------


@settings(max_examples=examples(3000), deadline=None)
@given(n=st.integers(1, 20_000), v=splits)
def test_pytorch_split_equals_random_split_with_fractions(n, v):
    train, val = random_split(range(n), [1 - v, v], generator=torch.Generator().manual_seed(0))
    assert split_sizes(n, v, "pytorch") == (len(train), len(val))


@pytest.mark.parametrize(
    ("n", "v", "pytorch", "keras"),
    [
        pytest.param(1001, 0.2, (801, 200), (800, 201), id="1001-at-0.2"),
        pytest.param(100, 0.34, (66, 34), (65, 35), id="100-at-0.34"),
        pytest.param(60_000, 0.2, (48_000, 12_000), (48_000, 12_000), id="mnist"),
        pytest.param(10, 0.25, (8, 2), (7, 3), id="10-at-0.25"),
    ],
)
def test_keras_and_pytorch_carve_out_validation_differently(n, v, pytorch, keras):
    assert split_sizes(n, v, "pytorch") == pytorch
    assert split_sizes(n, v, "keras") == keras


@pytest.mark.parametrize(("n", "v"), [pytest.param(1, 0.5, id="no-train"), pytest.param(5, 1e-18, id="no-val")])
def test_keras_refuses_a_split_that_empties_a_side(n, v):
    with pytest.raises(SettingsError, match="Keras cannot split"):
        split_sizes(n, v, "keras")


# --- DistributedSampler ----------------------------------------------------------------------------


@settings(max_examples=examples(400), deadline=None)
@given(n=st.integers(1, 300), world=st.integers(1, 8), batch_size=st.integers(1, 64), drop_last=st.booleans(),
       v=splits)
def test_data_parallel_counts_equal_distributed_sampler_per_rank(n, world, batch_size, drop_last, v):
    train, _ = random_split(range(n), [1 - v, v], generator=torch.Generator().manual_seed(0))
    p = plan(n, batch_size, 2, drop_last=drop_last, validation_split=v, world_size=world)
    seen = 0
    for rank in range(world):
        sampler = DistributedSampler(train, num_replicas=world, rank=rank, shuffle=True, seed=1)
        sizes = _loader_batch_sizes(
            DataLoader(torch.arange(len(train)), batch_size=batch_size, sampler=sampler, drop_last=drop_last)
        )
        assert len(sampler) == p.samples_per_rank
        assert len(sizes) == p.iterations_per_epoch
        assert (sizes[-1] if sizes else 0) == p.last_batch_size
        seen += sum(sizes)
    assert seen == p.samples_per_epoch
    assert p.padded_samples == p.samples_per_rank * world - len(train)
    assert p.effective_batch_size == batch_size * world


# --- gradient accumulation ---------------------------------------------------------------------------


@settings(max_examples=examples(500), deadline=None)
@given(n=st.integers(1, 2000), batch_size=st.integers(1, 100), accum=st.integers(1, 16), drop_last=st.booleans())
def test_trailing_accumulation_group_still_makes_an_update(n, batch_size, accum, drop_last):
    p = plan(n, batch_size, 1, drop_last=drop_last, grad_accum_steps=accum)
    # Simulate a Lightning-style loop: step after every accum-th batch and after the epoch's last batch.
    steps = sum(
        1 for i in range(p.iterations_per_epoch) if (i + 1) % accum == 0 or i + 1 == p.iterations_per_epoch
    )
    assert p.updates_per_epoch == steps
    assert p.effective_batch_size == batch_size * accum


# --- helpers -------------------------------------------------------------------------------------------


@settings(max_examples=examples(500), deadline=None)
@given(n=st.integers(1, 500), k=st.integers(1, 600), drop_last=st.booleans())
def test_batch_sizes_for_iterations_are_exactly_those_that_give_k(n, k, drop_last):
    expected = [b for b in range(1, n + 1) if plan(n, b, 1, drop_last=drop_last).iterations_per_epoch == k]
    assert list(batch_sizes_for_iterations(n, k, drop_last=drop_last)) == expected


@settings(max_examples=examples(500), deadline=None)
@given(target=st.integers(1, 10**9), per_epoch=st.integers(1, 10**6))
def test_epochs_for_updates_is_the_fewest_that_reach_the_target(target, per_epoch):
    epochs = epochs_for_updates(target, per_epoch)
    assert epochs * per_epoch >= target > (epochs - 1) * per_epoch


@pytest.mark.parametrize(
    ("n", "low", "high"),
    [pytest.param(999, 16, 32, id="small"), pytest.param(1000, 32, 64, id="medium-lower-edge"),
     pytest.param(10_000, 32, 64, id="medium-upper-edge"), pytest.param(10_001, 64, 256, id="large")],
)
def test_recommendation_follows_the_seed_table(n, low, high):
    rec = recommend_batch_size(n)
    assert (rec.low, rec.high) == (low, high)


@settings(max_examples=examples(300), deadline=None)
@given(n=st.integers(1, 300), batch_size=st.integers(1, 64), world=st.integers(1, 4), drop_last=st.booleans(),
       shuffle=st.booleans(), epoch=st.integers(1, 5))
def test_batch_assignment_fills_every_batch_as_the_plan_says(n, batch_size, world, drop_last, shuffle, epoch):
    p = plan(n, batch_size, epoch, drop_last=drop_last, world_size=world)
    assigned = batch_assignment(n, batch_size, epoch, shuffle=shuffle, drop_last=drop_last, world_size=world)
    kept = assigned.batch[assigned.batch >= 0]
    assert (assigned.batch < p.iterations_per_epoch).all()
    # Without padding, the real samples each rank draws fill its batches exactly as planned.
    if p.padded_samples == 0:
        assert kept.size == p.samples_per_epoch
        for rank in range(world):
            counts = torch.bincount(torch.as_tensor(assigned.batch[(assigned.rank == rank) & (assigned.batch >= 0)]))
            assert counts.tolist()[: p.iterations_per_epoch - 1] == [batch_size] * (p.iterations_per_epoch - 1)


def test_batch_assignment_reshuffles_each_epoch_and_is_seeded():
    first = batch_assignment(100, 10, 1, shuffle=True, seed=3).batch
    assert (first == batch_assignment(100, 10, 1, shuffle=True, seed=3).batch).all()
    assert (first != batch_assignment(100, 10, 2, shuffle=True, seed=3).batch).any()
    assert (batch_assignment(100, 10, 1, shuffle=False).batch == torch.arange(100).div(10, rounding_mode="floor")
            .numpy()).all()


def test_time_estimate_divides_samples_by_throughput():
    assert estimate_seconds(48_000, 12_000.0) == 4.0


# --- invalid settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"n_samples": 0}, "dataset size must be at least 1", id="empty-dataset"),
        pytest.param({"batch_size": 0}, "batch size must be at least 1", id="zero-batch"),
        pytest.param({"epochs": -1}, "epochs must be at least 1", id="negative-epochs"),
        pytest.param({"batch_size": 2.5}, "batch size must be a whole number", id="fractional-batch"),
        pytest.param({"validation_split": 1.0}, "below 1", id="split-of-one"),
        pytest.param({"validation_split": -0.1}, "at least 0", id="negative-split"),
        pytest.param({"drop_last": True, "framework": "keras"}, "drop_last applies to PyTorch", id="keras-drop-last"),
        pytest.param({"world_size": 2, "framework": "keras"}, "single-device", id="keras-devices"),
        pytest.param({"framework": "jax"}, "framework must be one of", id="unknown-framework"),
    ],
)
def test_invalid_settings_raise_a_readable_value_error(kwargs, message):
    arguments = {"n_samples": 100, "batch_size": 10, "epochs": 1} | kwargs
    n, b, e = arguments.pop("n_samples"), arguments.pop("batch_size"), arguments.pop("epochs")
    with pytest.raises(ValueError, match=message):
        plan(n, b, e, **arguments)


def test_settings_error_speaks_korean_too():
    with pytest.raises(SettingsError) as caught:
        plan(100, 0, 1)
    assert "배치 사이즈" in caught.value.message("ko")
