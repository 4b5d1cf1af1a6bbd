"""Live page cost in a real browser: how busy a live run keeps Chromium, and how fast Stop and navigation answer.

Run: python benchmarks/live_page.py [--json] [--repeats 3] [--page training|compare|both]

For each page it starts a server, opens the page in headless Chromium, presses Train (Compare), lets it train
for ``--train-s`` seconds, clicks the Calculator in the navigation and times its numbers' first paint, comes
back, presses Stop and times the page's answer. Printed figures (median of the repeats):

- ``busy_pct``: share of the measuring window the browser's main thread spent in long tasks (> 50 ms);
- ``ws_kB_s``: websocket bytes received per second; ``webgl_per_s``: WebGL contexts created per second;
- ``chart_gap_s``/``progress_gap_s``: median time between redraws of the per-update chart / progress text;
- ``stop_shown_s``: Stop click -> the page says the run stopped;
- ``stop_updates_s``: Stop click -> the run's last update (from the server's run log, same monotonic clock);
- ``nav_paint_s``: Calculator click -> its metrics painted.

Targets (issue 8): busy <= 25 %, ws <= 30 kB/s, chart gap <= 0.5 s, progress gap <= 0.3 s, stop shown <= 1.0 s,
stop updates <= 0.3 s, nav paint <= 2 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deploy.local import CHROMIUM, CHROMIUM_ARGS, local_server  # noqa: E402

PAGES = {
    "training": ("/training?dataset=moons&n=5000&batch_size=4&epochs=100&lang=en", "Train", "Stopped."),
    "compare": ("/compare?batch_sizes=4,16,64,256&dataset=moons&n=5000&epochs=100&lang=en", "Compare", "Stopped."),
}
TARGETS = {"busy_pct": 25, "ws_kB_s": 30, "chart_gap_s": 0.5, "progress_gap_s": 0.3, "stop_shown_s": 1.0,
           "stop_updates_s": 0.3, "nav_paint_s": 2.0}

# Installed before any page script: counts long tasks, WebGL contexts, chart redraws and progress-text changes.
PROBE = """
window.__bel = {longtasks: [], webgl: 0, plots: [], progress: [], lastProgress: null};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__bel.longtasks.push([e.startTime, e.duration]);
}).observe({type: 'longtask', buffered: true});
const getContext = HTMLCanvasElement.prototype.getContext;
HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
  if (/webgl/.test(String(kind)) && !this.__belCounted) { this.__belCounted = true; window.__bel.webgl++; }
  return getContext.call(this, kind, ...rest);
};
function chartName(gd) {
  const keyed = gd.closest('[class*="st-key-"]');
  if (!keyed) return 'chart';
  const cls = [...keyed.classList].find((c) => c.startsWith('st-key-'));
  return cls.slice(7);
}
setInterval(() => {
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    if (!gd.__bel && typeof gd.on === 'function') {
      gd.__bel = true;
      const name = chartName(gd);
      window.__bel.plots.push([performance.now(), name, 'new']);
      gd.on('plotly_afterplot', () => window.__bel.plots.push([performance.now(), name, 'plot']));
    }
  }
  const bar = document.querySelector('[data-testid="stProgress"]');
  const text = bar ? bar.innerText : null;
  if (text !== window.__bel.lastProgress) {
    window.__bel.lastProgress = text;
    window.__bel.progress.push([performance.now(), text]);
  }
}, 25);
"""


def _gaps(times: list[float], same_redraw_s: float = 0.1) -> float | None:
    """Median time between redraws; events closer than ``same_redraw_s`` belong to one redraw (Plotly fires
    ``plotly_afterplot`` more than once while it lays a new figure out)."""
    redraws: list[float] = []
    for stamp in sorted(times):
        if not redraws or stamp - redraws[-1] > same_redraw_s:
            redraws.append(stamp)
    gaps = [b - a for a, b in zip(redraws, redraws[1:], strict=False)]
    return statistics.median(gaps) if gaps else None


def _run_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def measure_once(browser: Any, url: str, page_name: str, run_log: Path, train_s: float) -> dict[str, Any]:
    """One live run on ``page_name``: train, visit the calculator, come back, stop."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    path, train_label, stopped_text = PAGES[page_name]
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    context.add_init_script(PROBE)
    page = context.new_page()
    received: list[tuple[float, int]] = []

    def on_websocket(ws: Any) -> None:
        ws.on("framereceived", lambda payload: received.append((time.monotonic(), len(payload))))

    page.on("websocket", on_websocket)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url + path)
    start_button = page.get_by_role("button", name=train_label, exact=True)
    expect(start_button).to_be_enabled(timeout=60_000)
    start_button.click()
    page.wait_for_selector('[data-testid="stProgress"]', timeout=60_000)
    # Steady training: past the run's start-up and the browser's one-time load of Plotly (4.7 MB of script,
    # parsed when the first chart of the page appears).
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    loss_name = "loss_chart" if page_name == "training" else "cmp_loss_chart"
    page.wait_for_selector(f".st-key-{loss_name}", timeout=30_000)
    page.evaluate(f"document.querySelector('.st-key-{loss_name}').scrollIntoView({{block: 'center'}})")  # watched
    page.wait_for_timeout(2_000)
    window_start_mono = time.monotonic()
    window_start = page.evaluate("performance.now()")
    page.wait_for_timeout(int(train_s * 1000))
    window_end = page.evaluate("performance.now()")
    window_end_mono = time.monotonic()
    probe = page.evaluate("window.__bel")

    # Navigate to the calculator mid-run and back.
    nav_start = time.monotonic()
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Calculator").first.click()
    try:
        page.wait_for_function(
            "() => location.pathname.endsWith('/calculator') || location.pathname === '/'", timeout=60_000)
        page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
        nav_paint: float | None = time.monotonic() - nav_start
    except PlaywrightTimeout:
        nav_paint = None
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=page_name.capitalize()).first.click()
    stop_button = page.get_by_role("button", name="Stop", exact=True)
    stop_shown: float | None = None
    try:
        expect(stop_button).to_be_enabled(timeout=90_000)
        page.wait_for_timeout(1_500)
        stop_clicked = time.monotonic()
        stop_button.click()
        page.get_by_text(stopped_text).first.wait_for(timeout=60_000)
        stop_shown = time.monotonic() - stop_clicked
    except PlaywrightTimeout:
        stop_clicked = time.monotonic()  # not within the limits: reported as missing, not as a number
    page.wait_for_timeout(500)
    exceptions = page.locator('[data-testid="stException"]').count()
    context.close()

    busy = sum(min(start + duration, window_end) - max(start, window_start)
               for start, duration in probe["longtasks"] if start + duration > window_start and start < window_end)
    window = window_end - window_start
    in_window = [size for stamp, size in received if window_start_mono <= stamp <= window_end_mono]
    plots = [(stamp, name) for stamp, name, _ in probe["plots"] if window_start <= stamp <= window_end]
    chart_times = [stamp / 1000 for stamp, name in plots if name.endswith(loss_name)]
    progress_times = [stamp / 1000 for stamp, _ in probe["progress"] if window_start <= stamp <= window_end]
    events = [e for e in _run_log(run_log) if e.get("t", 0) >= stop_clicked - 60]
    updates = [e["t"] for e in events if e.get("event") == "training_returned"]
    stop_updates = max(0.0, updates[-1] - stop_clicked) if updates else None
    requested = [e["t"] for e in events if e.get("event") == "stop_requested"]
    ended = [e["t"] for e in events if e.get("event") == "ended"]
    return {
        "busy_pct": round(100 * busy / window, 1),
        "ws_kB_s": round(sum(in_window) / 1000 / (window_end_mono - window_start_mono), 1),
        "webgl_per_s": round(probe["webgl"] / (window_end / 1000), 2),
        "chart_gap_s": None if (gap := _gaps(chart_times)) is None else round(gap, 2),
        "progress_gap_s": None if (gap := _gaps(progress_times)) is None else round(gap, 2),
        "longest_task_s": round(max((d for s, d in probe["longtasks"] if s >= window_start), default=0) / 1000, 2),
        "long_tasks_ms": [round(d) for s, d in probe["longtasks"] if window_start <= s <= window_end],
        "stop_shown_s": None if stop_shown is None else round(stop_shown, 2),
        "stop_updates_s": None if stop_updates is None else round(stop_updates, 2),
        "stop_heard_s": round(requested[-1] - stop_clicked, 2) if requested else None,  # click -> server callback
        "stop_ended_s": round(ended[-1] - stop_clicked, 2) if ended else None,  # click -> run's thread done
        "nav_paint_s": None if nav_paint is None else round(nav_paint, 2),
        "exceptions": exceptions + len(errors),
    }


def _median(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in rows[0]:
        if isinstance(rows[0][key], list):
            continue
        values = [row[key] for row in rows if row[key] is not None]
        out[key] = round(statistics.median(values), 2) if values else None
    return out


def measure_page(page_name: str, repeats: int, train_s: float) -> dict[str, Any]:
    """Median figures of ``repeats`` live runs on a fresh server."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        run_log = Path(tmp) / "runs.jsonl"
        with local_server(env={"BEL_RUN_LOG": str(run_log)}, stop_timeout=20) as server, \
                sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            rows = [measure_once(browser, server.url, page_name, run_log, train_s) for _ in range(repeats)]
            browser.close()
    return {"page": page_name, "repeats": repeats, **_median(rows), "runs": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--train-s", type=float, default=10.0, help="seconds of training measured per run")
    parser.add_argument("--page", choices=("training", "compare", "both"), default="both")
    args = parser.parse_args()
    names = ("training", "compare") if args.page == "both" else (args.page,)
    for name in names:
        result = measure_page(name, args.repeats, args.train_s)
        runs = result.pop("runs")
        verdict = {key: ("ok" if result.get(key) is not None and result[key] <= target else "MISSED")
                   for key, target in TARGETS.items()}
        if args.json:
            print(json.dumps({**result, "targets": TARGETS, "verdict": verdict, "runs": runs}))
        else:
            print("  ".join(f"{k}={v}" for k, v in result.items()))
            print("  long tasks (ms) per run: " + " | ".join(str(run["long_tasks_ms"]) for run in runs))
            print("  targets: " + "  ".join(f"{k}<={v} {verdict[k]}" for k, v in TARGETS.items()))


if __name__ == "__main__":
    main()
