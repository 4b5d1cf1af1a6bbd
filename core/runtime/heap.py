"""Hand memory freed by forgotten runs back to the operating system."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def _malloc_trim() -> None:
    """glibc keeps freed heap pages for reuse; ``malloc_trim(0)`` returns them (a no-op elsewhere)."""
    libc = _libc()
    try:
        if libc is not None:
            libc.malloc_trim(0)
    except AttributeError:  # musl and others have no malloc_trim: nothing to hand back this way
        pass


def release() -> None:
    """Collect unreachable objects (the server turns Streamlit's collection after each run off) and trim the heap."""
    gc.collect()
    _malloc_trim()
