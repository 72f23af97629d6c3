"""Warm the CPU caches after a step-mode pause, so the next op is timed closer to a free run.

While the worker waits for the user, other processes run on its core and evict its caches;
the first op after the pause then runs several times slower than the same op in a free run.
Measured on the shared 2-core VM: a 300x64 @ 64x64 matmul + ReLU took 31 µs hot, 164 µs after
a 0.2 s sleep, 38 µs when its data and a matmul's code path were touched first. That slowness
is the pause's, not the op's, so the worker re-reads the arrays the next op most likely reads
(the paused op's inputs and outputs, the model's parameters) and runs one small matmul, for
`WARM_SECONDS`, inside the pause, whose time is left out of every recorded time.

It does not close the gap for microsecond ops: the default example's forward ops stepped with
0.3 s pauses took 5.3-7.0x their free-run time without the warm-up and 3.4-3.9x with it, the
same in one process without the worker (so the machine, not the runner) and no better with
20 or 100 ms of warm-up; millisecond ops (tests/runner/test_timings.py) stay within 2x.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import numpy as np

BUDGET_BYTES = 32 << 20  # touch at most this much: a pause must end promptly
WARM_SECONDS = 0.002  # keep at it this long: the core's clock and caches need a moment


def warm(values: Iterable[Any], params: Iterable[Any], seconds: float = WARM_SECONDS) -> None:
    """Read host arrays among `values` (tensors or arrays) and `params`, up to the budget,
    for `seconds` at least."""
    arrays = _host_arrays((*values, *params))
    end = time.perf_counter() + seconds
    while True:
        _touch(arrays)
        if time.perf_counter() >= end:
            return


def _host_arrays(values: tuple) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    left = BUDGET_BYTES
    for v in values:
        a = getattr(v, "_data", v)
        if type(a) is not np.ndarray or a.dtype.kind not in "fiub" or a.size == 0:
            continue  # device arrays and odd dtypes: nothing to gain on the host
        if a.nbytes > left:
            break
        left -= a.nbytes
        out.append(a)
    return out


def _touch(arrays: list[np.ndarray]) -> None:
    widest: np.ndarray | None = None
    for a in arrays:
        np.add.reduce(a, axis=None)
        if a.ndim == 2 and a.dtype.kind == "f" and (widest is None or a.size > widest.size):
            widest = a
    if widest is not None:  # the BLAS code path most ops of a small model go through
        block = widest[:64, :64]
        block @ block.T
