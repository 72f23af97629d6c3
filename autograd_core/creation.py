"""Tensor creation: tensor, zeros, ones, full, arange, linspace, eye, the *_like functions.

Every factory takes PyTorch's positional and keyword forms (`zeros(2, 3)`, `zeros((2, 3))`,
`zeros(size=(2, 3))`), its keyword options (`out`, `dtype`, `layout`, `device`,
`requires_grad`, `pin_memory`, `memory_format`) and its error messages; an unknown keyword is
a TypeError naming it. `pin_memory` is accepted and has no effect. The random factories live
in `random_creation` and are re-exported here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core._factory import (
    _as_dim,
    _check_int64,
    _check_layout,
    _dev,
    _finish,
    _like,
    _new_array,
    _np_dtype,
    _number,
    _sequence_size,
    _size,
    _to_device,
    _type_name,
    default_device,
    get_default_device,
    set_default_device,
)
from autograd_core.backend import Device, cpu_device
from autograd_core.tensor import Tensor, to_array_on


# ------------------------------------------------------------------ from data
def tensor(data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor copying `data` (lists, scalars, numpy arrays, tensors).

    Example:
        >>> tensor([[1.0, 2.0]], requires_grad=True).shape
        torch.Size([1, 2])
    """
    dev = _dev(device) if device is not None or not isinstance(data, Tensor) else data.device
    arr = to_array_on(data, dtype, dev)
    if isinstance(data, (np.ndarray, Tensor)) or hasattr(data, "__cuda_array_interface__"):
        arr = arr.copy()
    return _finish("tensor", arr, requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like tensor() but shares memory with a numpy array or tensor when it can."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype) if (device or dtype) else data
    dev = _dev(device)
    return Tensor._make(to_array_on(data, dtype, dev))


asarray = as_tensor


def from_numpy(array: np.ndarray) -> Tensor:
    """A CPU tensor sharing memory with a numpy array (its dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    return Tensor._make(array)


# ------------------------------------------------------------------ filled
def _filled(shape: tuple, value: Any, dt: np.dtype, dev: Device) -> Any:
    return _new_array(shape, dt, dev, lambda xp: xp.full(shape, value, dtype=dt))


def zeros(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
          requires_grad: bool = False, pin_memory: bool = False, memory_format: Any = None,
          **size_kw: Any) -> Tensor:
    """A tensor of zeros: `zeros(2, 3)`, `zeros((2, 3))` or `zeros(size=(2, 3))`."""
    shape = _size("zeros", size, size_kw)
    _check_layout("zeros", layout, memory_format)
    dt = _np_dtype(dtype, out, None)
    arr = _new_array(shape, dt, _dev(device), lambda xp: xp.zeros(shape, dtype=dt))
    return _finish("zeros", arr, requires_grad, out, dtype)


def ones(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
         requires_grad: bool = False, pin_memory: bool = False, memory_format: Any = None,
         **size_kw: Any) -> Tensor:
    """A tensor of ones (same forms as zeros)."""
    shape = _size("ones", size, size_kw)
    _check_layout("ones", layout, memory_format)
    dt = _np_dtype(dtype, out, None)
    arr = _filled(shape, 1, dt, _dev(device))
    return _finish("ones", arr, requires_grad, out, dtype)


def empty(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
          requires_grad: bool = False, pin_memory: bool = False, memory_format: Any = None,
          **size_kw: Any) -> Tensor:
    """An uninitialised tensor in PyTorch; zero-filled here, so runs are repeatable."""
    shape = _size("empty", size, size_kw)
    _check_layout("empty", layout, memory_format)
    dt = _np_dtype(dtype, out, None)
    arr = _new_array(shape, dt, _dev(device), lambda xp: xp.zeros(shape, dtype=dt))
    return _finish("empty", arr, requires_grad, out, dtype)


def full(size: Any, fill_value: Any, *, out: Any = None, dtype: Any = None, layout: Any = None,
         device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A tensor of `size` filled with `fill_value` (its dtype inferred from the value)."""
    shape = _sequence_size("full", size)
    _check_layout("full", layout)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = _np_dtype(dtype, out, dtypes.result_type(fill_value))
    if dtype is None and out is None and dt.kind in "iu":
        _check_int64(fill_value)
    arr = _filled(shape, fill_value, dt, _dev(device))
    return _finish("full", arr, requires_grad, out, dtype)


# ------------------------------------------------------------------ *_like


def zeros_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    shape, dt, dev = _like("zeros_like", input, dtype, device, layout, memory_format)
    arr = _new_array(shape, dt, dev, lambda xp: xp.zeros(shape, dtype=dt))
    return _finish("zeros_like", arr, requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,
              requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    shape, dt, dev = _like("ones_like", input, dtype, device, layout, memory_format)
    return _finish("ones_like", _filled(shape, 1, dt, dev), requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    shape, dt, dev = _like("empty_like", input, dtype, device, layout, memory_format)
    arr = _new_array(shape, dt, dev, lambda xp: xp.zeros(shape, dtype=dt))
    return _finish("empty_like", arr, requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, layout: Any = None,
              device: Any = None, requires_grad: bool = False,
              memory_format: Any = None) -> Tensor:
    shape, dt, dev = _like("full_like", input, dtype, device, layout, memory_format)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _finish("full_like", _filled(shape, fill_value, dt, dev), requires_grad)


# ------------------------------------------------------------------ ranges
def arange(start: Any = None, end: Any = None, step: Any = 1, *, out: Any = None,
           dtype: Any = None, layout: Any = None, device: Any = None,
           requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Values from start (default 0) up to end, exclusive; int64 unless a bound is a float."""
    if start is None and end is None:
        raise TypeError("arange() missing required argument 'end' (pos 1)")
    if end is None:
        start, end = 0, start
    elif start is None:
        start = 0
    _check_layout("arange", layout)
    vals = [_number(v) for v in (start, end, step)]
    if vals[2] == 0:
        raise RuntimeError("step must be nonzero")
    if (vals[1] - vals[0]) * vals[2] < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    dt = dtypes.to_dtype(dtype) if dtype is not None else dtypes.result_type(*vals)
    n = max(0, math.ceil((vals[1] - vals[0]) / vals[2]))
    arr = _new_array((n,), dt, cpu_device,
                     lambda xp: (xp.arange(n, dtype=np.float64) * vals[2] + vals[0]).astype(dt))
    return _finish("arange", _to_device(arr, _dev(device)), requires_grad, out, dtype)


def _steps(fn: str, steps: Any) -> int:
    n = _as_dim(steps)
    if n is None:
        raise TypeError(f"{fn}(): argument 'steps' (position 3) must be int, not "
                        f"{_type_name(steps)}")
    if n < 0:
        raise RuntimeError("number of steps must be non-negative")
    return n


def linspace(start: Any, end: Any, steps: int, *, out: Any = None, dtype: Any = None,
             layout: Any = None, device: Any = None, requires_grad: bool = False,
             pin_memory: bool = False) -> Tensor:
    """`steps` evenly spaced values from start to end, inclusive."""
    n = _steps("linspace", steps)
    _check_layout("linspace", layout)
    dt = _np_dtype(dtype, out, None)
    lo, hi = float(_number(start)), float(_number(end))
    arr = _new_array((n,), dt, cpu_device, lambda xp: xp.linspace(lo, hi, n).astype(dt))
    return _finish("linspace", _to_device(arr, _dev(device)), requires_grad, out, dtype)


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, out: Any = None,
             dtype: Any = None, layout: Any = None, device: Any = None,
             requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """`steps` values from base**start to base**end, evenly spaced in the exponent."""
    n = _steps("logspace", steps)
    _check_layout("logspace", layout)
    dt = _np_dtype(dtype, out, None)
    lo, hi = float(_number(start)), float(_number(end))
    arr = _new_array((n,), dt, cpu_device,
                     lambda xp: xp.logspace(lo, hi, n, base=base).astype(dt))
    return _finish("logspace", _to_device(arr, _dev(device)), requires_grad, out, dtype)


def eye(n: int, m: int | None = None, *, out: Any = None, dtype: Any = None, layout: Any = None,
        device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """An n x m matrix with ones on the diagonal (m defaults to n)."""
    rows = _dims_arg("eye", "n", n, 1)
    cols = rows if m is None else _dims_arg("eye", "m", m, 2)
    _check_layout("eye", layout)
    dt = _np_dtype(dtype, out, None)
    arr = _new_array((rows, cols), dt, _dev(device), lambda xp: xp.eye(rows, cols, dtype=dt))
    return _finish("eye", arr, requires_grad, out, dtype)


def _dims_arg(fn: str, name: str, value: Any, pos: int) -> int:
    dim = _as_dim(value)
    if dim is None:
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be int, not "
                        f"{_type_name(value)}")
    if dim < 0:
        raise RuntimeError(f"{name} must be greater or equal to 0, got {dim}")
    return dim


from autograd_core.random_creation import (  # noqa: E402  (they build on the helpers above)
    multinomial,
    normal,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
)

__all__ = [
    "arange", "as_tensor", "asarray", "default_device", "empty", "empty_like", "eye",
    "from_numpy", "full", "full_like", "get_default_device", "linspace", "logspace",
    "multinomial", "normal", "ones", "ones_like", "rand", "rand_like", "randint",
    "randint_like", "randn", "randn_like", "randperm", "set_default_device", "tensor", "zeros",
    "zeros_like",
]
