"""A language switch changes no setting on a live page, even when the browser's requests from the page it drew
before the switch reach the server after it.

The browser resends every widget it shows with each request. One sent from the English page (a live view's timed
fragment rerun, the switch's own rerun) can arrive after the server drew the Korean page, which dropped the
English widgets' state; Streamlit then takes their resent, unchanged values for changes and calls their
on_change (issue 16: the data set's reset n=20000 to moons' 1,000 mid-run). The real race is in
tests/test_e2e_midrun_switch.py; here the late request is sent on purpose.
"""

from __future__ import annotations

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.testing.v1 import AppTest

import ui.lang
from tests.pages import open_page, query_value

LIVE_PAGES = {  # page file, settings prefix, URL with settings off their defaults
    "training": ("pages/training.py", "train", {
        "dataset": "moons", "n": "20000", "batch_size": "8", "epochs": "50", "val_split": "0.3", "lr": "0.03",
        "optimizer": "sgd", "seed": "7", "shuffle": "0", "drop_last": "1", "lr_rule": "linear",
        "warmup_epochs": "2", "decay": "cosine"}),
    "compare": ("pages/compare.py", "cmp", {
        "batch_sizes": "1,2", "budget": "time", "seconds": "40", "dataset": "moons", "n": "20000", "lr": "0.03",
        "lr_rule": "sqrt", "warmup_epochs": "1", "decay": "cosine", "seed": "3"}),
    "data-parallel": ("pages/data-parallel.py", "dp", {
        "devices": "3", "n": "2000", "batch_size": "1", "epochs": "20", "dataset": "circles", "seed": "5"}),
}


def _url(at: AppTest) -> dict[str, str]:
    return {name: query_value(at, name) for name in at.query_params if name != "lang"}


def _click_language(at: AppTest, lang: str, monkeypatch: pytest.MonkeyPatch) -> WidgetStates:
    """Click ``lang`` in the sidebar; returns the request the click sends (AppTest sends only the page it shows)."""
    old = at.session_state["lang"]
    at.radio(key=f"lang_switch_{old}").set_value(lang)
    with monkeypatch.context() as patch:
        # AppTest formats the options outside the script run, where the session's language is unknown.
        patch.setattr(ui.lang, "current_lang", lambda: old)
        return at._tree.get_widget_states()


def _switch_then_late_request(at: AppTest, lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch to ``lang``; once the page is drawn in ``lang``, a request from the old page arrives."""
    from_old_page = _click_language(at, lang, monkeypatch)
    at._run(from_old_page)
    assert at.session_state["lang"] == lang
    at._run(from_old_page)
    assert at.session_state["lang"] == lang


@pytest.mark.parametrize("name", LIVE_PAGES)
def test_a_late_request_from_before_a_language_switch_changes_no_setting(
    name: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, prefix, query = LIVE_PAGES[name]
    at = open_page(path, **query)
    if name == "training":
        at.slider(key="train_noise").set_value(0.35).run()  # a setting the URL does not carry, off its default
    settings, url = at.session_state[f"{prefix}_settings"], _url(at)
    for lang in ("ko", "en", "ko"):  # back and forth: the old page's requests once switched back, in a loop
        _switch_then_late_request(at, lang, monkeypatch)
        assert (at.session_state[f"{prefix}_settings"], _url(at)) == (settings, url)
    assert not at.exception


def test_a_late_request_merged_into_the_next_switch_ends_in_the_language_clicked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = open_page("pages/training.py")
    from_english = _click_language(at, "ko", monkeypatch)
    at._run(from_english)
    from_korean = _click_language(at, "en", monkeypatch)
    # The English page's late request still waits when the click on the Korean page arrives: Streamlit merges
    # the two, the newer value winning, so both radios hold the other language (once a loop of switches).
    merged = WidgetStates()
    newer = {state.id for state in from_korean.widgets}
    merged.widgets.extend([state for state in from_english.widgets if state.id not in newer])
    merged.widgets.extend(from_korean.widgets)
    at._run(merged, timeout=30)
    assert at.session_state["lang"] == "en" and not at.exception
