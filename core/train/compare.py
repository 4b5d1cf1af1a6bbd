"""A comparison run: each batch size trained in turn through the run queue, then gradient noise measured."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import torch

from core.i18n import Message, error_message
from core.maths.config import TrainConfig, TrainPlan
from core.maths.records import DEFAULT_DRAWS, CompareSnapshot, CompareStatus, NoiseReport
from core.runtime.background import HEARTBEAT_TIMEOUT_S, BackgroundRun
from core.runtime.slots import RunQueue
from core.runtime.throughput import ThroughputCache
from core.train.engine import Trainer
from core.train.noise import measure, model_oracle
from core.train.runner import TrainingRun
from core.views.compare import CompareConfig


@dataclass(frozen=True)
class _Progress:
    """What the comparison's worker publishes: swapped whole, never edited."""

    status: CompareStatus
    runs: tuple[TrainingRun, ...]  # started so far, in the order of configs
    noise: NoiseReport | None = None
    message: Message | None = None


class ComparisonRun(BackgroundRun[_Progress]):
    """Trains each batch size in turn in a daemon thread, then measures gradient noise; poll ``snapshot()``."""

    thread_name = "comparison"

    def __init__(
        self,
        config: CompareConfig,
        *,
        data: tuple[torch.Tensor, torch.Tensor] | None = None,
        queue: RunQueue | None = None,
        heartbeat_timeout_s: float = HEARTBEAT_TIMEOUT_S,
        keepalive: Callable[[], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
        throughputs: ThroughputCache | None = None,
    ) -> None:
        self.config = config
        self._throughputs = throughputs  # the owner's measurements, for device="auto"
        plans = config.validate()  # bad settings fail here, in the caller
        self.configs = config.run_configs()
        # Each run carries its checked plan, so neither its TrainingRun nor its Trainer validates it again.
        self._plans = tuple(TrainPlan(run, batches) for run, batches in zip(self.configs, plans, strict=True))
        super().__init__(_Progress("waiting", ()), queue=queue, heartbeat_timeout_s=heartbeat_timeout_s,
                         keepalive=keepalive, clock=clock)
        self._data = data

    def stop(self) -> None:
        """Stop the run training now and skip the rest."""
        super().stop()
        for run in self._published.runs:
            run.stop()

    def heartbeat(self) -> None:
        """Tell the comparison (and the run training now) that its page is still open."""
        super().heartbeat()
        for run in self._published.runs:
            run.heartbeat()

    def snapshot(self) -> CompareSnapshot:
        """The comparison now: the worker's published progress and each started run's own snapshot."""
        progress = self._published
        runs = tuple(run.snapshot() for run in progress.runs)
        return CompareSnapshot(progress.status, self.configs, runs, max(0, len(runs) - 1), progress.noise,
                               progress.message)

    def _set(self, **changes: object) -> None:
        self._publish_snapshot(replace(self._published, **changes))  # type: ignore[arg-type]

    def _work(self) -> None:
        try:
            self._set(status="running")
            for config in self._plans:
                if self._cancelled():
                    break
                run = TrainingRun(config, data=self._data, queue=self.queue,
                                  heartbeat_timeout_s=self._heartbeat_timeout_s, final_evaluation=True,
                                  clock=self._clock, throughputs=self._throughputs)
                self._set(runs=(*self._published.runs, run))
                run.start()
                while not run.join(0.05):
                    if self._cancelled():
                        run.stop()
                    else:
                        run.heartbeat()
                if run.snapshot().status in ("stopped", "capped", "abandoned", "failed"):
                    break
            runs = self._published.runs
            if self.abandoned:
                self._set(status="abandoned")
            elif self._stop.is_set() or len(runs) < len(self.configs):
                last = runs[-1].snapshot().status if runs else None
                # A failure, or the server's time limit, is said in the run's own words.
                self._set(status="failed" if last == "failed" else "stopped",
                          message=runs[-1].snapshot().message if last in ("failed", "capped") else None)
            else:
                self._set(status="measuring")
                noise = self._measure_noise()
                self._set(status="stopped" if noise is None else "finished", noise=noise)
        except Exception as exc:  # noqa: BLE001 - any failure must reach the page
            self._set(status="failed", message=error_message(exc))

    def _measure_noise(self) -> NoiseReport | None:
        """Gradient noise at the shared initial weights, holding a training slot like a run."""
        if not self.queue.acquire(self, cancelled=self._cancelled):
            return None
        try:
            return measure_noise(self._plans[0], self.config.batch_sizes, data=self._data,
                                 draws=self.config.noise_draws, throughputs=self._throughputs)
        finally:
            self.queue.release(self)


def measure_noise(
    config: TrainConfig | TrainPlan, batch_sizes: Sequence[int], *,
    data: tuple[torch.Tensor, torch.Tensor] | None = None, draws: int = DEFAULT_DRAWS,
    throughputs: ThroughputCache | None = None,
) -> NoiseReport:
    """Gradient noise of ``config``'s model at its initial weights (identical for every batch size compared)."""
    checked = config if isinstance(config, TrainPlan) else config.checked()
    trainer = Trainer(checked.without_limits(), data=data, throughputs=throughputs)
    oracle = model_oracle(trainer.model, trainer.x_train, trainer.y_train)
    return measure(oracle, len(trainer.y_train), batch_sizes, draws=draws, seed=checked.config.seed + 3)
