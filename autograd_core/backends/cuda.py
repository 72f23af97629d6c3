"""`torch.backends.cuda`: `matmul.allow_tf32` and friends, kept but without effect.

CUDA matmuls here run through CuPy in full float32 (never TF32), whatever the flag says.
"""

from __future__ import annotations

from typing import Any

__all__ = ["is_built", "matmul"]


class _MatmulFlags:
    """`torch.backends.cuda.matmul`: a fixed set of settable flags (others are refused)."""

    _DEFAULTS = {"allow_tf32": False, "allow_fp16_reduced_precision_reduction": True,
                 "allow_bf16_reduced_precision_reduction": True}

    def __init__(self) -> None:
        object.__setattr__(self, "_values", dict(self._DEFAULTS))

    def __getattr__(self, name: str) -> Any:
        if name in self._DEFAULTS:
            return self._values[name]
        raise AttributeError(f"Unknown attribute {name}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._DEFAULTS:
            raise AttributeError(f"Unknown attribute {name}")
        self._values[name] = value


matmul = _MatmulFlags()


def is_built() -> bool:
    """Whether the library was built with CUDA: True when CuPy can be imported."""
    from autograd_core import backend

    return backend.cupy_or_none() is not None
