"""A class on one server: every student loads the page first, then all press Train within 2 s. Is it fair and fast?

Run: python benchmarks/classroom.py [--root DIR] [--sessions 10 30] [--long-run] [--memory] [--json]
     python benchmarks/classroom.py --report saved.jsonl ...   (the table of earlier --json outputs)

The server is ``streamlit run app.py`` from ``--root`` (default: this checkout), started as the README starts it
(``MALLOC_ARENA_MAX=2``) with ``PYTHONPATH=--root`` and a run log (``$BEL_RUN_LOG``, core/runtime/runlog.py).
Each session is a ``benchmarks.stclient.Tab``: a websocket-level Streamlit client that loads the page, answers
its live fragment's ``run_every`` (0.24 s) as the browser does, keeps the browser's message cache, and reads
the alerts and progress text the page shows. Chromium is not used: on 2 cores, 30 live Chromium pages take the
cores the server needs (see the README). Times are ``time.monotonic()`` here and in the server's run log.

Parts (each bounded in time):

- ``--sessions N ...``: N tabs (moons, 1,000 samples, batch 32, 20 epochs, seeds distinct) are all loaded, then
  press Train within ``--press-window`` seconds (spread evenly). Per session: press -> first update shown
  (progress past iteration 0) and press -> "Finished" shown; min, median, p95, max. Runs finished, exceptions,
  updates = plan (run log), the class's time (first press -> last finish) against the sum of the runs' times
  alone: each seed's run measured before the class, one at a time, through the same client on the same server.
- ``--long-run``: 4 short runs (distinct seeds) pressed together on the quiet server, then the same 4 pressed
  together while a long run (random, 100,000 samples, batch 1, 2 epochs, linear) trains.
- ``--memory``: 30 tabs training 3 runs each, one after another, plus one data-parallel run with 4 workers
  (``--memory-bound`` seconds at most); PSS of the server and every descendant (/proc/PID/smaps_rollup):
  baseline (after the warm-up's tabs were forgotten), peak, and 2 min after the tabs closed.

Every part records the status texts the sessions saw and checks them against the run log: "place N" only with
N runs ahead (queued earlier, not yet ended) and an estimated wait; a waiting text only with a run ahead.
Alongside each figure: the load average and the cores other processes used meanwhile (the machine is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.stclient import Tab  # noqa: E402
from core.runtime.procs import process_tree  # noqa: E402
from deploy.local import local_server  # noqa: E402

SHORT = "/training?dataset=moons&n=1000&batch_size=32&epochs=20&seed={seed}&lang=en"
LONG = "/training?dataset=random&n=100000&batch_size=1&epochs=2&model=linear&seed={seed}&lang=en"
DATA_PARALLEL = "/data-parallel?devices=4&n=2000&batch_size=1&epochs=2&seed={seed}&lang=en"
TRAIN, STOP, DP_START = "Train", "Stop", "Start data-parallel run"
FINISHED, DP_FINISHED, STOPPED = "Finished: every planned update", "Finished: every rank made", "Stopped"
FIRST_UPDATE = re.compile(r"epoch (\d+)/\d+ · iteration (\d+)/")
COUNT = re.compile(r"place (\d+)|(\d+) runs? ahead")
ETA = re.compile(r"\d\s*(s|ms|min|seconds?|minutes?)\b")
WAITING = re.compile(r"waiting", re.IGNORECASE)
CLIENT = ("websocket client (benchmarks/stclient.py), one asyncio loop; live fragment polled every 0.24 s as the "
          "browser's run_every timer, browser message cache kept; no rendering")
FORGET_S = 75  # a closed tab's runs are forgotten after CLOSED_TTL_S (60 s) plus a sweep (10 s)
SETTLE_S = 120  # memory must be back this long after the tabs closed
MEMORY_LIMIT_MB = 1200
TARGETS = {"long_run_factor": 1.5, "long_run_slack_s": 3.0, "first_update_p95_s": 5.0, "class_factor": 1.15,
           "memory_peak_mb": MEMORY_LIMIT_MB, "memory_back_pct": 10}


# ---------------------------------------------------------------- the server's processes


def _proc(pid: int) -> dict[str, float] | None:
    """RSS and PSS (MB), threads and CPU seconds of a process (None once it has gone)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        status = dict(line.split(":", 1) for line in lines if ":" in line)
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, ValueError):
        return None
    pss = next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)
    ticks = os.sysconf("SC_CLK_TCK")
    return {"rss_mb": int(status["VmRSS"].split()[0]) / 1024, "pss_mb": pss / 1024,
            "threads": int(status["Threads"]), "cpu_s": (int(stat[11]) + int(stat[12])) / ticks}


def _busy_cores_total() -> float:
    """CPU seconds the whole machine has been busy since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


class Sampler(threading.Thread):
    """Samples the server and its worker processes every ``every_s``: RSS, PSS, threads, CPU."""

    def __init__(self, pid: int, every_s: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.every_s, self.running = pid, every_s, True
        self.samples: list[dict[str, float]] = []
        self._cpu: dict[int, float] = {}  # last CPU seconds seen per process (workers come and go)
        self.server_cpu_s = 0.0

    def sample(self) -> dict[str, float]:
        row: dict[str, float] = {"t": time.monotonic(), "rss_mb": 0.0, "pss_mb": 0.0, "threads": 0,
                                 "server_rss_mb": 0.0, "server_threads": 0, "workers": 0, "workers_rss_mb": 0.0}
        for pid in process_tree(self.pid):
            proc = _proc(pid)
            if proc is None:
                continue
            self.server_cpu_s += max(0.0, proc["cpu_s"] - self._cpu.get(pid, 0.0))
            self._cpu[pid] = proc["cpu_s"]
            row["rss_mb"] += proc["rss_mb"]
            row["pss_mb"] += proc["pss_mb"]
            row["threads"] += proc["threads"]
            if pid == self.pid:
                row["server_rss_mb"], row["server_threads"] = proc["rss_mb"], proc["threads"]
            else:
                row["workers"] += 1
                row["workers_rss_mb"] += proc["rss_mb"]
        return row

    def run(self) -> None:
        while self.running:
            self.samples.append(self.sample())
            time.sleep(self.every_s)

    def since(self, t0: float) -> list[dict[str, float]]:
        return [s for s in self.samples if s["t"] >= t0]


@dataclass
class Machine:
    """How busy the shared machine was during a part: load average, and cores used by processes not ours."""

    sampler: Sampler
    t0: float = field(default_factory=time.monotonic)
    busy0: float = field(default_factory=_busy_cores_total)
    load0: float = field(default_factory=_loadavg)

    def __post_init__(self) -> None:
        self.server0 = self.sampler.server_cpu_s
        self.own0 = time.process_time()

    def figures(self) -> dict[str, float]:
        elapsed = max(1e-6, time.monotonic() - self.t0)
        busy = _busy_cores_total() - self.busy0
        server = self.sampler.server_cpu_s - self.server0
        own = time.process_time() - self.own0
        return {"loadavg_start": self.load0, "loadavg_end": _loadavg(), "server_cores": round(server / elapsed, 2),
                "client_cores": round(own / elapsed, 2),
                "other_cores": round(max(0.0, busy - server - own) / elapsed, 2)}


@contextmanager
def serving(root: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``streamlit run app.py`` from ``root`` (its own packages first on the path), logging runs to ``log``."""
    env = {"BEL_RUN_LOG": str(log), "PYTHONPATH": str(root)}
    check = subprocess.run([sys.executable, "-c", "import core, ui; print(core.__file__, ui.__file__)"], cwd=root,
                           env={**os.environ, **env}, capture_output=True, text=True, check=True).stdout.split()
    if not all(Path(path).is_relative_to(root) for path in check):
        raise RuntimeError(f"the server would import {check}, not {root}'s packages")
    with local_server(log.parent / "server.out", env=env, root=root, stop_timeout=20) as server:
        yield server.url, server.process


# ---------------------------------------------------------------- the run log


def _events(log: Path, since: float = 0.0) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    rows = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return [row for row in rows if row["t"] >= since]


def _by_seed(events: list[dict[str, Any]], name: str) -> dict[int, dict[str, Any]]:
    """The last ``name`` event of each seed."""
    return {e["seed"]: e for e in events if e["event"] == name and "seed" in e}


def _ahead(events: list[dict[str, Any]], seed: int, t: float) -> tuple[int, int]:
    """Runs queued before ``seed``'s run at ``t``: (not yet started, not yet ended)."""
    queued = [e for e in events if e["event"] == "queued"]
    started = {e["run"]: e["t"] for e in events if e["event"] == "started"}
    ended = {e["run"]: e["t"] for e in events if e["event"] == "ended"}
    mine = [e for e in queued if e.get("seed") == seed and e["t"] <= t]
    if not mine:
        return 0, 0
    earlier = [e["run"] for e in queued if e["t"] < mine[-1]["t"] and ended.get(e["run"], float("inf")) > t]
    return sum(1 for run in earlier if started.get(run, float("inf")) > t), len(earlier)


def status_truth(tabs: dict[int, Tab], log: Path, since: float) -> dict[str, Any]:
    """Check every status text the sessions saw against the run log in the second before the page showed it.

    A count of runs ahead ("place N", "N runs ahead") is true if it lies between the runs queued earlier that had
    not started and those that had not ended, and it must come with an estimated wait; "comes next" is true with
    no earlier run still waiting to start; any other text that says waiting, only with an earlier run not ended.
    """
    events = _events(log, since - 600)
    shown: dict[str, int] = {}
    false = no_eta = 0
    examples: list[str] = []
    for seed, tab in tabs.items():
        for t, text in tab.alerts:
            if t < since:
                continue
            key = COUNT.sub(lambda m: m.group(0).replace(m.group(1) or m.group(2), "N"), text)
            key = re.sub(r"\d+(\.\d+)?\s*(s|ms|min)\b", "T", key)
            shown[key] = shown.get(key, 0) + 1
            seen = [_ahead(events, seed, t - dt / 10) for dt in range(11)]
            not_started, not_ended = min(w for w, _ in seen), max(a for _, a in seen)
            count = COUNT.search(text)
            if count is not None:
                n = int(count.group(1) or count.group(2))
                true = 1 <= n and not_started <= n <= not_ended
                no_eta += ETA.search(text) is None
            elif "comes next" in text:
                true = not_started == 0
            elif WAITING.search(text):
                true = not_ended >= 1
            else:
                continue
            if not true:
                false += 1
                if len(examples) < 3:
                    examples.append(f"seed {seed}: '{text[:80]}' with {not_started}–{not_ended} runs ahead")
    return {"texts": shown, "false": false, "count_without_eta": no_eta, "examples": examples,
            "truthful": false == no_eta == 0}


# ---------------------------------------------------------------- sessions


def _stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"min": None, "median": None, "p95": None, "max": None}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"min": round(ordered[0], 2), "median": round(statistics.median(ordered), 2), "p95": round(p95, 2),
            "max": round(ordered[-1], 2)}


def _first_update(tab: Tab, since: float) -> float | None:
    for t, text in tab.progress:
        match = FIRST_UPDATE.search(text)
        if t >= since and match and (int(match.group(1)) > 1 or int(match.group(2)) > 0):
            return t
    return None


def _say(text: str) -> None:
    """Progress on stderr (stdout carries the results)."""
    print(f"{time.strftime('%H:%M:%S')} load {_loadavg():.1f}: {text}", file=sys.stderr, flush=True)


async def _open_all(url: str, paths: dict[int, str], at_once: int = 4) -> dict[int, Tab]:
    """Load every page (``at_once`` loading together), each as its own session."""
    gate = asyncio.Semaphore(at_once)
    tabs = {seed: Tab(url, path) for seed, path in paths.items()}

    async def _load(tab: Tab) -> None:
        async with gate:
            await tab.open()

    started = time.monotonic()
    await asyncio.gather(*(_load(tab) for tab in tabs.values()))
    loaded = sum(tab.loaded for tab in tabs.values())
    _say(f"{loaded} of {len(tabs)} pages loaded in {time.monotonic() - started:.1f} s")
    return tabs


async def _press_all(tabs: dict[int, Tab], label: str, window_s: float) -> dict[int, float]:
    """Press ``label`` in every tab, spread evenly over ``window_s``; the monotonic press time of each."""
    start = time.monotonic()
    pressed: dict[int, float] = {}
    for i, (seed, tab) in enumerate(tabs.items()):
        await asyncio.sleep(max(0.0, start + window_s * i / max(1, len(tabs)) - time.monotonic()))
        if label in tab.buttons:  # a page that never loaded is a session that never trained
            pressed[seed] = await tab.press(label)
    _say(f"pressed {label} in {len(pressed)} of {len(tabs)} tabs")
    return pressed


async def _wait_all(tabs: dict[int, Tab], pressed: dict[int, float], text: str, timeout_s: float) -> None:
    await asyncio.gather(*(tab.wait_for(partial(_seen, tab, text, pressed[seed]), timeout_s)
                           for seed, tab in tabs.items() if seed in pressed))
    _say(f"{sum(tab.saw(text, pressed[s]) is not None for s, tab in tabs.items() if s in pressed)} finished")


async def _close_all(tabs: dict[int, Tab]) -> None:
    await asyncio.gather(*(tab.close() for tab in tabs.values()))


def _session_figures(tabs: dict[int, Tab], pressed: dict[int, float], log: Path, since: float,
                     finished_text: str = FINISHED) -> dict[str, Any]:
    """Per-session times and the class's health, from what the pages showed and the run log."""
    events = _events(log, since)
    first_log, returned = _by_seed(events, "first_update"), _by_seed(events, "training_returned")
    first, done, first_logged = [], [], []
    for seed, tab in tabs.items():
        if seed not in pressed:
            continue
        shown = _first_update(tab, pressed[seed])
        finished = tab.saw(finished_text, pressed[seed])
        # A page that never showed it counts as never (inf), so that the percentiles cover every session.
        first.append(math.inf if shown is None else shown - pressed[seed])
        done.append(math.inf if finished is None else finished - pressed[seed])
        if seed in first_log:
            first_logged.append(first_log[seed]["t"] - pressed[seed])
    mine = [returned[seed] for seed in tabs if seed in returned]
    finish_times = [t for t in (tab.saw(finished_text, pressed[s]) for s, tab in tabs.items() if s in pressed)
                    if t is not None]
    return {
        "runs_finished": sum(1 for x in done if x != math.inf), "sessions": len(tabs),
        "exceptions": sum(len(tab.exceptions) for tab in tabs.values()),
        "exception_texts": sorted({text[:200] for tab in tabs.values() for text in tab.exceptions})[:5],
        "client_cache_misses": sum(tab.cache_misses for tab in tabs.values()),
        # A tab the server stopped sending to while its run had not finished (Streamlit drops a client whose send
        # queue of 500 messages is full): the page froze, its websocket still open.
        "tabs_frozen": sum(1 for s, tab in tabs.items() if s in pressed and tab.saw(finished_text, pressed[s]) is None
                           and time.monotonic() - tab.last_message_at > 30),
        "updates_equal_plan": len(mine) == len(tabs) and all(e["updates"] == e["planned"] for e in mine),
        "press_spread_s": round(max(pressed.values()) - min(pressed.values()), 2),
        "first_update_shown_s": _stats(first), "finished_shown_s": _stats(done),
        "first_update_logged_s": _stats(first_logged) if first_logged else "no first_update event in the run log",
        "class_s": round(max(finish_times) - min(pressed.values()), 1) if finish_times else None,
        "polls_per_tab_s": round(statistics.median(_poll_rate(tab, pressed[s], tab.saw(finished_text, pressed[s]))
                                                   for s, tab in tabs.items() if s in pressed), 2),
    }


def _started(tab: Tab, since: float) -> bool:
    """Whether ``tab`` showed its run's first update after ``since``."""
    return _first_update(tab, since) is not None


def _seen(tab: Tab, text: str, since: float) -> bool:
    """Whether ``tab`` showed an alert containing ``text`` after ``since``."""
    return tab.saw(text, since) is not None


def _ended(tab: Tab, since: float) -> bool:
    return tab.saw(STOPPED, since) is not None or tab.saw(FINISHED, since) is not None


def _raw(tabs: dict[int, Tab], pressed: dict[int, float], log: Path, since: float) -> dict[str, Any]:
    """What each session saw and the run log, for a later look (times relative to ``since``)."""
    return {"since": since, "pressed": {s: round(t - since, 3) for s, t in pressed.items()},
            "alerts": {s: [[round(t - since, 3), x[:160]] for t, x in tab.alerts if t >= since]
                       for s, tab in tabs.items()},
            "progress": {s: [[round(t - since, 3), x] for t, x in tab.progress if t >= since][:3]
                         for s, tab in tabs.items()},
            "log": [{**e, "t": round(e["t"] - since, 3)} for e in _events(log, since - 60)
                    if e["event"] != "app_run"]}


def _poll_rate(tab: Tab, start: float, end: float | None) -> float:
    """Rerun requests a tab sent per second while its run was live."""
    end = time.monotonic() if end is None else end
    return sum(1 for t in tab.sent_at if start <= t <= end) / max(1e-6, end - start)


def _memory_figures(samples: list[dict[str, float]]) -> dict[str, Any]:
    if not samples:
        return {}
    first = samples[0]
    return {
        "server_rss_mb": [round(first["server_rss_mb"]), round(max(s["server_rss_mb"] for s in samples))],
        "server_threads": [int(first["server_threads"]), int(max(s["server_threads"] for s in samples))],
        "workers_peak": int(max(s["workers"] for s in samples)),
        "workers_rss_peak_mb": round(max(s["workers_rss_mb"] for s in samples)),
        "pss_mb": [round(first["pss_mb"]), round(max(s["pss_mb"] for s in samples))],
        "series": [[round(s["t"] - first["t"], 1), round(s["pss_mb"]), round(s["rss_mb"]), int(s["threads"]),
                    int(s["workers"])] for s in samples],
    }


async def _alone(url: str, seeds: list[int], path: str) -> dict[int, float]:
    """Each seed's run alone on the quiet server, through the same client: press -> "Finished" shown."""
    times: dict[int, float] = {}
    for seed in seeds:
        tab = Tab(url, path.format(seed=seed))
        await tab.open()
        if TRAIN not in tab.buttons:
            await tab.close()
            continue
        pressed = await tab.press(TRAIN)
        await tab.wait_for(partial(_seen, tab, FINISHED, pressed), 120)
        finished = tab.saw(FINISHED, pressed)
        if finished is not None:
            times[seed] = finished - pressed
        await tab.close()
    _say(f"alone: {len(times)} runs, {_stats(list(times.values()))}")
    return times


async def class_part(url: str, log: Path, sampler: Sampler, sessions: int, alone: dict[int, float],
                     window_s: float) -> dict[str, Any]:
    """``sessions`` loaded tabs press Train within ``window_s``; figures and targets."""
    seeds = list(range(1, sessions + 1))
    tabs = await _open_all(url, {seed: SHORT.format(seed=seed) for seed in seeds})
    machine = Machine(sampler)
    since = time.monotonic()
    pressed = await _press_all(tabs, TRAIN, window_s)
    await _wait_all(tabs, pressed, FINISHED, 120 + 15 * sessions)
    figures = _session_figures(tabs, pressed, log, since)
    figures["status"] = status_truth(tabs, log, since)
    figures["machine"] = machine.figures()
    figures["raw"] = _raw(tabs, pressed, log, since)
    await _close_all(tabs)
    await asyncio.sleep(20)
    figures["memory"] = _memory_figures(sampler.since(since - 1))
    alone_sum = sum(alone[seed] for seed in seeds if seed in alone)
    figures["alone_sum_s"] = round(alone_sum, 1)
    figures["alone_s"] = _stats([alone[seed] for seed in seeds if seed in alone])
    p95 = figures["first_update_shown_s"]["p95"]
    figures["targets"] = {
        "first_update_p95_le_5s": p95 is not None and p95 <= TARGETS["first_update_p95_s"],
        "all_finish": figures["runs_finished"] == sessions,
        "class_le_1.15x_sum_alone": figures["runs_finished"] == sessions and len(alone) >= sessions
        and figures["class_s"] <= TARGETS["class_factor"] * alone_sum,
        "status_truthful": figures["status"]["truthful"],
    }
    return {"part": f"{sessions} sessions", **figures}


async def long_run_part(url: str, log: Path, sampler: Sampler, window_s: float) -> dict[str, Any]:
    """4 short runs pressed together, on the quiet server and then while a long run trains."""
    results: dict[str, Any] = {"part": "long run"}
    for phase, seeds in (("quiet", [201, 202, 203, 204]), ("with_long_run", [211, 212, 213, 214])):
        tabs = await _open_all(url, {seed: SHORT.format(seed=seed) for seed in seeds})
        long_tab = None
        if phase == "with_long_run":
            long_tab = Tab(url, LONG.format(seed=299))
            await long_tab.open()
            long_pressed = await long_tab.press(TRAIN)
            await long_tab.wait_for(partial(_started, long_tab, long_pressed), 120)
            results["long_first_update_s"] = round((_first_update(long_tab, long_pressed) or float("nan"))
                                                   - long_pressed, 2)
        machine = Machine(sampler)
        since = time.monotonic()
        pressed = await _press_all(tabs, TRAIN, window_s)
        await _wait_all(tabs, pressed, FINISHED, 300)
        figures = _session_figures(tabs, pressed, log, since)
        all_tabs = dict(tabs)
        if long_tab is not None:
            all_tabs[299] = long_tab
            figures["long_run_progress"] = [text for t, text in long_tab.progress if t >= since][-1:]
            await long_tab.press(STOP)
            await long_tab.wait_for(partial(_ended, long_tab, since), 30)
        figures["status"] = status_truth(all_tabs, log, since)
        figures["machine"] = machine.figures()
        figures["raw"] = _raw(all_tabs, {**pressed, **({299: long_pressed} if long_tab else {})}, log, since - 60)
        figures["per_seed_s"] = {seed: round((tab.saw(FINISHED, pressed[seed]) or float("nan")) - pressed[seed], 2)
                                 for seed, tab in tabs.items() if seed in pressed}
        await _close_all(all_tabs)
        results[phase] = figures
    quiet = sorted(results["quiet"]["per_seed_s"].values())
    loaded = sorted(results["with_long_run"]["per_seed_s"].values())
    # The i-th fastest run with the long run against the i-th fastest on the quiet server.
    limits = [TARGETS["long_run_factor"] * q + TARGETS["long_run_slack_s"] for q in quiet]
    results["targets"] = {
        "short_runs_le_1.5x_alone_plus_3s": len(loaded) == len(quiet) == 4
        and all(lo <= limit for lo, limit in zip(loaded, limits, strict=True)),
        "status_truthful": results["quiet"]["status"]["truthful"] and results["with_long_run"]["status"]["truthful"],
    }
    results["limits_s"] = [round(x, 2) for x in limits]
    return results


async def memory_part(url: str, log: Path, sampler: Sampler, window_s: float, bound_s: float, runs_each: int = 3,
                      sessions: int = 30) -> dict[str, Any]:
    """A class of ``sessions`` training ``runs_each`` runs each, plus one 4-worker data-parallel run; PSS."""
    baseline = statistics.median(sampler.sample()["pss_mb"] for _ in range(5))
    seeds = list(range(301, 301 + sessions))
    paths = {seed: SHORT.format(seed=seed) for seed in seeds}
    paths[399] = DATA_PARALLEL.format(seed=399)
    tabs = await _open_all(url, paths)
    machine = Machine(sampler)
    since = time.monotonic()
    labels = {seed: DP_START if seed == 399 else TRAIN for seed in tabs}
    start = time.monotonic()
    done: dict[int, int] = {}

    async def _student(i: int, seed: int) -> None:
        tab = tabs[seed]
        await asyncio.sleep(max(0.0, start + window_s * i / len(tabs) - time.monotonic()))
        label = labels[seed]
        text = DP_FINISHED if seed == 399 else FINISHED
        for _ in range(1 if seed == 399 else runs_each):
            if not await tab.wait_for(lambda: label in tab.buttons and not tab.buttons[label][1], 120):
                return
            pressed = await tab.press(label)
            if not await tab.wait_for(partial(_seen, tab, text, pressed), 900):
                return
            done[seed] = done.get(seed, 0) + 1

    try:  # bounded: a class that has not finished in time is reported as it stands
        await asyncio.wait_for(asyncio.gather(*(_student(i, seed) for i, seed in enumerate(tabs))), bound_s)
    except TimeoutError:
        _say(f"memory: the class did not finish within {bound_s:.0f} s")
    figures: dict[str, Any] = {"part": "memory", "sessions": sessions, "runs_each": runs_each, "bound_s": bound_s,
                               "runs_finished": sum(v for s, v in done.items() if s != 399),
                               "runs_planned": sessions * runs_each, "data_parallel_finished": done.get(399, 0) == 1,
                               "class_s": round(time.monotonic() - since, 1),
                               "exceptions": sum(len(tab.exceptions) for tab in tabs.values()),
                               "exception_texts": sorted({x[:200] for t in tabs.values() for x in t.exceptions})[:5],
                               "client_cache_misses": sum(tab.cache_misses for tab in tabs.values())}
    figures["status"] = status_truth(tabs, log, since)
    figures["machine"] = machine.figures()
    figures["raw"] = _raw(tabs, {}, log, since)
    await _close_all(tabs)
    closed = time.monotonic()
    await asyncio.sleep(SETTLE_S)
    after = statistics.median(sampler.sample()["pss_mb"] for _ in range(5))
    memory = _memory_figures(sampler.since(since - 1))
    peak = max(s["pss_mb"] for s in sampler.since(since))
    figures["memory"] = memory
    figures["pss_mb"] = {"baseline": round(baseline), "peak": round(peak), "after_2_min": round(after),
                         "closed_at_s": round(closed - since, 1)}
    figures["targets"] = {"peak_pss_lt_1.2GB": peak < MEMORY_LIMIT_MB,
                          "back_within_10pct_after_2_min": after <= baseline * 1.10,
                          "all_runs_finish": figures["runs_finished"] == sessions * runs_each
                          and figures["data_parallel_finished"]}
    return figures


async def warm_up(url: str, data_parallel: bool) -> None:
    """One finished run (and a data-parallel one) whose tab closes: torch, Plotly and the pages load once."""
    paths = {0: SHORT.format(seed=0)}
    if data_parallel:
        paths[1] = DATA_PARALLEL.format(seed=1)
    tabs = await _open_all(url, paths)
    for seed, (label, text) in {0: (TRAIN, FINISHED), 1: (DP_START, DP_FINISHED)}.items():
        if seed in tabs and label in tabs[seed].buttons:
            pressed = await tabs[seed].press(label)
            await tabs[seed].wait_for(partial(_seen, tabs[seed], text, pressed), 300)
    await _close_all(tabs)
    _say("warmed up")


# ---------------------------------------------------------------- report


def _span(stats: object) -> str:
    if not isinstance(stats, dict) or stats.get("median") is None:
        return "–"
    values = [stats[k] for k in ("min", "median", "p95", "max")]
    return " / ".join("never" if v == math.inf else f"{v:.1f}" for v in values) + " s"


def _from_raw(row: dict[str, Any]) -> dict[str, Any]:
    """A saved class row with its times computed again from what the pages showed (as this version computes them)."""
    raw = row.get("raw")
    if not row.get("part", "").endswith("sessions") or raw is None:
        return row
    first, done = [], []
    for seed, at in raw["pressed"].items():
        shown = next((t for t, text in raw["progress"].get(seed, []) if t >= at and (m := FIRST_UPDATE.search(text))
                      and (int(m.group(1)) > 1 or int(m.group(2)) > 0)), None)
        finished = next((t for t, text in raw["alerts"].get(seed, []) if t >= at and FINISHED in text), None)
        first.append(math.inf if shown is None else shown - at)
        done.append(math.inf if finished is None else finished - at)
    finished_count = sum(1 for x in done if x != math.inf)
    logged = {(e["event"], str(e.get("seed"))): e["t"] for e in raw["log"]}
    ended = [logged.get(("ended", seed), math.inf) - at for seed, at in raw["pressed"].items()]
    row = {**row, "first_update_shown_s": _stats(first), "finished_shown_s": _stats(done),
           "runs_finished": finished_count, "ended_logged_s": _stats(ended),
           "class_logged_s": round(max(ended_t + at for ended_t, at in zip(ended, raw["pressed"].values(),
                                                                             strict=True)), 1)}
    row["targets"] = {**row["targets"], "first_update_p95_le_5s": row["first_update_shown_s"]["p95"] <= 5,
                      "all_finish": finished_count == row["sessions"],
                      "class_le_1.15x_sum_alone": finished_count == row["sessions"]
                      and row["class_s"] <= TARGETS["class_factor"] * row["alone_sum_s"]}
    return row


def _class(r: dict[str, Any]) -> str:
    """First press -> last "Finished" shown; when some page never showed it, when the server's last run ended."""
    if r["runs_finished"] == r["sessions"]:
        return f"{r['class_s']} s"
    raw = r.get("raw") or {}
    seeds = {int(seed) for seed in raw.get("pressed", {})}
    ended = [e["t"] for e in raw.get("log", []) if e["event"] == "ended" and e.get("seed") in seeds]
    first = min(raw.get("pressed", {}).values(), default=0.0)
    server = f"; the server ended the last run after {max(ended) - first:.0f} s" if ended else ""
    return f"never shown in {r['sessions'] - r['runs_finished']} pages{server}"


def _exceptions(r: dict[str, Any]) -> int:
    """Exceptions the pages showed (older outputs counted the client's cache misses among them)."""
    return int(r["exceptions"]) - sum(1 for text in r.get("exception_texts", []) if text.startswith("cache miss"))


def _mark(ok: bool) -> str:
    return "pass" if ok else "**fail**"


def markdown(results: list[dict[str, Any]], root: Path, window_s: float) -> str:
    """The README's class table."""
    lines = [
        f"Server: `{root}`; client: {CLIENT}. All pages loaded first, then Train pressed in every one within "
        f"{window_s:g} s. Times: min / median / p95 / max.", "",
        "| case | runs finished | exceptions | updates = plan | press → first update shown | press → finished "
        "| run log: press → first update; → ended | class (first press → last finish) | status texts true "
        "| server RSS, threads (start → peak) | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if r["part"].endswith("sessions"):
            mem, machine = r["memory"], r["machine"]
            lines.append(
                f"| {r['sessions']} at once | {r['runs_finished']} of {r['sessions']} | {_exceptions(r)} | "
                f"{'yes' if r['updates_equal_plan'] else 'no'} | {_span(r['first_update_shown_s'])} | "
                f"{_span(r['finished_shown_s'])} | {_span(r['first_update_logged_s'])}; "
                f"{_span(r.get('ended_logged_s'))} | "
                f"{_class(r)} (sum alone {r['alone_sum_s']} s) | "
                f"{'yes' if r['status']['truthful'] else 'no'} | {mem['server_rss_mb'][0]} → {mem['server_rss_mb'][1]} "
                f"MB, {mem['server_threads'][0]} → {mem['server_threads'][1]} | {_load(machine)} |")
        elif r["part"] == "long run":
            for phase, name in (("quiet", "4 together, quiet"), ("with_long_run", "4 together + long run")):
                p = r[phase]
                mem_note = ""
                lines.append(
                    f"| {name} | {p['runs_finished']} of 4 | {_exceptions(p)} | "
                    f"{'yes' if p['updates_equal_plan'] else 'no'} | {_span(p['first_update_shown_s'])} | "
                    f"{_span(p['finished_shown_s'])} | {_span(p['first_update_logged_s'])} | {p['class_s']} s | "
                    f"{'yes' if p['status']['truthful'] else 'no'} | {mem_note}– | {_load(p['machine'])} |")
        elif r["part"] == "memory":
            pss, machine = r["pss_mb"], r["machine"]
            lines.append(
                f"| 30 × {r['runs_each']} runs + data-parallel (4 workers) | {r['runs_finished']} of "
                f"{r['runs_planned']}, DP {'yes' if r['data_parallel_finished'] else 'no'} | {_exceptions(r)} | – | – "
                f"| – | – | {r['class_s']} s | {'yes' if r['status']['truthful'] else 'no'} | PSS of server + workers: "
                f"{pss['baseline']} → {pss['peak']} MB, {pss['after_2_min']} MB 2 min after the tabs closed "
                f"(workers at peak: {r['memory']['workers_peak']}) | {_load(machine)} |")
    lines += ["", "| target | result |", "|---|---|"]
    for r in results:
        for name, ok in r.get("targets", {}).items():
            lines.append(f"| {r['part']}: {name} | {_mark(ok)} |")
    return "\n".join(lines)


def _load(machine: dict[str, float]) -> str:
    return (f"load {machine['loadavg_start']:.1f}; other processes {machine['other_cores']:.1f} cores, "
            f"server {machine['server_cores']:.1f}, client {machine['client_cores']:.2f}")


async def run_parts(args: argparse.Namespace, url: str, process: subprocess.Popen[bytes],
                    log: Path) -> list[dict[str, Any]]:
    sampler = Sampler(process.pid)
    sampler.start()
    await warm_up(url, data_parallel=args.memory)
    results: list[dict[str, Any]] = []

    def _emit(row: dict[str, Any]) -> None:
        results.append(row)
        if args.json:
            print(json.dumps(row), flush=True)
        else:
            print(json.dumps({k: v for k, v in row.items() if k != "memory"}, indent=None)[:4000], flush=True)

    if args.sessions:
        alone = await _alone(url, list(range(1, max(args.sessions) + 1)), SHORT)
        for n in args.sessions:
            _emit(await class_part(url, log, sampler, n, alone, args.press_window))
    if args.long_run:
        _emit(await long_run_part(url, log, sampler, args.press_window))
    if args.memory:
        await asyncio.sleep(FORGET_S)  # the warm-up's and earlier parts' tabs are forgotten: the baseline
        _emit(await memory_part(url, log, sampler, args.press_window, args.memory_bound))
    sampler.running = False
    events = _events(log)
    results.append({"part": "run log", "events": sorted({e["event"] for e in events})})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=ROOT, help="the app's source folder the server runs from")
    parser.add_argument("--sessions", type=int, nargs="*", default=[10, 30], help="class sizes (none: skip)")
    parser.add_argument("--long-run", action="store_true", help="4 short runs while a long run trains")
    parser.add_argument("--memory", action="store_true", help="30 tabs x 3 runs + a data-parallel run: PSS")
    parser.add_argument("--memory-bound", type=float, default=900, help="seconds the memory part's class may take")
    parser.add_argument("--press-window", type=float, default=2.0, help="seconds in which every tab presses Train")
    parser.add_argument("--json", action="store_true", help="one JSON object per part")
    parser.add_argument("--report", type=Path, nargs="+", help="print the table of saved --json outputs, run nothing")
    args = parser.parse_args()
    root = args.root.resolve()
    if args.report is not None:
        rows = [_from_raw(json.loads(line)) for path in args.report for line in path.read_text().splitlines()
                if line.startswith("{")]
        print(markdown([row for row in rows if row.get("part") != "run log"], root, args.press_window))
        return
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "runs.jsonl"
        with serving(root, log) as (url, process):
            results = asyncio.run(run_parts(args, url, process, log))
    print(json.dumps(results[-1]) if args.json else f"run log events: {results[-1]['events']}")
    print(markdown([_from_raw(row) for row in results[:-1]], root, args.press_window))


if __name__ == "__main__":
    main()
