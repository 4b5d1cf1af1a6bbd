"""Batch & Epoch Lab: page config, language, the shared sidebar and page routing."""

from __future__ import annotations

import streamlit as st

from ui.shell import require_app_shell

require_app_shell()  # before anything else runs: see ui/shell.py

from core.i18n import t
from core.runtime import runlog, shutdown
from core.views.navigation import PAGES
from ui.lang import init_lang, language_switch, tr
from ui.present import apply_presenter_style, presenting
from ui.runs import sidebar_run_status, tab_notice_ui

shutdown.stop_runs_at_exit()  # once per process: a stopping server ends its runs before the interpreter does
st.set_page_config(
    page_title=t("app.title"),
    page_icon=":material/calculate:",
    layout="wide",
    initial_sidebar_state="collapsed" if presenting() else "auto",
)
lang = init_lang()
apply_presenter_style()

pages = [
    st.Page(entry.script, title=tr(entry.title_key), icon=entry.icon, url_path=entry.url_path, default=not entry.route)
    for entry in PAGES
]
page = st.navigation(pages)
runlog.record("app_run", page=page.url_path)  # benchmarks and tests count full runs

with st.sidebar:
    st.markdown(f"### {tr('app.title')}")
    st.caption(tr("app.tagline"))
    language_switch()
    st.caption(tr("sidebar.about"))
    sidebar_run_status()
tab_notice_ui()

page.run()
