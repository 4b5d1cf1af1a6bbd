"""Batch & Epoch Lab: page config, language, the shared sidebar and page routing."""

from __future__ import annotations

import streamlit as st

from ui.shell import require_app_shell

require_app_shell()  # before anything else runs: see ui/shell.py

from core.i18n import t
from core.runtime import runlog, shutdown
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
    st.Page(
        "pages/calculator.py", title=tr("nav.calculator"), icon=":material/calculate:", url_path="calculator",
        default=True,
    ),
    st.Page("pages/training.py", title=tr("nav.training"), icon=":material/monitoring:", url_path="training"),
    st.Page("pages/compare.py", title=tr("nav.compare"), icon=":material/compare_arrows:", url_path="compare"),
    st.Page("pages/data-parallel.py", title=tr("nav.data_parallel"), icon=":material/hub:", url_path="data-parallel"),
    st.Page("pages/paths.py", title=tr("nav.paths"), icon=":material/route:", url_path="paths"),
    # The file is named like its URL: before app.py first runs, Streamlit finds pages by file name.
    st.Page("pages/learning-rate.py", title=tr("nav.learning_rate"), icon=":material/speed:",
            url_path="learning-rate"),
    st.Page("pages/learn.py", title=tr("nav.learn"), icon=":material/school:", url_path="learn"),
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
