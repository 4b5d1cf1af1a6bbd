"""Data-parallel workers for tests: module-level functions, so that ranks forked from the fork server can run them."""

from __future__ import annotations

from multiprocessing.connection import Connection

from core.train.data_parallel import worker
from core.views.data_parallel import DataParallelConfig

FAILING_RANK = 1


class _FailsWhenReady:
    """A rank's pipe to the parent that raises once the rank has said it is ready: in its first iteration's place."""

    def __init__(self, conn: Connection, rank: int) -> None:
        self._conn, self._rank = conn, rank

    def send(self, report: tuple[object, ...]) -> None:
        self._conn.send(report)
        if report[0] == "ready":
            raise RuntimeError(f"test failure injected in rank {self._rank}")

    def close(self) -> None:
        self._conn.close()


def rank_1_fails(rank: int, devices: int, store_path: str, backend: str, config: DataParallelConfig,
                 conn: Connection) -> None:
    """The real worker, except that rank 1 raises after joining the process group, before its first update."""
    pipe = _FailsWhenReady(conn, rank) if rank == FAILING_RANK else conn
    worker(rank, devices, store_path, backend, config, pipe)  # type: ignore[arg-type]
