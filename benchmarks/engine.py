"""Benchmark: the engine against the lesson's own PyTorch loop and a bare loop, and the cost of live metrics.

Workload: MNIST-shaped random data (48,000 x 784, 10 classes), the lesson's Keras
MLP (784 -> 128 relu -> 10), Adam at its default learning rate, one epoch, at
batch sizes 8, 32 and 256. Every loop starts from the engine's initial weights. The bare loop
is the least a loop can do: permute the rows once, slice each batch, forward, backward, fused Adam;
``vs bare`` is the engine's samples/s over it, timed interleaved (a bare run, then an engine run) and
reported as the median of the per-pair ratios, so load from other work on the machine hits both alike.

    python benchmarks/engine.py [--quick] [--json] [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.maths.config import TrainConfig
from core.runtime.slots import RunQueue
from core.train.engine import Trainer
from core.train.runner import THREADS_PER_RUN, TrainingRun

BATCH_SIZES = (8, 32, 256)
FEATURES, CLASSES = 784, 10
POLL_INTERVAL_S = 0.2  # the page polls about 5 times a second


def engine_config(n_samples: int, batch_size: int) -> TrainConfig:
    """The lesson's Keras MLP and Adam defaults, one epoch on the CPU, all rows for training."""
    return TrainConfig(
        dataset="mnist", n_samples=n_samples, model="mlp", hidden_layers=1, hidden_width=128, activation="relu",
        optimizer="adam", learning_rate=1e-3, batch_size=batch_size, epochs=1, validation_split=0.0, device="cpu",
    )


def seed_loop_samples_per_s(data: tuple[torch.Tensor, torch.Tensor], trainer: Trainer, batch_size: int) -> float:
    """Throughput of the lesson's loop, started from the engine's initial weights.

    Throughputs here are samples per second of process CPU time: with one intra-op thread that equals wall
    time on an idle machine, and it stays comparable when other work shares the cores.
    """
    model = nn.Sequential(nn.Linear(FEATURES, 128), nn.ReLU(), nn.Linear(128, CLASSES))
    model.load_state_dict(trainer.model.state_dict())
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters())
    loader = DataLoader(TensorDataset(*data), batch_size=batch_size, shuffle=True)
    start = time.process_time()
    for inputs, targets in loader:
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
    return len(data[0]) / (time.process_time() - start)


def bare_loop_samples_per_s(data: tuple[torch.Tensor, torch.Tensor], trainer: Trainer, batch_size: int) -> float:
    """Throughput of the least a training loop does: one permutation, sliced batches, fused Adam (no metrics)."""
    model = nn.Sequential(nn.Linear(FEATURES, 128), nn.ReLU(), nn.Linear(128, CLASSES))
    model.load_state_dict(trainer.model.state_dict())
    optimizer = torch.optim.Adam(model.parameters(), fused=True)
    x, y = data
    generator = torch.Generator().manual_seed(0)
    start = time.process_time()
    order = torch.randperm(len(x), generator=generator)
    x_epoch, y_epoch = x[order], y[order]  # (N, F), (N,): each batch below is a view
    for first in range(0, len(x), batch_size):
        loss = F.cross_entropy(model(x_epoch[first:first + batch_size]), y_epoch[first:first + batch_size])
        optimizer.zero_grad()
        torch.autograd.backward(loss)
        optimizer.step()
    return len(x) / (time.process_time() - start)


def engine_samples_per_s(
    config: TrainConfig, data: tuple[torch.Tensor, torch.Tensor], *, metrics: bool, teardown: bool = False
) -> float:
    """Throughput of ``Trainer.train`` for one epoch; setup excluded, freeing its copy of the data optional."""
    trainer = Trainer(config, data=data)
    start = time.process_time()
    samples = trainer.train(metrics=metrics).samples_seen
    if teardown:
        del trainer  # a live run frees its data as its thread ends, inside the live timing
    return samples / (time.process_time() - start)


def live_samples_per_s(config: TrainConfig, data: tuple[torch.Tensor, torch.Tensor]) -> float:
    """Throughput of a ``TrainingRun`` while this thread polls its snapshots as the page does (setup excluded)."""
    run = TrainingRun(config, data=data, queue=RunQueue(1))
    run.start()
    while run.snapshot().status == "waiting":  # data preparation: not part of training, so not timed
        time.sleep(0.001)
    start = time.process_time()  # CPU time of every thread: the worker's training and this poller's reads
    while not run.snapshot().done:
        run.heartbeat()
        snapshot = run.snapshot()
        _ = snapshot.updates.loss[-50:], snapshot.epochs  # what the page reads to draw its charts
        time.sleep(POLL_INTERVAL_S)
    elapsed = time.process_time() - start
    run.join()
    final = run.snapshot()
    if final.status != "finished":
        raise RuntimeError(f"The live run ended as {final.status}: {final.message}")
    return int(final.updates.samples_seen[-1]) / elapsed


def measure(n_samples: int, repeats: int) -> list[dict[str, float]]:
    """Per batch size: medians of the seed loop, bare loop and engine; bests of live and metrics-free engine."""
    generator = torch.Generator().manual_seed(0)
    data = (torch.randn(n_samples, FEATURES, generator=generator),
            torch.randint(0, CLASSES, (n_samples,), generator=generator))
    rows: list[dict[str, float]] = []
    for batch_size in BATCH_SIZES:
        config = engine_config(n_samples, batch_size)
        # Warm-up, discarded: the first passes at a new shape pay one-off library initialisation.
        warm_data = (data[0][:2_048], data[1][:2_048])
        warm_config = engine_config(2_048, batch_size)
        seed_loop_samples_per_s(warm_data, Trainer(warm_config, data=warm_data), batch_size)
        bare_loop_samples_per_s(warm_data, Trainer(warm_config, data=warm_data), batch_size)
        engine_samples_per_s(warm_config, warm_data, metrics=True)
        baseline, engine, loop, bare, live = [], [], [], [], []
        for _ in range(repeats):
            baseline.append(seed_loop_samples_per_s(data, Trainer(config, data=data), batch_size))
            loop.append(bare_loop_samples_per_s(data, Trainer(config, data=data), batch_size))
            engine.append(engine_samples_per_s(config, data, metrics=True))
        # The live-vs-bare difference is a few percent, below the run-to-run noise of a shared machine, and noise
        # only ever slows a run down: compare the best of several runs of each (as timeit does), not medians.
        for _ in range(repeats + 2):
            bare.append(engine_samples_per_s(config, data, metrics=False, teardown=True))
            live.append(live_samples_per_s(config, data))
        b, e = statistics.median(baseline), statistics.median(engine)
        rows.append({"batch_size": batch_size, "baseline_samples_per_s": b, "engine_samples_per_s": e,
                     "speedup": e / b, "bare_loop_samples_per_s": statistics.median(loop),
                     "vs_bare": statistics.median(run / base for run, base in zip(engine, loop, strict=True))})
        rows.append({"batch_size": batch_size, "overhead": 1 - max(live) / max(bare)})
    return rows


def main() -> None:
    """Parse arguments, measure, print JSON lines or a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="12,000 samples instead of 48,000 (same shapes)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--repeats", type=int, default=None, help="repeats per measurement (median is reported)")
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: the app's own)")
    args = parser.parse_args()
    # The same thread count the app's runs get, so the figures say what a student will see.
    torch.set_num_threads(args.threads or THREADS_PER_RUN)
    n_samples = 12_000 if args.quick else 48_000
    repeats = args.repeats or 3
    rows = measure(n_samples, repeats)
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return
    print(f"{n_samples:,} samples x {FEATURES}, MLP {FEATURES}-128-{CLASSES}, Adam, 1 epoch, "
          f"{torch.get_num_threads()} thread(s); speedup: median of {repeats}, overhead: best of {repeats + 2}")
    print(f"{'batch':>6} {'seed loop/s':>12} {'bare loop/s':>12} {'engine/s':>12} {'speedup':>8} {'vs bare':>8} "
          f"{'live overhead':>14}")
    for speed, overhead in zip(rows[::2], rows[1::2], strict=True):
        print(f"{speed['batch_size']:>6} {speed['baseline_samples_per_s']:>12,.0f} "
              f"{speed['bare_loop_samples_per_s']:>12,.0f} {speed['engine_samples_per_s']:>12,.0f} "
              f"{speed['speedup']:>8.2f} {speed['vs_bare']:>8.2f} {overhead['overhead']:>14.1%}")


if __name__ == "__main__":
    main()
