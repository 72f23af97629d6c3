"""Dtypes (numpy dtype objects under PyTorch's names) and PyTorch's type-promotion rules."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

float16 = half = np.dtype("float16")
float32 = float = np.dtype("float32")  # PyTorch's name (shadows the builtin here)
float64 = double = np.dtype("float64")
int8 = np.dtype("int8")
uint8 = np.dtype("uint8")
int16 = short = np.dtype("int16")
int32 = int = np.dtype("int32")  # PyTorch's name (shadows the builtin here)
int64 = long = np.dtype("int64")
bool = np.dtype("bool")  # PyTorch's name (shadows the builtin here)
complex64 = np.dtype("complex64")

_ALIASES = {
    "float": float32, "float32": float32, "float64": float64, "double": float64,
    "half": float16, "float16": float16, "int": int32, "int32": int32, "int64": int64,
    "long": int64, "bool": bool, "int8": int8, "uint8": uint8, "int16": int16,
}


class _DefaultDtype:
    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = float32


default = _DefaultDtype()


def set_default_dtype(d: Any) -> None:
    """Set the dtype new floating-point tensors get (float32 or float64)."""
    d = to_dtype(d)
    if d.kind != "f":
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    default.value = d


def get_default_dtype() -> np.dtype:
    return default.value


def to_dtype(d: Any) -> np.dtype:
    """Accept our dtypes, numpy dtypes, Python types and strings; return a numpy dtype."""
    if d is None:
        return default.value
    if isinstance(d, np.dtype):
        return d
    if isinstance(d, str):
        d = d.removeprefix("torch.")
        if d in _ALIASES:
            return _ALIASES[d]
    if d is _pyfloat:
        return default.value
    if d is _pyint:
        return int64
    if d is _pybool:
        return bool
    return np.dtype(d)


_pyfloat = builtins.float  # the module's own float, int and bool are dtypes
_pyint = builtins.int
_pybool = builtins.bool


def _category(dt: np.dtype) -> int:
    """0 bool, 1 integer, 2 floating, 3 complex: PyTorch promotes across categories upward."""
    k = dt.kind
    return 0 if k == "b" else 1 if k in "iu" else 2 if k == "f" else 3


def scalar_category(value: Any) -> int:
    t = type(value)
    if t is _pybool or t is np.bool_:
        return 0
    if t is _pyint or isinstance(value, np.integer):
        return 1
    if t is _pyfloat or isinstance(value, np.floating):
        return 2
    return 3


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """PyTorch's promote_types: like numpy's, but int with float gives the float type."""
    if a == b:
        return a
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def result_type(*operands: Any) -> np.dtype:
    """The dtype PyTorch gives an op over tensors (0-dim or not) and Python scalars.

    Dimensioned tensors decide within a category; 0-dim tensors and then Python scalars only
    matter when they are of a higher category (a Python float on an int tensor gives the
    default float dtype).
    """
    dims: np.dtype | None = None
    zero: np.dtype | None = None
    scalar_cat = -1
    for op in operands:
        dt = getattr(op, "dtype", None)
        if dt is not None and hasattr(op, "shape") and not isinstance(op, np.generic):
            if len(op.shape):
                dims = dt if dims is None else promote_types(dims, dt)
            else:
                zero = dt if zero is None else promote_types(zero, dt)
        else:
            scalar_cat = max(scalar_cat, scalar_category(op))
    result = dims
    if zero is not None:
        result = zero if result is None or _category(zero) > _category(result) else result
    if result is None:
        # Only Python scalars: the default dtype of the highest category.
        return [bool, int64, default.value, complex64][scalar_cat]
    if scalar_cat > _category(result):
        return [bool, int64, default.value, complex64][scalar_cat]
    return result


def is_floating(dt: np.dtype) -> bool:
    return dt.kind in "fc"
