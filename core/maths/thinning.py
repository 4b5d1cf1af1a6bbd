"""Evenly spread indices into a long series, so a figure draws its shape with a bounded number of points.

>>> downsample_indices(10, 4).tolist()
[0, 3, 6, 9]
>>> downsample_indices(1_000, 3, keep=(499, 500)).tolist()
[0, 499, 500, 999]
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

MAX_POINTS = 2_000  # per line in a figure: enough to show every bend a reader can see


def downsample_indices(length: int, max_points: int = MAX_POINTS, keep: Iterable[int] = ()) -> np.ndarray:
    """At most ``max_points`` evenly spread indices into ``length`` items, always the first and the last, plus
    the in-range indices in ``keep`` (a schedule's corners); sorted, int64."""
    if length <= max_points:
        return np.arange(length, dtype=np.int64)
    indices = np.linspace(0, length - 1, max_points).round().astype(np.int64)
    extra = np.fromiter((i for i in keep if 0 <= i < length), dtype=np.int64)
    return np.unique(np.concatenate([indices, extra]))
