"""The batch-size finder as a background run: the sweep in a thread, live points, stop, abandonment, busy, failure."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import torch

from core.runtime.slots import RunQueue
from core.train.finder_run import FinderRun, FinderSnapshot
from tests.test_finder import FAST, TINY
from tests.test_slots import FakeClock


@pytest.fixture
def runs() -> Iterator[list[FinderRun]]:
    """Sweeps a test starts; all are stopped and joined afterwards so no thread outlives the test."""
    started: list[FinderRun] = []
    yield started
    for run in started:
        run.stop()
    for run in started:
        assert run.join(30)


def start(runs: list[FinderRun], **options: object) -> FinderRun:
    """Create, register and start a sweep of TINY on a private queue unless one is given."""
    options.setdefault("queue", RunQueue(1))
    options = {**FAST, **options}
    run = FinderRun(TINY, **options)  # type: ignore[arg-type]
    runs.append(run)
    run.start()
    return run


def test_a_sweep_runs_in_the_background_and_publishes_each_size_as_it_is_measured(runs: list[FinderRun]) -> None:
    run = start(runs)
    seen: list[FinderSnapshot] = []
    while not run.join(0.001):
        run.heartbeat()
        seen.append(run.snapshot())
    final = run.snapshot()
    assert final.status == "finished" and final.done and final.error is None
    result = final.result
    assert result is not None
    assert [p.batch_size for p in result.points] == [1, 2, 4, 8, 16, 32, 40]
    assert result.stop_reason == "dataset" and result.stopped_at is None and result.device == "cpu"
    assert final.points == result.points and final.planned == 7
    counts = [len(snapshot.points) for snapshot in seen]
    assert counts == sorted(counts) and all(not s.done for s in seen[:-1])
    assert all(s.points == result.points[: len(s.points)] for s in seen)  # each a prefix of the final sweep


def test_stop_ends_the_sweep_after_the_size_being_measured(runs: list[FinderRun]) -> None:
    run = start(runs, min_time_s=0.3)  # every size takes 0.3 s: the sweep is still going when asked
    while not run.snapshot().points:
        run.heartbeat()
        time.sleep(0.01)
    run.stop()
    assert run.join(30)
    final = run.snapshot()
    assert final.status == "stopped" and final.result is None
    assert 1 <= len(final.points) < final.planned == 7


def test_a_sweep_nobody_watches_is_abandoned(runs: list[FinderRun]) -> None:
    clock = FakeClock()
    run = start(runs, heartbeat_timeout_s=20.0, clock=clock)
    clock.now = 21.0  # no heartbeat since the start, past the time-out
    assert run.join(30)
    final = run.snapshot()
    assert final.status == "abandoned" and run.abandoned and final.done
    assert len(final.points) == 1  # noticed after the first size


def test_an_open_page_that_polls_rarely_keeps_its_sweep(runs: list[FinderRun]) -> None:
    clock = FakeClock()
    run = start(runs, heartbeat_timeout_s=20.0, clock=clock, keepalive=lambda: True)
    clock.now = 21.0
    assert run.join(30)
    assert run.snapshot().status == "finished" and not run.abandoned


def test_a_sweep_that_gets_no_slot_says_the_server_is_busy(runs: list[FinderRun]) -> None:
    queue = RunQueue(1)
    holder = object()
    assert queue.acquire(holder, cancelled=lambda: False)
    run = start(runs, queue=queue, queue_wait_s=0.05)
    assert run.join(30)
    final = run.snapshot()
    assert final.status == "finished" and final.result is not None
    assert final.result.stop_reason == "busy" and final.result.points == () and final.points == ()
    assert queue.running == 1  # the holder keeps its slot
    queue.release(holder)


def test_a_failure_in_the_sweep_is_reported_in_both_languages(runs: list[FinderRun]) -> None:
    wrong_size = (torch.zeros(7, 2), torch.zeros(7, dtype=torch.int64))
    run = start(runs, data=wrong_size)
    assert run.join(30)
    final = run.snapshot()
    assert final.status == "failed" and final.result is None and final.error is not None
    assert final.error.text("en") == "The data has 7 rows but the config asks for 50."
    assert final.error.text("ko") == "데이터의 행 수(7)가 설정의 샘플 수(50)와 다릅니다."


def test_the_sweep_gives_its_slot_back_however_it_ends(runs: list[FinderRun]) -> None:
    queue = RunQueue(1)
    for options in ({}, {"min_time_s": 0.3}):
        run = start(runs, queue=queue, **options)
        if options:
            run.stop()
        assert run.join(30) and queue.running == 0 and queue.sharing == 0


def test_invalid_settings_are_refused_before_any_thread_starts() -> None:
    with pytest.raises(ValueError, match="learning rate"):
        FinderRun(TINY.__class__(learning_rate=-1.0))
