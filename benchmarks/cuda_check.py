"""GPU check (1-2 minutes on an H100): the graph engine counts like plan(), matches the eager loop; how fast it is.

Needs only torch and numpy. Prints one JSON object per line, then a table of samples/s at batch 8, 32, 256 and
1024 for the lesson's DataLoader loop, the engine's eager loop (slicing + fused Adam) and the captured CUDA
graph; exits non-zero if a check fails (with ``--require-targets`` also if a speed target is missed).

    python benchmarks/cuda_check.py [--samples 48000] [--require-targets]
    python benchmarks/cuda_check.py --cpu-dry-run    # tiny sizes on the CPU, the graph step run eagerly
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.maths.config import TrainConfig
from core.runtime.slots import RunQueue
from core.runtime.throughput import ThroughputCache
from core.train.engine import StepMode, Trainer, auto_device, model_shape
from core.train.runner import TrainingRun

FEATURES, CLASSES = 784, 10
BATCH_SIZES = (8, 32, 256, 1024)
FIRST_UPDATES = 50  # graph losses must match the eager loop's over these
LOSS_TOLERANCE = 1e-5
POLL_INTERVAL_S = 0.2  # the live page polls about 5 times a second
# Targets for one H100 (issue 11): the graph at least 10x the lesson's loop at batch 32 and 256, at least
# 300,000 samples/s at batch 32, and the live page costing at most 10 % on top of Trainer.train().
SPEEDUP_TARGET, BATCH_32_TARGET, OVERHEAD_TARGET = 10.0, 300_000.0, 0.10


def mnist_shaped(n_samples: int, batch_size: int, device: str, **overrides: object) -> TrainConfig:
    """The lesson's Keras MLP (784-128-10) with Adam, one epoch, every row for training."""
    config = TrainConfig(
        dataset="mnist", n_samples=n_samples, model="mlp", hidden_layers=1, hidden_width=128, optimizer="adam",
        learning_rate=1e-3, batch_size=batch_size, epochs=1, validation_split=0.0, device=device,
    )
    return dataclasses.replace(config, **overrides)  # type: ignore[arg-type]


def random_data(n_samples: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST-shaped random rows and labels (no download)."""
    generator = torch.Generator().manual_seed(seed)
    return (torch.randn(n_samples, FEATURES, generator=generator),
            torch.randint(0, CLASSES, (n_samples,), generator=generator))


def sync(device: torch.device) -> None:
    """Wait for the device's queued work, so a clock read afterwards counts it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def lesson_loop(config: TrainConfig, data: tuple[torch.Tensor, torch.Tensor], device: torch.device) -> float:
    """Samples/s of the lesson's loop (DataLoader, nn.Module, torch.optim.Adam), from the engine's initial weights."""
    model = nn.Sequential(nn.Linear(FEATURES, 128), nn.ReLU(), nn.Linear(128, CLASSES))
    model.load_state_dict(Trainer(config, data=data, step="eager").model.state_dict())
    model.to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters())
    loader = DataLoader(TensorDataset(*data), batch_size=config.batch_size, shuffle=True)
    sync(device)
    start = time.perf_counter()
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
    sync(device)
    return len(data[0]) / (time.perf_counter() - start)


def engine_rate(config: TrainConfig, data: tuple[torch.Tensor, torch.Tensor], step: StepMode) -> tuple[float, Trainer]:
    """Samples/s of ``Trainer.train`` with this step; capturing the graphs happens before the clock starts."""
    trainer = Trainer(config, data=data, step=step)
    trainer.prepare()
    sync(trainer.device)
    start = time.perf_counter()
    result = trainer.train()  # its last read-back waits for the device, so the clock stops after the work
    sync(trainer.device)
    return result.samples_seen / (time.perf_counter() - start), trainer


def graph_matches_eager(device: str, graph_step: StepMode, case: str, **overrides: object) -> dict[str, object]:
    """The graph step against the eager loop on one device: the same losses and the counts of plan()."""
    data = random_data(4_017, seed=1)  # 125 full batches of 32 and a partial one of 17
    config = mnist_shaped(4_017, 32, device, **overrides)
    graph, eager = Trainer(config, data=data, step=graph_step), Trainer(config, data=data, step="eager")
    graph_result, eager_result = graph.train(), eager.train()
    plan = config.plan()
    difference = float(np.max(np.abs(graph_result.updates.loss[:FIRST_UPDATES]
                                      - eager_result.updates.loss[:FIRST_UPDATES])))
    sizes = Counter(plan.epoch_batch_sizes().tolist())
    replays = graph.static.replays if graph.static is not None else {}
    optimizer_steps = {int(state["step"]) for state in graph.optimizer.state.values() if "step" in state}
    counts_ok = (graph_result.updates_done == eager_result.updates_done == plan.total_updates
                 == len(graph_result.updates) and graph_result.samples_seen == plan.samples_seen
                 and replays == {size: count * plan.epochs for size, count in sizes.items()}
                 and optimizer_steps <= {plan.total_updates})
    captured = graph.uses_graph or graph.device.type != "cuda"
    return {
        "check": "graph_matches_eager", "case": case, "device": str(graph.device), "captured": graph.uses_graph,
        "step_message": None if graph.step_message is None else str(graph.step_message),
        "updates": graph_result.updates_done, "planned": plan.total_updates, "replays": replays,
        "max_loss_difference_first_50": difference, "counts_match_plan": counts_ok,
        "ok": bool(counts_ok and difference <= LOSS_TOLERANCE and captured),
    }


def cpu_matches_cuda() -> dict[str, object]:
    """A small seeded run on both devices: same data order and initial weights, so nearly the same losses."""
    config = TrainConfig(dataset="moons", n_samples=400, batch_size=32, epochs=5, validation_split=0.2, seed=3)
    cpu = Trainer(dataclasses.replace(config, device="cpu")).train()
    cuda = Trainer(dataclasses.replace(config, device="cuda")).train()
    difference = float(np.max(np.abs(cpu.updates.loss - cuda.updates.loss)))
    return {
        "check": "cpu_matches_cuda", "updates": len(cuda.updates), "max_loss_difference": difference,
        "final_val_accuracy": [cpu.epochs[-1].val_accuracy, cuda.epochs[-1].val_accuracy],
        "ok": len(cpu.updates) == len(cuda.updates) == config.plan().total_updates and difference < 1e-3,
    }


def throughput_table(
    n_samples: int, device: torch.device, graph_step: StepMode, repeats: int
) -> list[dict[str, object]]:
    """Per batch size, the best of ``repeats`` samples/s of each loop; the CPU's eager engine too, for auto."""
    data = random_data(n_samples)
    warm = (data[0][:2_048], data[1][:2_048])
    rows: list[dict[str, object]] = []
    throughputs = ThroughputCache()  # this check's own measurements, as a student's finder keeps theirs
    for batch_size in BATCH_SIZES:
        config = mnist_shaped(n_samples, batch_size, device.type)
        warm_config = mnist_shaped(len(warm[0]), min(batch_size, len(warm[0])), device.type)
        # Warm-up, discarded: the first passes at a new shape pay one-off library and kernel initialisation.
        lesson_loop(warm_config, warm, device)
        engine_rate(warm_config, warm, "eager")
        engine_rate(warm_config, warm, graph_step)
        lesson, eager, graph = [], [], []
        captured = True
        for _ in range(repeats):
            lesson.append(lesson_loop(config, data, device))
            eager.append(engine_rate(config, data, "eager")[0])
            rate, trainer = engine_rate(config, data, graph_step)
            graph.append(rate)
            captured &= trainer.uses_graph or device.type != "cuda"
        cpu_rate = engine_rate(dataclasses.replace(config, device="cpu"), data, "eager")[0]
        row: dict[str, object] = {
            "check": "throughput", "batch_size": batch_size, "lesson_loop": max(lesson), "eager_engine": max(eager),
            "graph_engine": max(graph), "cpu_eager_engine": cpu_rate, "graph_vs_lesson": max(graph) / max(lesson),
            "graph_captured": captured,
        }
        throughputs.record_run(device.type, config, max(graph))
        throughputs.record_run("cpu", config, cpu_rate)
        if device.type == "cuda":
            chosen, why = auto_device(model_shape(config), batch_size, throughputs=throughputs)
            row["auto_chooses"] = str(chosen)
            row["auto_says"] = None if why is None else str(why)
        rows.append(row)
    return rows


def live_overhead(n_samples: int, epochs: int, device: str, repeats: int) -> dict[str, object]:
    """Samples/s of a TrainingRun polled as the page polls it against ``Trainer.train()`` alone, at batch 256."""
    data = random_data(n_samples)
    config = mnist_shaped(n_samples, 256, device, epochs=epochs)
    bare, live = [], []
    captured = True
    for _ in range(repeats):
        trainer = Trainer(config, data=data)
        sync(trainer.device)
        start = time.perf_counter()
        result = trainer.train()  # captures its graphs inside the clock, as the live run does
        sync(trainer.device)
        bare.append(result.samples_seen / (time.perf_counter() - start))
        captured &= trainer.uses_graph or trainer.device.type != "cuda"
        del trainer
        run = TrainingRun(config, data=data, queue=RunQueue(1))
        run.start()
        while not run.snapshot().done:
            run.heartbeat()
            snapshot = run.snapshot()
            _ = snapshot.updates.loss[-50:], snapshot.epochs  # what the page reads to draw its charts
            time.sleep(POLL_INTERVAL_S)
        run.join()
        final = run.snapshot()
        if final.status != "finished":
            raise RuntimeError(f"The live run ended as {final.status}: {final.message}")
        # From the worker's own clock: the start of train() to the last snapshot, so polling gaps add nothing.
        live.append(int(final.updates.samples_seen[-1]) / final.progress.elapsed_s)
    # Noise only ever slows a run down: compare the best of each (as timeit does).
    overhead = 1 - max(live) / max(bare)
    return {"check": "live_overhead", "batch_size": 256, "epochs": epochs, "bare_samples_per_s": max(bare),
            "live_samples_per_s": max(live), "overhead": overhead, "graph_captured": captured,
            "target": OVERHEAD_TARGET, "target_met": overhead <= OVERHEAD_TARGET}


def print_table(rows: list[dict[str, object]], device: str) -> None:
    """The throughput rows as a plain table."""
    print(f"\nsamples/s on {device} (MLP {FEATURES}-128-{CLASSES}, Adam, 1 epoch; best of the repeats)")
    print(f"{'batch':>6} {'lesson loop':>12} {'eager engine':>13} {'graph engine':>13} {'graph/lesson':>13} "
          f"{'cpu engine':>11}")
    for row in rows:
        print(f"{row['batch_size']:>6} {row['lesson_loop']:>12,.0f} {row['eager_engine']:>13,.0f} "
              f"{row['graph_engine']:>13,.0f} {row['graph_vs_lesson']:>12.1f}x {row['cpu_eager_engine']:>11,.0f}")


def main() -> int:
    """Run every check, print JSON lines and the table; 0 when every check passed."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--samples", type=int, default=48_000)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per loop and batch size (best is kept)")
    parser.add_argument("--cpu-dry-run", action="store_true",
                        help="tiny sizes on the CPU with the graph step run eagerly: a smoke test of this script")
    parser.add_argument("--require-targets", action="store_true", help="also fail when a speed target is missed")
    args = parser.parse_args()
    dry = args.cpu_dry_run
    if not dry and not torch.cuda.is_available():
        print(json.dumps({"check": "cuda_available", "ok": False, "torch": torch.__version__,
                          "hint": "no CUDA GPU here; --cpu-dry-run runs this script on the CPU"}))
        return 1
    device = torch.device("cpu" if dry else "cuda")
    graph_step: StepMode = "static" if dry else "auto"  # off CUDA the static step runs eagerly
    samples, repeats, epochs = (2_048, 1, 2) if dry else (args.samples, args.repeats, 50)
    print(json.dumps({"check": "environment", "ok": True, "torch": torch.__version__, "device": str(device),
                      "gpu": torch.cuda.get_device_name(0) if not dry else None, "dry_run": dry,
                      "cpu_threads": torch.get_num_threads()}))
    ok = True
    checks = [
        graph_matches_eager(device.type, graph_step, "adam, partial last batch"),
        graph_matches_eager(device.type, graph_step, "adam, cosine schedule, drop_last", drop_last=True,
                            lr_schedule=tuple(5e-4 * (1 + math.cos(math.pi * i / 125)) + 1e-5 for i in range(125))),
        graph_matches_eager(device.type, graph_step, "momentum, step schedule", optimizer="momentum",
                            lr_schedule=tuple(0.05 if i < 60 else 0.005 for i in range(126))),
    ]
    if not dry:
        checks.append(cpu_matches_cuda())
    for check in checks:
        print(json.dumps(check))
        ok &= bool(check["ok"])
    rows = throughput_table(samples, device, graph_step, repeats)
    targets_met = True
    for row in rows:
        print(json.dumps(row))
        ok &= bool(row["graph_captured"])
        if row["batch_size"] in (32, 256):
            targets_met &= float(row["graph_vs_lesson"]) >= SPEEDUP_TARGET  # type: ignore[arg-type]
        if row["batch_size"] == 32:
            targets_met &= float(row["graph_engine"]) >= BATCH_32_TARGET  # type: ignore[arg-type]
    overhead = live_overhead(samples, epochs, device.type, repeats)
    print(json.dumps(overhead))
    ok &= bool(overhead["graph_captured"])
    targets_met &= bool(overhead["target_met"])
    print(json.dumps({"check": "targets", "met": targets_met, "speedup_vs_lesson_at_32_and_256": SPEEDUP_TARGET,
                      "graph_samples_per_s_at_32": BATCH_32_TARGET, "live_overhead": OVERHEAD_TARGET,
                      "meaningful": not dry}))
    if args.require_targets and not dry:
        ok &= targets_met
    print_table(rows, str(device) + (" (dry run: the graph step runs eagerly)" if dry else ""))
    print(f"live page overhead at batch 256: {overhead['overhead']:.1%} (target <= {OVERHEAD_TARGET:.0%})")
    print(json.dumps({"check": "all", "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
