"""What the GPU fast paths share: the switch, and the record of paths checked or switched off.

The fast paths (`backend.blas`: cuBLAS called directly; `backend.kernels`: fused CUDA
kernels) take the arrays an op already holds and return what the plain numpy expression in
their docstrings returns. numpy arrays, and any GPU case a path does not cover, take that
plain expression, so ops call them unconditionally and keep one copy of their math.

Why they exist: on the GPU a step of a small model is bound by host time per kernel launch.
CuPy spends ~14 us of Python/Cython per ufunc call and ~35 us per `matmul`, against ~8 us
for a RawKernel launch and a few for a direct cuBLAS call (measured on an H200 host), and a
formula such as tanh's backward, g - g*y*y, is three launches where one kernel does it.

The cuBLAS paths check themselves once per process on a small problem with exact answers (a
one-off sync); the kernels fall back when they do not compile (their results are checked by
the GPU tests). A path that fails is switched off with a warning and the plain expression
is used from then on. AUTOGRAD_CORE_CUDA_FAST=0 switches all of them off.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from autograd_core import backend

__all__ = ["checked", "enabled", "fail", "fall_back", "off", "on_current_device", "ready", "usable"]

enabled = os.environ.get("AUTOGRAD_CORE_CUDA_FAST", "1") != "0"
off: set[str] = set()  # paths switched off after a failed check
checked: set[str] = set()  # paths verified on this process's device


def usable(path: str, *arrays: Any) -> bool:
    """Whether `path` should run on the GPU for these arrays (all CuPy, float32/64)."""
    cp = backend._cupy
    if not enabled or cp is None or path in off or getattr(cp, "IS_FAKE", False):
        return False  # (IS_FAKE: the tests' numpy stand-in for CuPy has no cuBLAS or NVRTC)
    for a in arrays:
        if type(a) is np.ndarray or not isinstance(a, cp.ndarray) or a.dtype.char not in "fd":
            return False
    # Our launches go to the current device: with several GPUs, arrays elsewhere take CuPy's
    # own path (which checks devices) rather than a kernel reading another GPU's memory.
    return backend._device_count <= 1 or on_current_device(cp, arrays)


def on_current_device(cp: Any, arrays: tuple) -> bool:
    current = cp.cuda.runtime.getDevice()
    return all(a.device.id == current for a in arrays)


def fail(path: str, why: str, stacklevel: int = 3) -> None:
    """Switch `path` off for the process and warn once, saying why (the warning points
    at the op that called the fast path)."""
    off.add(path)
    warnings.warn(f"autograd_core: GPU fast path '{path}' switched off ({why}); using the "
                  "plain CuPy expression", RuntimeWarning, stacklevel=stacklevel)


def fall_back(path: str, exc: BaseException) -> None:
    """A fast path raised `exc`: switch it off and say why; the caller then runs its formula.

    The one place a fast path's failure is reported, so the report cannot fail itself (an
    exception with an empty message once raised IndexError here and skipped the fallback).
    """
    fail(path, backend.error_summary(exc), stacklevel=4)  # +1: this frame


def ready(path: str, check: Any) -> bool:
    """Run `path`'s self-check once per process: True when the path may be used."""
    if path in checked:
        return True
    if path in off:
        return False
    try:
        ok = bool(check())
    except Exception as exc:  # a cuBLAS status or an API this CuPy lacks: fall back for good
        fall_back(path, exc)
        return False
    if not ok:
        fail(path, "its self-check differed from the plain expression")
        return False
    checked.add(path)
    return True
