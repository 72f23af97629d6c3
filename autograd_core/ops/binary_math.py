"""Two- and three-input elementwise math: atan2, hypot, logaddexp(2), copysign, xlogy, fmax/fmin,
float_power, heaviside, lerp, addcmul, addcdiv, nan_to_num.

Primitives are built with `_fn_factory.binary_op` (derivatives written once, with Tensor ops);
the others are compositions of differentiable ops, so every one has gradients to any order.
Operands broadcast and promote as PyTorch's do (`_operands._prepare`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core.backend import get_array_module
from autograd_core.ops._fn_factory import binary_op
from autograd_core.ops._operands import _broadcast_error, _prepare
from autograd_core.ops._util import c_type_name
from autograd_core.ops.arithmetic import add, div, mul, sub
from autograd_core.ops.conversion import cast
from autograd_core.ops.logic import isfinite, isnan, where
from autograd_core.ops.unary import log, sigmoid
from autograd_core.tensor import Tensor

__all__ = [
    "addcdiv", "addcmul", "arctan2", "atan2", "copysign", "float_power", "fmax", "fmin",
    "heaviside", "hypot", "lerp", "logaddexp", "logaddexp2", "nan_to_num", "xlogy",
]


def _tensors(a: Any, b: Any, op: str, floating: bool = True) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors of PyTorch's result dtype (floating for float-only math)."""
    a, b = _prepare(a, b, op)
    ref = a if isinstance(a, Tensor) else b
    dt = ref._data.dtype
    if floating and dt.kind not in "fc":
        dt = dtypes.default.value
    xp = get_array_module(ref._data)
    out = []
    for t in (a, b):
        if not isinstance(t, Tensor):
            t = Tensor._make(xp.asarray(t, dtype=dt))
        elif t._data.dtype != dt:
            t = cast(t, dt)
        out.append(t)
    return out[0], out[1]


def _apply(cls: type, a: Any, b: Any, op: str, floating: bool = True) -> Tensor:
    ta, tb = _tensors(a, b, op, floating)
    try:
        return cls.apply(ta, tb)
    except ValueError as exc:
        if "broadcast" in str(exc):
            raise _broadcast_error(op, ta, tb) from None
        raise


Atan2 = binary_op("Atan2", lambda xp, a, b: xp.arctan2(a, b),
                  lambda a, b: (b / (a * a + b * b), -a / (a * a + b * b)), "y = atan2(a, b)")
Hypot = binary_op("Hypot", lambda xp, a, b: xp.hypot(a, b),
                  lambda a, b: (a / hypot(a, b), b / hypot(a, b)), "y = sqrt(a^2 + b^2)")
LogAddExp = binary_op("Logaddexp", lambda xp, a, b: xp.logaddexp(a, b),
                      lambda a, b: (sigmoid(a - b), sigmoid(b - a)), "y = log(e^a + e^b)")
LogAddExp2 = binary_op("Logaddexp2", lambda xp, a, b: xp.logaddexp2(a, b),
                       lambda a, b: (sigmoid((a - b) * math.log(2.0)),
                                     sigmoid((b - a) * math.log(2.0))), "y = log2(2^a + 2^b)")


def _copysign_partials(a: Tensor, b: Tensor) -> tuple[Any, Any]:
    # PyTorch: d/da = copysign(a, b) / a where a != 0, else 0; zeros flow to b.
    zero = a == 0
    y = copysign(a, b)
    return where(zero, 0.0, y / where(zero, 1.0, a)), b * 0


Copysign = binary_op("Copysign", lambda xp, a, b: xp.copysign(a, b),
                     _copysign_partials, "y = |a| with b's sign")


def _xlogy_partials(a: Tensor, b: Tensor) -> tuple[Any, Any]:
    # PyTorch: d/da = log(b) where a != 0 (0 where a == 0); d/db = a / b.
    return where(a == 0, 0.0, log(b)), a / b


def _xlogy_kernel(xp: Any, a: Any, b: Any) -> Any:
    out = a * xp.log(b)
    return xp.where((a == 0) & ~xp.isnan(b), 0, out).astype(out.dtype, copy=False)


Xlogy = binary_op("Xlogy", _xlogy_kernel, _xlogy_partials, "y = a log b (0 at a = 0)")


def atan2(input: Any, other: Any) -> Tensor:
    return _apply(Atan2, input, other, "atan2")


arctan2 = atan2


def hypot(input: Any, other: Any) -> Tensor:
    return _apply(Hypot, input, other, "hypot")


def logaddexp(input: Any, other: Any) -> Tensor:
    return _apply(LogAddExp, input, other, "logaddexp")


def logaddexp2(input: Any, other: Any) -> Tensor:
    return _apply(LogAddExp2, input, other, "logaddexp2")


def copysign(input: Any, other: Any) -> Tensor:
    return _apply(Copysign, input, other, "copysign")


def xlogy(input: Any, other: Any) -> Tensor:
    return _apply(Xlogy, input, other, "xlogy")


def float_power(input: Any, exponent: Any) -> Tensor:
    """input ** exponent computed in float64 (PyTorch's float_power)."""
    from autograd_core.ops.arithmetic import pow as _pow

    def up(x: Any) -> Any:
        return cast(x, dtypes.float64) if isinstance(x, Tensor) else float(x)

    return _pow(up(input), up(exponent))


def _fminmax(a: Any, b: Any, op: str, larger: bool) -> Tensor:
    ta, tb = _tensors(a, b, op, floating=False)
    # The first operand wins where it is the larger (smaller) one or where the other is NaN.
    pick_a = ((ta >= tb) if larger else (ta <= tb)).logical_or(isnan(tb))
    return where(pick_a, ta, tb)


def fmax(input: Any, other: Any) -> Tensor:
    """Elementwise maximum that ignores NaN (NaN only where both are NaN)."""
    return _fminmax(input, other, "fmax", True)


def fmin(input: Any, other: Any) -> Tensor:
    return _fminmax(input, other, "fmin", False)


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """0 below zero, 1 above, `values` at zero (not differentiable, as PyTorch's)."""
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes")
    x, v = input.detach(), values.detach()
    xp = get_array_module(x._data)
    data = xp.where(x._data == 0, xp.broadcast_to(v._data, np.broadcast_shapes(
        x._data.shape, v._data.shape)), (x._data > 0).astype(x._data.dtype))
    return Tensor._make(xp.asarray(data, dtype=x._data.dtype))


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """input + weight * (end - input), written as PyTorch's kernel for weights >= 0.5 too."""
    if not isinstance(end, Tensor):
        raise TypeError(f"lerp(): argument 'end' (position 2) must be Tensor, not "
                        f"{type(end).__name__}")
    if input._data.dtype != end._data.dtype:
        raise RuntimeError(f"expected dtype {c_type_name(input._data.dtype)} for `end` but got "
                           f"dtype {c_type_name(end._data.dtype)}")
    diff = sub(end, input)
    if isinstance(weight, Tensor):
        low = weight.detach().abs() < 0.5
        return where(low, add(input, mul(weight, diff)), sub(end, mul(diff, sub(1, weight))))
    if abs(weight) < 0.5:
        return add(input, mul(diff, weight))
    return sub(end, mul(diff, 1 - weight))


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + value * tensor1 * tensor2."""
    prod = mul(tensor1, tensor2)
    return add(input, prod if value == 1 else mul(prod, value))


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + value * tensor1 / tensor2 (integer division refused, as PyTorch does)."""
    if (tensor1._data.dtype.kind in "biu" and tensor2._data.dtype.kind in "biu"):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))."
            "to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    q = div(tensor1, tensor2)
    return add(input, q if value == 1 else mul(q, value))


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """NaN, +inf and -inf replaced (by 0 and the dtype's largest and lowest by default)."""
    if input._data.dtype.kind not in "fc":
        return input.clone()
    info = np.finfo(input._data.dtype)
    hi = float(info.max) if posinf is None else posinf
    lo = float(info.min) if neginf is None else neginf
    data = input._data
    xp = get_array_module(data)
    with np.errstate(over="ignore"):
        fill = xp.where(xp.isnan(data), data.dtype.type(nan),
                        xp.where(data > 0, data.dtype.type(hi), data.dtype.type(lo)))
    return where(isfinite(input), input, Tensor._make(fill.astype(data.dtype, copy=False)))

