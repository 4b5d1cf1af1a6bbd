"""Make sure every page runs inside app.py's shell (language, sidebar, navigation)."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def require_app_shell() -> None:
    """Rerun through app.py when Streamlit ran a page file on its own.

    A fresh server treats a `pages/` folder as a v1 multipage app until app.py has called
    st.navigation once, so the very first visit to `/calculator` would run this page without
    the shell (no language from the URL, no sidebar). Clearing that flag and rerunning routes
    the same URL through app.py.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
