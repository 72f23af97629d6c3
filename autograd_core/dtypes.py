"""Dtypes (`torch.float32`-style objects over numpy dtypes), layouts and type promotion."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np


class dtype:  # noqa: N801  (PyTorch's name: `isinstance(x, torch.dtype)`)
    """A tensor element type (`torch.float32`, ...): compares equal only to dtypes.

    Unlike a numpy dtype, it is never equal to a string, None or a Python type, as in
    PyTorch. numpy takes it wherever it takes a dtype (`arr.astype(float32)`), through the
    `.dtype` attribute numpy reads; that is also why numpy decides a comparison with a numpy
    dtype (`np.dtype("float32") == float32` is True, whichever side it is on).
    """

    __slots__ = ("_name", "_np")

    def __init__(self, np_dtype: np.dtype, name: str) -> None:
        self._np = np_dtype
        self._name = name

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype underneath (numpy's protocol for dtype-like objects)."""
        return self._np

    @property
    def is_floating_point(self) -> builtins.bool:
        return self._np.kind == "f"

    @property
    def is_complex(self) -> builtins.bool:
        return self._np.kind == "c"

    @property
    def is_signed(self) -> builtins.bool:
        return self._np.kind in "ifc"

    @property
    def itemsize(self) -> builtins.int:
        return self._np.itemsize

    def __getattr__(self, name: str) -> Any:
        # Code written for numpy dtypes (`.kind`, `.name`, `.type(0.5)`) keeps working.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._np, name)

    def __eq__(self, other: object) -> builtins.bool:
        if isinstance(other, dtype):  # bfloat16 shares float32's arrays but is its own dtype
            return self._np == other._np and (self._name == "bfloat16") == (
                other._name == "bfloat16")
        if isinstance(other, np.dtype):
            return NotImplemented  # numpy's own comparison decides (see the class docstring)
        return False

    def __ne__(self, other: object) -> builtins.bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> builtins.int:
        return hash(self._np)

    def __repr__(self) -> str:
        return f"torch.{self._name}"

    __str__ = __repr__

    def __reduce__(self) -> tuple:
        return (_by_name, (self._name,))


_BY_NP: dict[np.dtype, dtype] = {}


def _define(name: str) -> dtype:
    d = dtype(np.dtype(name), name)
    _BY_NP[d._np] = d
    return d


float16 = half = _define("float16")
float32 = float = _define("float32")  # PyTorch's name (shadows the builtin here)
float64 = double = _define("float64")
int8 = _define("int8")
uint8 = _define("uint8")
int16 = short = _define("int16")
int32 = int = _define("int32")  # PyTorch's name (shadows the builtin here)
int64 = long = _define("int64")
bool = _define("bool")  # PyTorch's name (shadows the builtin here)
complex64 = cfloat = _define("complex64")
complex128 = cdouble = _define("complex128")
uint16 = _define("uint16")
uint32 = _define("uint32")
uint64 = _define("uint64")
# numpy has no bfloat16: the name exists (autocast(dtype=bfloat16), dtype tables in scripts),
# and a tensor asked for bfloat16 is stored and computed as float32, so it reports float32.
bfloat16 = dtype(np.dtype("float32"), "bfloat16")

_ALIASES = {
    "float": float32, "float32": float32, "float64": float64, "double": float64,
    "half": float16, "float16": float16, "int": int32, "int32": int32, "int64": int64,
    "long": int64, "bool": bool, "int8": int8, "uint8": uint8, "int16": int16,
    "short": int16, "complex64": complex64, "cfloat": complex64, "complex128": complex128,
    "cdouble": complex128, "uint16": uint16, "uint32": uint32, "uint64": uint64,
    "bfloat16": bfloat16,
}


def _by_name(name: str) -> dtype:
    return _ALIASES[name]


def wrap(np_dtype: np.dtype) -> dtype:
    """Our dtype object for a numpy dtype (what `Tensor.dtype` returns)."""
    d = _BY_NP.get(np_dtype)
    if d is None:  # a numpy type PyTorch has no name for (float128, ...): keep numpy's name
        d = _BY_NP[np_dtype] = dtype(np_dtype, np_dtype.name)
    return d


class _Token:
    """A named constant like `torch.strided` or `torch.contiguous_format`."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"torch.{self._name}"

    def __reduce__(self) -> str:
        return self._name


class layout(_Token):  # noqa: N801  (PyTorch's name)
    """A tensor's memory layout: only `strided` (dense) exists here."""

    __slots__ = ()


class memory_format(_Token):  # noqa: N801  (PyTorch's name)
    """A dense tensor's dimension order in memory."""

    __slots__ = ()


strided = layout("strided")
sparse_coo = layout("sparse_coo")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


class _DefaultDtype:
    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: np.dtype = float32._np  # a numpy dtype: the engine reads it on hot paths


default = _DefaultDtype()


def set_default_dtype(d: Any) -> None:
    """Set the dtype new floating-point tensors get (float32 or float64)."""
    np_dt = to_dtype(d)
    if np_dt.kind != "f":
        raise TypeError("only floating-point types are supported as the default type")
    default.value = np_dt


def get_default_dtype() -> dtype:
    return wrap(default.value)


def to_dtype(d: Any) -> np.dtype:
    """Accept our dtypes, numpy dtypes, Python types and strings; return a numpy dtype.

    Python's float, int and bool mean float64, int64 and bool, as in PyTorch.
    """
    if d is None:
        return default.value
    if isinstance(d, dtype):
        return d._np
    if isinstance(d, np.dtype):
        return d
    if isinstance(d, str):
        name = d.removeprefix("torch.")
        if name in _ALIASES:
            return _ALIASES[name]._np
    if d is _pyfloat:
        return float64._np
    if d is _pyint:
        return int64._np
    if d is _pybool:
        return bool._np
    try:
        return np.dtype(d)
    except TypeError:
        raise TypeError(f"dtype must be a torch.dtype, not {d!r}") from None


_pyfloat = builtins.float  # the module's own float, int and bool are dtypes
_pyint = builtins.int
_pybool = builtins.bool


def _category(dt: np.dtype) -> builtins.int:
    """0 bool, 1 integer, 2 floating, 3 complex: PyTorch promotes across categories upward."""
    k = dt.kind
    return 0 if k == "b" else 1 if k in "iu" else 2 if k == "f" else 3


def scalar_category(value: Any) -> builtins.int:
    t = type(value)
    if t is _pybool or t is np.bool_:
        return 0
    if t is _pyint or isinstance(value, np.integer):
        return 1
    if t is _pyfloat or isinstance(value, np.floating):
        return 2
    return 3


def promote_types(type1: Any, type2: Any) -> dtype:
    """PyTorch's promote_types: like numpy's, but int with float gives the float type.

    Example:
        >>> promote_types(int32, float16)
        torch.float16
    """
    for pos, value in enumerate((type1, type2), 1):
        if not isinstance(value, (dtype, np.dtype)):
            raise TypeError(f"promote_types(): argument 'type{pos}' (position {pos}) must be "
                            f"torch.dtype, not {type(value).__name__}")
    return wrap(_promote(to_dtype(type1), to_dtype(type2)))


def _promote(a: np.dtype, b: np.dtype) -> np.dtype:
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
        if type(dt) is dtype:  # a Tensor: work on numpy dtypes (this is the ops' hot path)
            dt = dt._np
        if dt is not None and hasattr(op, "shape") and not isinstance(op, np.generic):
            if len(op.shape):
                dims = dt if dims is None else _promote(dims, dt)
            else:
                zero = dt if zero is None else _promote(zero, dt)
        else:
            scalar_cat = max(scalar_cat, scalar_category(op))
    result = dims
    if zero is not None:
        result = zero if result is None or _category(zero) > _category(result) else result
    if result is None:
        # Only Python scalars: the default dtype of the highest category.
        return [bool._np, int64._np, default.value, complex64._np][scalar_cat]
    if scalar_cat > _category(result):
        return [bool._np, int64._np, default.value, complex64._np][scalar_cat]
    return result


def is_floating(dt: np.dtype) -> builtins.bool:
    return dt.kind in "fc"
