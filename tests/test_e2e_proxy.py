"""A class bigger than one server: three replicas behind nginx, each browser's runs and reloads kept on its own."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from deploy import replicas

REPLICAS = 3
# 320 training rows at batch 32 for 3 epochs: 30 updates, a second or two once torch is loaded.
RUN = "/training?dataset=moons&n=400&batch_size=32&epochs=3&val_split=0.2&lang=en"
UPDATES = 30
FINISHED = "Finished: every planned update was made."
FRESH = "Press Train to start a run."
TRAINING = "Training…"
LIVE_RUN = "/training?dataset=moons&n=20000&batch_size=1&epochs=10&val_split=0&lang=en"  # minutes: live when stopped
LOST = "This page's earlier runs could not be found"  # its runs were in a process that has stopped
EARLIER_RUN = "#1 · B=32"  # the past-run pill once a second run has started
MIN_SESSIONS, MAX_SESSIONS = 4, 8  # browsers open until two replicas have one, within these bounds
WAIT_MS = 60_000
LOG_LINE = re.compile(r'"(?P<method>\S+) (?P<uri>\S+)" route=(?P<route>\S+) cookie=(?P<cookie>\S+) '
                      r"upstream=(?P<upstream>.+?) time=(?P<time>[\d.]+) end=(?P<end>[\d.]+)")


@dataclass
class Served:
    """One request in nginx's access log: its path, route, cookie, the replicas tried (the last answered) and
    when it started (wall clock; a websocket's line is written when it closes)."""

    uri: str
    route: str
    cookie: str
    tried: list[int]
    started: float

    @property
    def port(self) -> int:
        return self.tried[-1]


@dataclass
class Session:
    """One browser (its own cookie jar) with one tab on the training page."""

    context: BrowserContext
    page: Page
    route: str = ""  # its bel_replica cookie
    port: int = 0  # the replica that served its first page
    token: str = ""  # its tab= token
    errors: list[str] = field(default_factory=list)


def served(rehearsal: replicas.Rehearsal) -> list[Served]:
    """Every request nginx passed to a replica so far (a websocket's line is written when it closes)."""
    rows = []
    for line in rehearsal.access_log.read_text(encoding="utf-8").splitlines():
        match = LOG_LINE.search(line)
        if match and match["upstream"] != "-":
            tried = [int(address.rsplit(":", 1)[1]) for address in match["upstream"].split(", ")]
            started = float(match["end"]) - float(match["time"])
            rows.append(Served(match["uri"], match["route"], match["cookie"], tried, started))
    return rows


def token(page: Page) -> str:
    page.wait_for_url(re.compile(r"[?&]tab="), timeout=WAIT_MS)
    found = re.search(r"[?&]tab=([^&]+)", page.url)
    assert found is not None
    return found.group(1)


def open_session(browser: Browser, rehearsal: replicas.Rehearsal) -> Session:
    """A new browser opens the training page through the proxy; which replica served it is read from the log."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    session = Session(context, context.new_page())
    session.page.on("pageerror", lambda error: session.errors.append(str(error)))
    session.page.goto(rehearsal.url + RUN)
    session.route = next(c["value"] for c in context.cookies() if c["name"] == "bel_replica")
    first = next(row for row in served(rehearsal) if row.route == session.route)
    assert first.cookie == "-" and first.uri == "/training"  # the page itself set the cookie that routes the rest
    session.port = first.port
    return session


def press_train(page: Page) -> None:
    button = page.get_by_role("button", name="Train", exact=True)
    expect(button).to_be_enabled(timeout=WAIT_MS)
    button.click()


def check_download(page: Page) -> None:
    """The history CSV: a media file kept in the replica's memory, so it downloads only from that replica."""
    with page.expect_download(timeout=WAIT_MS) as download:
        page.get_by_role("button", name="Download history (CSV)").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("update,epoch,") and len(lines) == 1 + UPDATES


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[replicas.Rehearsal]:
    """Three replicas and nginx, started by deploy/replicas.py's own functions."""
    if replicas.nginx_path() is None:
        message = "nginx not found: install Debian's nginx-light (apt-get install nginx-light)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with replicas.rehearsal(REPLICAS, replicas.free_port(), tmp_path_factory.mktemp("replicas")) as running:
        yield running


def test_the_config_routes_every_request_by_the_cookie_to_the_listed_replicas() -> None:
    config = replicas.render_config([8601, 8602], "127.0.0.1:8080")
    assert "hash $bel_route consistent;" in config and "listen 127.0.0.1:8080;" in config
    assert [line.split()[1] for line in config.splitlines() if line.strip().startswith("server 127")] == [
        "127.0.0.1:8601", "127.0.0.1:8602"]


def test_replicas_on_one_machine_share_its_training_slots() -> None:
    assert replicas.slots_per_replica(4, {}, cpu_count=16) == "2"  # together half the cores, as one process takes
    assert replicas.slots_per_replica(3, {}, cpu_count=2) == "1"  # never none
    assert replicas.slots_per_replica(3, {replicas.MAX_RUNS_ENV: "2"}, cpu_count=2) == "2"  # the teacher's choice


@pytest.mark.e2e
@pytest.mark.timeout(900)  # three servers and up to eight browsers: 2-4 min on a loaded 2-core machine
def test_each_browser_keeps_its_replica_and_a_stopped_replica_moves_only_its_own(
        browser: Browser, rehearsal: replicas.Rehearsal) -> None:
    sessions: list[Session] = []
    try:
        while len(sessions) < MAX_SESSIONS and (
                len(sessions) < MIN_SESSIONS or len({s.port for s in sessions}) < 2):
            sessions.append(open_session(browser, rehearsal))
        ports = {s.port for s in sessions}
        assert len(ports) > 1, f"{len(sessions)} browsers all landed on one replica"

        # Every browser trains a small run; the replicas train side by side.
        for session in sessions:
            session.token = token(session.page)
            press_train(session.page)
        for session in sessions:
            session.page.get_by_text(FINISHED).wait_for(timeout=WAIT_MS)

        # A reload is a new Streamlit session: only the process that holds the tab's token finds its run again.
        for session in sessions:
            session.page.reload()
            session.page.get_by_text(FINISHED).wait_for(timeout=WAIT_MS)
            assert token(session.page) == session.token
            # Streamlit's XSRF cookie passes through beside the proxy's: the replica that set it checks it.
            assert {"bel_replica", "_streamlit_xsrf"} <= {c["name"] for c in session.context.cookies()}
            check_download(session.page)
        before_stop = served(rehearsal)
        for session in sessions:
            mine = [row for row in before_stop if row.route == session.route]
            assert {row.port for row in mine} == {session.port}, "page, websocket and download on one replica"
            assert all(len(row.tried) == 1 for row in mine)
            assert any(row.uri == "/_stcore/stream" for row in mine)  # the first page's websocket, closed by reload
            assert any(row.uri.startswith("/media/") for row in mine)

        # One replica stops: its browsers move on to a live one (a fresh tab there, which says what happened), the
        # others notice nothing.
        victim = sessions[0].port
        moved = [s for s in sessions if s.port == victim]
        kept = [s for s in sessions if s.port != victim]
        # One of its browsers also watches a live run there: the page polls, so it reconnects and reruns at once.
        live = moved[0].context.new_page()
        live.on("pageerror", lambda error: moved[0].errors.append(str(error)))
        live.goto(rehearsal.url + LIVE_RUN)
        press_train(live)
        live.get_by_text(TRAINING).wait_for(timeout=WAIT_MS)
        stopping = time.monotonic()
        replicas.stop([rehearsal.replicas[victim]])
        gone, gone_wall = time.monotonic(), time.time()  # requests from here on cannot reach it
        stop_s = gone - stopping
        assert rehearsal.replicas[victim].returncode == 0  # stopped cleanly (SIGTERM) mid-run, not aborted
        assert "terminate called" not in (rehearsal.folder / f"replica-{victim}.log").read_text(encoding="utf-8")
        live.get_by_text(LOST).wait_for(timeout=WAIT_MS)  # said on the page, not a silently empty tab
        live.get_by_text(FRESH).wait_for(timeout=WAIT_MS)
        reconnected_s = time.monotonic() - gone
        live.close()
        served_again_s = []
        for session in moved:
            reloading = time.monotonic()
            session.page.reload()
            session.page.get_by_text(FRESH).wait_for(timeout=WAIT_MS)
            served_again_s.append(time.monotonic() - reloading)
            assert token(session.page) != session.token  # the run stayed with the stopped process
        press_train(moved[0].page)  # the new replica's page works: it trains
        moved[0].page.get_by_text(FINISHED).wait_for(timeout=WAIT_MS)
        for session in kept:  # still live: a click trains a second run, and a reload finds both runs
            press_train(session.page)
            session.page.get_by_text(EARLIER_RUN).first.wait_for(timeout=WAIT_MS)
            session.page.reload()
            session.page.get_by_text(FINISHED).wait_for(timeout=WAIT_MS)
            session.page.get_by_text(EARLIER_RUN).first.wait_for(timeout=WAIT_MS)
            assert token(session.page) == session.token

        after_stop = [row for row in served(rehearsal) if row.started >= gone_wall]
        for session in kept:
            assert {row.port for row in after_stop if row.route == session.route} == {session.port}
            assert all(len(row.tried) == 1 for row in after_stop if row.route == session.route)
        for session in moved:
            now = {row.port for row in after_stop if row.route == session.route}
            assert len(now) == 1 and victim not in now, f"one live replica serves a moved browser, not {now}"
        for session in sessions:
            assert not session.page.locator('[data-testid="stException"]').count()
            assert session.errors == []
        per_replica = {port: sum(s.port == port for s in sessions) for port in rehearsal.replicas}
        print(f"\nbrowsers per replica {sorted(per_replica.values(), reverse=True)}; replica {victim} stopped in "
              f"{stop_s:.1f} s (its live page said so {reconnected_s:.1f} s later); its {len(moved)} browser(s) "
              "reloaded onto "
              f"{sorted({row.port for row in after_stop if row.route in {s.route for s in moved}})} in "
              f"{', '.join(f'{s:.1f}' for s in served_again_s)} s")
    finally:
        for session in sessions:
            session.context.close()
