"""Array allocation with PyTorch's out-of-memory errors, naming the bytes asked for.

Below both `Tensor` (its legacy `Tensor(Size)` constructor allocates) and the creation
functions (`_factory`), so neither imports the other for it.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd_core.backend import Device, module_for_device

__all__ = ["INT64_MAX", "allocating"]

INT64_MAX = (1 << 63) - 1


def _alloc_error(nbytes: int, dev: Device) -> RuntimeError:
    if dev.type == "cuda":
        return RuntimeError(f"CUDA out of memory. Tried to allocate {nbytes} bytes on {dev}.")
    return RuntimeError(
        "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate "
        f"memory: you tried to allocate {nbytes} bytes. Error code 12 (Cannot allocate memory)"
    )


@contextlib.contextmanager
def allocating(shape: tuple, dt: np.dtype, dev: Device) -> Iterator[None]:
    """Turn numpy's/CuPy's out-of-memory errors into PyTorch's, naming the bytes asked for."""
    nbytes = math.prod(shape) * dt.itemsize
    if nbytes > INT64_MAX:
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)}")
    ctx: Any = contextlib.nullcontext()
    if dev.type == "cuda":
        ctx = module_for_device(dev).cuda.Device(dev.index or 0)
    try:
        with ctx:
            yield
    except MemoryError:
        raise _alloc_error(nbytes, dev) from None
    except ValueError as e:  # numpy: "array is too big; ..." (beyond the address space)
        if "too big" not in str(e):
            raise
        raise _alloc_error(nbytes, dev) from None
