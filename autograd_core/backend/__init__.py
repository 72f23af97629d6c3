"""The array-module switch: numpy on the CPU, CuPy on the GPU, behind one `xp` per array.

Ops call `get_array_module(array)` and never name numpy directly, so the CuPy backend is a
second array module, not a second copy of the ops. CuPy is imported lazily, on first use.
"""

from __future__ import annotations

from typing import Any

import numpy

from autograd_core.backend.device import Device, cpu_device, device

__all__ = [
    "Device",
    "cpu_device",
    "cupy_or_none",
    "device",
    "device_of",
    "get_array_module",
    "module_for_device",
]

_cupy: Any = None
_cupy_checked = False


def cupy_or_none() -> Any:
    """Return the cupy module when it imports, else None (checked once)."""
    global _cupy, _cupy_checked
    if not _cupy_checked:
        _cupy_checked = True
        try:
            import cupy  # noqa: PLC0415 - lazy: most users never touch the GPU

            _cupy = cupy
        except Exception:  # an install without CUDA raises more than ImportError
            _cupy = None
    return _cupy


def get_array_module(array: Any) -> Any:
    """numpy for numpy arrays and scalars, cupy for cupy arrays."""
    if type(array) is numpy.ndarray or _cupy is None:
        return numpy
    return _cupy if isinstance(array, _cupy.ndarray) else numpy


def device_of(array: Any) -> Device:
    """The Device an array lives on."""
    if type(array) is numpy.ndarray or _cupy is None or not isinstance(array, _cupy.ndarray):
        return cpu_device
    return device("cuda", array.device.id)


def module_for_device(dev: Device) -> Any:
    """The array module for a device; raises a clear error when CUDA is unusable."""
    if dev.type == "cpu":
        return numpy
    cp = cupy_or_none()
    if cp is None:
        raise RuntimeError(
            "CUDA was requested but CuPy is not installed: install the GPU extra, "
            "`pip install gradscope[gpu-cuda12]` or `pip install gradscope[gpu-cuda13]`"
        )
    try:
        count = cp.cuda.runtime.getDeviceCount()
    except Exception as exc:
        raise RuntimeError(f"CUDA was requested but no CUDA GPU is usable: {exc}") from exc
    if count == 0:
        raise RuntimeError("CUDA was requested but CuPy found no CUDA GPU on this machine")
    return cp
