"""A server told to stop while it trains (SIGTERM from a deployment, Ctrl-C in a terminal) exits cleanly: its runs
stopped first, no abort ("terminate called without an active exception", exit -6), no worker process left."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from core.runtime.net import free_port
from core.runtime.procs import process_tree
from deploy.local import start_server, wait_healthy
from tests.test_e2e_live import LONG_RUN

pytestmark = pytest.mark.e2e

WAIT_MS = 120_000
LONG_DATA_PARALLEL = "/data-parallel?devices=2&n=2000&batch_size=1&epochs=5&lang=en"


def descendants(pid: int) -> set[int]:
    """Every living process below ``pid``."""
    return set(process_tree(pid)[1:])


def command(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return "?"


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's wait is missing


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts worker processes through /proc")
@pytest.mark.timeout(600)
@pytest.mark.parametrize(("signum", "data_parallel"), [
    (signal.SIGTERM, False),  # a training thread inside torch at exit: the abort, every time before the fix
    (signal.SIGTERM, True),
    (signal.SIGINT, True),
], ids=["SIGTERM-training", "SIGTERM-training-and-data-parallel", "SIGINT-training-and-data-parallel"])
def test_a_server_stopped_mid_run_ends_its_runs_and_exits_cleanly(
        browser: Browser, tmp_path: Path, signum: signal.Signals, data_parallel: bool) -> None:
    port = free_port()
    log = tmp_path / "streamlit.log"
    server = start_server(port, log)
    url = f"http://127.0.0.1:{port}"
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    try:
        wait_healthy(url, server)
        training = context.new_page()
        training.goto(url + LONG_RUN)
        training.get_by_role("button", name="Train", exact=True).click()
        training.get_by_text("Training…").wait_for(timeout=WAIT_MS)
        workers: set[int] = set()
        if data_parallel:
            parallel = context.new_page()
            parallel.goto(url + LONG_DATA_PARALLEL)
            parallel.get_by_role("button", name="Start data-parallel run").click()
            parallel.get_by_text("Training on 2 ranks").first.wait_for(timeout=WAIT_MS)  # both ranks train
            workers = descendants(server.pid)
            assert len(workers) >= 2, "the data-parallel run trains in no worker process"
            training.get_by_text("Training…").wait_for(timeout=WAIT_MS)  # both runs live

        server.send_signal(signum)
        code = server.wait(timeout=60)
    finally:
        context.close()
        if server.poll() is None:
            server.kill()
            server.wait()
    output = log.read_text(encoding="utf-8", errors="replace")
    assert code == 0, output[-2000:]
    assert "terminate called" not in output and "Aborted" not in output
    deadline = time.monotonic() + 15  # helpers (fork server, resource tracker) leave when their pipe closes
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = {pid: command(pid) for pid in workers if alive(pid)}
    assert not left, f"worker processes outlived the server: {left}\n{output[-2000:]}"
