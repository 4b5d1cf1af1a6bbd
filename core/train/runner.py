"""Live training: a run trains in a background thread and publishes immutable snapshots for the page to poll.

Nothing here imports Streamlit. The page keeps a ``TrainingRun`` in its
session, calls ``heartbeat()`` and ``snapshot()`` on each poll, and
``stop()`` on a button; a run whose page stops polling stops itself
("abandoned"), so a closed tab leaves no thread behind. Runs take turns in the
server's time-shared training slots (``core.runtime.slots``), and a run that has
trained for ``$BEL_MAX_RUN_SECONDS`` stops ("capped"), keeping its history.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import torch

from core.i18n import Message, error_message, message
from core.maths.config import TrainConfig, TrainPlan
from core.maths.records import (
    BoundaryGrid,
    FinalEvaluation,
    RunProgress,
    RunStatus,
    Snapshot,
    _empty_history,
    throughput,
)
from core.runtime import runlog
from core.runtime.background import HEARTBEAT_TIMEOUT_S, BackgroundRun
from core.runtime.slots import RunQueue, Ticket
from core.runtime.throughput import ThroughputCache
from core.train.engine import Trainer
from core.views.data_parallel import DataParallelSnapshot

# One intra-op thread per run. The models here are too small to gain from more, and each training thread
# drives its own OpenMP pool: several pools, or a pool sharing cores with the web server, spin against each
# other (measured on 2 cores: a 2-thread run in a worker thread went 3x slower, with stalls of seconds).
THREADS_PER_RUN = 1


SWITCH_INTERVAL_S = 0.0005


TRAINING_NICENESS = 10  # how much a training thread yields the CPU to the threads that serve pages


def lower_priority(niceness: int = TRAINING_NICENESS) -> None:
    """Make the calling thread yield the CPU to the web server's threads (Linux; elsewhere a no-op).

    On a small server the browser-facing work (rerunning a page, answering Stop) must not queue behind
    training: a niced training thread still gets every cycle nobody else wants.
    """
    setpriority = getattr(os, "setpriority", None)
    if setpriority is None:
        return
    try:
        setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)  # Linux: per thread
    except OSError:
        pass  # not permitted here: training at normal priority still works


def turn_message(ticket: Ticket) -> Message:
    """What a run waiting for its first turn is told: how many runs are ahead of it and about how long that takes."""
    wait = round(max(ticket.wait_s, 0.1), 1)
    if ticket.ahead == 0:
        return message("runner.turn.next", wait=wait, sharing=ticket.sharing)
    return message("runner.turn.ahead", ahead=ticket.ahead, wait=wait, sharing=ticket.sharing)


S = TypeVar("S", Snapshot, DataParallelSnapshot)


def while_waiting(snapshot: S, queue: RunQueue | None, token: object) -> S:
    """``snapshot``, with the runs ahead and the wait said while ``token`` waits for its first turn in ``queue``."""
    ticket = queue.ticket(token) if snapshot.status == "waiting" and queue is not None else None
    if ticket is None:
        return snapshot
    return dataclasses.replace(snapshot, queue_position=ticket.ahead + 1, message=turn_message(ticket))


@functools.cache
def warm_up() -> threading.Thread:
    """Import what a run's first optimizer imports (torch._dynamo, seconds of CPU), once, in a niced background thread.

    A page that can train calls this when it loads, so the first Train on a fresh server does not spend its first
    seconds "preparing" while a student watches.
    """

    def _import() -> None:
        lower_priority()
        import torch._dynamo  # noqa: F401 - the import is the point

    thread = threading.Thread(target=_import, name="torch-warm-up", daemon=True)
    thread.start()
    return thread


@functools.cache
def serve_many_runs() -> None:
    """Set this process up to serve a class: one torch thread per run and a short GIL switch interval (once).

    Both settings are process-global, so the app asks for them at start-up, explicitly; a script or a test
    that trains keeps torch's defaults.
    """
    # max_concurrent_runs() single-threaded runs then use at most that many cores.
    torch.set_num_threads(THREADS_PER_RUN)
    # A training loop on small batches is mostly Python and holds the GIL between short torch calls; the
    # server's threads then wait up to a switch interval (5 ms by default) each time they need it back,
    # many times per page update. A shorter interval hands the GIL back sooner.
    sys.setswitchinterval(SWITCH_INTERVAL_S)


class TrainingRun(BackgroundRun[Snapshot]):
    """One training run in a daemon thread; the owner polls ``snapshot()`` and keeps it alive with ``heartbeat()``."""

    thread_name = "training-run"

    def __init__(
        self,
        config: TrainConfig | TrainPlan,
        *,
        data: tuple[torch.Tensor, torch.Tensor] | None = None,
        queue: RunQueue | None = None,
        heartbeat_timeout_s: float = HEARTBEAT_TIMEOUT_S,
        keepalive: Callable[[], bool] | None = None,
        boundary_interval_s: float = 0.5,
        flush_interval_s: float = 0.1,
        final_evaluation: bool = False,
        max_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        throughputs: ThroughputCache | None = None,
    ) -> None:
        # Bad settings fail here, in the caller, with a readable message; a TrainPlan was checked already.
        self._checked = config if isinstance(config, TrainPlan) else config.checked()
        self.config = config = self._checked.config
        self.plan = self._checked.batches
        self._throughputs = throughputs  # the owner's measurements, for device="auto"
        super().__init__(
            Snapshot(
                status="waiting", message=message("runner.not_started"), config=config, plan=self.plan,
                updates=_empty_history(), epochs=(),
                progress=RunProgress(1, 0, 0, config.update_limit, 0.0, None, None),
                boundary=None, device=None, device_message=None, queue_position=None, diverged_at=None,
            ),
            queue=queue, heartbeat_timeout_s=heartbeat_timeout_s, keepalive=keepalive, max_seconds=max_seconds,
            clock=clock,
        )
        self._data = data
        self._boundary_interval_s = boundary_interval_s
        self._flush_interval_s = flush_interval_s
        self._final_evaluation = final_evaluation
        self._final: FinalEvaluation | None = None
        self._boundary: BoundaryGrid | None = None
        self._boundary_at = 0.0
        self._boundary_epochs = 0
        self._capped = False
        self._first_update_logged = False

    def _before_start(self) -> None:
        runlog.record("queued", run=id(self), seed=self.config.seed, planned=self.config.update_limit)

    def snapshot(self) -> Snapshot:
        """The latest published state; while it waits for its first turn, the runs ahead and the wait."""
        return while_waiting(self._published, self._queue, self)  # one read: whole snapshots are swapped

    def _between_updates(self) -> bool:
        """Asked before every update: True to stop (asked to, at the time limit, or stopped while waiting its turn).

        Once its turn has lasted a quantum and another run waits, the run hands its slot on here and waits for
        its next turn; the wait is not training time, so throughput and time budgets stay the run's own.
        """
        if self._stop.is_set():
            return True
        if self._at_time_limit(seed=self.config.seed):
            self._capped = True
            return True
        return self._hand_over_turn() is None

    def _work(self) -> None:
        lower_priority()
        trainer: Trainer | None = None
        try:
            self._publish("waiting", message("runner.preparing"))
            trainer = Trainer(self._checked, data=self._data, progress=self._on_download,
                              throughputs=self._throughputs)
            self._publish("waiting", message("runner.waiting"), trainer)
            if not self.queue.acquire(self, cancelled=self._cancelled):
                self._publish(*self._ended(message("runner.stopped_before_start")), trainer)
                return
            self._begin_training()
            runlog.record("started", run=id(self), seed=self.config.seed)
            self._publish("running", message("runner.training"), trainer)
            result = trainer.train(
                should_stop=self._between_updates, on_chunk=self._on_chunk, flush_interval_s=self._flush_interval_s,
                clock=self.training_clock,
            )
            runlog.record("training_returned", run=id(self), seed=self.config.seed, status=result.status,
                          updates=result.updates_done, planned=self.config.update_limit)
            if self._final_evaluation and trainer.updates_done:
                self._final = _evaluate(trainer, result.peak_memory_bytes)
            self.queue.release(self)  # before the final boundary: the next run need not wait for it
            self._refresh_boundary(trainer, force=True)
            if self._capped:
                self._publish("capped", message("runner.capped", limit=round(self._max_seconds or 0),
                                                made=trainer.updates_done, planned=self.plan.total_updates), trainer)
            elif result.status == "stopped":
                self._publish(*self._ended(result.message), trainer)
            else:
                self._publish(result.status, result.message, trainer, diverged_at=result.diverged_at)
        except Exception as exc:  # noqa: BLE001 - any failure must reach the page, never kill the thread silently
            self._publish("failed", message("runner.failed", error=error_message(exc)), trainer)
        finally:
            self.queue.release(self)
            runlog.record("ended", run=id(self), seed=self.config.seed, status=self._published.status)

    def _ended(self, stopped_message: Message) -> tuple[RunStatus, Message]:
        if self._abandoned:
            return "abandoned", message("runner.abandoned", seconds=self._heartbeat_timeout_s)
        return "stopped", stopped_message

    def _on_download(self, done: int, total: int) -> None:
        done_mb, total_mb = f"{done / 1e6:.1f}", f"{total / 1e6:.1f}"
        self._publish("waiting", message("runner.download.sized", done=done_mb, total=total_mb) if total
                      else message("runner.download.unsized", done=done_mb))

    def _on_chunk(self, trainer: Trainer) -> None:
        self._cancelled()  # notices a missing heartbeat; the loop sees the stop event before its next update
        if not self._first_update_logged and trainer.updates_done:
            self._first_update_logged = True  # the page can show an update from now on
            runlog.record("first_update", run=id(self), seed=self.config.seed)
        self._refresh_boundary(trainer, force=len(trainer.epoch_records) != self._boundary_epochs)
        self._publish("running", message("runner.training"), trainer)

    def _refresh_boundary(self, trainer: Trainer, *, force: bool) -> None:
        now = self._clock()
        if trainer.bounds is None or not (force or now - self._boundary_at >= self._boundary_interval_s):
            return
        self._boundary = trainer.boundary_grid()
        self._boundary_at = now
        self._boundary_epochs = len(trainer.epoch_records)

    def _publish(
        self, status: RunStatus, text: Message, trainer: Trainer | None = None, *, diverged_at: int | None = None
    ) -> None:
        previous = self._published
        if trainer is None:
            self._publish_snapshot(dataclasses.replace(previous, status=status, message=text))
            return
        history = trainer.history
        done = len(history)
        elapsed = self.training_clock()  # this run's own turns only
        epoch, iteration = trainer.position(done)
        total = self.config.update_limit
        budget = self.config.time_budget_s
        # The time left is wall time, waits between turns included: what the learner waits for.
        wall = 0.0 if self._train_started is None else self._clock() - self._train_started
        if not done or elapsed <= 0:
            eta = None
        elif budget is not None:  # a time budget counts training time only
            eta = max(0.0, min((budget - elapsed) * wall / elapsed, wall / done * (total - done)))
        else:
            eta = wall / done * (total - done)
        self._publish_snapshot(Snapshot(
            status=status,
            message=text,
            config=self.config,
            plan=self.plan,
            updates=history,
            epochs=tuple(trainer.epoch_records),
            progress=RunProgress(
                epoch=epoch,
                iteration=iteration,
                updates_done=done,
                total_updates=total,
                elapsed_s=elapsed,
                eta_s=eta,
                samples_per_s=throughput(history),
            ),
            boundary=self._boundary,
            device=str(trainer.device),
            device_message=trainer.device_message,
            queue_position=None,
            diverged_at=diverged_at,
            final=self._final,
            device_choice=trainer.device_choice,
            sharing=self._queue.sharing if self._queue is not None else 1,
        ))


def _evaluate(trainer: Trainer, peak_memory_bytes: int | None) -> FinalEvaluation:
    """Loss and accuracy of the trained model on all its training and validation rows."""
    train_loss, train_accuracy = trainer.evaluate(trainer.x_train, trainer.y_train)
    val_loss = val_accuracy = None
    if len(trainer.y_val):
        val_loss, val_accuracy = trainer.evaluate(trainer.x_val, trainer.y_val)
    return FinalEvaluation(train_loss, train_accuracy, val_loss, val_accuracy, peak_memory_bytes)
