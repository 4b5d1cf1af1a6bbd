"""Time the Compare page's default comparison headless: moons, 1,000 samples, batch 8, 32 and 256, 20 epochs.

Run: ``.venv/bin/python -m benchmarks.compare [--device cuda]``. Prints each run's updates, wall time and
peak memory per step (measured on CUDA, estimated on a CPU) and the total; the page needs it under 30 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from core.maths.catalog import DEVICES
from core.runtime.slots import default_queue
from core.train.compare import ComparisonRun
from core.train.runner import serve_many_runs
from core.views.compare import compare_from_query
from core.views.compare_results import summarise


def main() -> None:
    """Run the default comparison through the server's queue (one thread per run, as the app does)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", choices=DEVICES, default="auto")
    args = parser.parse_args()
    config = compare_from_query({})[0]
    config = dataclasses.replace(config, base=dataclasses.replace(config.base, device=args.device))
    serve_many_runs()
    start = time.perf_counter()
    run = ComparisonRun(config, queue=default_queue())
    run.start()
    run.join()
    total = time.perf_counter() - start
    snapshot = run.snapshot()
    for s in map(summarise, snapshot.runs):
        memory = f"{s.peak_memory_bytes / 1024:,.1f} KiB {'estimated' if s.memory_is_estimate else 'measured'}"
        print(f"batch {s.batch_size:>4}: {s.updates:>5} updates in {s.wall_time_s:6.2f} s "
              f"({s.samples_per_s or 0:,.0f} samples/s), peak memory {memory}, val acc {s.val_accuracy}")
    b_simple = snapshot.noise.scale.b_simple if snapshot.noise else None
    device = snapshot.runs[0].device if snapshot.runs else None
    print(f"status {snapshot.status} on {device}; B_simple {b_simple}; total wall time {total:.2f} s")


if __name__ == "__main__":
    main()
