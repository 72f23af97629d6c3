"""Operand preparation for the binary ops: PyTorch's type promotion of tensors and numbers,
the same-device check and PyTorch's broadcast error message."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core.backend import get_array_module
from autograd_core.ops._util import shape_str
from autograd_core.ops.conversion import cast
from autograd_core.tensor import Tensor

_pyscalars = (int, float, bool)


def _prepare(a: Any, b: Any, op: str, true_div: bool = False) -> tuple[Any, Any]:
    """Promote two operands (tensors or scalars) to PyTorch's result dtype and check devices."""
    # Fast path (most calls): nothing to promote, two tensors or a float tensor and a number.
    if isinstance(a, Tensor):
        da = a._data
        if isinstance(b, Tensor):
            db = b._data
            if (type(da) is type(db) and da.dtype == db.dtype
                    and not (true_div and da.dtype.kind not in "fc")):
                return a, b
        elif (type(b) is float or type(b) is int) and da.dtype.kind in "fc":
            return a, b
    elif (isinstance(b, Tensor) and (type(a) is float or type(a) is int)
          and b._data.dtype.kind in "fc"):
        return a, b
    if isinstance(a, np.generic):
        a = a.item()
    if isinstance(b, np.generic):
        b = b.item()
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta and tb:
        if type(a._data) is not type(b._data):
            _device_error(a, b, op)
        if a._data.dtype == b._data.dtype:
            dt = a._data.dtype
            if true_div and dt.kind not in "fc":
                dt = dtypes.default.value
                return cast(a, dt), cast(b, dt)
            return a, b
        dt = dtypes.result_type(a._data, b._data)
    elif ta or tb:
        t, s = (a, b) if ta else (b, a)
        if not isinstance(s, _pyscalars):
            if isinstance(s, np.ndarray):  # PyTorch takes numpy arrays, not lists
                s = Tensor._make(get_array_module(t._data).asarray(s))
                return _prepare(a if ta else s, s if ta else b, op, true_div)
            raise _operand_error(op, a, b)
        dt = dtypes.result_type(t._data, s)
        if dt == t._data.dtype and not (true_div and dt.kind not in "fc"):
            return a, b
    else:
        raise TypeError(f"{op}: expected at least one tensor operand")
    if true_div and dt.kind not in "fc":
        dt = dtypes.default.value
    a = cast(a, dt) if ta else a
    b = cast(b, dt) if tb else b
    if not ta:
        a = _scalar_as(a, dt)
    if not tb:
        b = _scalar_as(b, dt)
    return a, b


# The Python operator of each binary op, for Python's own wording of a bad operand.
_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "** or pow()",
            "floor_divide": "//", "remainder": "%", "matmul": "@", "bitwise_and": "&",
            "bitwise_or": "|", "bitwise_xor": "^", "bitwise_left_shift": "<<",
            "bitwise_right_shift": ">>"}


def _operand_error(op: str, a: Any, b: Any) -> TypeError:
    """A list, string, None... as an operand: PyTorch refuses it (numpy would broadcast a
    list silently)."""
    names = ["Tensor" if isinstance(x, Tensor) else type(x).__name__ for x in (a, b)]
    if op in _SYMBOLS:  # Python's words, and the op's name (as our errors always give)
        return TypeError(f"unsupported operand type(s) for {_SYMBOLS[op]}: '{names[0]}' and "
                         f"'{names[1]}' ({op} takes tensors and numbers)")
    other = names[1] if isinstance(a, Tensor) else names[0]
    return TypeError(f"{op}(): argument 'other' (position 2) must be Tensor, not {other}")


def _scalar_as(s: Any, dt: np.dtype) -> Any:
    return float(s) if dt.kind == "f" else s


def _device_error(a: Tensor, b: Tensor, op: str) -> None:
    raise RuntimeError(
        "Expected all tensors to be on the same device, but found at least two devices, "
        f"{a.device} and {b.device}! (when checking arguments for {op})"
    )


def _broadcast_error(op: str, a: Any, b: Any) -> RuntimeError:
    sa = getattr(a, "shape", ())
    sb = getattr(b, "shape", ())
    return RuntimeError(
        f"{op}: The size of tensor a {shape_str(sa)} must match the size of tensor b "
        f"{shape_str(sb)} (shapes cannot be broadcast together)"
    )


def _binary(cls: type, a: Any, b: Any, op: str, true_div: bool = False) -> Tensor:
    # _prepare's fast path, repeated here to save its call frame on most calls: two tensors
    # of one dtype and array type, or a float tensor and a Python number.
    if isinstance(a, Tensor):
        da = a._data
        if isinstance(b, Tensor):
            db = b._data
            fast = (type(da) is type(db) and da.dtype == db.dtype
                    and not (true_div and da.dtype.kind not in "fc"))
        else:
            fast = (type(b) is float or type(b) is int) and da.dtype.kind in "fc"
    else:
        fast = False
    if not fast:
        a, b = _prepare(a, b, op, true_div)
    try:
        return cls.apply(a, b)
    except ValueError as exc:
        if "broadcast" in str(exc):
            raise _broadcast_error(op, a, b) from None
        raise


def _shape(x: Any) -> tuple:
    return x.shape if hasattr(x, "shape") else ()


def _like(t: Tensor, value: Any) -> Tensor:
    return Tensor._make(get_array_module(t._data).asarray(value, dtype=t._data.dtype))
