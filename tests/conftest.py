"""Fixtures shared by every test folder: the `device` / `xp` pair (numpy, and CuPy on a GPU)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest


def _cuda_reason() -> str:
    """Why the CUDA variants cannot run here ('' when they can)."""
    from autograd_core.backend import cupy_or_none

    cp = cupy_or_none()
    if cp is None:
        return "CuPy is not installed (install the gpu extra to run the CUDA variants)"
    try:
        if cp.cuda.runtime.getDeviceCount() == 0:
            return "CuPy found no CUDA GPU on this machine"
    except Exception as exc:  # a driver-less machine raises CUDARuntimeError
        return f"no usable CUDA GPU: {exc}"
    return ""


_CUDA_SKIP = _cuda_reason()

DEVICES = [
    pytest.param("cpu", id="cpu"),
    pytest.param("cuda", id="cuda", marks=[
        pytest.mark.gpu, pytest.mark.skipif(bool(_CUDA_SKIP), reason=_CUDA_SKIP or "n/a")]),
]


@pytest.fixture(params=DEVICES)
def device(request: pytest.FixtureRequest) -> str:
    """The device name a core test runs on: 'cpu' always, 'cuda' where a GPU is usable."""
    return request.param


@pytest.fixture
def xp(device: str) -> Any:
    """The array module of `device`: numpy on the CPU, cupy on the GPU."""
    if device == "cpu":
        return np
    import cupy

    return cupy
