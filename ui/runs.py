"""This tab's runs: found again after a reload, kept alive on every page, drawn live at a pace the browser keeps.

Each browser tab owns a ``core.runtime.tabs.Tab`` registered under a random token kept in the URL (``tab=``) and
bound to its browser by a secret cookie (``bel_browser``). A reload starts a new Streamlit session with the same
URL and cookie, which re-attaches to the tab's runs; a link whose tab is still open elsewhere does not (that tab
keeps its runs, the new one starts its own), nor does the link in any other browser. A token this server process
does not know (it restarted, or the tab was forgotten) is said so on the page.
"""

from __future__ import annotations

import json
import string
import time
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import plotly.graph_objects as go
import streamlit as st

from core.runtime import heap
from core.runtime.slots import default_queue
from core.runtime.tabs import BROWSER_SECRET, Tab, TabRegistry, is_browser_secret, new_browser_secret
from ui.lang import tr

T = TypeVar("T")
TAB_PARAM = "tab"  # URL parameter carrying this tab's token
_TAB_KEY = "tab_runs"
_NOTICE_KEY = "tab_notice"
_LOST_KEY = "tab_lost"  # session state: True while a tab whose earlier runs could not be found has nothing yet
_SECRET_KEY = "browser_secret"  # session state: the secret made for a browser that came without one
BROWSER_COOKIE = "bel_browser"  # the browser's secret: a tab opens again only in the browser that made it
BROWSER_COOKIE_MAX_AGE_S = 400 * 24 * 3600  # as long as browsers keep a cookie (Chrome caps it at 400 days)
# Streamlit reads cookies (st.context.cookies, as sent when the page connected) but cannot set one: a script in
# the page sets it, unless this browser already holds a secret (another of its tabs set it first).
_SET_COOKIE = string.Template("""<script>
(() => {
  const name = $name;
  const kept = document.cookie.split("; ").find((cookie) => cookie.startsWith(name + "="));
  if (kept && new RegExp($shape).test(kept.slice(name.length + 1))) return;
  document.cookie = name + "=" + $secret + "; Path=/; Max-Age=$max_age; SameSite=Strict"
    + (location.protocol === "https:" ? "; Secure" : "");
})();
</script>""")
THROUGHPUT_KEY = "measured_throughput"  # best samples/s from the batch-size finder, read by the calculator
_SIDEBAR_LINES: dict[str, Callable[[Any], str]] = {}  # by run kind: what the sidebar says of a live run
HEARTBEAT_S = 5.0  # from pages without a live view; well inside HEARTBEAT_TIMEOUT_S (core.runtime.background)
POLL_S = 0.24  # the live view's progress text redraws this often; its charts at their own pace (paced)
# Every poll is a script run on the server, and all of them share one Python process with the training: 30 live
# pages at 0.24 s (125 script runs a second) saturated a 2-core server, which then stopped sending any update.
# With more live runs than this, each page polls proportionally less often, so the server's polling stays at
# what this many pages cost (benchmarks/classroom.py: with 8, a class of 30 took 1.33x its runs' time alone; with 4,
# 0.93x, the first updates shown within 2.2 s).
FULL_PACE_PAGES = 4
ENDING_POLLS = 3  # polls between the live view showing a run ended and the full rerun that draws it in full
RECLAIM_WAIT_S = 1.5  # a reloading tab's old session may take a moment to disconnect
CHART_CONFIG = {"displaylogo": False}
# How often a live chart is rebuilt (between rebuilds it is re-sent unchanged, which costs the browser nothing).
# The loss per update shows the run moving; the per-epoch figure, the decision boundary and the log change
# slowly, and each redraw costs the browser a 100-200 ms task, so they follow at a calmer pace.
LOSS_CHART_PACE_S = 0.4
EPOCH_CHART_PACE_S = 5.0
BOUNDARY_PACE_S = 5.0
LOG_PACE_S = 2.0


@st.cache_resource
def tab_registry() -> TabRegistry:
    """The server-wide registry of tabs: a tab closed for a minute is forgotten, and its memory handed back."""
    return TabRegistry(is_open=_session_open, on_forget=heap.release)


def _session_id() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return None if ctx is None else ctx.session_id


def _session_open(session_id: str | None) -> bool:
    """True while the session's browser connection is open (False outside a running server)."""
    from streamlit import runtime

    if session_id is None or not runtime.exists():
        return False
    return runtime.get_instance().is_active_session(session_id)


def _owner_gone(tab: Tab, me: str | None) -> bool:
    if tab.owner is None or tab.owner == me:
        return True
    deadline = time.monotonic() + RECLAIM_WAIT_S
    while _session_open(tab.owner):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _browser_secret() -> str:
    """This browser's secret: from its cookie, else the one made for this session (``browser_cookie_ui`` sets it)."""
    sent = st.context.cookies.get(BROWSER_COOKIE)
    if is_browser_secret(sent):
        return sent
    if _SECRET_KEY not in st.session_state:
        st.session_state[_SECRET_KEY] = new_browser_secret()
    return st.session_state[_SECRET_KEY]  # type: ignore[no-any-return]


def current_tab() -> Tab:
    """This tab's runs: attached once per session (from the URL's token after a reload, in the browser that made
    the tab), token kept in the URL."""
    state = st.session_state
    registry = tab_registry()
    me = _session_id()
    tab: Tab | None = state.get(_TAB_KEY)
    if tab is None:
        browser = _browser_secret()
        found, mine = registry.lookup(st.query_params.get(TAB_PARAM), browser)
        if mine is not None and _owner_gone(mine, me):
            tab = mine
            if mine.running() or mine.past:
                state[_NOTICE_KEY] = "tab.reattached"
        else:
            if found == "mine":
                state[_NOTICE_KEY] = "tab.foreign"  # its tab is still open in this browser
            elif found == "other_browser":
                state[_NOTICE_KEY] = "tab.other_browser"
            elif found == "unknown":
                state[_LOST_KEY] = True
            tab = registry.create(me, browser=browser)
        state[_TAB_KEY] = tab
    registry.claim(tab, me or "")
    if st.query_params.get(TAB_PARAM) != tab.token:
        st.query_params[TAB_PARAM] = tab.token
    return tab


def keepalive_for(tab: Tab) -> Callable[[], bool]:
    """For a run: True while the session attached to ``tab`` has its browser connection open."""
    return lambda: _session_open(tab.owner)


def tab_notice_ui() -> None:
    """Say once that a reload found this tab's runs again, or that a copied link's runs stayed with their tab; say
    until this tab has a run that its earlier runs could not be found; give a new browser its secret."""
    key = st.session_state.pop(_NOTICE_KEY, None)
    if key is not None:
        st.toast(tr(key), icon=":material/sync:" if key == "tab.reattached" else ":material/info:")
    if st.session_state.get(_LOST_KEY):
        tab = current_tab()
        if tab.runs or tab.past:
            del st.session_state[_LOST_KEY]
        else:
            st.warning(tr("tab.lost"), icon=":material/cloud_off:")
    browser_cookie_ui()


def browser_cookie_ui() -> None:
    """Set the secret cookie in a browser that connected without one, at the end of the sidebar (draws nothing)."""
    if is_browser_secret(st.context.cookies.get(BROWSER_COOKIE)):
        return
    script = _SET_COOKIE.substitute(name=json.dumps(BROWSER_COOKIE), shape=json.dumps(f"^{BROWSER_SECRET.pattern}$"),
                                    secret=json.dumps(_browser_secret()), max_age=BROWSER_COOKIE_MAX_AGE_S)
    st.sidebar.html(script, unsafe_allow_javascript=True)


def register_sidebar_line(kind: str, line: Callable[[Any], str]) -> None:
    """Say what the sidebar shows of a run of ``kind`` while it trains (``line(snapshot)``; each live page's own)."""
    _SIDEBAR_LINES[kind] = line


def sidebar_run_status() -> None:
    """While a run trains, heartbeat it from whatever page is open (a closed tab stops the heartbeats)."""
    tab = current_tab()
    if not tab.running():
        return

    @st.fragment(run_every=HEARTBEAT_S)
    def _beat() -> None:
        for kind, run in list(tab.runs.items()):
            snapshot = run.snapshot()
            if snapshot.done:
                continue
            run.heartbeat()
            if kind in _SIDEBAR_LINES:
                st.caption(_SIDEBAR_LINES[kind](snapshot))

    _beat()


_SIMPLE = (str, int, float, bool, type(None))


def _page_state(skip: Collection[str]) -> dict[str, object]:
    """The session's plain values (widget values among them), except ``skip``."""
    state: dict[str, object] = {}
    for key in st.session_state.keys():  # noqa: SIM118 - SessionStateProxy is not a plain dict
        if not isinstance(key, str) or key in skip:
            continue
        value = st.session_state[key]
        if isinstance(value, (list, tuple)) and all(isinstance(item, _SIMPLE) for item in value):
            state[key] = tuple(value)
        elif isinstance(value, _SIMPLE):
            state[key] = value
    return state


def poll_interval(live_runs: int) -> float:
    """Seconds between a live page's polls when ``live_runs`` runs are live on this server.

    >>> poll_interval(1), poll_interval(8), poll_interval(30)
    (0.24, 0.48, 1.8)
    """
    return round(POLL_S * max(1.0, live_runs / FULL_PACE_PAGES), 2)


def live_view(
    get_run: Callable[[], Any], idle_message_key: str, draw_progress: Callable[[Any], None],
    draw_charts: Callable[[Any, bool], None], draw_stop: Callable[[bool], None], *, buttons: Collection[str],
) -> None:
    """Draw a background run's latest snapshot from a fragment that polls only while the run is active.

    The fragment redraws the progress every ``POLL_S``; ``draw_charts`` paces its charts itself (``paced``),
    so most polls send them again unchanged, which costs the browser nothing. One fragment, not one per pace:
    a second polling fragment's requests interrupt the first's runs, and both then fall behind. When the run
    ends, one full rerun redefines the fragment without ``run_every``, which stops the polling and lets the
    rest of the page (buttons, past runs) catch up. ``draw_stop(running)`` places the Stop button from inside
    the fragment, so that a click reruns the fragment alone and the stop shows at once.

    ``draw_charts(snapshot, live)`` draws light charts while ``live``, which stays true for the fragment's pass
    that first sees the run ended: full-resolution charts then wait for the full rerun, so the browser is not
    busy drawing them when it should be showing that the run stopped.

    A click on a widget outside the fragment (the language, a chart control) can reach the server merged into
    the fragment's next timed rerun, which then redraws only the fragment: the click would seem lost until the
    run ended (seen in Chromium: a language switch mid-run took 180 s once in four). So each fragment run
    compares the page's plain session values with those of the last full run and reruns the page when one
    changed. ``buttons`` are the page's buttons, the fragment's Stop among them: a button is True only in the run
    its click started, so its return to False is no click.
    """
    run = get_run()
    polling = run is not None and not run.snapshot().done
    polling_key, ended_key = f"{idle_message_key}_polling", f"{idle_message_key}_ended"
    st.session_state[polling_key] = polling
    st.session_state[ended_key] = 0
    own = {polling_key, ended_key, *buttons}
    drawn = _page_state(own)  # what the full run that defines the fragment saw
    every = poll_interval(default_queue().sharing)

    def _live() -> None:
        now = _page_state(own)
        if any(key in now and now[key] != value for key, value in drawn.items()):
            st.rerun(scope="app")  # a click meant for the whole page arrived with this fragment run
        if polling and not 0.5 < poll_interval(default_queue().sharing) / every < 2:
            st.rerun(scope="app")  # the class grew or shrank a lot: define the fragment again at the new pace
        current = get_run()
        snapshot = None if current is None else current.snapshot()  # one read: Stop and the charts agree
        draw_stop(snapshot is not None and not snapshot.done)
        if current is None or snapshot is None:
            st.info(tr(idle_message_key))
            return
        current.heartbeat()
        draw_progress(snapshot)
        ending = bool(st.session_state.get(polling_key))  # the run was live when the page was last drawn in full
        draw_charts(snapshot, not snapshot.done or ending)
        if snapshot.done and ending:
            # Let the browser paint the ending first; the full rerun, with its full-resolution charts, comes a
            # few polls later (sent at once, they arrived while the browser was still laying out the last live
            # charts, and "Stopped." appeared up to a second after the server had sent it).
            if st.session_state.get(ended_key, 0) >= ENDING_POLLS:
                st.session_state[polling_key], st.session_state[ended_key] = False, 0
                st.rerun(scope="app")
            st.session_state[ended_key] = st.session_state.get(ended_key, 0) + 1

    st.fragment(_live, run_every=every if polling else None)()


@dataclass(frozen=True)
class _Built:
    settings: Hashable
    data: Hashable
    at: float
    value: Any


def paced(key: str, build: Callable[[], T], *, settings: Hashable, data: Hashable, min_interval_s: float) -> T:
    """``build()``'s value, built again only when ``settings`` changed, or ``data`` changed ``min_interval_s`` after
    the last build; otherwise the value built before.

    A live page places the same value again between builds: its bytes are then identical, so Streamlit sends a
    reference to the browser's cached copy and the browser keeps what it drew instead of drawing it anew.
    """
    cache: dict[str, _Built] = current_tab().views  # emptied with the tab when its page has closed
    built = cache.get(key)
    now = time.monotonic()
    if built is None or built.settings != settings or (built.data != data and now - built.at >= min_interval_s):
        built = _Built(settings, data, now, build())
        cache[key] = built
    return built.value  # type: ignore[no-any-return]


def live_chart(key: str, build: Callable[[], go.Figure], *, settings: Hashable, data: Hashable,
               min_interval_s: float, live: bool) -> None:
    """Place a chart that follows a run at the pace ``paced`` allows; static (no hover layers) while live."""
    figure = paced(key, build, settings=settings, data=data, min_interval_s=min_interval_s)
    st.plotly_chart(figure, key=key, config={**CHART_CONFIG, "staticPlot": live})
