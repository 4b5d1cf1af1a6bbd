"""The one driver of every live page: URL -> settings -> plan -> Start/Stop -> the run drawn live.

A live page describes itself once as a ``LivePage`` (its settings schema, how it draws its settings, plan and
snapshots, and how it builds a run) and calls ``show()``; starting, the double-click guard, Stop, the URL and
the tab's run of its kind are the driver's. Widget keys follow one rule: the page's prefix and the settings
field (``train_batch_size``, ``cmp_n_samples``), whatever the field's URL name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import streamlit as st

from core.i18n import error_message
from core.maths.config import TrainConfig
from core.runtime.background import LiveRun
from core.runtime.tabs import Tab
from core.views.params import Param, ParamProblem
from ui.data import preloaded
from ui.lang import current_lang, tr
from ui.live import class_queue
from ui.runs import current_tab, keepalive_for, live_view, register_sidebar_line
from ui.urlstate import keep_settings, restore_settings, url_problems_ui
from ui.widgets import param_input, widget_key

S = TypeVar("S")  # what the settings widgets describe (and the URL carries)
J = TypeVar("J")  # the job a run is built from
STOP_WAIT_S = 0.5  # Stop waits this long for the run to end, so the same rerun already shows it stopped


@dataclass(frozen=True)
class LivePage(Generic[S, J]):
    """One live page, described once; ``show()`` draws it.

    ``params`` is its URL's table (``extra_names``: parameters parsed outside it); ``settings_ui`` draws the
    settings (``input`` makes a control from the table) and returns them, None while they cannot make a job;
    ``job`` turns them into what a run is built from; ``plan_ui`` shows the job's arithmetic, or raises
    ValueError when it cannot train; ``view_ui(run)`` draws the view controls above the live view and returns
    the view that ``draw_charts(snapshot, view, live)`` takes.
    """

    page: str  # the prefix of its session keys, widget keys and URL state ("train")
    kind: str  # which of the tab's runs it shows ("training")
    texts: str  # the prefix of its title and intro in the string tables ("train")
    start_text: str  # the Start button's label (a string key)
    idle_text: str  # what the live view says before the first run (a string key)
    params: Sequence[Param]
    parse: Callable[[dict[str, str]], tuple[S, list[ParamProblem]]]
    to_query: Callable[[S], Mapping[str, str]]
    to_widgets: Callable[[S], Mapping[str, object]]
    settings_ui: Callable[[], S | None]
    job: Callable[[S], J]
    plan_ui: Callable[[J], None]
    run_class: Callable[..., Any]  # the run kind: built from a job, the class's queue and a keepalive
    view_ui: Callable[[Any], Any]
    draw_progress: Callable[[Any], None]
    draw_charts: Callable[[Any, Any, bool], None]
    sidebar_line: Callable[[Any], str]  # what the sidebar says of a run of this kind while it trains
    conflict: Callable[[ParamProblem], str] | None = None  # the message for a URL value that conflicts with another
    reset: Callable[[Tab], None] | None = None  # forget more than the run (with it, a Reset button beside Stop)
    run_data: Callable[[J], TrainConfig] | None = None  # the config whose data set the run trains on (preloaded)
    on_start: Callable[[Tab], None] | None = None  # what to do with the tab before a new run replaces the last
    extra_names: Sequence[str] = ()  # URL parameters parsed outside ``params`` (Compare's batch_sizes)
    device_auto: bool = False  # the run kind takes the tab's measurements, for its device="auto"

    def key(self, field: str) -> str:
        """The key of the widget that edits settings field ``field``."""
        return widget_key(self.page, field)

    def input(self, name: str, label: str, widget: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
        """The control of the setting whose URL name is ``name``, from its Param (``ui.widgets.param_input``)."""
        return param_input(self.page, next(param for param in self.params if param.name == name), label, widget,
                           **kwargs)

    def run(self) -> LiveRun[Any] | None:
        """This tab's run of this page's kind, or None."""
        return current_tab().runs.get(self.kind)

    def show(self) -> tuple[J | None, Any]:
        """Draw the page; returns the job (None while the settings make none) and the live column, for what follows."""
        register_sidebar_line(self.kind, self.sidebar_line)
        names = [*self.extra_names, *(param.name for param in self.params)]
        restore_settings(self.page, names, self.parse, self.to_widgets)
        st.title(tr(f"{self.texts}.title"))
        st.caption(tr(f"{self.texts}.intro"))
        url_problems_ui(self.page, self.conflict)
        settings_col, live_col = st.columns([1, 2.4], gap="large")
        with settings_col:
            settings = self.settings_ui()
        job = None
        if settings is not None:
            keep_settings(self.page, settings, self.to_query(settings), current_lang())
            job = self.job(settings)
        with live_col:
            can_start = job is not None and self._plan(job)
            stop_slot = self._buttons(job, can_start)
            view = self.view_ui(self.run())
            live_view(self.run, self.idle_text, self.draw_progress,
                      lambda snapshot, live: self.draw_charts(snapshot, view, live),
                      lambda running: self._stop_button(stop_slot, running),
                      buttons=(self.key("start"), self.key("stop"), self.key("reset")))
        return job, live_col

    def _plan(self, job: J) -> bool:
        """Show the job's plan; False, with the reason, when it cannot train."""
        try:
            self.plan_ui(job)
        except ValueError as error:
            st.error(tr(f"{self.texts}.invalid", message=error_message(error)))
            return False
        return True

    def _start(self, job: J) -> None:
        tab = current_tab()
        current = tab.runs.get(self.kind)
        if current is not None and not current.snapshot().done:
            return  # a double click must not start a second run
        if self.on_start is not None:
            self.on_start(tab)
        data: dict[str, object] = {}
        if self.run_data is not None:
            config = self.run_data(job)
            data["data"] = preloaded(config.dataset, config.n_samples, config.noise, config.seed)
        if self.device_auto:
            data["throughputs"] = tab.throughputs
        run = self.run_class(job, queue=class_queue(), keepalive=keepalive_for(tab), **data)
        run.start()
        tab.runs[self.kind] = run

    def _stop(self) -> None:
        run = self.run()
        if run is not None:
            run.stop()
            run.join(STOP_WAIT_S)

    def _reset(self) -> None:
        assert self.reset is not None
        self._stop()
        tab = current_tab()
        tab.runs.pop(self.kind, None)
        self.reset(tab)

    def _buttons(self, job: J | None, can_start: bool) -> Any:
        """Start (and Reset); returns the column where the live view puts Stop."""
        run = self.run()
        running = run is not None and not run.snapshot().done
        start_col, stop_col, reset_col = st.columns(3)
        start_col.button(tr(self.start_text), type="primary", icon=":material/play_arrow:", width="stretch",
                         disabled=running or not can_start, on_click=self._start, args=(job,),
                         key=self.key("start"))
        if self.reset is not None:
            reset_col.button(tr(f"{self.texts}.reset"), icon=":material/restart_alt:", width="stretch",
                             on_click=self._reset, key=self.key("reset"))
        return stop_col

    def _stop_button(self, slot: Any, running: bool) -> None:
        """Stop, drawn by the live view's fragment: a click reruns only the fragment, which shows the stop at once."""
        slot.button(tr("train.stop"), icon=":material/stop:", width="stretch", disabled=not running,
                    on_click=self._stop, key=self.key("stop"))
