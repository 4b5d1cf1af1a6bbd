"""Samples/s a student measured, per device type, model shape and batch size: what ``device="auto"`` compares.

Each tab owns one cache (``core.runtime.tabs.Tab.throughputs``), so one student's measurements never move
another student's device choice.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from typing import Protocol

ModelShape = tuple[tuple[int, int], ...]  # (inputs, outputs) of each linear layer


class Shaped(Protocol):
    """Settings that name a model (its layers) and a batch size, as ``TrainConfig`` does."""

    @property
    def batch_size(self) -> int: ...

    def layers(self) -> list[tuple[int, int]]: ...


class ThroughputCache:
    """Samples/s measured per (device type, model shape, batch size), the newest counting; one per student or tab.

    The batch-size finder records into the cache it is given, and a ``Trainer`` on ``device="auto"`` reads
    the one it is given: no process-wide cache, so one student's measurements never move another's device.
    """

    def __init__(self, max_entries: int = 512) -> None:
        self.max_entries = max_entries
        self._rates: OrderedDict[tuple[str, ModelShape, int], float] = OrderedDict()
        self._lock = threading.Lock()  # the finder and training runs record from their own threads

    def record(self, device_type: str, shape: ModelShape, batch_size: int, samples_per_s: float) -> None:
        """Remember a measurement (ignored unless positive and finite); the oldest go past ``max_entries``."""
        if not (math.isfinite(samples_per_s) and samples_per_s > 0):
            return
        key = (device_type, shape, batch_size)
        with self._lock:
            self._rates.pop(key, None)
            self._rates[key] = samples_per_s
            while len(self._rates) > self.max_entries:
                self._rates.popitem(last=False)

    def get(self, device_type: str, shape: ModelShape, batch_size: int) -> float | None:
        """The latest measurement for this key, or None."""
        with self._lock:
            return self._rates.get((device_type, shape, batch_size))

    def clear(self) -> None:
        """Forget every measurement."""
        with self._lock:
            self._rates.clear()

    def record_run(self, device_type: str, config: Shaped, samples_per_s: float) -> None:
        """Remember the samples/s ``config``'s model and batch size reached on a device type."""
        self.record(device_type, tuple(config.layers()), config.batch_size, samples_per_s)
