"""The Keras counts agree with Keras itself: its own validation split, and the steps ``model.fit`` makes."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # the torch this project installs; no TensorFlow needed

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from keras.src.trainers.data_adapters import array_slicing  # noqa: E402

from core.maths.batching import SettingsError, plan, split_sizes  # noqa: E402

pytestmark = pytest.mark.slow  # Keras itself: seconds to import, 2,000 examples against its own split
splits = st.floats(0.0, 0.95, allow_nan=False).filter(lambda v: v > 0)


def _keras_split(n: int, v: float) -> tuple[int, int] | None:
    """Rows Keras trains on and validates on for ``validation_split=v``; None where Keras refuses."""
    try:
        train, val = array_slicing.train_validation_split((np.arange(n),), validation_split=v)
    except ValueError:
        return None
    return len(train[0]), len(val[0])


@settings(max_examples=2000, deadline=None)
@given(n=st.integers(2, 100_000), v=splits)
def test_keras_split_sizes_equal_keras_own_train_validation_split(n, v):
    expected = _keras_split(n, v)
    if expected is None:
        with pytest.raises(SettingsError):
            split_sizes(n, v, "keras")
    else:
        assert split_sizes(n, v, "keras") == expected


class _StepCounter(keras.callbacks.Callback):  # type: ignore[misc]
    """Counts the weight updates ``fit`` makes, per epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.steps: list[int] = []

    def on_epoch_begin(self, epoch: int, logs: object = None) -> None:
        self.steps.append(0)

    def on_train_batch_end(self, batch: int, logs: object = None) -> None:
        self.steps[-1] += 1


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 600), batch_size=st.integers(1, 128), epochs=st.integers(1, 3),
       v=st.sampled_from([0.0, 0.1, 0.2, 0.25, 1 / 3, 0.5]))
def test_keras_fit_makes_the_updates_plan_counts(n, batch_size, epochs, v):
    if v and _keras_split(n, v) is None:
        return  # Keras refuses this split; the property above checks that the plan refuses it too
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    counter = _StepCounter()
    x, y = np.zeros((n, 1), "float32"), np.zeros(n, "int64")
    model.fit(x, y, batch_size=batch_size, epochs=epochs, validation_split=v, verbose=0, callbacks=[counter])
    p = plan(n, batch_size, epochs, validation_split=v, framework="keras")
    assert counter.steps == [p.updates_per_epoch] * epochs
    assert sum(counter.steps) == p.total_updates


def test_the_lessons_keras_mnist_example_makes_1500_steps_an_epoch():
    counter = _StepCounter()
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(np.zeros((60_000, 1), "float32"), np.zeros(60_000, "int64"), batch_size=32, epochs=1,
              validation_split=0.2, verbose=0, callbacks=[counter])
    assert counter.steps == [1_500] == [plan(60_000, 32, 1, validation_split=0.2, framework="keras").updates_per_epoch]
