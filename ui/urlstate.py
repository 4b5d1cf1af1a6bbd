"""When a page should (re)read its settings from the URL: first visit, or a link that carries new ones."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

import streamlit as st

from core.i18n import DEFAULT_LANG, TABLES
from core.views.params import ParamProblem
from ui.lang import tr
from ui.present import view_params

S = TypeVar("S")
KEPT_PARAMS = ("tab",)  # this tab's token (ui.runs), which a reload needs to find the tab's runs again


def _page_query(names: Iterable[str]) -> dict[str, str]:
    wanted = set(names)
    return {name: value for name, value in st.query_params.to_dict().items() if name in wanted}


def url_has_new_settings(page: str, names: Iterable[str]) -> bool:
    """True on a page's first visit, or when the URL holds settings this page did not write itself.

    Switching pages through the navigation clears the URL, which must not reset a page; a link such
    as the lesson's "open in the calculator" carries settings, which must be applied.
    """
    if f"{page}_written" not in st.session_state:
        return True
    query = _page_query(names)
    return bool(query) and query != st.session_state[f"{page}_written"]


def write_url(page: str, query: Mapping[str, str], lang: str) -> None:
    """Put this page's settings (and the language) in the URL, and remember them as this page's own.

    View parameters (presenter mode, embedding, hidden controls) are kept as they are.
    """
    kept = {name: st.query_params[name] for name in KEPT_PARAMS if name in st.query_params}
    st.query_params.from_dict({**query, "lang": lang, **view_params(), **kept})
    st.session_state[f"{page}_written"] = dict(query)


def restore_settings(
    page: str,
    names: Iterable[str],
    parse: Callable[[dict[str, str]], tuple[S, list[ParamProblem]]],
    widget_values: Callable[[S], Mapping[str, object]],
) -> S:
    """A page's settings: parsed from the URL when it brings new ones, else those of the last run.

    Widgets get their values from ``widget_values`` (widget key -> value): overwritten when the URL
    brings settings, filled in when missing (Streamlit drops the state of widgets on other pages).
    """
    state = st.session_state
    if url_has_new_settings(page, names):
        settings, problems = parse(st.query_params.to_dict())
        state[f"{page}_settings"], state[f"{page}_from_url"], state[f"{page}_problems"] = settings, settings, problems
        state.update(widget_values(settings))
    for key, value in widget_values(state[f"{page}_settings"]).items():
        state.setdefault(key, value)
    return state[f"{page}_settings"]  # type: ignore[no-any-return]


def url_problems_ui(
    page: str,
    conflict_message: Callable[[ParamProblem], str] | None = None,
    format_used: Callable[[object], object] = lambda used: used,
) -> None:
    """Say which URL values were ignored, until the learner changes a setting."""
    state = st.session_state
    if state[f"{page}_settings"] != state[f"{page}_from_url"]:
        state[f"{page}_problems"] = []
    for problem in state[f"{page}_problems"]:
        if conflict_message is not None and problem.reason == "conflict":
            st.warning(conflict_message(problem))
            continue
        # A message of its own for this parameter (param.<reason>.<name>) when the tables have one.
        specific = f"param.{problem.reason}.{problem.name}"
        key = specific if specific in TABLES[DEFAULT_LANG] else f"param.{problem.reason}"
        st.warning(tr(key, name=problem.name, raw=problem.raw, used=format_used(problem.used),
                      **dict(problem.details)))


def keep_settings(page: str, settings: object, query: Mapping[str, str], lang: str) -> None:
    """Remember this run's settings and write them to the URL."""
    st.session_state[f"{page}_settings"] = settings
    write_url(page, query, lang)
