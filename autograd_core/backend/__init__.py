"""The array-module switch: numpy on the CPU, CuPy on the GPU, behind one `xp` per array.

Ops call `get_array_module(array)` and never name numpy directly, so the CuPy backend is a
second array module, not a second copy of the ops. CuPy is imported lazily, on first use.
"""

from __future__ import annotations

import os
from typing import Any

import numpy

from autograd_core.backend.device import Device, cpu_device, device

__all__ = [
    "Device",
    "cpu_device",
    "cuda_device_count",
    "cupy_or_none",
    "device",
    "device_of",
    "error_summary",
    "get_array_module",
    "host_checks",
    "loaded_cupy",
    "module_for_device",
    "peak_tracker",
]

_cupy: Any = None
_cupy_checked = False
_cupy_error = ""  # why `import cupy` failed, for the error a CUDA request raises

GPU_EXTRAS = ("`pip install gradscope[gpu-cuda12]` (CUDA 12 driver) or "
              "`pip install gradscope[gpu-cuda13]` (CUDA 13 driver)")


class _Flags:
    """Backend switches; `cuda_index_checks` is set by autograd_core.cuda.set_index_checks."""

    __slots__ = ("cuda_index_checks",)

    def __init__(self) -> None:
        self.cuda_index_checks = os.environ.get("AUTOGRAD_CORE_CUDA_INDEX_CHECKS", "") == "1"


flags = _Flags()


def error_summary(exc: BaseException) -> str:
    """'Type: first line of the message', or just 'Type' when the message is empty.

    Called inside `except` blocks on the way to a fallback, so it never raises: an empty
    message has no first line, and a broken `__str__` still leaves the type's name.
    """
    try:
        lines = str(exc).splitlines()
    except Exception:
        lines = []
    first = lines[0].strip() if lines else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def loaded_cupy() -> Any:
    """The cupy module when it has been imported already, else None (never imports it)."""
    return _cupy


def cuda_device_count() -> int:
    """CUDA devices seen when CUDA was first validated (0 before that, or without CUDA)."""
    return _device_count


def peak_tracker() -> Any:
    """CuPy's peak-memory tracker (backend._cuda.PeakTracker), or None when not installed."""
    if _cupy is None:
        return None
    from autograd_core.backend import _cuda  # loaded with cupy

    return _cuda.tracker


def cupy_or_none() -> Any:
    """Return the cupy module when it imports, else None (checked once)."""
    global _cupy, _cupy_checked, _cupy_error
    if not _cupy_checked:
        _cupy_checked = True
        # Full float32 matmuls, as PyTorch's allow_tf32=False: CuPy reads this at import.
        os.environ.setdefault("CUPY_TF32", "0")
        try:
            import cupy  # lazy: most users never touch the GPU

            _cupy = cupy
        except Exception as exc:  # an install without CUDA raises more than ImportError
            _cupy = None
            _cupy_error = error_summary(exc)
        else:
            from autograd_core.backend import _cuda  # needs cupy

            _cuda.on_import(cupy)
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


def host_checks(array: Any) -> bool:
    """Whether an op should validate index values of `array` on the host.

    Always on the CPU. On the GPU the check reads device memory, a sync that stalls the
    pipeline every step, so it runs only when asked (autograd_core.cuda.set_index_checks or
    AUTOGRAD_CORE_CUDA_INDEX_CHECKS=1); PyTorch likewise reports a bad CUDA index late.
    """
    return type(array) is numpy.ndarray or flags.cuda_index_checks


def cuda_unavailable_reason() -> str:
    """Why CUDA cannot be used here, or '' when it can (never raises)."""
    cp = cupy_or_none()
    if cp is None:
        detail = f" ({_cupy_error})" if _cupy_error and "No module named" not in _cupy_error \
            else ""
        return (f"CUDA was requested but CuPy is not installed{detail}: install the GPU extra, "
                f"{GPU_EXTRAS}")
    try:
        count = cp.cuda.runtime.getDeviceCount()
    except Exception as exc:
        msg = error_summary(exc)
        return (f"CUDA was requested but no CUDA GPU is usable: CuPy is installed, the CUDA "
                f"driver or GPU is missing ({msg})")
    if count == 0:
        return ("CUDA was requested but no CUDA GPU is usable: CuPy is installed, but it "
                "found no GPU on this machine")
    return ""


def module_for_device(dev: Device) -> Any:
    """The array module for a device; raises a clear error when CUDA is unusable."""
    if dev.type == "cpu":
        return numpy
    cp = _cupy if _cupy is not None and _cuda_ok else None
    if cp is None:
        cp = _check_cuda()
    if dev.index is not None and dev.index >= _device_count:
        raise RuntimeError(
            f"CUDA error: invalid device ordinal (asked for {dev}, this machine has "
            f"{_device_count} CUDA device{'s' if _device_count != 1 else ''})"
        )
    return cp


_cuda_ok = False
_device_count = 0


def _check_cuda() -> Any:
    """Validate CUDA once (the answer is cached: device counts do not change in a process)."""
    global _cuda_ok, _device_count
    reason = cuda_unavailable_reason()
    if reason:
        raise RuntimeError(reason)
    _device_count = int(_cupy.cuda.runtime.getDeviceCount())
    _cuda_ok = True
    return _cupy
