"""torch.fft: discrete Fourier transforms (forward values only), frequencies and shifts.

The transforms run on the array module's FFT (numpy's pocketfft, or cuFFT through CuPy) with
PyTorch's signatures (n/s, dim, norm) and result dtypes (float32 -> complex64). Their
gradients are not supported: the engine has no complex autograd, so a transform of a tensor
that requires grad raises instead of returning a silently detached result. fftshift/ifftshift
and the frequency helpers are real and differentiable (shifts are rolls).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import dtypes, grad_mode
from autograd_core.backend import get_array_module
from autograd_core.tensor import Tensor

__all__ = [
    "fft", "fft2", "fftfreq", "fftn", "fftshift", "ifft", "ifft2", "ifftn", "ifftshift",
    "irfft", "irfft2", "irfftn", "rfft", "rfft2", "rfftfreq", "rfftn",
]

_NORMS = (None, "backward", "forward", "ortho")
_COMPLEX = {np.dtype(np.float32): np.complex64, np.dtype(np.float16): np.complex64,
            np.dtype(np.complex64): np.complex64}


def _check(input: Tensor, op: str, norm: Any) -> Any:
    if not isinstance(input, Tensor):
        raise TypeError(f"fft_{op}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if input.requires_grad and grad_mode.state.enabled:
        raise RuntimeError(f"fft.{op}: gradients through FFTs are not supported by "
                           "autograd_core (no complex autograd); detach() the input or run "
                           "under no_grad()")
    if norm not in _NORMS:
        raise ValueError(f"Invalid normalization mode: {norm}")
    data = input._data
    if data.dtype.kind in "biu":
        data = data.astype(dtypes.default.value)
    return data


def _complex_dtype(data: Any) -> Any:
    return _COMPLEX.get(np.dtype(data.dtype), np.complex128)


def _real_dtype(data: Any) -> Any:
    return np.float32 if np.dtype(data.dtype) in (np.dtype(np.complex64),
                                                   np.dtype(np.float32)) else np.float64


def _run(input: Tensor, op: str, fn: str, norm: Any, real_out: bool, **kw: Any) -> Tensor:
    data = _check(input, op, norm)
    xp = get_array_module(data)
    out = getattr(xp.fft, fn)(data, norm=norm or "backward", **kw)
    dt = _real_dtype(data) if real_out else _complex_dtype(data)
    return Tensor._make(xp.ascontiguousarray(out.astype(dt, copy=False)))


def fft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    return _run(input, "fft", "fft", norm, False, n=n, axis=dim)


def ifft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    return _run(input, "ifft", "ifft", norm, False, n=n, axis=dim)


def rfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    if input._data.dtype.kind == "c":
        raise RuntimeError("rfft expects a real input tensor, but got "
                           f"{str(input.dtype).replace('torch.', '').capitalize()}")
    return _run(input, "rfft", "rfft", norm, False, n=n, axis=dim)


def irfft(input: Tensor, n: int | None = None, dim: int = -1,
          norm: str | None = None) -> Tensor:
    return _run(input, "irfft", "irfft", norm, True, n=n, axis=dim)


def _dims(s: Any, dim: Any) -> dict:
    return {"s": None if s is None else tuple(s),
            "axes": None if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))}


def fftn(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
    return _run(input, "fftn", "fftn", norm, False, **_dims(s, dim))


def ifftn(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
    return _run(input, "ifftn", "ifftn", norm, False, **_dims(s, dim))


def rfftn(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
    return _run(input, "rfftn", "rfftn", norm, False, **_dims(s, dim))


def irfftn(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
    return _run(input, "irfftn", "irfftn", norm, True, **_dims(s, dim))


def fft2(input: Tensor, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:
    return fftn(input, s, dim, norm)


def ifft2(input: Tensor, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:
    return ifftn(input, s, dim, norm)


def rfft2(input: Tensor, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:
    return rfftn(input, s, dim, norm)


def irfft2(input: Tensor, s: Any = None, dim: Any = (-2, -1),
           norm: str | None = None) -> Tensor:
    return irfftn(input, s, dim, norm)


def _freq(values: Any, d: float, dtype: Any, device: Any, requires_grad: bool) -> Tensor:
    from autograd_core.creation import tensor

    return tensor(np.asarray(values) / d, dtype=dtypes.get_default_dtype() if dtype is None
                  else dtype, device=device, requires_grad=requires_grad)


def fftfreq(n: int, d: float = 1.0, *, out: Any = None, dtype: Any = None, layout: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """The sample frequencies of an n-point FFT with spacing d."""
    return _freq(np.fft.fftfreq(n), d, dtype, device, requires_grad)


def rfftfreq(n: int, d: float = 1.0, *, out: Any = None, dtype: Any = None, layout: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    return _freq(np.fft.rfftfreq(n), d, dtype, device, requires_grad)


def _shift(input: Tensor, dim: Any, sign: int) -> Tensor:
    from autograd_core.ops.rearrange import roll

    dims = tuple(range(input.ndim)) if dim is None else (
        (dim,) if isinstance(dim, int) else tuple(dim))
    shifts = tuple(sign * (input.shape[d] // 2) if sign > 0 else -(input.shape[d] // 2)
                   for d in dims)
    return roll(input, shifts, dims)


def fftshift(input: Tensor, dim: Any = None) -> Tensor:
    """The zero frequency moved to the middle (a roll by n // 2)."""
    return _shift(input, dim, 1)


def ifftshift(input: Tensor, dim: Any = None) -> Tensor:
    return _shift(input, dim, -1)
