"""What the worker measures about an iteration besides the trace: the loss as a float
(whatever `step` returned) and the memory in use on the device."""

from __future__ import annotations

import os
from typing import Any


def loss_value(result: Any) -> float | None:
    """The loss as a float: step may return a tensor, a number, or nothing."""
    if result is None:
        return None
    try:
        if hasattr(result, "numel") and result.numel() != 1:
            result = result.mean()
        value = result.item() if hasattr(result, "item") else result
        return float(value)
    except Exception:
        return None


def memory_in_use(device: str | None) -> int:
    if device and device.startswith("cuda"):
        try:
            import cupy

            return int(cupy.get_default_memory_pool().used_bytes())
        except Exception:
            return 0
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
