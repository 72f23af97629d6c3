"""Array conversion for tensors: Python data, arrays and legacy `Tensor(...)` arguments in,
arrays with PyTorch's dtype rules out (and `Size`, the shape tuple)."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core._alloc import allocating
from autograd_core._tensor_fields import TensorFields
from autograd_core.backend import Device, device, module_for_device

# Set by autograd_core.tensor at import (bind_tensor): a tensor's array is taken as is.
_tensor_types: tuple[type[TensorFields], ...] = ()
_ndarray = np.ndarray


def bind_tensor(tensor_cls: type[TensorFields]) -> None:
    """Called by autograd_core.tensor at import: conversion unwraps tensors."""
    global _tensor_types
    _tensor_types = (tensor_cls,)


class Size(tuple):
    """The shape of a tensor: a tuple that prints like PyTorch's `torch.Size([2, 3])`."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    # Concatenating shapes (`batch_shape + event_shape`, `(n,) + shape`) stays a Size, as in
    # PyTorch, so the result still prints as `torch.Size([...])` in messages.
    def __add__(self, other: tuple) -> Size:  # type: ignore[override]
        if not isinstance(other, tuple):
            raise TypeError(f"can only concatenate tuple (not {type(other).__name__}) "
                            "to torch.Size")
        return Size(tuple.__add__(self, other))

    def __radd__(self, other: tuple) -> Size:
        return Size(tuple.__add__(other, self))



_LEGACY_HINT = ("Tensor() takes only device= as a keyword; use autograd_core.tensor(data, "
                "dtype=..., requires_grad=...) for the rest")


def _legacy_source(args: tuple, kwargs: dict) -> Any:
    """What a legacy `Tensor(...)` call describes: a Tensor, data, or a shape (a Size)."""
    extra = [k for k in kwargs if k not in ("data", "size")]
    if extra:
        raise TypeError(f"Tensor() got an unexpected keyword argument '{extra[0]}' "
                        f"({_LEGACY_HINT})")
    if kwargs:
        if args or len(kwargs) > 1:
            raise TypeError(f"Tensor() got multiple values for argument '{next(iter(kwargs))}'")
        key, value = next(iter(kwargs.items()))
        if key == "data":
            return value
        return Size(_legacy_shape(tuple(value) if isinstance(value, (tuple, list)) else (value,)))
    if not args:
        return Size((0,))
    if len(args) > 1 or _is_int(args[0]):
        return Size(_legacy_shape(args))
    first = args[0]
    if isinstance(first, str):
        raise TypeError("new(): invalid data type 'str'")
    if first is None or isinstance(first, (builtins.bool, float, complex)):
        raise TypeError(f"new(): data must be a sequence (got {type(first).__name__})")
    return first


def _is_int(value: Any) -> builtins.bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, builtins.bool)


def _legacy_shape(args: tuple) -> tuple[int, ...]:
    for pos, value in enumerate(args):
        if not _is_int(value):
            raise TypeError(f"new(): argument 'size' failed to unpack the object at pos "
                            f'{pos + 1} with error "type must be tuple of ints,but got '
                            f'{type(value).__name__}"')
    shape = [int(v) for v in args]
    for dim in shape:
        if dim < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {dim}: {shape}")
    return tuple(shape)


def _legacy_array(source: Any) -> Any:
    if isinstance(source, Size):
        shape, dt = _legacy_shape(tuple(source)), dtypes.default.value
        with allocating(shape, dt, device("cpu")):
            return np.zeros(shape, dt)
    # Data of any dtype becomes the default float dtype, as in PyTorch's legacy constructor.
    arr = _to_array(source, dtypes.default.value)
    if isinstance(source, np.ndarray) and np.shares_memory(arr, source):
        arr = arr.copy()
    return arr


def _host(arr: Any) -> np.ndarray:
    return arr if type(arr) is _ndarray else (arr.get() if hasattr(arr, "get") else
                                                np.asarray(arr))


def _to_array(data: Any, dt: Any) -> Any:
    """Turn nested lists, scalars, arrays and tensors into an array with PyTorch's dtypes."""
    if isinstance(data, _tensor_types):
        arr = data._data
    elif isinstance(data, (list, tuple)) and any(isinstance(d, _tensor_types) for d in _flat(data)):
        arr = np.array([_host(d._data) if isinstance(d, _tensor_types) else d for d in data])
    else:
        arr = data
    if isinstance(arr, (list, tuple)):
        _check_nesting(arr, 0)
    if dt is None:
        arr = _host(arr)
        kind = arr.dtype.kind
        if kind in "Ou" and not hasattr(data, "dtype"):
            # numpy keeps ints beyond int64 as uint64 or objects; PyTorch reads them as int64
            # (an overflow) unless a float among them makes the whole tensor floating.
            arr = _big_ints(data, arr)
            kind = arr.dtype.kind
        if kind in "OUS":
            raise TypeError(f"Could not infer dtype of {type(data).__name__}")
        if hasattr(data, "dtype"):  # an array or tensor keeps its dtype
            return arr
        # Python numbers and lists take PyTorch's defaults.
        if kind == "f":
            arr = arr.astype(dtypes.default.value)
        elif kind in "iu":
            arr = arr.astype(np.int64)
        elif kind == "c":
            # Python complex -> the complex dtype matching the default float dtype.
            arr = arr.astype(np.complex64 if dtypes.default.value == np.float32
                             else np.complex128)
        return arr
    np_dt = dtypes.to_dtype(dt)
    try:
        return np.asarray(arr, dtype=np_dt)
    except OverflowError:  # a Python int beyond the integer dtype (numpy's text names C long)
        raise ValueError("Overflow when unpacking long long") from None


def _big_ints(data: Any, arr: Any) -> Any:
    """Python data holding ints beyond int64: floats if a float is among them, else PyTorch's
    overflow error; `arr` (numpy's reading) is returned when no such int is there."""
    values = list(_flat(data)) if isinstance(data, (list, tuple)) else [data]
    big = any(isinstance(v, int) and not -(1 << 63) <= v < (1 << 63) for v in values)
    if not big:
        return arr
    if any(isinstance(v, float) for v in values):
        return np.asarray(data, dtype=np.float64)
    raise ValueError("Overflow when unpacking long long")


def _check_nesting(seq: Any, dim: int) -> None:
    """PyTorch's error for ragged nested lists (numpy's own message names no dimension)."""
    first = seq[0] if len(seq) else None
    if not isinstance(first, (list, tuple)):
        return
    for item in seq:
        if not isinstance(item, (list, tuple)) or len(item) != len(first):
            got = len(item) if isinstance(item, (list, tuple)) else type(item).__name__
            raise ValueError(
                f"expected sequence of length {len(first)} at dim {dim + 1} (got {got})"
            )
        _check_nesting(item, dim + 1)


def _flat(data: Any) -> Any:
    for d in data:
        if isinstance(d, (list, tuple)):
            yield from _flat(d)
        else:
            yield d


_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                 "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                 "bool": "Bool"}


def to_array_on(data: Any, dt: Any, dev: Device) -> Any:
    """Array for `data` with dtype `dt` on device `dev` (used by the creation functions)."""
    arr = _to_array(data, dt)
    if dev.type != "cpu":
        xp = module_for_device(dev)
        with xp.cuda.Device(dev.index or 0):
            arr = xp.asarray(arr)
    return arr
