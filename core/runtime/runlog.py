"""An optional event log of runs for benchmarks: one JSON line per event when ``$BEL_RUN_LOG`` names a file.

Times are ``time.monotonic()``, the system-wide monotonic clock, so a benchmark in another process can
compare them with its own clicks. Without the variable nothing is written.
"""

from __future__ import annotations

import json
import os
import threading
import time

ENV = "BEL_RUN_LOG"


_lock = threading.Lock()


def record(event: str, **fields: object) -> None:
    """Append ``event`` with ``fields`` to the run log, if one is configured."""
    path = os.environ.get(ENV)
    if not path:
        return
    line = json.dumps({"t": time.monotonic(), "event": event, **fields}, default=str)
    with _lock, open(path, "a", encoding="utf-8") as sink:
        sink.write(line + "\n")
