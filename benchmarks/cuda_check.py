"""GPU check (under 2 minutes): the engine on CUDA counts like plan(), matches the CPU, and how fast each device is.

Needs only torch and numpy. Prints one JSON object per line; exits non-zero if a check fails.

    python benchmarks/cuda_check.py [--samples 48000]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.maths.config import TrainConfig
from core.train.engine import Trainer

FEATURES, CLASSES = 784, 10


def mnist_shaped(n_samples: int, batch_size: int, device: str) -> TrainConfig:
    """The lesson's Keras MLP with Adam, one epoch, every row for training."""
    return TrainConfig(
        dataset="mnist", n_samples=n_samples, model="mlp", hidden_layers=1, hidden_width=128, optimizer="adam",
        learning_rate=1e-3, batch_size=batch_size, epochs=1, validation_split=0.0, device=device,
    )


def throughput(config: TrainConfig, data: tuple[torch.Tensor, torch.Tensor]) -> dict[str, object]:
    """Train one epoch; check counts and losses; report samples per second."""
    trainer = Trainer(config, data=data)
    if trainer.device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    result = trainer.train()  # its last read-back waits for the device, so the clock stops after the work
    elapsed = time.perf_counter() - start
    plan = config.plan()
    return {
        "check": "throughput", "device": str(trainer.device), "batch_size": config.batch_size,
        "samples_per_s": result.samples_seen / elapsed,
        "updates_match_plan": result.updates_done == plan.total_updates == len(result.updates),
        "loss_finite": bool(np.isfinite(result.updates.loss).all()),
        "last_batch_loss": result.epochs[-1].last_batch_loss,
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


def main() -> int:
    """Run every check and print JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=48_000)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print(json.dumps({"check": "cuda_available", "ok": False, "torch": torch.__version__}))
        return 1
    print(json.dumps({"check": "cuda_available", "ok": True, "torch": torch.__version__,
                      "gpu": torch.cuda.get_device_name(0), "cpu_threads": torch.get_num_threads()}))
    generator = torch.Generator().manual_seed(0)
    data = (torch.randn(args.samples, FEATURES, generator=generator),
            torch.randint(0, CLASSES, (args.samples,), generator=generator))
    ok = True
    match = cpu_matches_cuda()
    print(json.dumps(match))
    ok &= bool(match["ok"])
    for batch_size in (32, 256):
        for device in ("cuda", "cpu"):
            warm = (data[0][:2_048], data[1][:2_048])
            throughput(mnist_shaped(2_048, batch_size, device), warm)  # warm-up: kernels, allocator
            row = throughput(mnist_shaped(args.samples, batch_size, device), data)
            print(json.dumps(row))
            ok &= bool(row["updates_match_plan"] and row["loss_finite"])
    print(json.dumps({"check": "all", "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
