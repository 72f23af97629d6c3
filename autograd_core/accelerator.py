"""`torch.accelerator`: the current accelerator, which here is CUDA through CuPy or none.

On a machine without a usable GPU: `is_available()` is False, `current_accelerator()` None and
`device_count()` 0, as PyTorch's CPU build answers.
"""

from __future__ import annotations

from typing import Any

from autograd_core.backend import Device

__all__ = ["current_accelerator", "current_device_index", "device_count", "is_available",
           "synchronize"]


def is_available() -> bool:
    """True when a CUDA GPU is usable (CuPy imports and sees one)."""
    from autograd_core import cuda

    return cuda.is_available()


def current_accelerator(check_available: bool = False) -> Device | None:
    """`device("cuda")` when a GPU is usable, else None."""
    return Device("cuda") if is_available() else None


def device_count() -> int:
    from autograd_core import cuda

    return cuda.device_count()


def current_device_index() -> int:
    """The current GPU's index; PyTorch's RuntimeError without one."""
    from autograd_core import cuda

    if not is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")
    return cuda.current_device()


def synchronize(device: Any = None) -> None:
    """Wait for the GPU's queued work; PyTorch's RuntimeError without one."""
    from autograd_core import cuda

    if device is None:
        current_device_index()  # raises without an accelerator, as PyTorch's
    cuda.synchronize(device)
