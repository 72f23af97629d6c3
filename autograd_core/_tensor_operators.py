"""Python's operators for `Tensor` (`+`, `@`, `==`, `&`, `[]`, ...), each the op function of
`autograd_core.ops` it stands for, with PyTorch's rules for operands it does not take.

`Tensor` inherits `OperatorMethods`; the hottest operators are set on `Tensor` itself by
`autograd_core.tensor.bind_methods`, with the op methods (`x.exp()`) this module builds.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any, Self

import numpy as np

from autograd_core._tensor_inplace import InplaceMethods

# Set by autograd_core.tensor (_bind_method_modules): Tensor and the ops namespace import
# this module, so they arrive after it loads.
if TYPE_CHECKING:  # the class, for the methods' `self: Tensor`
    from autograd_core.tensor import Tensor
else:
    Tensor = None
_ops: Any = None



class OperatorMethods(InplaceMethods):
    """The operator methods of `Tensor` (a base class so tensor.py holds the tensor's state)."""

    __slots__ = ()

    if TYPE_CHECKING:
        # The hottest operators are the op functions themselves, set by bind_methods() (one
        # call frame fewer per op); these lines only declare them for type checkers.
        def __add__(self, other: Any) -> Tensor: ...
        def __sub__(self, other: Any) -> Tensor: ...
        def __mul__(self, other: Any) -> Tensor: ...
        def __truediv__(self, other: Any) -> Tensor: ...
        def __pow__(self, other: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...

    def __radd__(self, other: Any) -> Tensor:
        return _ops.add(other, self)

    def __iadd__(self, other: Any) -> Self:
        return self.add_(other)

    def __rsub__(self, other: Any) -> Tensor:
        return _ops.sub(other, self)

    def __isub__(self, other: Any) -> Self:
        return self.sub_(other)

    def __rmul__(self, other: Any) -> Tensor:
        return _ops.mul(other, self)

    def __imul__(self, other: Any) -> Self:
        return self.mul_(other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ops.div(other, self)

    def __itruediv__(self, other: Any) -> Self:
        return self.div_(other)

    def __floordiv__(self, other: Any) -> Tensor:
        return _ops.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _ops.floor_divide(other, self)

    def __ifloordiv__(self, other: Any) -> Self:
        return self.floor_divide_(other)

    def __mod__(self, other: Any) -> Tensor:
        return _ops.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return _ops.remainder(other, self)

    def __imod__(self, other: Any) -> Self:
        return self.remainder_(other)

    def __rpow__(self, other: Any) -> Tensor:
        return _ops.pow(other, self)

    def __ipow__(self, other: Any) -> Self:
        return self.pow_(other)

    def __matmul__(self, other: Any) -> Tensor:
        return _ops.matmul(self, other) if isinstance(other, Tensor) else NotImplemented

    def __rmatmul__(self, other: Any) -> Tensor:
        return _ops.matmul(other, self) if isinstance(other, Tensor) else NotImplemented

    def __pos__(self) -> Self:
        if self._data.dtype.kind == "b":
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self

    def __abs__(self) -> Tensor:
        return _ops.abs(self)

    # Bitwise operators: integer and bool tensors only, as in PyTorch (on bool they are the
    # logical ops). Operands other than tensors and numbers give Python's own TypeError.
    def __invert__(self) -> Tensor:
        # PyTorch's operator raises TypeError here (bitwise_not raises its kernel's error).
        if self._data.dtype.kind not in "iub":
            raise TypeError("~ (operator.invert) is only implemented on integer and "
                            "Boolean-type tensors")
        return _ops.bitwise_not(self)

    def __and__(self, other: Any) -> Tensor:
        return _ops.bitwise_and(self, other) if _bitwise_operand(other) else NotImplemented

    def __rand__(self, other: Any) -> Tensor:
        return _ops.bitwise_and(other, self) if _bitwise_operand(other) else NotImplemented

    def __iand__(self, other: Any) -> Self:
        return self.bitwise_and_(other) if _bitwise_operand(other) else NotImplemented

    def __or__(self, other: Any) -> Tensor:
        return _ops.bitwise_or(self, other) if _bitwise_operand(other) else NotImplemented

    def __ror__(self, other: Any) -> Tensor:
        return _ops.bitwise_or(other, self) if _bitwise_operand(other) else NotImplemented

    def __ior__(self, other: Any) -> Self:
        return self.bitwise_or_(other) if _bitwise_operand(other) else NotImplemented

    def __xor__(self, other: Any) -> Tensor:
        return _ops.bitwise_xor(self, other) if _bitwise_operand(other) else NotImplemented

    def __rxor__(self, other: Any) -> Tensor:
        return _ops.bitwise_xor(other, self) if _bitwise_operand(other) else NotImplemented

    def __ixor__(self, other: Any) -> Self:
        return self.bitwise_xor_(other) if _bitwise_operand(other) else NotImplemented

    def __lshift__(self, other: Any) -> Tensor:
        return (_ops.bitwise_left_shift(self, other) if _bitwise_operand(other)
                else NotImplemented)

    def __rlshift__(self, other: Any) -> Tensor:
        return (_ops.bitwise_left_shift(other, self) if _bitwise_operand(other)
                else NotImplemented)

    def __ilshift__(self, other: Any) -> Self:
        return self.bitwise_left_shift_(other) if _bitwise_operand(other) else NotImplemented

    def __rshift__(self, other: Any) -> Tensor:
        return (_ops.bitwise_right_shift(self, other) if _bitwise_operand(other)
                else NotImplemented)

    def __rrshift__(self, other: Any) -> Tensor:
        return (_ops.bitwise_right_shift(other, self) if _bitwise_operand(other)
                else NotImplemented)

    def __irshift__(self, other: Any) -> Self:
        return self.bitwise_right_shift_(other) if _bitwise_operand(other) else NotImplemented

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ops.eq(self, other) if _compares_with(other) else NotImplemented

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ops.ne(self, other) if _compares_with(other) else NotImplemented

    def __lt__(self, other: Any) -> Tensor:
        return _ops.lt(self, other) if _compares_with(other) else NotImplemented

    def __le__(self, other: Any) -> Tensor:
        return _ops.le(self, other) if _compares_with(other) else NotImplemented

    def __gt__(self, other: Any) -> Tensor:
        return _ops.gt(self, other) if _compares_with(other) else NotImplemented

    def __ge__(self, other: Any) -> Tensor:
        return _ops.ge(self, other) if _compares_with(other) else NotImplemented

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.getitem(self, index)


def _compares_with(other: Any) -> bool:
    """Whether a comparison operator takes `other`. Else Python decides, as for a torch
    tensor: `t == [1, 2]` and `t == None` are False, `t < [1, 2]` a TypeError."""
    return isinstance(other, (Tensor, int, float, complex, np.ndarray, np.generic))


def _bitwise_operand(other: Any) -> bool:
    """Whether a bitwise operator takes `other` (else Python raises its own TypeError)."""
    return isinstance(other, (Tensor, int, float, np.generic))


# ---------------------------------------------------------------- op functions as methods
class _BoundOp:
    """An op function bound to a tensor as its first argument: `x.sum` -> ops.sum(x, ...)."""

    __slots__ = ("_fn", "_self")

    def __init__(self, fn: Any, tensor: Tensor) -> None:
        self._fn = fn
        self._self = tensor

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fn(self._self, *args, **kwargs)


# Filled by tensor.bind_methods(): method name -> op function taking the tensor first.
_METHODS: dict[str, Any] = {}


_DIRECT_OPERATORS = {
    "__add__": "add", "__sub__": "sub", "__mul__": "mul", "__truediv__": "div",
    "__pow__": "pow", "__neg__": "neg",
}  # (not __matmul__: `x @ 2` returns NotImplemented, for Python's TypeError, as in PyTorch)


def _as_method(fn: Any) -> Any:
    if isinstance(fn, types.FunctionType):
        return fn  # a plain function binds as a method itself: one call frame fewer per op

    def method(self, *args: Any, **kwargs: Any) -> Any:
        return fn(self, *args, **kwargs)

    method.__name__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method
