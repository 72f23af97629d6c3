"""CuPy-side state: peak-memory tracking around CuPy's memory pool (imported with cupy only).

CuPy's pool reports the bytes in use now (`used_bytes`) but keeps no high-water mark, so the
allocator is wrapped once to record the peak after each allocation, as PyTorch's caching
allocator does for `max_memory_allocated`. One Python call per allocation; opt out with
AUTOGRAD_CORE_CUDA_NO_PEAK=1.
"""

from __future__ import annotations

import os
from typing import Any


class PeakTracker:
    """A CuPy allocator: the default pool's malloc, plus a per-device high-water mark."""

    __slots__ = ("_malloc", "_used", "peaks")

    def __init__(self, cp: Any) -> None:
        pool = cp.get_default_memory_pool()
        self._malloc = pool.malloc
        self._used = pool.used_bytes
        self.peaks: dict[int, int] = {}

    def __call__(self, size: int) -> Any:
        mem = self._malloc(size)
        used = self._used()
        dev = mem.device_id
        if used > self.peaks.get(dev, 0):
            self.peaks[dev] = used
        return mem

    def reset(self, dev: int, used: int) -> None:
        self.peaks[dev] = used


tracker: PeakTracker | None = None


def on_import(cp: Any) -> None:
    """Install the peak tracker as CuPy's allocator (once, right after `import cupy`)."""
    global tracker
    if tracker is not None or os.environ.get("AUTOGRAD_CORE_CUDA_NO_PEAK"):
        return
    try:
        t = PeakTracker(cp)
        cp.cuda.set_allocator(t)
    except Exception:  # an allocator API we do not know: fall back to sampled peaks
        return
    tracker = t
