"""Gradient noise: how far mini-batch gradients stray from the full-batch gradient, and the noise scale.

Two measurements, both at one fixed set of weights:

* the mean cosine similarity between mini-batch gradients (batches drawn without replacement, as an
  epoch draws them) and the full-batch gradient: 1 means the mini-batch points exactly where the whole
  training set points;
* the simple gradient noise scale ``B_simple = tr(Σ) / |G|²`` of McCandlish et al. 2018, "An Empirical Model
  of Large-Batch Training" (arXiv:1812.06162), estimated without bias as in its appendix A.1 from squared
  gradient norms at two batch sizes. For batches of B samples drawn independently (with replacement),
  E|G_B|² = |G|² + tr(Σ)/B, so

      |G|²  ≈ (B_big·|G_big|² − B_small·|G_small|²) / (B_big − B_small)
      tr(Σ) ≈ (|G_small|² − |G_big|²) / (1/B_small − 1/B_big)

  with each |G_B|² averaged over several draws before the ratio is taken (the ratio of averages, not the
  average of ratios, which would be biased). ``B_simple`` estimates the critical batch size: below it,
  doubling the batch roughly halves the updates needed; above it, extra samples per update buy little.

>>> g = torch.tensor([[1.0, 0.0], [1.0, 2.0], [1.0, -2.0]])  # per-sample gradients: G = (1, 0), tr(Σ) = 8/3
>>> trace, g2 = two_batch_estimate(1, 8.0 / 3.0 + 1.0, 3, 8.0 / 9.0 + 1.0)
>>> round(trace, 4), round(g2, 4)
(2.6667, 1.0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from core.maths.records import DEFAULT_DRAWS, NoiseReport, NoiseScale

GradientOracle = Callable[[torch.Tensor], torch.Tensor]  # row indices (B,) -> mean gradient over them (D,)




def two_batch_estimate(b_small: float, grad_sq_small: float, b_big: float, grad_sq_big: float) -> tuple[float, float]:
    """(tr(Σ), |G|²) from mean squared gradient norms at two batch sizes (McCandlish et al. 2018, A.1)."""
    if not 0 < b_small < b_big:
        raise ValueError(f"Need 0 < b_small < b_big, got {b_small} and {b_big}.")
    grad_sq = (b_big * grad_sq_big - b_small * grad_sq_small) / (b_big - b_small)
    trace_sigma = (grad_sq_small - grad_sq_big) / (1 / b_small - 1 / b_big)
    return trace_sigma, grad_sq


def noise_scale(b_small: int, grad_sq_small: float, b_big: int, grad_sq_big: float) -> NoiseScale:
    """``B_simple`` from mean squared gradient norms at two batch sizes; None where it is not defined."""
    trace_sigma, grad_sq = two_batch_estimate(b_small, grad_sq_small, b_big, grad_sq_big)
    b_simple = trace_sigma / grad_sq if trace_sigma > 0 and grad_sq > 0 else None
    return NoiseScale(b_small, b_big, grad_sq_small, grad_sq_big, trace_sigma, grad_sq, b_simple)


def mean_squared_norm(oracle: GradientOracle, n: int, batch_size: int, draws: int, generator: torch.Generator) -> float:
    """Mean |G_B|² over ``draws`` batches of ``batch_size`` rows drawn independently (with replacement)."""
    total = 0.0
    for _ in range(draws):
        indices = torch.randint(n, (batch_size,), generator=generator)
        total += float(oracle(indices).square().sum())
    return total / draws


def cosine_to_full(
    oracle: GradientOracle, full: torch.Tensor, n: int, batch_size: int, draws: int, generator: torch.Generator
) -> tuple[float, float]:
    """Mean and standard deviation of cos(G_B, G_full) over batches drawn without replacement."""
    size = min(batch_size, n)
    values = []
    for _ in range(draws):
        indices = torch.randperm(n, generator=generator)[:size]
        values.append(float(F.cosine_similarity(oracle(indices), full, dim=0)))
    tensor = torch.tensor(values, dtype=torch.float64)
    return float(tensor.mean()), float(tensor.std(unbiased=False))


def measure(
    oracle: GradientOracle, n: int, batch_sizes: Sequence[int], *, draws: int = DEFAULT_DRAWS, seed: int = 0,
    weights: str = "initial",
) -> NoiseReport:
    """Cosine similarity per batch size and ``B_simple`` from the smallest and largest batch size."""
    sizes = tuple(sorted(set(batch_sizes)))
    if len(sizes) < 2:
        raise ValueError("The noise scale needs two different batch sizes.")
    if draws < 2:
        raise ValueError(f"Draw at least 2 mini-batches per batch size, got {draws}.")
    generator = torch.Generator().manual_seed(seed)
    full = oracle(torch.arange(n))
    cosines = [cosine_to_full(oracle, full, n, b, draws, generator) for b in sizes]
    small, big = sizes[0], sizes[-1]
    scale = noise_scale(small, mean_squared_norm(oracle, n, small, draws, generator),
                        big, mean_squared_norm(oracle, n, big, draws, generator))
    return NoiseReport(
        batch_sizes=sizes, cosine=tuple(c for c, _ in cosines), cosine_std=tuple(s for _, s in cosines),
        scale=scale, draws=draws, full_grad_norm=float(full.norm()), weights=weights,
    )


def model_oracle(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> GradientOracle:
    """The flattened gradient of the mean cross-entropy over the given rows of (x, y), at the model's weights."""
    parameters = [p for p in model.parameters() if p.requires_grad]

    def gradient(indices: torch.Tensor) -> torch.Tensor:
        rows = indices.to(x.device)
        loss = F.cross_entropy(model(x[rows]), y[rows])
        grads = torch.autograd.grad(loss, parameters)
        return torch.cat([g.reshape(-1) for g in grads]).detach().double().cpu()  # (D,)

    return gradient
