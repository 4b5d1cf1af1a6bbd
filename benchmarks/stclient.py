"""A browser tab without the browser: Streamlit's websocket protocol, enough to load a page, press a button and
read what the page shows, while loading the server as a live page in Chromium does.

One ``Tab`` is one Streamlit session on ``ws://host/_stcore/stream``. What it does, as Streamlit 1.67's frontend
does (``static/js/index.*.js``: ``sendRerunBackMsg``, ``handleAutoRerun``, ``ForwardMessageCache``):

- opens with a ``rerun_script`` BackMsg carrying the page's path and query string, and follows the server's
  ``page_info_changed`` (the ``tab=`` token) in every later request;
- answers each ``auto_rerun`` (a fragment's ``run_every``) with a timer that sends the fragment's rerun at that
  interval whether or not the last one has been answered (the frontend's ``setInterval``); a full script run
  without fragments, or ``stop_auto_rerun``, clears the timers;
- keeps cacheable messages by hash, sends their hashes with every request (so the server sends references to
  unchanged charts, as to a browser) and expires them after ``max_cached_message_age`` script runs;
- a button press is a ``rerun_script`` with the button's ``trigger_value``. Other widgets' values are not sent:
  the server keeps them from the last run, and this client never changes them.

It draws nothing, so it costs the machine a fraction of a real page: on a 2-core server a benchmark can then
hold 30 live tabs without the browser taking the cores the server needs.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

FINISHED_OK = ForwardMsg.FINISHED_SUCCESSFULLY


@dataclass
class _Cached:
    msg: ForwardMsg
    run: int
    fragment: str


@dataclass
class Tab:
    """One session of a Streamlit app over its websocket, opened at ``path`` (with its query string)."""

    base: str  # http://host:port
    path: str  # /training?dataset=...
    alerts: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time, text) when an alert changed
    progress: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time, text) when it changed
    exceptions: list[str] = field(default_factory=list)
    buttons: dict[str, tuple[str, bool]] = field(default_factory=dict)  # label -> (widget id, disabled)
    sent_at: list[float] = field(default_factory=list)  # when each rerun request (full or fragment) was sent
    runs_finished: int = 0  # script runs (full or fragment) the server finished successfully
    cache_misses: int = 0  # references to messages this client no longer held (dropped, as the browser would fail)
    reloads: int = 0  # times the page was asked for again because it had not loaded

    def __post_init__(self) -> None:
        parts = urlsplit(self.path)
        self.page_name = parts.path.strip("/")
        self.query = parts.query
        self.page_hash = ""
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._timers: dict[str, asyncio.Task[None]] = {}
        self._cache: dict[str, _Cached] = {}
        self._max_age = 2
        self._run_count = 0
        self._fragments: list[str] = []
        self._changed = asyncio.Event()
        self._alert_at: dict[tuple[int, ...], str] = {}
        self.closed = False
        self.last_message_at = 0.0  # when the server last sent anything

    async def open(self, timeout_s: float = 120, retry_s: float = 30) -> bool:
        """Connect and load the page: True once a full run has finished with at least one button drawn.

        A page not loaded after ``retry_s`` is asked for again, as a user reloads a page that does not come.
        """
        host = urlsplit(self.base).netloc
        # Each tab is its own browser: a browser secret cookie of its own (ui/runs.py binds a tab to its browser).
        cookie = f"bel_browser={secrets.token_urlsafe(32)}"
        self._ws = await connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit"],  # type: ignore[list-item]
                                 origin=self.base, max_size=None, open_timeout=timeout_s,  # type: ignore[arg-type]
                                 additional_headers={"Cookie": cookie})
        self._reader = asyncio.create_task(self._read())
        deadline = time.monotonic() + timeout_s
        while not self.closed and time.monotonic() < deadline:
            self.page_hash = ""
            await self._rerun()
            if await self.wait_for(lambda: self.loaded, min(retry_s, deadline - time.monotonic())):
                return True
            self.reloads += 1
        return self.loaded

    @property
    def loaded(self) -> bool:
        return self.runs_finished > 0 and bool(self.buttons)

    async def press(self, label: str) -> float:
        """Click the button labelled ``label``; returns the monotonic time of the click."""
        widget_id, _ = self.buttons[label]
        state = WidgetState(id=widget_id, trigger_value=True)
        now = time.monotonic()
        await self._rerun(widgets=[state])
        return now

    async def wait_for(self, condition: Callable[[], bool], timeout_s: float) -> bool:
        """Wait until ``condition()`` holds after some message arrived (False after ``timeout_s``)."""
        deadline = time.monotonic() + timeout_s
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0 or self.closed:
                return condition()
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(left, 1.0))
            except TimeoutError:
                pass
        return True

    def saw(self, text: str, since: float = 0.0) -> float | None:
        """When an alert containing ``text`` first appeared after ``since`` (None if it has not)."""
        return next((t for t, body in self.alerts if t >= since and text in body), None)

    def first_progress(self, pattern: re.Pattern[str], since: float = 0.0) -> float | None:
        """When a progress text matching ``pattern`` first appeared after ``since``."""
        return next((t for t, text in self.progress if t >= since and pattern.search(text)), None)

    async def close(self) -> None:
        """Close the tab as a browser does: the websocket goes away."""
        self.closed = True
        self._stop_timers()
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()

    async def _rerun(self, widgets: list[WidgetState] | None = None, fragment: str = "") -> None:
        if self._ws is None or self.closed:
            return
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = self.page_hash
        if not self.page_hash:
            state.page_name = self.page_name
        state.fragment_id = fragment
        state.is_auto_rerun = bool(fragment)
        state.widget_states.widgets.extend(widgets or [])
        state.cached_message_hashes.extend(self._cache)
        info = state.context_info
        info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-US"
        info.url, info.color_scheme = self.base + "/" + self.page_name, "light"
        self.sent_at.append(time.monotonic())
        try:
            await self._ws.send(msg.SerializeToString())
        except Exception:  # noqa: BLE001 - a closed connection ends this tab; the benchmark counts it
            self.closed = True

    async def _every(self, fragment: str, interval_s: float) -> None:
        due = time.monotonic()
        while not self.closed:
            due += interval_s
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            await self._rerun(fragment=fragment)

    def _stop_timers(self, fragments: list[str] | None = None) -> None:
        for fragment in list(self._timers) if fragments is None else fragments:
            task = self._timers.pop(fragment, None)
            if task is not None:
                task.cancel()

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for data in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self.last_message_at = time.monotonic()
                self._handle(msg)
                self._changed.set()
        except ConnectionClosed:
            pass
        except Exception as exc:  # noqa: BLE001 - counted with the page's exceptions, never lost
            self.exceptions.append(f"client: {exc!r}")
        self.closed = True
        self._stop_timers()
        self._changed.set()

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:  # the request named it, a script run ending meanwhile expired it here
                self.cache_misses += 1
                return
            cached.run = self._run_count
            resolved = ForwardMsg()
            resolved.CopyFrom(cached.msg)
            resolved.metadata.CopyFrom(msg.metadata)
            msg, kind = resolved, resolved.WhichOneof("type")
        elif msg.metadata.cacheable:
            fragment = self._fragments[0] if self._fragments else ""
            self._cache[msg.hash] = _Cached(msg, self._run_count, fragment)
        if kind == "new_session":
            self._max_age = msg.new_session.config.max_cached_message_age or self._max_age
            self._fragments = list(msg.metadata.run.fragment_ids) if msg.metadata.HasField("run") else []
            if not self._fragments:
                self._stop_timers()
        elif kind == "navigation":  # the page shown (st.navigation): later requests name it, as the browser does
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "auto_rerun":
            fragment, interval = msg.auto_rerun.fragment_id, msg.auto_rerun.interval
            if fragment and fragment not in self._timers:
                self._timers[fragment] = asyncio.create_task(self._every(fragment, interval))
        elif kind == "stop_auto_rerun":
            self._stop_timers(list(msg.stop_auto_rerun.fragment_ids))
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "script_finished":
            self._expire()
            if msg.script_finished == FINISHED_OK:
                self.runs_finished += 1
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(msg.delta.new_element, tuple(msg.metadata.delta_path))

    def _element(self, element: object, path: tuple[int, ...]) -> None:
        kind = element.WhichOneof("type")  # type: ignore[attr-defined]
        now = time.monotonic()
        if kind == "button":
            button = element.button  # type: ignore[attr-defined]
            self.buttons[button.label] = (button.id, button.disabled)
        elif kind == "alert":
            body = element.alert.body  # type: ignore[attr-defined]
            if self._alert_at.get(path) != body:  # one alert per place on the page, recorded when it changes
                self._alert_at[path] = body
                self.alerts.append((now, body))
        elif kind == "progress":
            text = element.progress.text  # type: ignore[attr-defined]
            if not self.progress or self.progress[-1][1] != text:
                self.progress.append((now, text))
        elif kind == "exception":
            self.exceptions.append(element.exception.message)  # type: ignore[attr-defined]

    def _expire(self) -> None:
        """The frontend's cache rule: an entry unused for more than max age script runs is dropped (a fragment
        run ages only its own fragment's entries)."""
        self._run_count += 1
        for key, entry in list(self._cache.items()):
            if self._fragments and entry.fragment not in self._fragments:
                continue
            if self._run_count - entry.run > self._max_age:
                del self._cache[key]
