"""`record(...)`: the block whose ops, backward nodes and Module calls a Recorder records.

Attaches a `Recorder` (recorder.py) as the engine's observer for the block, restores the one
it replaced afterwards, and closes the open iteration.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from autograd_core import hooks
from autograd_core.trace.recorder import Recorder

__all__ = ["record"]


@contextmanager
def record(model: Any = None, stats: str = "basic", **options: Any) -> Iterator[Recorder]:
    """Record every op, backward node and Module call the block runs.

    Args:
        model: the Module whose names give module paths and parameter names (optional).
        stats: "off" (structure and timings), "basic" (+ min/max/mean/std/norm/NaN/Inf),
            "full" (+ 32-bin histograms and 64x64 thumbnails).
        **options: every, between (sampling), window (captures kept), health (HealthConfig),
            on_op / on_backward / on_capture (callbacks with each record as it is made;
            the time of on_op and on_backward is left out of the recorded times),
            auto_split (a new iteration starts when graph-building ops follow a backward or
            an update), script, device (session metadata), gpu_timer (a
            `gpu_timing.GpuTimer`: CUDA-event op times; made by itself on the first CuPy array).
    Returns:
        The Recorder: `rec.next_iteration()`, `rec.wrap(step)`, `rec.captures`,
        `rec.session`.

    Example:
        with trace.record(model, stats="basic") as rec:
            for i in range(10):
                step(i)
                rec.next_iteration()
    """
    rec = Recorder(model, stats, **options)
    previous = hooks.set_observer(rec)
    try:
        yield rec
    finally:
        hooks.set_observer(previous)
        rec.close()
