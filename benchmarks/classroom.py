"""A class on one server: many browser tabs press Train at once; does every run finish, fairly and cleanly?

Run: python benchmarks/classroom.py [--json] [--sessions 10 30] [--waves 1]

Each session is a Playwright context in one headless Chromium. ``--waves`` > 1 lets the class arrive in waves:
each wave opens its tabs when the previous wave's runs have finished, and every tab stays open to the end (one
Chromium rendering 30 live pages on the same 2 cores as the server stalls the browser, not the server). Every
session opens ``/training`` with a small run (moons, 1,000 samples, batch 32, 20 epochs, seed = session number),
presses Train and waits for "Finished". Printed per class size: runs finished, exceptions shown, whether every
run's updates equal its plan (from the server's run log), the longest queue wait, whether the queue was first
come first served, the server's RSS and thread count (baseline, peak, and after every tab closed, with the
seconds it took to get back within 10 % / to the baseline thread count; the baseline is the server after one
warm-up run whose tab has closed and been forgotten). A last check opens 10 longer runs, closes 5 tabs mid-run
and reports how long their slots took to free.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.runtime.tabs import CLOSED_TTL_S, SWEEP_EVERY_S  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, SERVER_ENV, _free_port, _wait_healthy  # noqa: E402

RUN_PATH = "/training?dataset=moons&n=1000&batch_size=32&epochs=20&seed={seed}&lang=en"
LONG_PATH = "/training?dataset=moons&n=5000&batch_size=4&epochs=50&seed={seed}&lang=en"
FINISHED = "Finished: every planned update was made."
SETTLE_S = 120  # RSS and threads must be back within this long after the last tab closes


def _proc(pid: int) -> tuple[float, int]:
    """(RSS in MB, thread count) of a process."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["Threads"])


class Sampler(threading.Thread):
    """Samples a process's RSS and threads every 0.5 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.samples, self.running = pid, [], True

    def run(self) -> None:
        while self.running:
            self.samples.append((time.monotonic(), *_proc(self.pid)))
            time.sleep(0.5)


def _events(log: Path, since: float) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    rows = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return [row for row in rows if row["t"] >= since]


def _open_and_train(browser: Any, url: str, path: str, seed: int) -> tuple[Any, Any]:
    """A new session that opens the page and presses Train (a page that never offers Train counts as failed)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(url + path.format(seed=seed), timeout=120_000)
        page.get_by_role("button", name="Train", exact=True).click(timeout=180_000)
    except Exception:  # noqa: BLE001 - reported as a run that did not finish
        pass
    return context, page


def classroom(browser: Any, url: str, pid: int, log: Path, sessions: int, waves: int) -> dict[str, Any]:
    """``sessions`` tabs train at once; returns the figures of that class."""
    baseline_rss, baseline_threads = _proc(pid)
    sampler = Sampler(pid)
    sampler.start()
    since = time.monotonic()
    tabs: list[tuple[Any, Any]] = []
    per_wave = -(-sessions // waves)
    finished = 0
    for wave in range(waves):  # a wave arrives when the one before has finished; every tab stays open
        seeds = range(wave * per_wave + 1, min(sessions, (wave + 1) * per_wave) + 1)
        arrived = [_open_and_train(browser, url, RUN_PATH, seed) for seed in seeds]
        tabs.extend(arrived)
        deadline = time.monotonic() + 300
        for _, page in arrived:
            try:
                page.get_by_text(FINISHED).wait_for(timeout=max(1, deadline - time.monotonic()) * 1000)
                finished += 1
            except Exception:  # noqa: BLE001 - a run that did not finish is counted, not raised
                pass
    exceptions = sum(page.locator('[data-testid="stException"]').count() for _, page in tabs)
    all_done = time.monotonic()
    for context, _ in tabs:
        context.close()
    closed = time.monotonic()
    while time.monotonic() - closed < SETTLE_S:
        rss, threads = _proc(pid)
        if threads <= baseline_threads and rss <= baseline_rss * 1.10:
            break
        time.sleep(1)
    settled_s = time.monotonic() - closed
    sampler.running = False
    sampler.join()
    rss_after, threads_after = _proc(pid)

    events = _events(log, since)
    queued = {e["run"]: e for e in events if e["event"] == "queued"}
    started = {e["run"]: e for e in events if e["event"] == "started"}
    returned = [e for e in events if e["event"] == "training_returned"]
    waits = [started[run]["t"] - queued[run]["t"] for run in started if run in queued]
    queue_order = [run for run, _ in sorted(queued.items(), key=lambda item: item[1]["t"])]
    start_order = [run for run, _ in sorted(started.items(), key=lambda item: item[1]["t"])]
    return {
        "sessions": sessions, "waves": waves, "runs_finished": finished, "exceptions": exceptions,
        "updates_equal_plan": bool(returned) and all(e["updates"] == e["planned"] for e in returned),
        "runs_logged": len(returned),
        "longest_queue_wait_s": round(max(waits, default=0.0), 1),
        "first_come_first_served": [run for run in queue_order if run in started] == start_order,
        "class_wall_s": round(all_done - since, 1),
        "rss_mb": {"baseline": round(baseline_rss), "peak": round(max(s[1] for s in sampler.samples)),
                   "after_close": round(rss_after)},
        "threads": {"baseline": baseline_threads, "peak": max(s[2] for s in sampler.samples),
                    "after_close": threads_after},
        "settled_s": round(settled_s, 1), "settled_within_target": settled_s < SETTLE_S,
    }


def closing_tabs(browser: Any, url: str, log: Path, sessions: int = 10, close: int = 5) -> dict[str, Any]:
    """Open ``sessions`` longer runs, then close the ``close`` newest tabs while their runs are queued or
    training; seconds from closing until each closed tab's run ended (its slot or queue place freed)."""
    since = time.monotonic()
    tabs = [_open_and_train(browser, url, LONG_PATH, 1000 + seed) for seed in range(sessions)]
    time.sleep(3)
    closed_seeds = {1000 + seed for seed in range(sessions - close, sessions)}
    ended_before = {e["seed"] for e in _events(log, since) if e["event"] == "ended"}
    closed_at = time.monotonic()
    for context, _ in tabs[sessions - close:]:
        context.close()
    ended: dict[int, float] = {}
    while time.monotonic() - closed_at < 60 and len(ended) < close:
        for event in _events(log, since):
            if event["event"] == "ended" and event["seed"] in closed_seeds:
                ended[event["seed"]] = max(0.0, event["t"] - closed_at)
        time.sleep(0.5)
    for context, _ in tabs[: sessions - close]:
        context.close()
    statuses = sorted({e["status"] for e in _events(log, since) if e["event"] == "ended" and e["seed"] in closed_seeds})
    return {"tabs": sessions, "closed": close, "already_ended": len(closed_seeds & ended_before),
            "freed": len(ended), "statuses": statuses, "slowest_free_s": round(max(ended.values(), default=-1), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 30])
    parser.add_argument("--waves", type=int, default=1)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "runs.jsonl"
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "BEL_RUN_LOG": str(log), **SERVER_ENV},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                # The baseline is the server after one finished run whose tab has closed and been forgotten: the
                # first run imports torch, Plotly's figure classes and the training page once, not per student.
                warm, page = _open_and_train(browser, url, RUN_PATH, 0)
                page.get_by_text(FINISHED).wait_for(timeout=180_000)
                warm.close()
                time.sleep(CLOSED_TTL_S + SWEEP_EVERY_S + 5)
                for n in args.sessions:  # each figure printed as soon as it is known
                    _print(classroom(browser, url, process.pid, log, n, args.waves), args.json)
                _print({"closing_tabs": closing_tabs(browser, url, log)}, args.json)
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=20)


def _print(row: dict[str, Any], as_json: bool) -> None:
    print(json.dumps(row) if as_json else "  ".join(f"{k}={v}" for k, v in row.items()), flush=True)


if __name__ == "__main__":
    main()
