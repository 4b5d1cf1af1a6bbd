"""Make sure every page runs inside app.py's shell (language, sidebar, navigation)."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def require_app_shell() -> None:
    """Rerun through app.py at once when Streamlit started this run in its old multipage mode.

    A fresh server treats a `pages/` folder as a v1 multipage app until some script has called
    st.navigation: its first session runs `/compare`'s page file on its own (no language, no sidebar), or
    runs app.py nested inside an automatic navigation, after which the browser asks for one more run a
    few seconds later, and a click made meanwhile is lost. Streamlit has no public switch for this mode,
    so this clears its flag (``PagesManager.uses_pages_directory``, read with a default so a Streamlit
    without it simply never reruns) and reruns before anything is drawn. Called first thing in app.py and
    in each page file, ahead of the heavy imports, so that rerun costs a fraction of a second. The flag is
    listed, and guarded by a test, in core/runtime/private_api.py.
    """
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
