"""What a run can be made of, by name: data sets, models, activations, optimizers, devices; no torch.

The pages build their choices from these, ``TrainConfig.validate`` checks against them, and
``core.train`` turns the names into tensors and modules. ``model_layers`` gives a model's shape as
plain numbers, so its size can be counted without building it:

>>> model_layers("mlp", 784, 10, hidden_layers=1, hidden_width=128)
[(784, 128), (128, 10)]
>>> parameter_count(model_layers("linear", 10, 2))
22
"""

from __future__ import annotations

from dataclasses import dataclass

from core.maths.batching import SettingsError

DIGITS_SIZE = 1_797  # rows in the bundled digits set (scikit-learn's 8x8 digits)
MNIST_TRAIN_SIZE = 60_000  # rows in MNIST's training file


@dataclass(frozen=True)
class DatasetSpec:
    """What the UI needs to know about a data set before loading it."""

    id: str  # titles and descriptions live in the string tables: dataset.<id>.title / .description
    n_features: int
    n_classes: int
    is_2d: bool
    needs_download: bool
    default_size: int
    min_size: int
    max_size: int
    has_noise: bool
    default_noise: float  # standard deviation of the Gaussian noise, in data units; 0 where has_noise is False
    learnable: bool  # False: labels are random, so no model can beat chance on new data
    default_val_split: float = 0.2  # the share held out for validation when a link names the data set but no split

    def check_size(self, n_samples: int) -> None:
        """Raise SettingsError unless ``n_samples`` is within this data set's range (the one place that says so)."""
        if not self.min_size <= n_samples <= self.max_size:
            raise SettingsError("size_range", dataset=self.id, low=self.min_size, high=self.max_size, n=n_samples)

    def clamp_size(self, n_samples: int) -> int:
        """The nearest size within this data set's range."""
        return min(max(n_samples, self.min_size), self.max_size)


DATASETS: dict[str, DatasetSpec] = {
    spec.id: spec
    for spec in (
        # id, features, classes, 2-D, download, default size, min size, max size, noise?, default noise, learnable
        # The lesson's PyTorch example: torch.randn(1000, 10), random 0/1 labels, every row trains (no validation).
        DatasetSpec("random", 10, 2, False, False, 1_000, 10, 100_000, False, 0.0, False, default_val_split=0.0),
        DatasetSpec("moons", 2, 2, True, False, 1_000, 10, 20_000, True, 0.2, True),
        DatasetSpec("circles", 2, 2, True, False, 1_000, 10, 20_000, True, 0.1, True),
        DatasetSpec("spiral", 2, 3, True, False, 1_500, 15, 20_000, True, 0.1, True),
        DatasetSpec("xor", 2, 2, True, False, 1_000, 10, 20_000, True, 0.1, True),
        DatasetSpec("blobs", 2, 3, True, False, 1_000, 10, 20_000, True, 0.6, True),
        DatasetSpec("digits", 64, 10, False, False, DIGITS_SIZE, 20, DIGITS_SIZE, False, 0.0, True),
        DatasetSpec("mnist", 784, 10, False, True, 10_000, 100, MNIST_TRAIN_SIZE, False, 0.0, True),
    )
}


def dataset_spec(dataset_id: str) -> DatasetSpec:
    """The spec for ``dataset_id``, or a ValueError naming the known ones."""
    try:
        return DATASETS[dataset_id]
    except KeyError:
        raise ValueError(f"Unknown data set {dataset_id!r}; choose one of {', '.join(DATASETS)}.") from None


MODELS: tuple[str, ...] = ("linear", "mlp")
ACTIVATIONS: tuple[str, ...] = ("relu", "tanh", "gelu", "sigmoid")
# Each optimizer the app offers, with the parameter-sized buffers it keeps (momentum: 1, Adam's moments: 2);
# core.train.optimizers builds them, and its unwired_optimizers() finds a name missing there.
OPTIMIZER_STATE_COPIES: dict[str, int] = {"sgd": 0, "momentum": 1, "adam": 2}
OPTIMIZERS: tuple[str, ...] = tuple(OPTIMIZER_STATE_COPIES)
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda", "mps")
MAX_HIDDEN_LAYERS = 8
MAX_HIDDEN_WIDTH = 1024


def model_layers(
    model: str, n_features: int, n_classes: int, *, hidden_layers: int = 1, hidden_width: int = 128,
    activation: str = "relu",
) -> list[tuple[int, int]]:
    """(inputs, outputs) of each linear layer of ``model``; SettingsError when the settings cannot build one."""
    if model == "linear":
        return [(n_features, n_classes)]
    if model != "mlp":
        raise SettingsError("unknown_choice", name="model", value=repr(model), choices=", ".join(MODELS))
    if activation not in ACTIVATIONS:
        raise SettingsError("unknown_choice", name="activation", value=repr(activation), choices=", ".join(ACTIVATIONS))
    if not 1 <= hidden_layers <= MAX_HIDDEN_LAYERS:
        raise SettingsError("hidden_layers", maximum=MAX_HIDDEN_LAYERS, value=hidden_layers)
    if not 1 <= hidden_width <= MAX_HIDDEN_WIDTH:
        raise SettingsError("hidden_width", maximum=MAX_HIDDEN_WIDTH, value=hidden_width)
    widths = [n_features] + [hidden_width] * hidden_layers + [n_classes]
    return list(zip(widths[:-1], widths[1:], strict=True))


def parameter_count(layers: list[tuple[int, int]]) -> int:
    """Weights and biases of linear layers with these (inputs, outputs)."""
    return sum(inputs * outputs + outputs for inputs, outputs in layers)
