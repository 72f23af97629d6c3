"""`autocast`: accepted as in PyTorch, but every op keeps its inputs' dtype (float32 stays).

PyTorch runs matmuls and convolutions in float16/bfloat16 inside autocast; the engine has no
reduced-precision kernels worth using on the CPU (numpy computes float16 in float32 and rounds),
so the region runs in full precision: results are PyTorch's without autocast.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from autograd_core import dtypes

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available"]

F = TypeVar("F", bound=Callable[..., Any])
_DEVICES = ("cpu", "cuda")
_DEFAULT_DTYPE = {"cpu": dtypes.bfloat16, "cuda": dtypes.float16}


def is_autocast_available(device_type: str) -> bool:
    """True for the device types autocast accepts here ('cpu' and 'cuda')."""
    return device_type in _DEVICES


class autocast:  # noqa: N801  (PyTorch's name)
    """Mixed precision's region marker; here a no-op region: dtypes are left as they are.

    Example:
        with autograd_core.autocast(device_type="cpu", dtype=autograd_core.bfloat16):
            loss = model(x).sum()      # computed in float32, as without autocast
    """

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if dtype is None and device_type not in _DEFAULT_DTYPE:
            raise RuntimeError("unsupported scalarType")  # torch: no default dtype for it
        if not is_autocast_available(device_type):
            raise RuntimeError(
                f"User specified an unsupported autocast device_type '{device_type}'")
        self.device = device_type
        self.fast_dtype = _DEFAULT_DTYPE[device_type] if dtype is None else dtype
        self._enabled = enabled and self._supported(enabled)

    def _supported(self, enabled: bool) -> bool:
        """PyTorch's checks and warnings: CUDA must be there, the dtype a half type."""
        from autograd_core import cuda

        if enabled and self.device == "cuda" and not cuda.is_available():
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.",
                          stacklevel=3)
            return False
        if enabled and self.device == "cpu" and self.fast_dtype not in (dtypes.bfloat16,
                                                                        dtypes.float16):
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling "
                          "autocast.\nCPU Autocast only supports dtypes of torch.bfloat16, "
                          "torch.float16 currently.", stacklevel=3)
            return False
        return True

    def __enter__(self) -> autocast:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __call__(self, func: F) -> F:
        """Use as a decorator: the function runs inside this region."""
        @functools.wraps(func)
        def decorated(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return decorated  # type: ignore[return-value]


def custom_fwd(fwd: F | None = None, *, device_type: str, cast_inputs: Any = None) -> Any:
    """Decorator of a custom `Function.forward`: returns it unchanged (no dtype ever changes
    under autocast here, so there is nothing to cast). Usable with or without arguments."""
    if fwd is None:
        return lambda f: f
    return fwd


def custom_bwd(bwd: F | None = None, *, device_type: str) -> Any:
    """Decorator of a custom `Function.backward`: returns it unchanged (see `custom_fwd`)."""
    if bwd is None:
        return lambda f: f
    return bwd
