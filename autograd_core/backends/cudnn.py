"""`torch.backends.cudnn`: settable flags; cuDNN is never used here (`is_available()` False).

    torch.backends.cudnn.benchmark = True      # accepted, kept, no effect
"""

from __future__ import annotations

from typing import Any

__all__ = ["allow_tf32", "benchmark", "deterministic", "enabled", "is_acceptable",
           "is_available", "version"]

# PyTorch's defaults; scripts assign to these module attributes directly.
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """False: convolutions run on numpy/CuPy kernels, not cuDNN."""
    return False


def version() -> int | None:
    """None, as PyTorch answers without cuDNN."""
    return None


def is_acceptable(tensor: Any) -> bool:
    return False
