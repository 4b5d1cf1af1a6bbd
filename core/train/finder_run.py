"""The batch-size finder as a background run: the sweep of ``core.train.finder`` in a daemon thread, polled live.

Like every run kind it is a ``BackgroundRun``: the page starts it, polls ``snapshot()`` (the sizes measured so
far), keeps it alive with ``heartbeat()`` and may ``stop()`` it; a run nobody watches stops itself as
"abandoned". The sweep holds one of the server's training slots while it measures (``find_batch_size`` waits
for one, and reports "busy" when none comes), and a stop or an abandonment takes effect after the size being
measured, whose measurement is bounded by its own time budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

import torch

from core.i18n import Message, error_message
from core.maths.config import TrainConfig
from core.maths.records import FinderPoint, FinderResult
from core.runtime.background import HEARTBEAT_TIMEOUT_S, BackgroundRun
from core.runtime.slots import RunQueue
from core.train.finder import find_batch_size
from core.train.runner import lower_priority

FinderStatus = Literal["measuring", "finished", "stopped", "failed", "abandoned"]


@dataclass(frozen=True)
class FinderSnapshot:
    """Where a batch-size sweep stands; immutable, safe to read from any thread."""

    status: FinderStatus
    points: tuple[FinderPoint, ...] = ()  # the sizes measured so far, in order
    planned: int = 0  # sizes the sweep may measure (known once the first is measured)
    result: FinderResult | None = None  # once finished
    error: Message | None = None  # once failed

    @property
    def done(self) -> bool:
        """True once the sweep has ended, whatever the reason."""
        return self.status != "measuring"


class _Cancelled(Exception):
    """Raised between two sizes to end a sweep that was stopped or abandoned."""


class FinderRun(BackgroundRun[FinderSnapshot]):
    """``find_batch_size`` of ``config`` in a daemon thread; poll ``snapshot()``, end early with ``stop()``.

    ``options`` are ``find_batch_size``'s other settings (``steps``, ``time_budget_s``, ``queue_wait_s``, ...).
    """

    thread_name = "batch-size-finder"

    def __init__(
        self, config: TrainConfig, *, memory_budget_bytes: int | None = None,
        data: tuple[torch.Tensor, torch.Tensor] | None = None, queue: RunQueue | None = None,
        heartbeat_timeout_s: float = HEARTBEAT_TIMEOUT_S, keepalive: Callable[[], bool] | None = None,
        clock: Callable[[], float] = time.monotonic, **options: Any,
    ) -> None:
        self.config = config
        config.validate()  # bad settings fail here, in the caller
        super().__init__(FinderSnapshot("measuring"), queue=queue, heartbeat_timeout_s=heartbeat_timeout_s,
                         keepalive=keepalive, clock=clock)
        self._memory_budget_bytes = memory_budget_bytes
        self._data = data
        self._options = options

    def snapshot(self) -> FinderSnapshot:
        """The latest published state (one reference read: the worker swaps whole snapshots)."""
        return self._published

    def _work(self) -> None:
        lower_priority()  # like every training thread: the pages' threads come first, the measurement is a run's
        try:
            result = find_batch_size(self.config, data=self._data, memory_budget_bytes=self._memory_budget_bytes,
                                     queue=self.queue, on_point=self._on_point, **self._options)
        except _Cancelled:
            self._set(status="abandoned" if self.abandoned else "stopped")
        except Exception as exc:  # noqa: BLE001 - any failure must reach the page, never kill the thread silently
            self._set(status="failed", error=error_message(exc))
        else:
            self._set(status="finished", points=result.points, result=result)

    def _on_point(self, point: FinderPoint, done: int, planned: int) -> None:
        self._set(points=(*self._published.points, point), planned=planned)
        if self._cancelled():
            raise _Cancelled

    def _set(self, **changes: Any) -> None:
        self._publish_snapshot(replace(self._published, **changes))
