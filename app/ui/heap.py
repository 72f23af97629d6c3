"""Keeping the GUI process's long-lived objects out of the cycle collector's way.

A full garbage collection scans every tracked object; with the modules, Qt wrappers and the
window in view, one took ~50 ms of a stalled event loop while a run streamed in. Frozen
(`gc.freeze`), they are left out of every collection: it then scans only what the run made
(~3 ms). Objects freed by reference counting are freed as before. Qt-free.
"""

from __future__ import annotations

import gc

__all__ = ["freeze_late_imports", "freeze_startup_heap"]

_heap_frozen = False


def freeze_startup_heap() -> None:
    """Once per process, after the first picture: collect, then freeze what is alive now."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.collect()
        gc.freeze()


def freeze_late_imports() -> None:
    """After a module loaded late (pyqtgraph, after the first picture): freeze its objects
    too. No collection first: a one-off cycle left frozen costs less than a 40 ms pause."""
    gc.freeze()
