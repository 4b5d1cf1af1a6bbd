"""The server hands a class's memory back: unreachable cycles collected, freed pages trimmed."""

from __future__ import annotations

from core.runtime import heap


def test_releasing_memory_collects_unreachable_cycles() -> None:
    import gc
    import weakref

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle: only the collector frees it
    gone = weakref.ref(a)
    gc.disable()
    try:
        del a, b
        heap.release()
        assert gone() is None
    finally:
        gc.enable()
