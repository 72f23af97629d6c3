"""Bitwise ops on integer and bool tensors: not/and/or/xor and the shifts (`~ & | ^ << >>`).

PyTorch refuses them on floating-point operands (a float tensor, or a Python float that
promotes the result to float) with NotImplementedError naming the kernel and the dtype; so do
we, instead of numpy's silent logical fallback. Never differentiable.
"""

from __future__ import annotations

from typing import Any

from autograd_core import dtypes
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._operands import _broadcast_error, _prepare
from autograd_core.ops._util import scalar_type_name
from autograd_core.tensor import Tensor

__all__ = [
    "bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or", "bitwise_right_shift",
    "bitwise_xor",
]


class _Bitwise(Function):
    """An integer ufunc on one or two arrays; never differentiable."""

    differentiable = False
    ufunc = "bitwise_and"

    @classmethod
    def forward(cls, ctx, a, b=None):
        xp = get_array_module(a if hasattr(a, "shape") else b)
        fn = getattr(xp, cls.ufunc)
        return fn(a) if b is None else fn(a, b)


def _bitwise_class(name: str, ufunc: str) -> type:
    return type(name, (_Bitwise,), {"ufunc": ufunc, "__doc__": f"z = {ufunc}(a, b)"})


BitwiseNot = _bitwise_class("BitwiseNot", "invert")
BitwiseAnd = _bitwise_class("BitwiseAnd", "bitwise_and")
BitwiseOr = _bitwise_class("BitwiseOr", "bitwise_or")
BitwiseXor = _bitwise_class("BitwiseXor", "bitwise_xor")
LeftShift = _bitwise_class("LeftShift", "left_shift")
RightShift = _bitwise_class("RightShift", "right_shift")


def _not_implemented(kernel: str, dt: Any, t: Tensor) -> NotImplementedError:
    """PyTorch's dispatch error: '"bitwise_and_cpu" not implemented for 'Float''."""
    dev = "cuda" if t.device.type == "cuda" else "cpu"
    return NotImplementedError(f'"{kernel}_{dev}" not implemented for '
                               f"'{scalar_type_name(dt)}'")


def _binary_bitwise(cls: type, a: Any, b: Any, op: str, kernel: str, allow_bool: bool) -> Tensor:
    ref = a if isinstance(a, Tensor) else b
    if not isinstance(ref, Tensor):
        raise TypeError(f"{op}(): expected at least one tensor operand")
    # The result dtype decides: a float tensor or a Python float on either side fails.
    dt = dtypes.result_type(*(x._data if isinstance(x, Tensor) else x for x in (a, b)))
    if dt.kind not in ("iu" if not allow_bool else "iub"):
        raise _not_implemented(kernel, dt, ref)
    a, b = _prepare(a, b, op)
    try:
        return cls.apply(a, b)
    except ValueError as exc:
        raise _broadcast_error(op, a, b) from exc


def bitwise_not(input: Tensor) -> Tensor:
    """~x for integer tensors, logical not for bool tensors."""
    if input._data.dtype.kind not in "iub":
        raise _not_implemented("bitwise_not", input._data.dtype, input)
    return BitwiseNot.apply(input)


def bitwise_and(input: Any, other: Any) -> Tensor:
    return _binary_bitwise(BitwiseAnd, input, other, "bitwise_and", "bitwise_and", True)


def bitwise_or(input: Any, other: Any) -> Tensor:
    return _binary_bitwise(BitwiseOr, input, other, "bitwise_or", "bitwise_or", True)


def bitwise_xor(input: Any, other: Any) -> Tensor:
    return _binary_bitwise(BitwiseXor, input, other, "bitwise_xor", "bitwise_xor", True)


def bitwise_left_shift(input: Any, other: Any) -> Tensor:
    """input << other; shifting by the bit width or more gives 0, as in PyTorch."""
    return _binary_bitwise(LeftShift, input, other, "bitwise_left_shift", "lshift", False)


def bitwise_right_shift(input: Any, other: Any) -> Tensor:
    """input >> other (arithmetic for signed types)."""
    return _binary_bitwise(RightShift, input, other, "bitwise_right_shift", "rshift", False)


