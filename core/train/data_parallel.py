"""A real data-parallel run: ``devices`` worker processes train one model with ``torch.distributed``.

Each worker is a rank of a process group (gloo on CPU; NCCL when there is a GPU per rank) that meets through a
``FileStore`` in a private folder, so nothing listens on the network (gloo's own connections use loopback).
Workers are forked from a server that imported torch once (``forkserver``): they start in a fraction of a
second and share its memory. Each rank draws its share of every epoch through a
``DistributedSampler(shuffle=True, seed=seed)``, trains a ``DistributedDataParallel`` copy of the same model
and, after every iteration, tells the parent through its own pipe which sample indices it drew and its loss.
Rank 0 also sends the first update's gradient as DDP all-reduced it; the parent computes the gradient of one
process on the ranks' first batches together and publishes the largest difference, the proof that data
parallelism trains one big batch.

``DataParallelRun`` is a ``BackgroundRun``: it takes turns in the server's time-shared training slots like any
run (between its turns its workers are paused with SIGSTOP, so they use no CPU), is stopped, abandoned or capped
like any run, and never leaves a process behind. Stop, abandonment, a failed rank or a silent one
end every worker (terminate, join, kill): a rank blocked in an all-reduce that will never complete is killed
by the parent, not left waiting for gloo's time-out.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import timedelta
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from core.i18n import Message, error_message, message
from core.maths.catalog import dataset_spec
from core.runtime import runlog
from core.runtime.background import HEARTBEAT_TIMEOUT_S, BackgroundRun
from core.runtime.slots import RunQueue
from core.train.datasets import load_dataset
from core.train.models import build_model
from core.train.runner import lower_priority, while_waiting
from core.views.data_parallel import (
    DP_MODEL,
    HIDDEN_LAYERS,
    HIDDEN_WIDTH,
    LEARNING_RATE,
    DataParallelConfig,
    DataParallelSnapshot,
    DpStatus,
    EpochDraws,
    GradientCheck,
    RankCounts,
    draw_width,
)

START_TIMEOUT_S = 180.0  # every rank in the process group by then (a busy 2-core server imports torch slowly)
STALL_TIMEOUT_S = 60.0  # once running, some rank reports at least this often
JOIN_TIMEOUT_S = 3.0  # a worker asked to end gets this long before it is killed
PUBLISH_EVERY_S = 0.1  # the page polls every 0.24 s: publishing faster would only copy arrays nobody reads
POLL_S = 0.05  # how often the parent notices a stop while no worker reports
MAX_REPORTS_PER_READ = 1_000  # then look at the stop flag and the other pipes again


def choose_backend(devices: int) -> str:
    """NCCL when every rank can have a GPU of its own, else gloo on the CPU."""
    if torch.cuda.is_available() and torch.cuda.device_count() >= devices and dist.is_nccl_available():
        return "nccl"
    return "gloo"


def _model(config: DataParallelConfig) -> torch.nn.Sequential:
    """The same initial weights in every rank and in the parent: built from the run's seed."""
    spec = dataset_spec(config.dataset)
    return build_model(DP_MODEL, spec.n_features, spec.n_classes, hidden_layers=HIDDEN_LAYERS,
                       hidden_width=HIDDEN_WIDTH, seed=config.seed)


def _data(config: DataParallelConfig) -> tuple[torch.Tensor, torch.Tensor]:
    return load_dataset(config.dataset, config.n_samples, seed=config.seed)


Worker = Callable[[int, int, str, str, DataParallelConfig, Connection], None]


def worker(rank: int, devices: int, store_path: str, backend: str, config: DataParallelConfig,
           conn: Connection) -> None:
    """One rank: join the process group, train with DDP over a DistributedSampler, report every iteration.

    Messages (tuples) to the parent: ("ready", rank) once in the process group with its DDP model;
    ("grad", rank, [arrays]) after the first backward on rank 0; ("step", rank, epoch, iteration, indices, loss)
    after every update; ("done", rank, iterations per epoch, updates, samples); ("error", rank, type name, text,
    traceback, time.time()) when anything ends the rank early.
    """
    _run_rank(rank, conn, lambda: _train_rank(rank, devices, store_path, backend, config, conn))


def _run_rank(rank: int, conn: Connection, body: Callable[[], None]) -> None:
    """Run one rank's ``body``, tell the parent through ``conn`` whatever ended it early, and leave."""
    try:
        body()
        code = 0
    except BaseException as exc:  # noqa: BLE001 - whatever ends this rank, the parent must hear why
        code = 1
        try:
            conn.send(("error", rank, type(exc).__name__, str(exc), traceback.format_exc(), time.time()))
        except OSError:
            pass  # the parent has gone: nobody is left to tell
    finally:
        conn.close()
    if multiprocessing.parent_process() is not None:
        # Everything is said: leave without the interpreter's tear-down of torch, which takes seconds.
        os._exit(code)


def _join_group(rank: int, devices: int, store_path: str, backend: str) -> torch.device:
    """Join the run's process group as ``rank`` of ``devices``, at low priority, on one thread; this rank's device."""
    lower_priority()
    torch.set_num_threads(1)  # the ranks share the server's cores with each other and the web server
    if backend == "gloo" and os.path.exists("/sys/class/net/lo"):
        os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")  # the ranks meet on loopback, whatever the hostname
    # A file, not tcp://: rank 0's TCPStore listens on every interface, whatever address the URL names.
    dist.init_process_group(backend, init_method=f"file://{store_path}", rank=rank, world_size=devices,
                            timeout=timedelta(seconds=START_TIMEOUT_S))
    if backend != "nccl":
        return torch.device("cpu")
    device = torch.device("cuda", rank)
    torch.cuda.set_device(device)
    return device


def _train_rank(rank: int, devices: int, store_path: str, backend: str, config: DataParallelConfig,
               conn: Connection) -> None:
    """What rank ``rank`` does, from joining the process group to leaving it (the messages are ``worker``'s)."""
    device = _join_group(rank, devices, store_path, backend)
    x, y = _data(config)
    net = _model(config).to(device)
    # DDP broadcasts rank 0's weights to every rank (they are equal anyway: the same seed) and, on first use,
    # imports torch._dynamo: about as long as importing torch itself.
    model = DistributedDataParallel(net, device_ids=[rank] if backend == "nccl" else None)
    conn.send(("ready", rank))
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    dataset = TensorDataset(x, y, torch.arange(len(y)))
    sampler: DistributedSampler[Any] = DistributedSampler(dataset, num_replicas=devices, rank=rank, shuffle=True,
                                                          seed=config.seed)
    loader = DataLoader(dataset, batch_size=config.batch_size, sampler=sampler)
    iterations: list[int] = []
    updates = samples = 0
    for epoch in range(config.epochs):
        sampler.set_epoch(epoch)  # a fresh shuffle per epoch, the same on every rank
        iterations.append(0)
        for iteration, (xb, yb, ib) in enumerate(loader):
            loss = F.cross_entropy(model(xb.to(device)), yb.to(device))
            optimizer.zero_grad(set_to_none=True)
            torch.autograd.backward(loss)  # DDP all-reduces (averages) the gradients of every rank here
            if updates == 0 and rank == 0:
                grads = [p.grad.detach().cpu().numpy().copy() for p in net.parameters() if p.grad is not None]
                conn.send(("grad", rank, grads))
            optimizer.step()
            updates += 1
            iterations[-1] += 1
            samples += len(ib)
            conn.send(("step", rank, epoch + 1, iteration, ib.tolist(), loss.item()))
    conn.send(("done", rank, tuple(iterations), updates, samples))
    dist.destroy_process_group()


def worker_context() -> ForkServerContext | SpawnContext:
    """Where workers come from: a fork server that has imported this module (and torch) once, where there is one.

    Forking from it takes a fraction of a second where a spawned worker imports torch for seconds, and the
    workers share the fork server's pages instead of each holding a copy of torch.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "torch._dynamo"])  # DDP imports dynamo on first use: once, here
    return context


def reference_gradient(config: DataParallelConfig, indices: Sequence[int]) -> list[np.ndarray]:
    """The gradient one process computes on ``indices`` (repeats count) at the run's initial weights."""
    x, y = _data(config)
    net = _model(config)
    batch = torch.as_tensor(list(indices), dtype=torch.int64)
    torch.autograd.backward(F.cross_entropy(net(x[batch]), y[batch]))
    return [p.grad.detach().numpy().copy() for p in net.parameters() if p.grad is not None]


def gradient_check(config: DataParallelConfig, first_batches: Sequence[Sequence[int]],
                   all_reduced: Sequence[np.ndarray]) -> GradientCheck:
    """Compare rank 0's all-reduced first gradient with one process's gradient on every rank's first batch."""
    union = [index for batch in first_batches for index in batch]
    single = reference_gradient(config, union)
    diff = max(float(np.max(np.abs(a - b))) for a, b in zip(all_reduced, single, strict=True))
    return GradientCheck(max_abs_diff=diff, max_abs_grad=max(float(np.max(np.abs(g))) for g in single),
                         global_batch=len(union), parameters=sum(g.size for g in single))


class _Epoch:
    """The parent's working copy of one epoch's draws, filled in as the ranks report."""

    def __init__(self, epoch: int, config: DataParallelConfig) -> None:
        p = config.plan()
        self.epoch = epoch
        self.indices = np.full((config.devices, p.iterations_per_epoch, draw_width(p)), -1, dtype=np.int32)
        self.losses = np.full((config.devices, p.iterations_per_epoch), np.nan)
        self.frozen: EpochDraws | None = None

    def record(self, rank: int, iteration: int, indices: Sequence[int], loss: float) -> None:
        self.indices[rank, iteration, : len(indices)] = indices
        self.losses[rank, iteration] = loss
        self.frozen = None

    def freeze(self) -> EpochDraws:
        if self.frozen is None:
            indices, losses = self.indices.copy(), self.losses.copy()
            indices.flags.writeable = losses.flags.writeable = False
            self.frozen = EpochDraws(self.epoch, indices, losses)
        return self.frozen


class DataParallelRun(BackgroundRun[DataParallelSnapshot]):
    """``config.devices`` worker processes training one model with DDP; poll ``snapshot()``, end with ``stop()``."""

    thread_name = "data-parallel"

    def __init__(
        self, config: DataParallelConfig, *, queue: RunQueue | None = None,
        heartbeat_timeout_s: float = HEARTBEAT_TIMEOUT_S, keepalive: Callable[[], bool] | None = None,
        start_timeout_s: float = START_TIMEOUT_S, stall_timeout_s: float = STALL_TIMEOUT_S,
        max_seconds: float | None = None, clock: Callable[[], float] = time.monotonic, worker: Worker = worker,
    ) -> None:
        self.config = config
        self.plan = config.validate()  # bad settings fail here, in the caller
        super().__init__(
            DataParallelSnapshot("waiting", message("runner.not_started"), config, self.plan, ()),
            queue=queue, heartbeat_timeout_s=heartbeat_timeout_s, keepalive=keepalive, max_seconds=max_seconds,
            clock=clock,
        )
        self._worker = worker  # what each rank runs: a module-level function, since ranks fork from a server
        self._start_timeout_s = start_timeout_s
        self._stall_timeout_s = stall_timeout_s
        self.processes: list[BaseProcess] = []  # every worker started, kept so that a test can see them end
        self._pipes: list[Connection] = []
        self._open_pipes: list[Connection] = []  # those whose worker may still send
        self._epochs: dict[int, _Epoch] = {}
        self._first: dict[int, list[int]] = {}  # rank -> its first batch's indices
        self._grads: list[np.ndarray] | None = None
        self._done: dict[int, tuple[tuple[int, ...], int, int]] = {}
        self._errors: list[tuple[float, int, str, str]] = []  # (time, rank, type, text)
        self._ready: set[int] = set()
        self._published_at = 0.0
        self._started_at = 0.0  # when the workers were started
        self._starting_since = 0.0  # the same, moved on by the time paused: the start time-out counts from here
        self._last_report = 0.0  # when some rank last reported, moved on likewise: the stall time-out counts from here
        self._store_dir: str | None = None

    def _before_start(self) -> None:
        runlog.record("queued", run=id(self), seed=self.config.seed, planned=self.plan.total_updates)

    def snapshot(self) -> DataParallelSnapshot:
        """The latest published state; while it waits for its first turn, the runs ahead and the wait."""
        return while_waiting(self._published, self._queue, self)

    def alive_workers(self) -> list[BaseProcess]:
        """The worker processes still running (empty once the run has ended)."""
        return [process for process in self.processes if process.is_alive()]

    # --- the parent's thread -------------------------------------------------------------------------------

    def _work(self) -> None:
        try:
            if not self.queue.acquire(self, cancelled=self._cancelled):
                self._end_cancelled(message("runner.stopped_before_start"))
                return
            runlog.record("started", run=id(self), seed=self.config.seed, devices=self.config.devices)
            backend = choose_backend(self.config.devices)
            self._set("starting", message("dp.starting", devices=self.config.devices, backend=backend),
                      backend=backend)
            self._launch(backend)
            self._watch()
        except Exception as exc:  # noqa: BLE001 - any failure must reach the page
            self._end_workers()
            self._set("failed", message("dp.failed", error=error_message(exc)))
        finally:
            self._end_workers()
            for pipe in self._pipes:
                pipe.close()
            if self._store_dir is not None:
                shutil.rmtree(self._store_dir, ignore_errors=True)
            self.queue.release(self)
            runlog.record("ended", run=id(self), seed=self.config.seed, status=self._published.status)

    def _launch(self, backend: str) -> None:
        context = worker_context()
        self._store_dir = tempfile.mkdtemp(prefix="bel-dp-")  # mode 0700: this user's processes only
        store_path = os.path.join(self._store_dir, "store")
        devices = self.config.devices
        self._started_at = self._starting_since = self._last_report = self._clock()
        for rank in range(devices):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=self._worker, args=(rank, devices, store_path, backend, self.config, send),
                                      name=f"dp-rank-{rank}", daemon=True)
            try:
                process.start()
            finally:
                send.close()  # the worker holds the only sending end: its exit ends the pipe
            self.processes.append(process)
            self._pipes.append(receive)
        self._open_pipes = list(self._pipes)

    def _watch(self) -> None:
        """Read the ranks' reports, taking turns, until the run ends one way or another."""
        while not self._ended_between_turns():
            now = self._read_reports()
            if self._ended_by_the_ranks(now):
                return
            self._publish_progress(force=False)

    def _ended_between_turns(self) -> bool:
        """True once the run has ended here: stopped, abandoned, at its time limit, or stopped while paused."""
        if self._cancelled():
            self._end_cancelled(message("dp.stopped", devices=self.config.devices))
            return True
        if self._at_time_limit(seed=self.config.seed):
            self._end_workers()
            self._drain()
            self._set("stopped", message("dp.capped", limit=round(self._max_seconds or 0)))
            return True
        paused = self._hand_over_turn(pause=lambda: self._signal_workers(signal.SIGSTOP),
                                      resume=lambda: self._signal_workers(signal.SIGCONT))
        if paused is None:
            self._end_cancelled(message("dp.stopped", devices=self.config.devices))
            return True
        self._starting_since += paused  # time paused counts neither towards the start nor the stall time-out
        self._last_report += paused
        return False

    def _read_reports(self) -> float:
        """Wait up to ``POLL_S`` for reports or ended workers and read what came; the time the wait ended."""
        # An ended process's sentinel stays ready: wait only on those not yet seen to end.
        running = [process.sentinel for process in self.processes if process.exitcode is None]
        ready = wait([*self._open_pipes, *running], timeout=POLL_S)
        now = self._clock()
        for pipe in [r for r in ready if isinstance(r, Connection)]:
            try:
                for _ in range(MAX_REPORTS_PER_READ):
                    if not pipe.poll():
                        break
                    self._receive(pipe.recv())
                    self._last_report = now
            except (EOFError, OSError):
                self._open_pipes.remove(pipe)  # the worker has ended and everything it sent has been read
        return now

    def _ended_by_the_ranks(self, now: float) -> bool:
        """True once the ranks have ended the run: all finished, one failed or ended early, or too slow to start
        or to report."""
        devices = self.config.devices
        ended = [rank for rank, pipe in enumerate(self._pipes)
                 if pipe not in self._open_pipes and rank not in self._done]
        if self._errors or ended:  # a rank failed, or ended without finishing
            self._fail_with_cause(ended)
        elif len(self._done) == devices:
            self._finish()
        elif len(self._ready) < devices and now - self._starting_since > self._start_timeout_s:
            self._fail(None, message("dp.start_timeout", seconds=round(self._start_timeout_s)))
        elif len(self._ready) == devices and now - self._last_report > self._stall_timeout_s:
            self._fail(None, message("dp.stalled", seconds=round(self._stall_timeout_s)))
        else:
            return False
        return True

    def _signal_workers(self, signum: int) -> None:
        """Send ``signum`` to every worker still running (SIGSTOP and SIGCONT; POSIX only)."""
        for process in self.processes:
            if process.pid is not None and process.exitcode is None:
                try:
                    os.kill(process.pid, signum)
                except ProcessLookupError:
                    continue  # it has just ended: its pipe says how

    def _fail_with_cause(self, ended: list[int]) -> None:
        """End the run after a rank failed, naming the rank that failed first.

        A rank that raised reports it; a rank that died (killed, crashed) ends without a word. Either way the other
        ranks then fail too, inside an all-reduce whose peer has gone, or wait in it forever: the parent ends them
        all. A rank that had ended on its own, without finishing or reporting an error, is the cause; else the
        rank whose error came first.
        """
        for rank in ended:
            self.processes[rank].join(JOIN_TIMEOUT_S)  # its pipe has closed: it is exiting, and its code says how
        ended_alone = {rank: process.exitcode for rank, process in enumerate(self.processes)
                       if process.exitcode is not None}
        self._end_workers()
        self._drain()  # what the ranks sent before they were ended
        reported = {rank for _, rank, _, _ in self._errors}
        silent = sorted(rank for rank in ended_alone if rank not in self._done and rank not in reported)
        if silent:
            rank = silent[0]
            self._fail(rank, message("dp.rank_exited", rank=rank, code=ended_alone[rank]))
            return
        _, rank, type_name, text = min(self._errors)
        self._fail(rank, message("dp.failed_rank", rank=rank,
                                 error=message("error.exception", type=type_name, text=text)))

    def _receive(self, report: tuple[Any, ...]) -> None:
        kind, rank = report[0], int(report[1])
        if kind == "ready":
            self._ready.add(rank)
            if len(self._ready) == self.config.devices:
                self._begin_training()  # the time limit counts from here: start-up has its own time-out
                start_s = self._clock() - self._started_at
                runlog.record("dp_ready", run=id(self), devices=self.config.devices, seconds=round(start_s, 3))
                self._set("running", self._running_message(), start_s=start_s)
        elif kind == "step":
            _, _, epoch, iteration, indices, loss = report
            if epoch not in self._epochs:
                self._epochs[epoch] = _Epoch(epoch, self.config)
            self._epochs[epoch].record(rank, iteration, indices, loss)
            if epoch == 1 and iteration == 0:
                self._first[rank] = list(indices)
                self._check_gradient()
        elif kind == "grad":
            self._grads = list(report[2])
            self._check_gradient()
        elif kind == "done":
            self._done[rank] = (tuple(report[2]), int(report[3]), int(report[4]))
        elif kind == "error":
            _, _, type_name, text, trace, at = report
            self._errors.append((float(at), rank, str(type_name), str(text)))
            runlog.record("dp_rank_failed", run=id(self), rank=rank, error=f"{type_name}: {text}",
                          trace=str(trace)[-2000:])

    def _check_gradient(self) -> None:
        if self._grads is None or len(self._first) < self.config.devices or self._published.gradient is not None:
            return
        batches = [self._first[rank] for rank in range(self.config.devices)]
        self._publish_progress(force=True, gradient=gradient_check(self.config, batches, self._grads))

    def _running_message(self) -> Message:
        epochs = self._frozen_epochs()
        epoch = epochs[-1].epoch if epochs else 1
        iteration = epochs[-1].drawn if epochs else 0
        return message("dp.running", devices=self.config.devices, epoch=epoch, epochs=self.plan.epochs,
                       iteration=iteration, iterations=self.plan.iterations_per_epoch)

    def _frozen_epochs(self) -> tuple[EpochDraws, ...]:
        return tuple(self._epochs[epoch].freeze() for epoch in sorted(self._epochs))

    def _publish_progress(self, *, force: bool, **changes: Any) -> None:
        now = self._clock()
        if not force and (now - self._published_at < PUBLISH_EVERY_S or self._published.status != "running"):
            return
        self._published_at = now
        self._set(self._published.status,
                  self._running_message() if self._published.status == "running" else self._published.message,
                  **changes)

    def _set(self, status: DpStatus, text: Message, **changes: Any) -> None:
        self._publish_snapshot(dataclasses.replace(self._published, status=status, message=text,
                                                   epochs=self._frozen_epochs(), **changes))

    def _finish(self) -> None:
        for process in self.processes:
            process.join(JOIN_TIMEOUT_S)  # each has said "done" and leaves the process group
        self._end_workers()
        done = [self._done[rank] for rank in range(self.config.devices)]
        counts = RankCounts(iterations=tuple(d[0] for d in done), updates=tuple(d[1] for d in done),
                            samples=tuple(d[2] for d in done))
        self._set("finished", message("dp.finished", devices=self.config.devices, updates=counts.updates[0]),
                  counts=counts)

    def _drain(self) -> None:
        for pipe in self._pipes:
            try:
                while pipe.poll():
                    self._receive(pipe.recv())
            except (EOFError, OSError):
                continue

    def _fail(self, rank: int | None, text: Message) -> None:
        self._end_workers()
        self._drain()
        self._set("failed", text, failed_rank=rank)

    def _end_cancelled(self, text: Message) -> None:
        self._end_workers()
        self._drain()  # the draws reported before the end belong to the record
        if self.abandoned:
            self._set("abandoned", message("dp.abandoned", seconds=self._heartbeat_timeout_s))
        else:
            self._set("stopped", text)

    def _end_workers(self) -> None:
        """End every worker still running: terminate, wait, then kill. Safe to call again; the pipes stay readable."""
        self._signal_workers(signal.SIGCONT)  # a paused worker would hold its SIGTERM until continued
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + JOIN_TIMEOUT_S  # real seconds, whatever the run's clock
        for process in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
