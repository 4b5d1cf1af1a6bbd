"""The app on this machine: `streamlit run app.py` on a free loopback port as the README starts it, waited for
and stopped, and the headless Chromium that visits it. One copy for the tests, the benchmarks and the replicas."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from core.runtime.net import free_port

ROOT = Path(__file__).resolve().parents[1]
# Two malloc arenas, so a class's memory goes back to the system (README, core/runtime/heap.py).
SERVER_ENV = {"MALLOC_ARENA_MAX": "2"}
STOP_TIMEOUT_S = 10.0
CHROMIUM = os.environ.get("BEL_CHROMIUM", "/usr/bin/chromium")  # Debian's, never a downloaded one
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def start_server(port: int, log: Path | None = None, *, env: Mapping[str, str] | None = None,
                 address: str = "127.0.0.1", root: Path = ROOT, new_session: bool = False) -> subprocess.Popen[bytes]:
    """`streamlit run app.py` from ``root`` on ``address``:``port`` with ``env`` added to this environment and
    SERVER_ENV; its output goes to ``log`` (None: nowhere); ``new_session`` keeps a terminal's Ctrl-C from it."""
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
               "--server.address", address, "--server.headless", "true"]
    environment = {**os.environ, **SERVER_ENV, **(env or {})}
    if log is None:
        return subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=environment, start_new_session=new_session)
    with log.open("wb") as sink:
        return subprocess.Popen(command, cwd=root, stdout=sink, stderr=subprocess.STDOUT, env=environment,
                                start_new_session=new_session)


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    """Wait until ``url``/_stcore/health answers 200 (fails if ``process`` exits first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not become healthy within {timeout:.0f} s")


def stop(processes: Iterable[subprocess.Popen[bytes]], timeout: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM all at once, SIGKILL whatever still runs after ``timeout``; every process is reaped."""
    running = [p for p in processes if p.poll() is None]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + timeout
    for process in running:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class LocalServer:
    """A running server: its URL on loopback and its process."""

    url: str
    process: subprocess.Popen[bytes]


@contextlib.contextmanager
def local_server(log: Path | None = None, *, env: Mapping[str, str] | None = None, address: str = "127.0.0.1",
                 root: Path = ROOT, stop_timeout: float = STOP_TIMEOUT_S) -> Iterator[LocalServer]:
    """A server on a free port of ``address`` (see ``start_server``), healthy when this yields; stopped on exit."""
    port = free_port()
    process = start_server(port, log, env=env, address=address, root=root)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process)
        yield LocalServer(url, process)
    finally:
        stop([process], stop_timeout)
