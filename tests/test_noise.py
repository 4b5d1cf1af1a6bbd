"""Gradient noise: the two-batch-size estimator of McCandlish et al. 2018 (A.1) and cosine to the full gradient."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core.maths.config import TrainConfig
from core.train.compare import measure_noise
from core.train.noise import measure, noise_scale, two_batch_estimate
from tests.conftest import examples


@pytest.fixture(autouse=True)
def one_thread():  # type: ignore[no-untyped-def]
    """One intra-op thread, as the app's runs use: tiny models only lose time to a contended thread pool."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def synthetic_oracle(n: int, mean: torch.Tensor, stds: torch.Tensor, seed: int = 0):  # type: ignore[no-untyped-def]
    """Per-sample gradients g_i = G + noise (independent components with the given stds); batch = row mean."""
    generator = torch.Generator().manual_seed(seed)
    per_sample = mean + stds * torch.randn(n, len(mean), generator=generator, dtype=torch.float64)  # (N, D)

    def oracle(indices: torch.Tensor) -> torch.Tensor:
        return per_sample[indices].mean(dim=0)

    centred = per_sample - per_sample.mean(dim=0)
    # The population the batches are drawn from: its own mean and covariance trace.
    return oracle, float(per_sample.mean(dim=0).square().sum()), float(centred.square().sum(dim=1).mean())


@given(
    grad_sq=st.floats(1e-3, 1e3), trace=st.floats(0.0, 1e4), b_small=st.integers(1, 512),
    factor=st.integers(2, 64),
)
@settings(max_examples=examples(100), deadline=None)
def test_the_estimator_inverts_the_expected_squared_norms_exactly(grad_sq, trace, b_small, factor):
    b_big = b_small * factor
    expected_small, expected_big = grad_sq + trace / b_small, grad_sq + trace / b_big
    got_trace, got_grad_sq = two_batch_estimate(b_small, expected_small, b_big, expected_big)
    assert got_trace == pytest.approx(trace, rel=1e-6, abs=1e-6 * (1 + grad_sq) * b_small)
    assert got_grad_sq == pytest.approx(grad_sq, rel=1e-6, abs=1e-6 * (1 + trace))


@pytest.mark.parametrize(("b_small", "b_big"), [(8, 8), (32, 8), (0, 8)], ids=["equal", "reversed", "zero"])
def test_the_estimator_needs_two_increasing_batch_sizes(b_small, b_big):
    with pytest.raises(ValueError, match="b_small < b_big"):
        two_batch_estimate(b_small, 1.0, b_big, 0.5)


def test_b_simple_is_undefined_when_the_gradient_estimate_is_not_positive():
    # |G_big|² above |G_small|² (a noisy draw): tr(Σ) < 0, so no ratio is given.
    assert noise_scale(8, 1.0, 64, 1.5).b_simple is None


@pytest.mark.parametrize(
    ("grad_sq", "trace"), [(1.0, 16.0), (4.0, 8.0), (0.25, 64.0)], ids=["bsimple16", "bsimple2", "bsimple256"]
)
def test_synthetic_gradients_with_known_covariance_are_recovered(grad_sq, trace):
    dims = 8
    mean = torch.full((dims,), math.sqrt(grad_sq / dims), dtype=torch.float64)
    stds = torch.full((dims,), math.sqrt(trace / dims), dtype=torch.float64)
    oracle, true_grad_sq, true_trace = synthetic_oracle(5_000, mean, stds)
    report = measure(oracle, 5_000, (4, 16, 128), draws=1_500, seed=1)
    scale = report.scale
    assert (scale.b_small, scale.b_big) == (4, 128)
    assert scale.trace_sigma == pytest.approx(true_trace, rel=0.1)
    assert scale.grad_sq == pytest.approx(true_grad_sq, rel=0.15)
    assert scale.b_simple == pytest.approx(true_trace / true_grad_sq, rel=0.2)
    assert true_trace == pytest.approx(trace, rel=0.05)  # the population has the covariance it was drawn with


def test_cosine_to_the_full_gradient_rises_to_one_as_the_batch_reaches_the_data_set():
    n = 2_000
    oracle, _, _ = synthetic_oracle(n, torch.full((6,), 0.5, dtype=torch.float64), torch.full((6,), 2.0,
                                                                                                dtype=torch.float64))
    report = measure(oracle, n, (1, 16, 256, n), draws=64, seed=2)
    assert list(report.cosine) == sorted(report.cosine)
    assert report.cosine[-1] == pytest.approx(1.0, abs=1e-12)
    assert report.cosine_std[-1] == pytest.approx(0.0, abs=1e-12)
    assert report.cosine[0] < 0.5


@pytest.mark.parametrize(("sizes", "draws"), [((8,), 10), ((8, 8), 10), ((8, 16), 1)], ids=["one", "same", "draws"])
def test_measure_refuses_what_it_cannot_estimate(sizes, draws):
    oracle, _, _ = synthetic_oracle(100, torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64))
    with pytest.raises(ValueError):
        measure(oracle, 100, sizes, draws=draws)


def test_a_real_model_is_measured_at_its_initial_weights():
    config = TrainConfig(n_samples=200, epochs=1, device="cpu")
    report = measure_noise(config, (8, 64, 160), draws=8)
    assert report.weights == "initial"
    assert report.batch_sizes == (8, 64, 160)
    assert report.cosine[-1] == pytest.approx(1.0, abs=1e-6)  # 160 = every training row: the full gradient
    assert report.cosine[0] < report.cosine[-1]
    assert report.full_grad_norm > 0
    assert report == measure_noise(config, (8, 64, 160), draws=8)  # seeded: the same numbers every time
