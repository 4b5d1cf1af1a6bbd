"""Rehearse a class bigger than one server: N app replicas behind nginx, each browser kept on its replica.

    .venv/bin/python deploy/replicas.py --replicas 3 --port 8080

starts the replicas on free loopback ports and nginx in front of them (config and logs in a run folder), prints
the address and serves until Ctrl-C or SIGTERM, which stop the proxy and every replica. Stdlib only.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
sys.path.insert(0, str(ROOT))  # run as a script: the app's own packages sit beside this folder

from core.runtime.net import free_port  # noqa: E402
from deploy.local import start_server, stop, wait_healthy  # noqa: E402

MAX_RUNS_ENV = "BEL_MAX_CONCURRENT_RUNS"  # core/train/runner.py: training slots of one process
SERVER_OPTIONS = "max_fails=1 fail_timeout=10s"  # one refused connection benches a replica for 10 s


def nginx_path() -> str | None:
    """The nginx binary: $BEL_NGINX, else on PATH, else Debian's /usr/sbin/nginx (not on a user's PATH)."""
    for candidate in (os.environ.get("BEL_NGINX"), shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def slots_per_replica(replicas: int, environ: Mapping[str, str] | None = None, cpu_count: int | None = None) -> str:
    """$BEL_MAX_CONCURRENT_RUNS if set, else the machine's default (half its cores) shared among its replicas."""
    environ = os.environ if environ is None else environ
    if environ.get(MAX_RUNS_ENV):
        return environ[MAX_RUNS_ENV]
    # Each process alone would take half the machine's cores: replicas side by side would overcommit them.
    return str(max(1, (cpu_count or os.cpu_count() or 1) // 2 // replicas))


def start_replica(port: int, log: Path, slots: str) -> subprocess.Popen[bytes]:
    """`streamlit run app.py` on 127.0.0.1:``port`` (only the proxy reaches it) with ``slots`` training slots."""
    # Its own session: a Ctrl-C in the terminal reaches this script only, which then stops the children in order.
    return start_server(port, log, env={MAX_RUNS_ENV: slots}, new_session=True)


def render_config(ports: Sequence[int], listen: str, template: Path = TEMPLATE) -> str:
    """The nginx config for replicas on 127.0.0.1:``ports``, served on ``listen`` ("port" or "address:port")."""
    servers = "\n".join(f"        server 127.0.0.1:{port} {SERVER_OPTIONS};" for port in ports)
    text = template.read_text(encoding="utf-8").replace("@@SERVERS@@", servers).replace("@@LISTEN@@", listen)
    left = re.findall(r"@@\w+@@", text)
    if left:
        raise ValueError(f"{template} has fields nobody fills in: {left}")
    return text


def start_proxy(config: Path, prefix: Path, nginx: str) -> subprocess.Popen[bytes]:
    """nginx in the foreground, a child of this process: pid file, logs and temp files under ``prefix``."""
    for folder in ("logs", "temp"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [nginx, "-c", str(config), "-p", f"{prefix}/", "-e", str(prefix / "logs" / "error.log"),
         "-g", f"daemon off; pid {prefix / 'nginx.pid'};"],
        stdin=subprocess.DEVNULL, start_new_session=True,
    )


def wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """Wait until something accepts connections on 127.0.0.1:``port`` (fails if ``process`` exits first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port} after {timeout:.0f} s")


@dataclass
class Rehearsal:
    """A running class: the proxy's address, each replica's process by port, and where the logs are."""

    url: str
    folder: Path
    replicas: dict[int, subprocess.Popen[bytes]]
    proxy: subprocess.Popen[bytes]

    @property
    def access_log(self) -> Path:
        return self.folder / "logs" / "access.log"


@contextlib.contextmanager
def rehearsal(replicas: int, port: int, folder: Path, address: str = "127.0.0.1") -> Iterator[Rehearsal]:
    """Start ``replicas`` app processes and nginx on ``address``:``port`` in front of them; stop all on exit."""
    nginx = nginx_path()
    if nginx is None:
        raise FileNotFoundError("nginx not found: install Debian's nginx-light (apt-get install nginx-light)")
    folder.mkdir(parents=True, exist_ok=True)
    children: dict[int, subprocess.Popen[bytes]] = {}
    proxy: subprocess.Popen[bytes] | None = None
    try:
        for _ in range(replicas):  # all start at once; they import the app side by side
            replica_port = free_port()
            children[replica_port] = start_replica(replica_port, folder / f"replica-{replica_port}.log",
                                                   slots_per_replica(replicas))
        for replica_port, process in children.items():
            wait_healthy(f"http://127.0.0.1:{replica_port}", process)
        config = folder / "nginx.conf"
        config.write_text(render_config(list(children), f"{address}:{port}"), encoding="utf-8")
        proxy = start_proxy(config, folder, nginx)
        wait_listening(port, proxy)
        host = "127.0.0.1" if address == "0.0.0.0" else address
        yield Rehearsal(url=f"http://{host}:{port}", folder=folder, replicas=children, proxy=proxy)
    finally:
        # The proxy first, so no browser reaches a replica that is shutting down.
        stop([proxy] if proxy is not None else [])
        stop(children.values())


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """The first Ctrl-C or SIGTERM unwinds into the cleanup; later ones must not cut the cleanup short."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Serve a rehearsal until interrupted."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--replicas", type=int, default=3, help="app processes to start (default 3)")
    parser.add_argument("--port", type=int, default=8080, help="the proxy's port (default 8080)")
    parser.add_argument("--address", default="127.0.0.1",
                        help="the proxy's address (default 127.0.0.1; 0.0.0.0 lets other machines in)")
    parser.add_argument("--folder", type=Path, help="for the nginx config and logs (default: a new temporary folder)")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    folder = args.folder or Path(tempfile.mkdtemp(prefix="bel-replicas-"))
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with rehearsal(args.replicas, args.port, folder.resolve(), args.address) as running:
            ports = ", ".join(map(str, running.replicas))
            print(f"Batch & Epoch Lab: {running.url} ({args.replicas} replicas on 127.0.0.1 ports {ports}, "
                  f"{slots_per_replica(args.replicas)} training slot(s) each; config and logs in {running.folder}). "
                  "Ctrl-C stops everything.", flush=True)
            reported: set[int] = set()
            while running.proxy.poll() is None:
                for replica_port, process in running.replicas.items():
                    if process.poll() is not None and replica_port not in reported:
                        reported.add(replica_port)  # a rehearsal may stop one on purpose: its browsers move on
                        print(f"replica on port {replica_port} exited ({process.returncode}); "
                              "its browsers move to the others", flush=True)
                time.sleep(0.5)
            print(f"nginx exited with {running.proxy.returncode}; see {running.folder / 'logs' / 'error.log'}",
                  file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        print("stopped: the proxy and every replica", flush=True)
        return 0


if __name__ == "__main__":
    sys.exit(main())
