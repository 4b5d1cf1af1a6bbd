"""Live runs: background training, snapshots, the server-wide queue, stop, abandonment and failure."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest
import torch

from core.i18n import TABLES, Message
from core.maths.config import TrainConfig
from core.maths.records import Snapshot
from core.runtime.slots import RunQueue, max_concurrent_runs
from core.runtime.throughput import ThroughputCache
from core.train.engine import Trainer
from core.train.runner import TrainingRun
from tests.test_slots import FakeClock

QUICK = TrainConfig(n_samples=100, model="linear", batch_size=10, epochs=3, device="cpu")
# Long enough (200,000 updates budgeted) that a test always stops it first.
ENDLESS = TrainConfig(n_samples=1_000, model="linear", batch_size=1, epochs=200, validation_split=0.0, device="cpu")


def wait_for(run: TrainingRun, condition: Callable[[Snapshot], bool], timeout: float = 10.0) -> Snapshot:
    """Poll like the page does (with heartbeats) until ``condition`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.heartbeat()
        snapshot = run.snapshot()
        if condition(snapshot):
            return snapshot
        time.sleep(0.01)
    raise AssertionError(f"timed out; last status {run.snapshot().status}: {run.snapshot().message}")


@pytest.fixture
def runs() -> Iterator[list[TrainingRun]]:
    """Runs a test starts; all are stopped and joined afterwards so no thread outlives the test."""
    started: list[TrainingRun] = []
    yield started
    for run in started:
        run.stop()
    for run in started:
        assert run.join(10)


def start(runs: list[TrainingRun], config: TrainConfig, **options: object) -> TrainingRun:
    """Create, register and start a run on a private queue unless one is given."""
    options.setdefault("queue", RunQueue(1))
    run = TrainingRun(config, **options)  # type: ignore[arg-type]
    runs.append(run)
    run.start()
    return run


def test_run_trains_to_the_plan_in_the_background(runs: list[TrainingRun]) -> None:
    run = start(runs, TrainConfig(n_samples=100, batch_size=10, epochs=3, device="cpu"))
    final = wait_for(run, lambda s: s.done)
    assert final.status == "finished", final.message
    assert final.progress.updates_done == len(final.updates) == final.plan.total_updates == 24
    assert final.progress.fraction == 1.0 and final.progress.eta_s == 0.0
    assert [e.epoch for e in final.epochs] == [1, 2, 3]
    assert final.device == "cpu" and final.device_message is None
    assert final.boundary is not None and final.boundary.probabilities.shape == (80, 80, 2)
    assert final.progress.samples_per_s is not None and final.progress.samples_per_s > 0


def test_snapshots_stay_consistent_while_training(runs: list[TrainingRun]) -> None:
    run = start(runs, ENDLESS, flush_interval_s=0.01)
    seen: list[Snapshot] = []
    wait_for(run, lambda s: seen.append(s) or s.progress.updates_done > 2_000)
    run.stop()
    seen.append(wait_for(run, lambda s: s.done))
    previous = 0
    for snapshot in seen:
        n = snapshot.progress.updates_done
        arrays = [getattr(snapshot.updates, name) for name in snapshot.updates.__dataclass_fields__]
        assert {len(a) for a in arrays} == {n}
        assert all(not a.flags.writeable for a in arrays)
        np.testing.assert_array_equal(snapshot.updates.update, np.arange(1, n + 1))
        assert np.isfinite(snapshot.updates.loss).all()
        assert len(snapshot.epochs) <= n // snapshot.plan.updates_per_epoch
        assert n >= previous
        previous = n
    assert seen[-1].status == "stopped"


def test_stop_ends_the_run_promptly_and_keeps_its_history(runs: list[TrainingRun]) -> None:
    run = start(runs, ENDLESS)
    wait_for(run, lambda s: s.status == "running" and s.progress.updates_done > 0)
    run.stop()
    assert run.join(60)  # how fast is benchmarks/live_page.py's business; here: it ends, as stopped
    final = run.snapshot()
    assert final.status == "stopped" and final.message.key == "engine.stopped"
    assert "Stopped after" in final.message.text("en")
    assert 0 < final.progress.updates_done < final.plan.total_updates


def test_a_short_run_finishes_while_a_long_one_keeps_training(runs: list[TrainingRun]) -> None:
    queue = RunQueue(1, quantum_s=0.02)
    long = start(runs, ENDLESS, queue=queue)
    wait_for(long, lambda s: s.status == "running" and s.progress.updates_done > 0)
    short = start(runs, QUICK, queue=queue)
    assert wait_for(short, lambda s: s.done, timeout=60).status == "finished"
    before = long.snapshot()
    assert not before.done  # the long run gave way, it did not end
    assert wait_for(long, lambda s: s.progress.updates_done > before.progress.updates_done).status == "running"


def test_waiting_for_a_turn_is_not_training_time(runs: list[TrainingRun]) -> None:
    queue = RunQueue(1, quantum_s=0.02)
    first, second = start(runs, ENDLESS, queue=queue), start(runs, ENDLESS, queue=queue)
    began = time.perf_counter()
    for run in (first, second):
        wait_for(run, lambda s: s.progress.updates_done > 500, timeout=60)
    first.stop(), second.stop()
    for run in (first, second):
        assert run.join(10)
    wall = time.perf_counter() - began
    # One slot: the two runs never trained at the same time, so their training times add up to the wall time at most.
    trained = [run.snapshot().progress.elapsed_s for run in (first, second)]
    assert all(t > 0 for t in trained) and sum(trained) <= wall * 1.05 + 0.05


def _held(queue: RunQueue) -> object:
    """A token that holds one of ``queue``'s slots and never hands it over."""
    holder = object()
    assert queue.acquire(holder, cancelled=lambda: False)
    return holder


def test_runs_waiting_for_a_first_turn_are_told_how_many_are_ahead(runs: list[TrainingRun]) -> None:
    queue = RunQueue(1, quantum_s=0.5)
    holder = _held(queue)
    second = start(runs, QUICK, queue=queue)
    assert wait_for(second, lambda s: s.queue_position == 1).message.key == "runner.turn.next"
    third = start(runs, QUICK, queue=queue)
    waiting = wait_for(third, lambda s: s.queue_position == 2)
    assert waiting.status == "waiting" and waiting.message.key == "runner.turn.ahead"
    assert "1 run ahead, about 1 s" in waiting.message.text("en")
    assert "앞에 실행 1개, 약 1초" in waiting.message.text("ko")
    queue.release(holder)
    assert wait_for(second, lambda s: s.done).status == "finished"
    assert wait_for(third, lambda s: s.done).status == "finished"
    assert queue.running == 0


def test_stopping_a_waiting_run_takes_it_out_of_the_line(runs: list[TrainingRun]) -> None:
    queue = RunQueue(1)
    holder = _held(queue)
    second = start(runs, QUICK, queue=queue)
    wait_for(second, lambda s: s.queue_position == 1)
    third = start(runs, QUICK, queue=queue)
    wait_for(third, lambda s: s.queue_position == 2)
    second.stop()
    final = wait_for(second, lambda s: s.done)
    assert final.status == "stopped" and final.progress.updates_done == 0
    assert queue.ticket(second) is None
    assert wait_for(third, lambda s: s.queue_position == 1).status == "waiting"
    queue.release(holder)


def test_a_run_at_the_time_limit_stops_as_capped_and_keeps_its_history(runs: list[TrainingRun]) -> None:
    clock = FakeClock()
    run = start(runs, ENDLESS, max_seconds=0.3, clock=clock)
    wait_for(run, lambda s: s.progress.updates_done > 0)
    clock.now += 0.3  # 0.3 s of training: the limit
    final = wait_for(run, lambda s: s.done, timeout=60)
    assert final.status == "capped" and final.message.key == "runner.capped"
    assert 0 < final.progress.updates_done == len(final.updates) < final.plan.total_updates
    assert "time limit" in final.message.text("en") and "BEL_MAX_RUN_SECONDS" in final.message.text("ko")
    assert "시간 제한" in final.message.text("ko")


def test_the_first_update_is_published_before_the_first_flush_interval(runs: list[TrainingRun]) -> None:
    run = start(runs, ENDLESS, flush_interval_s=3_600.0)
    first = wait_for(run, lambda s: s.progress.updates_done > 0)
    assert first.progress.updates_done < first.plan.updates_per_epoch  # read back at once, not at the epoch's end


def test_run_without_heartbeat_is_abandoned(runs: list[TrainingRun]) -> None:
    clock = FakeClock()
    run = start(runs, ENDLESS, heartbeat_timeout_s=0.2, clock=clock)
    clock.now = 0.3  # nobody calls heartbeat()
    assert run.join(10)
    final = run.snapshot()
    assert final.status == "abandoned" and final.message.key == "runner.abandoned"
    assert "tab closed" in final.message.text("en") and "탭을 닫았나요" in final.message.text("ko")


def test_waiting_run_without_heartbeat_is_abandoned_and_leaves_the_line(runs: list[TrainingRun]) -> None:
    queue = RunQueue(1)
    holder = _held(queue)
    clock = FakeClock()
    orphan = start(runs, QUICK, queue=queue, heartbeat_timeout_s=0.2, clock=clock)
    clock.now = 0.3  # nobody calls heartbeat()
    assert orphan.join(10)
    assert orphan.snapshot().status == "abandoned" and queue.ticket(orphan) is None
    queue.release(holder)


def test_open_page_that_polls_rarely_keeps_its_run(runs: list[TrainingRun]) -> None:
    # A hidden browser tab polls about once a minute; its session is still connected, which keepalive reports.
    clock, asked = FakeClock(), threading.Event()

    def keepalive() -> bool:
        asked.set()
        return True

    run = start(runs, ENDLESS, heartbeat_timeout_s=0.2, keepalive=keepalive, clock=clock)
    clock.now = 0.7
    assert asked.wait(10)  # the run noticed the missing heartbeat and asked whether its page is open
    assert not run.join(0.5)  # no heartbeat for 0.7 s, far past the timeout: still training
    assert run.snapshot().status == "running"


def test_closed_page_run_is_abandoned_even_with_a_keepalive(runs: list[TrainingRun]) -> None:
    clock = FakeClock()
    run = start(runs, ENDLESS, heartbeat_timeout_s=0.2, keepalive=lambda: False, clock=clock)
    clock.now = 0.3
    assert run.join(10)
    assert run.snapshot().status == "abandoned" and run.abandoned


def test_snapshots_are_immutable_values_swapped_whole(runs: list[TrainingRun]) -> None:
    run = start(runs, ENDLESS)
    first = wait_for(run, lambda s: len(s.updates) > 0)
    later = wait_for(run, lambda s: len(s.updates) > len(first.updates))
    assert later is not first and len(first.updates) < len(later.updates)
    with pytest.raises(ValueError):
        first.updates.loss[0] = 0.0  # read-only arrays
    with pytest.raises(AttributeError):
        first.status = "finished"  # type: ignore[misc]


def test_exception_in_the_worker_is_reported_as_failed(runs: list[TrainingRun]) -> None:
    wrong_size = (torch.zeros(7, 2), torch.zeros(7, dtype=torch.int64))
    run = start(runs, QUICK, data=wrong_size)
    final = wait_for(run, lambda s: s.done)
    assert final.status == "failed" and final.message.key == "runner.failed"
    assert final.message.text("en") == "Training failed: The data has 7 rows but the config asks for 100."
    assert final.message.text("ko") == "학습에 실패했습니다: 데이터의 행 수(7)가 설정의 샘플 수(100)와 다릅니다."


def test_divergence_is_reported_with_its_update(runs: list[TrainingRun]) -> None:
    config = TrainConfig(dataset="random", n_samples=200, model="mlp", optimizer="sgd", learning_rate=1e30,
                         epochs=5, device="cpu")
    final = wait_for(start(runs, config), lambda s: s.done)
    assert final.status == "diverged" and final.diverged_at == final.progress.updates_done == len(final.updates)
    assert f"update {final.diverged_at}" in final.message.text("en")


def test_cuda_fallback_message_reaches_the_snapshot(runs: list[TrainingRun], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    final = wait_for(start(runs, TrainConfig(n_samples=50, epochs=1, device="cuda")), lambda s: s.done)
    assert final.device == "cpu" and final.device_message is not None
    assert final.device_message.key == "engine.device_fallback.cuda" and "CUDA" in final.device_message.text("en")


def test_invalid_config_is_refused_before_any_thread_starts() -> None:
    with pytest.raises(ValueError, match="learning rate"):
        TrainingRun(TrainConfig(learning_rate=-1.0))


def test_a_run_starts_only_once(runs: list[TrainingRun]) -> None:
    run = start(runs, QUICK)
    with pytest.raises(RuntimeError, match="already"):
        run.start()


def test_snapshot_before_start_is_waiting_with_the_plan() -> None:
    snapshot = TrainingRun(QUICK).snapshot()
    assert snapshot.status == "waiting" and not snapshot.done
    assert snapshot.plan == QUICK.plan() and len(snapshot.updates) == 0


@pytest.mark.parametrize(
    ("environ", "cpus", "expected"),
    [
        pytest.param({}, 2, 1, id="2-cores"),
        pytest.param({}, 1, 1, id="1-core"),
        pytest.param({}, 16, 8, id="16-cores"),
        pytest.param({"BEL_MAX_CONCURRENT_RUNS": "3"}, 2, 3, id="env-override"),
    ],
)
def test_concurrent_run_limit(environ: dict[str, str], cpus: int, expected: int) -> None:
    assert max_concurrent_runs(environ, cpus) == expected


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_bad_concurrent_run_limit_is_explained(value: str) -> None:
    with pytest.raises(ValueError, match="BEL_MAX_CONCURRENT_RUNS"):
        max_concurrent_runs({"BEL_MAX_CONCURRENT_RUNS": value}, 2)


# ---- every sentence a run publishes, in both languages -----------------------------------------------------

TECHNICAL_WORDS = {"CUDA", "GPU", "CPU", "MPS", "Apple", "NaN", "MNIST", "MB", "PyTorch", "BEL_MAX_RUN_SECONDS"}
SAMPLE_VALUES = {"place": 2, "limit": 3, "seconds": 20.0, "done": "1.5", "total": "11.1", "ahead": 2, "wait": 0.3,
                 "made": 1_234, "planned": 200_000,
                 "sharing": 5}


def english_words(text: str) -> list[str]:
    """Latin-letter words in ``text`` that are not technical names (an English sentence leaking into Korean)."""
    return [word for word in re.findall(r"[A-Za-z_]{2,}", text) if word not in TECHNICAL_WORDS]


@pytest.mark.parametrize("key", sorted(k for k in TABLES["en"] if k.startswith(("runner.", "engine."))))
def test_every_run_message_reads_in_korean_without_english_sentences(key: str) -> None:
    values = {**SAMPLE_VALUES, "error": Message("error.exception", {"type": "RuntimeError", "text": "boom"}),
              "update": 7, "epoch": 1, "iteration": 7, "updates": 7, "samples": 1_234, "epochs": 2,
              "device": Message("device.cuda"), "other": Message("device.cpu"), "rate": 47_890.0,
              "other_rate": 92_836.0, "batch": 32, "reason": "capture failed"}
    english, korean = Message(key, values).text("en"), Message(key, values).text("ko")
    assert english != korean and re.search("[가-힣]", korean)
    # The exception's own type and text are technical detail and stay as they are; the sentence is translated.
    assert english_words(korean.replace("RuntimeError: boom", "")) == [], korean


def test_waiting_message_is_translatable(runs: list[TrainingRun]) -> None:
    queue = RunQueue(2, quantum_s=0.5)
    holders = _held(queue), _held(queue)
    waiting = wait_for(start(runs, QUICK, queue=queue), lambda s: s.queue_position == 1)
    assert waiting.message.key == "runner.turn.next"
    assert waiting.message.text("en") == ("Starting: this run's first turn comes next, in about 0.5 s (3 runs share "
                                          "this server's training time).")
    assert waiting.message.text("ko") == ("곧 시작합니다: 이 실행의 첫 차례가 다음이며 약 0.5초 뒤입니다(실행 3개가 이 "
                                          "서버의 학습 시간을 나눠 씁니다).")
    for holder in holders:
        queue.release(holder)


def test_a_failure_keeps_the_exceptions_own_text_inside_a_translated_sentence(
    runs: list[TrainingRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("CUDA out of memory")

    monkeypatch.setattr(Trainer, "train", broken)
    final = wait_for(start(runs, QUICK), lambda s: s.done)
    assert final.status == "failed"
    assert final.message.text("en") == "Training failed: RuntimeError: CUDA out of memory"
    assert final.message.text("ko") == "학습에 실패했습니다: RuntimeError: CUDA out of memory"


def test_the_first_snapshot_and_the_download_progress_are_translatable() -> None:
    run = TrainingRun(QUICK, queue=RunQueue(1))
    assert run.snapshot().message.text("ko") == "아직 시작하지 않았습니다."
    run._on_download(1_500_000, 11_000_000)
    assert run.snapshot().message.text("en") == "Downloading MNIST (once): 1.5 of 11.0 MB…"
    assert run.snapshot().message.text("ko") == "MNIST 내려받는 중(처음 한 번만): 11.0 MB 중 1.5 MB…"
    run._on_download(2_000_000, 0)
    assert run.snapshot().message.text("en") == "Downloading MNIST (once): 2.0 MB…"


def test_a_run_built_without_a_queue_leaves_the_process_settings_alone() -> None:
    import sys

    before = (torch.get_num_threads(), sys.getswitchinterval())
    run = TrainingRun(TrainConfig(n_samples=64, batch_size=16, epochs=1, validation_split=0.0, device="cpu"))
    run.start()
    assert run.join(60) and run.snapshot().status == "finished"
    assert (torch.get_num_threads(), sys.getswitchinterval()) == before


def test_serving_a_class_is_an_explicit_process_wide_choice() -> None:
    import sys

    from core.train.runner import SWITCH_INTERVAL_S, THREADS_PER_RUN, serve_many_runs

    before = (torch.get_num_threads(), sys.getswitchinterval())
    try:
        serve_many_runs.cache_clear()
        serve_many_runs()
        assert (torch.get_num_threads(), sys.getswitchinterval()) == (THREADS_PER_RUN, SWITCH_INTERVAL_S)
    finally:
        torch.set_num_threads(before[0])
        sys.setswitchinterval(before[1])
        serve_many_runs.cache_clear()


def test_a_runs_snapshot_says_why_auto_picked_its_device(monkeypatch: pytest.MonkeyPatch) -> None:
    import core.train.engine as engine

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    throughputs = ThroughputCache()  # the run's owner's own measurements
    config = TrainConfig(n_samples=60, epochs=1, batch_size=16, device="auto")
    throughputs.record("cpu", engine.model_shape(config), config.batch_size, 92_836.0)
    throughputs.record("cuda", engine.model_shape(config), config.batch_size, 47_890.0)
    run = TrainingRun(config, queue=RunQueue(1), throughputs=throughputs)
    run.start()
    assert run.join(60)
    snapshot = run.snapshot()
    assert snapshot.status == "finished" and snapshot.device == "cpu"
    assert snapshot.device_choice is not None
    assert snapshot.device_choice.text("en").startswith("auto chose CPU: measured 92,836 samples/s on CPU")


def test_every_run_kind_is_a_live_run_the_pages_drive_alike() -> None:
    from core.runtime.background import LiveRun
    from core.train.compare import ComparisonRun
    from core.train.data_parallel import DataParallelRun
    from core.train.finder_run import FinderRun
    from core.views.compare import CompareConfig
    from core.views.data_parallel import DataParallelConfig

    runs = [TrainingRun(QUICK), ComparisonRun(CompareConfig(QUICK, (8, 64))), DataParallelRun(DataParallelConfig()),
            FinderRun(QUICK)]
    for run in runs:
        assert isinstance(run, LiveRun)
        snapshot = run.snapshot()
        assert not snapshot.done and snapshot.status in ("waiting", "measuring")
