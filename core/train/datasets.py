"""The data sets a run can train on, as tensors: x float32 (N, F), y int64 (N,).

Toy 2-D sets are generated here with numpy (no scikit-learn), shuffled so that
no split convention sees sorted labels. ``digits`` ships with the app;
``mnist`` is downloaded once (see ``core.train.mnist``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch

from core.maths.catalog import dataset_spec
from core.train.mnist import Progress, load_mnist

DIGITS_PATH = Path(__file__).parents[1] / "data" / "digits.npz"


def load_dataset(
    dataset_id: str,
    n_samples: int,
    *,
    noise: float | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Features (N, F) float32 and labels (N,) int64; ``noise=None`` uses the spec's default."""
    spec = dataset_spec(dataset_id)
    spec.check_size(n_samples)
    sigma = spec.default_noise if noise is None else float(noise)
    if not (sigma >= 0 and math.isfinite(sigma)):
        raise ValueError(f"noise must be a finite number of at least 0, got {noise}.")
    if dataset_id == "random":
        g = torch.Generator().manual_seed(seed)
        return torch.randn(n_samples, 10, generator=g), torch.randint(0, 2, (n_samples,), generator=g)
    if dataset_id == "digits":
        with np.load(DIGITS_PATH) as f:
            pixels, labels = f["x"][:n_samples], f["y"][:n_samples]
        return _as_tensors(pixels.reshape(len(pixels), -1) / np.float32(16.0), labels)
    if dataset_id == "mnist":
        images, labels = load_mnist(n_samples, progress=progress)
        return _as_tensors(images.reshape(len(images), -1) / np.float32(255.0), labels)
    rng = np.random.default_rng(seed)
    points, classes = _TOY_GENERATORS[dataset_id](n_samples, rng)
    points = points + rng.normal(scale=sigma, size=points.shape) if sigma > 0 else points
    order = rng.permutation(n_samples)
    return _as_tensors(points[order], classes[order])


def _as_tensors(x: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.as_tensor(np.ascontiguousarray(x, dtype=np.float32)), torch.as_tensor(y.astype(np.int64))


def _split_evenly(n: int, k: int) -> list[int]:
    """Class sizes differing by at most one, the first classes getting the extra samples."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _moons(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # As sklearn.datasets.make_moons: an upper half circle and a lower one shifted right and down.
    n_outer, n_inner = _split_evenly(n, 2)
    t_outer, t_inner = np.linspace(0, np.pi, n_outer), np.linspace(0, np.pi, n_inner)
    outer = np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1)
    inner = np.stack([1 - np.cos(t_inner), 1 - np.sin(t_inner) - 0.5], axis=1)
    return np.concatenate([outer, inner]), np.repeat([0, 1], [n_outer, n_inner])


def _circles(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # As sklearn.datasets.make_circles(factor=0.5).
    n_outer, n_inner = _split_evenly(n, 2)
    t_outer = np.linspace(0, 2 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0, 2 * np.pi, n_inner, endpoint=False)
    outer = np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1)
    inner = 0.5 * np.stack([np.cos(t_inner), np.sin(t_inner)], axis=1)
    return np.concatenate([outer, inner]), np.repeat([0, 1], [n_outer, n_inner])


def _spiral(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # CS231n's spiral: radius grows 0..1 while the angle turns 4 radians per arm.
    arms = []
    for k, size in enumerate(_split_evenly(n, 3)):
        r = np.linspace(0.0, 1.0, size)
        t = np.linspace(4.0 * k, 4.0 * (k + 1), size)
        arms.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
    return np.concatenate(arms), np.repeat([0, 1, 2], _split_evenly(n, 3))


def _xor(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    points = rng.uniform(-1.0, 1.0, size=(n, 2))
    return points, ((points[:, 0] > 0) ^ (points[:, 1] > 0)).astype(np.int64)


def _blobs(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Three centres on a circle of radius 2; the noise is each cluster's spread.
    sizes = _split_evenly(n, 3)
    angles = np.array([np.pi / 2, np.pi / 2 + 2 * np.pi / 3, np.pi / 2 + 4 * np.pi / 3])
    centres = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return np.repeat(centres, sizes, axis=0), np.repeat([0, 1, 2], sizes)


_TOY_GENERATORS = {"moons": _moons, "circles": _circles, "spiral": _spiral, "xor": _xor, "blobs": _blobs}
