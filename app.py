"""Batch & Epoch Lab: page config, language, the shared sidebar and page routing."""

from __future__ import annotations

import streamlit as st

from core.i18n import t
from ui.lang import init_lang, language_switch, tr
from ui.runs import sidebar_run_status

st.set_page_config(page_title=t("app.title"), page_icon=":material/calculate:", layout="wide")
lang = init_lang()

pages = [
    st.Page(
        "pages/calculator.py", title=tr("nav.calculator"), icon=":material/calculate:", url_path="calculator",
        default=True,
    ),
    st.Page("pages/training.py", title=tr("nav.training"), icon=":material/monitoring:", url_path="training"),
]
page = st.navigation(pages)

with st.sidebar:
    st.markdown(f"### {tr('app.title')}")
    st.caption(tr("app.tagline"))
    language_switch()
    st.caption(tr("sidebar.about"))
    sidebar_run_status()

page.run()
