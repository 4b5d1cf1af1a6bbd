"""A real data-parallel run: the workers' counts equal plan(), DDP's gradient is one big batch's, nothing is left.

The runs start real worker processes (forked from a fork server, gloo on loopback), so there are few of them:
one per number of devices 1-4 for the counts, draws and gradient, and one each for stop, abandonment, a rank that
raises and a rank killed from outside.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DistributedSampler

from core.figures.data_parallel import draws_spec, loss_spec
from core.maths.batching import plan
from core.maths.config import TrainConfig
from core.maths.limits import DP_MAX_DEVICES
from core.runtime.slots import RunQueue
from core.train.data_parallel import DataParallelRun, reference_gradient
from core.train.runner import TrainingRun
from core.views.data_parallel import (
    DataParallelConfig,
    EpochDraws,
    config_from_query,
    config_to_query,
    draw_width,
    padding_mask,
)
from tests.conftest import examples
from tests.dp_workers import rank_1_fails
from tests.sockets import beyond_loopback, listening

GRADIENT_TOLERANCE = 1e-6


def _sampler_indices(n: int, devices: int, rank: int, seed: int, epoch: int) -> list[int]:
    """What torch's own DistributedSampler gives ``rank`` in 1-based ``epoch``."""
    sampler = DistributedSampler(range(n), num_replicas=devices, rank=rank, shuffle=True, seed=seed)
    sampler.set_epoch(epoch - 1)
    return list(sampler)


def _grid(n: int, devices: int, batch: int, seed: int, epoch: int) -> np.ndarray:
    """The sampler's indices laid out as the run records them: (ranks, iterations, draws), -1 where none."""
    p = plan(n, batch, 1, world_size=devices)
    grid = np.full((devices, p.iterations_per_epoch, draw_width(p)), -1)
    for rank in range(devices):
        for k, index in enumerate(_sampler_indices(n, devices, rank, seed, epoch)):
            grid[rank, k // batch, k % batch] = index
    return grid


def _until(condition: Callable[[], bool]) -> None:
    """Wait for ``condition`` (the test's time-out bounds the wait)."""
    while not condition():
        time.sleep(0.02)


def _run(config: DataParallelConfig, **options: object) -> DataParallelRun:
    options.setdefault("keepalive", lambda: True)
    run = DataParallelRun(config, queue=RunQueue(1), **options)  # type: ignore[arg-type]
    run.start()
    return run


def _no_worker_left(run: DataParallelRun) -> None:
    assert run.processes and all(process.exitcode is not None for process in run.processes)
    assert run.alive_workers() == []
    assert multiprocessing.active_children() == []


# --- no processes: the arithmetic the page draws ---------------------------------------------------------------


@settings(max_examples=examples(200), deadline=None)
@given(n=st.integers(1, 120), devices=st.integers(1, DP_MAX_DEVICES), batch=st.integers(1, 40), seed=st.integers(0, 99),
       epoch=st.integers(1, 3))
def test_padding_cells_hold_exactly_the_indices_distributed_sampler_repeats(n, devices, batch, seed, epoch):
    p = plan(n, batch, 1, world_size=devices)
    grid = _grid(n, devices, batch, seed, epoch)
    mask = padding_mask(p)
    assert mask.shape == grid.shape and int(mask.sum()) == p.padded_samples
    permutation = torch.randperm(n, generator=torch.Generator().manual_seed(seed + epoch - 1)).tolist()
    # Padding cells, in the order of their place in the padded list (draw k of rank r is place k * devices + r).
    ranks, iterations, draws = np.nonzero(mask)
    places = (iterations * draw_width(p) + draws) * devices + ranks
    repeated = grid[mask][np.argsort(places)]
    expected = (permutation * (p.padded_samples // n + 1))[: p.padded_samples]
    assert repeated.tolist() == expected
    real = grid[(grid >= 0) & ~mask]
    assert sorted(real.tolist()) == list(range(n))  # every other cell: each sample exactly once


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("devices", range(1, DP_MAX_DEVICES + 1))
def test_figures_validate_and_colour_padding_apart_from_the_ranks(devices, lang):
    p = plan(50, 8, 2, world_size=devices)
    indices = _grid(50, devices, 8, 0, 1).astype(np.int32)
    draws = EpochDraws(1, indices, np.ones((devices, p.iterations_per_epoch)))
    data, layout = draws_spec(p, draws, lang=lang)
    go.Figure({"data": data, "layout": layout})  # the builders skip validation at run time
    grids = [trace for trace in data if trace["type"] == "heatmap"]
    assert len(grids) == 1 + bool(p.padded_samples)  # the ranks' draws, and the padding duplicates apart
    assert sum(int(np.sum(grid["z"] == devices)) for grid in grids) == p.padded_samples  # padding's own colour
    assert np.all(np.isnan(grids[0]["z"]) | (grids[0]["z"] < devices))
    legend = [trace["name"] for trace in data if trace.get("showlegend")]
    assert len(legend) == devices + bool(p.padded_samples)
    data, layout = loss_spec(p, (draws, draws), lang=lang)
    go.Figure({"data": data, "layout": layout})
    assert len(data) == devices + (devices > 1)  # one line per rank and, with several, their mean


def test_url_numbers_out_of_range_are_moved_into_range_and_reported():
    config, problems = config_from_query({"devices": "0", "n": "99999", "epochs": "500", "batch_size": "2.5",
                                          "dataset": "mnist", "seed": "7"})
    assert (config.devices, config.n_samples, config.epochs, config.batch_size, config.dataset, config.seed) == (
        1, 2_000, 20, 8, "moons", 7)
    assert {(p.name, p.reason, p.used) for p in problems} == {
        ("devices", "out_of_range", 1), ("n", "out_of_range", 2_000), ("epochs", "out_of_range", 20),
        ("batch_size", "malformed", 8), ("dataset", "malformed", "moons")}
    again, none = config_from_query(config_to_query(config))
    assert again == config and none == []


def test_a_set_too_small_for_its_data_set_is_raised_to_the_data_sets_minimum():
    config, problems = config_from_query({"n": "3", "dataset": "spiral"})
    assert config.n_samples == 15 and [(p.name, p.used) for p in problems] == [("n", 15)]


# --- real runs -----------------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("devices", "n", "batch", "epochs"),
    [(1, 50, 7, 1), (2, 100, 8, 1), (3, 100, 8, 2), (4, 90, 16, 1)],
    ids=["1-rank", "2-ranks", "3-ranks-padded-2-epochs", "4-ranks-padded-partial"],
)
def test_workers_count_what_plan_counts_draw_what_the_sampler_gives_and_average_one_big_batch(devices, n, batch,
                                                                                                epochs):
    config = DataParallelConfig(devices=devices, n_samples=n, batch_size=batch, epochs=epochs, seed=3)
    run = _run(config)
    assert run.join(240)
    snapshot = run.snapshot()
    assert snapshot.status == "finished", snapshot.message
    p = plan(n, batch, epochs, world_size=devices)
    counts = snapshot.counts
    assert counts is not None
    assert counts.iterations == ((p.iterations_per_epoch,) * epochs,) * devices
    assert counts.updates == (p.total_updates,) * devices
    assert counts.samples == (p.samples_per_rank * epochs,) * devices
    assert sum(counts.samples) == p.samples_seen
    assert snapshot.updates_done == p.total_updates
    # Each rank drew exactly what torch's DistributedSampler gives it, padding duplicates included.
    assert [draws.epoch for draws in snapshot.epochs] == list(range(1, epochs + 1))
    for draws in snapshot.epochs:
        assert np.array_equal(draws.indices, _grid(n, devices, batch, config.seed, draws.epoch))
        assert not np.isnan(draws.losses).any()
    # The all-reduced first gradient is one process's gradient on the ranks' first batches together.
    check = snapshot.gradient
    assert check is not None
    assert check.global_batch == devices * min(batch, p.samples_per_rank)
    assert check.max_abs_diff <= GRADIENT_TOLERANCE < check.max_abs_grad
    assert snapshot.start_s is not None and snapshot.backend in ("gloo", "nccl")
    _no_worker_left(run)


def test_the_reference_gradient_counts_a_repeated_sample_twice():
    config = DataParallelConfig(devices=2, n_samples=20)
    twice = reference_gradient(config, [0, 0, 1, 2])
    once = reference_gradient(config, [0, 1, 2])
    assert max(float(np.max(np.abs(a - b))) for a, b in zip(twice, once, strict=True)) > 1e-4


# 20,000 updates: still running when asked
LONG = DataParallelConfig(devices=2, n_samples=2_000, batch_size=1, epochs=20)


@pytest.mark.slow
def test_stop_ends_every_worker_process():
    run = _run(LONG)
    _until(lambda: run.snapshot().updates_done > 0)
    assert run.alive_workers()
    run.stop()
    assert run.join(60)
    snapshot = run.snapshot()
    assert snapshot.status == "stopped" and snapshot.message.key == "dp.stopped"
    assert 0 < snapshot.updates_done < snapshot.plan.total_updates
    _no_worker_left(run)


@pytest.mark.slow
def test_a_run_nobody_watches_is_abandoned_and_ends_its_workers():
    run = _run(LONG, heartbeat_timeout_s=0.5, keepalive=None)

    def training_while_watched() -> bool:
        run.heartbeat()  # the page is open while the workers start
        return run.snapshot().updates_done > 0

    _until(training_while_watched)
    assert run.join(60)  # then nobody asks again
    assert run.snapshot().status == "abandoned" and run.abandoned
    _no_worker_left(run)


@pytest.mark.slow
def test_an_exception_in_one_rank_fails_the_run_naming_that_rank_and_ends_the_others():
    run = _run(DataParallelConfig(devices=3, n_samples=60, batch_size=4, epochs=1), worker=rank_1_fails)
    assert run.join(240)  # the other ranks wait in the first all-reduce: the parent must end them
    snapshot = run.snapshot()
    assert snapshot.status == "failed" and snapshot.failed_rank == 1
    assert snapshot.message.text("en").startswith("Rank 1 failed: RuntimeError: test failure injected in rank 1.")
    assert snapshot.message.text("ko").startswith("랭크 1에서 오류가 났습니다: RuntimeError")
    _no_worker_left(run)


@pytest.mark.slow
def test_a_rank_killed_from_outside_fails_the_run_naming_that_rank():
    run = _run(LONG)
    _until(lambda: run.snapshot().updates_done > 0)
    victim = run.processes[1]
    assert victim.pid is not None
    os.kill(victim.pid, signal.SIGKILL)
    assert run.join(60)
    snapshot = run.snapshot()
    assert snapshot.status == "failed" and snapshot.failed_rank == 1, snapshot.message
    assert snapshot.message.key == "dp.rank_exited" and snapshot.message.values["code"] == -signal.SIGKILL
    assert "rank 1" in snapshot.message.text("en")
    _no_worker_left(run)


def test_a_run_waits_for_its_first_turn_saying_so_and_starts_no_process_until_it_gets_one():
    queue = RunQueue(1)
    other = object()
    assert queue.acquire(other, cancelled=lambda: False)  # another run trains now and never hands over
    run = DataParallelRun(DataParallelConfig(devices=2), queue=queue, keepalive=lambda: True)
    run.start()
    _until(lambda: run.snapshot().queue_position == 1)
    snapshot = run.snapshot()
    assert snapshot.status == "waiting" and snapshot.message.key == "runner.turn.next"
    assert "first turn comes next" in snapshot.message.text("en")
    run.stop()
    assert run.join(30)
    assert run.snapshot().status == "stopped" and run.processes == []
    assert queue.ticket(run) is None and queue.running == 1  # the other run keeps its slot
    queue.release(other)


@pytest.mark.slow
def test_nothing_the_run_starts_listens_beyond_loopback():
    run = _run(DataParallelConfig(devices=3, n_samples=2_000, batch_size=1, epochs=5))
    _until(lambda: run.snapshot().status == "running" or run.snapshot().done)
    sockets = listening(os.getpid())  # this process and its workers (and the fork server), while they train
    run.stop()
    assert run.join(30)
    assert run.snapshot().status == "stopped", run.snapshot().message
    assert beyond_loopback(sockets) == []


@pytest.mark.slow
def test_a_training_run_takes_turns_with_a_data_parallel_run_whose_workers_pause_meanwhile():
    queue = RunQueue(1, quantum_s=0.05)
    run = DataParallelRun(DataParallelConfig(devices=2, n_samples=2_000, batch_size=1, epochs=10), queue=queue,
                          keepalive=lambda: True)
    run.start()
    try:
        _until(lambda: run.snapshot().status == "running" and run.snapshot().epochs)
        # 400 updates span many quanta, so the workers pause many times: a single short pause could fall between
        # two looks at /proc on a loaded machine.
        short = TrainingRun(TrainConfig(n_samples=2_000, batch_size=10, epochs=2, device="cpu"), queue=queue,
                            keepalive=lambda: True)
        short.start()
        paused = set()
        while not short.join(0.005):  # a paused worker reads "T (stopped)" in /proc
            paused |= {p.pid for p in run.processes if _state(p.pid) == "T"}
        assert short.snapshot().status == "finished"
        assert not run.snapshot().done and paused == {p.pid for p in run.processes}
        drawn = run.snapshot().epochs[-1].drawn
        _until(lambda: run.snapshot().epochs[-1].drawn != drawn)  # and it goes on
    finally:
        run.stop()  # even when an assertion failed: no worker outlives its test
    assert run.join(30) and run.snapshot().status == "stopped"
    _no_worker_left(run)


@pytest.mark.slow
def test_a_run_at_the_time_limit_stops_saying_so_and_keeps_its_draws():
    run = _run(DataParallelConfig(devices=2, n_samples=2_000, batch_size=1, epochs=10), max_seconds=1.0)
    assert run.join(120)
    snapshot = run.snapshot()
    assert snapshot.status == "stopped" and snapshot.message.key == "dp.capped", snapshot.message
    assert snapshot.epochs and "BEL_MAX_RUN_SECONDS" in snapshot.message.text("ko")
    _no_worker_left(run)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
