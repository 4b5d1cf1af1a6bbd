"""Nothing the app starts listens beyond loopback: the server started as the teacher's guide says, during runs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from deploy.local import local_server
from tests.sockets import beyond_loopback, listening

pytestmark = pytest.mark.e2e

DATA_PARALLEL = "/data-parallel?devices=4&n=2000&batch_size=1&epochs=20&lang=en"
TRAINING = "/training?dataset=moons&n=20000&batch_size=1&epochs=10&val_split=0&lang=en"


def _server_pid(port: int) -> int:
    """The process that listens on ``port`` (the Streamlit server)."""
    for pid in (int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()):
        try:
            sockets = listening(pid)
        except OSError:
            continue
        if any(where.endswith(f":{port}") and owner == pid for owner, where in sockets):
            return pid
    raise AssertionError(f"nothing listens on port {port}")


def test_only_the_app_itself_listens_on_the_network_while_runs_train(browser, tmp_path):
    # --server.address 0.0.0.0, as the teacher's guide starts a class's server: the app's own port is meant to be
    # reachable; anything else the server or its workers open must stay on loopback.
    with local_server(tmp_path / "streamlit.log", address="0.0.0.0") as running:
        url = running.url
        port = int(url.rsplit(":", 1)[1])
        server = _server_pid(port)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
        try:
            data_parallel, training = context.new_page(), context.new_page()
            data_parallel.goto(url + DATA_PARALLEL)
            data_parallel.get_by_role("button", name="Start data-parallel run").click(timeout=60_000)
            training.goto(url + TRAINING)
            training.get_by_role("button", name="Train", exact=True).click(timeout=60_000)
            data_parallel.get_by_text("Training on 4 ranks").first.wait_for(timeout=180_000)
            seen: set[tuple[int, str]] = set()
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # the ranks train: their gloo connections are open
                seen |= set(listening(server))
                time.sleep(0.2)
        finally:
            context.close()
    workers = {pid for pid, _ in seen if pid != server}
    assert workers, "the data-parallel workers were not seen listening for their peers"
    others = [(pid, where) for pid, where in seen if not (pid == server and where.endswith(f":{port}"))]
    assert beyond_loopback(others) == []
