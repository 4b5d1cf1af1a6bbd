"""Data sets: shapes, dtypes, seeds and the registry the UI reads."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import core.train.datasets as datasets
from core.maths.catalog import DATASETS, dataset_spec
from core.train.datasets import load_dataset

OFFLINE = [spec.id for spec in DATASETS.values() if not spec.needs_download]
TOY_2D = [spec.id for spec in DATASETS.values() if spec.is_2d]


@pytest.mark.parametrize("dataset_id", OFFLINE)
def test_every_dataset_has_the_shape_dtype_and_classes_of_its_spec(dataset_id: str) -> None:
    spec = DATASETS[dataset_id]
    n = spec.min_size + 7 if spec.min_size + 7 <= spec.max_size else spec.max_size
    x, y = load_dataset(dataset_id, n, seed=3)
    assert x.shape == (n, spec.n_features) and x.dtype == torch.float32
    assert y.shape == (n,) and y.dtype == torch.int64
    assert 0 <= int(y.min()) and int(y.max()) < spec.n_classes
    assert torch.isfinite(x).all()


@pytest.mark.parametrize("dataset_id", OFFLINE)
def test_same_seed_gives_the_same_data(dataset_id: str) -> None:
    spec = DATASETS[dataset_id]
    a, b = load_dataset(dataset_id, spec.min_size, seed=1), load_dataset(dataset_id, spec.min_size, seed=1)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])


@pytest.mark.parametrize("dataset_id", ["random", *TOY_2D])
def test_different_seeds_give_different_data(dataset_id: str) -> None:
    assert not torch.equal(load_dataset(dataset_id, 50, seed=1)[0], load_dataset(dataset_id, 50, seed=2)[0])


@pytest.mark.parametrize("dataset_id", TOY_2D)
def test_toy_sets_are_balanced_and_shuffled(dataset_id: str) -> None:
    spec = DATASETS[dataset_id]
    _, y = load_dataset(dataset_id, 300, seed=0)
    counts = torch.bincount(y, minlength=spec.n_classes)
    # XOR draws points uniformly, so its classes are balanced only on average.
    assert counts.max() - counts.min() <= (60 if dataset_id == "xor" else 1)
    # Shuffled: the last fifth (Keras's validation rows) holds every class.
    assert set(y[-60:].tolist()) == set(range(spec.n_classes))


def test_moons_without_noise_lie_on_their_half_circles() -> None:
    x, y = load_dataset("moons", 100, noise=0.0)
    outer, inner = x[y == 0], x[y == 1]
    torch.testing.assert_close(outer.norm(dim=1), torch.ones(50))
    torch.testing.assert_close((inner - torch.tensor([1.0, 0.5])).norm(dim=1), torch.ones(50))


def test_noise_moves_the_points() -> None:
    clean, noisy = load_dataset("circles", 100, noise=0.0)[0], load_dataset("circles", 100, noise=0.3)[0]
    assert (noisy - clean).abs().mean() > 0.05


def test_xor_labels_are_the_sign_rule_without_noise() -> None:
    x, y = load_dataset("xor", 200, noise=0.0)
    assert torch.equal(y, ((x[:, 0] > 0) ^ (x[:, 1] > 0)).long())


def test_random_is_the_seeds_pytorch_example_and_says_nothing_can_be_learnt() -> None:
    spec = dataset_spec("random")
    assert (spec.n_features, spec.n_classes, spec.default_size, spec.learnable) == (10, 2, 1_000, False)
    assert all(s.learnable for s in DATASETS.values() if s.id != "random")


def test_digits_are_the_1797_scikit_learn_digits_scaled_to_one() -> None:
    x, y = load_dataset("digits", 1_797)
    assert x.shape == (1_797, 64)
    assert float(x.min()) == 0.0 and float(x.max()) == 1.0
    assert torch.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert y[:10].tolist() == list(range(10))


def test_digits_subset_is_the_first_rows() -> None:
    full, part = load_dataset("digits", 1_797), load_dataset("digits", 100)
    assert torch.equal(part[0], full[0][:100]) and torch.equal(part[1], full[1][:100])


def test_mnist_is_flattened_and_scaled_like_the_keras_example(monkeypatch: pytest.MonkeyPatch) -> None:
    images = np.full((300, 28, 28), 255, dtype=np.uint8)
    labels = np.arange(300, dtype=np.uint8) % 10

    def fake_load(n: int, *, progress: object = None) -> tuple[np.ndarray, np.ndarray]:
        return images[:n], labels[:n]

    monkeypatch.setattr(datasets, "load_mnist", fake_load)
    x, y = load_dataset("mnist", 200)
    assert x.shape == (200, 784) and float(x.max()) == 1.0
    assert y.dtype == torch.int64 and y[:3].tolist() == [0, 1, 2]


@pytest.mark.parametrize(("dataset_id", "n_samples"), [("moons", 9), ("digits", 1_798), ("spiral", 20_001)])
def test_sizes_outside_the_spec_are_refused(dataset_id: str, n_samples: int) -> None:
    with pytest.raises(ValueError, match="takes"):
        load_dataset(dataset_id, n_samples)


def test_unknown_dataset_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="moons"):
        dataset_spec("iris")


def test_registry_specs_are_consistent() -> None:
    for spec in DATASETS.values():
        assert spec.min_size <= spec.default_size <= spec.max_size
        assert spec.is_2d == (spec.n_features == 2)
        assert spec.has_noise == (spec.default_noise > 0)
        assert spec.needs_download == (spec.id == "mnist")
