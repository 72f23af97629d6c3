"""Comparisons, logical ops and isnan/isinf/isfinite (boolean, never differentiable), and
where, which picks elementwise between two operands."""

from __future__ import annotations

from typing import Any

from autograd_core import dtypes
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._operands import _broadcast_error, _like, _prepare, _shape
from autograd_core.ops._util import scalar_type_name, shape_str, sum_to
from autograd_core.ops.conversion import cast
from autograd_core.tensor import Tensor

__all__ = [
    "eq", "ge", "greater", "greater_equal", "gt", "isfinite", "isinf", "isnan", "le", "less",
    "less_equal", "logical_and", "logical_not", "logical_or", "logical_xor", "lt", "ne",
    "not_equal", "where",
]


class _Compare(Function):
    """Boolean result of a comparison ufunc; never differentiable."""

    differentiable = False
    ufunc = "equal"

    @classmethod
    def forward(cls, ctx, a, b):
        xp = get_array_module(a if hasattr(a, "shape") else b)
        return getattr(xp, cls.ufunc)(a, b)


def _compare_class(name: str, ufunc: str) -> type:
    return type(name, (_Compare,), {"ufunc": ufunc, "__doc__": f"z = {ufunc}(a, b)"})


Eq = _compare_class("Eq", "equal")
Ne = _compare_class("Ne", "not_equal")
Lt = _compare_class("Lt", "less")
Le = _compare_class("Le", "less_equal")
Gt = _compare_class("Gt", "greater")
Ge = _compare_class("Ge", "greater_equal")
LogicalAnd = _compare_class("LogicalAnd", "logical_and")
LogicalOr = _compare_class("LogicalOr", "logical_or")
LogicalXor = _compare_class("LogicalXor", "logical_xor")


def _cmp(cls: type, a: Any, b: Any, op: str) -> Tensor:
    a, b = _prepare(a, b, op)  # raises TypeError when neither is a tensor
    try:
        return cls.apply(a, b)
    except ValueError as exc:
        raise _broadcast_error(op, a, b) from exc


def eq(input: Any, other: Any) -> Tensor:
    return _cmp(Eq, input, other, "eq")


def ne(input: Any, other: Any) -> Tensor:
    return _cmp(Ne, input, other, "ne")


def lt(input: Any, other: Any) -> Tensor:
    return _cmp(Lt, input, other, "lt")


def le(input: Any, other: Any) -> Tensor:
    return _cmp(Le, input, other, "le")


def gt(input: Any, other: Any) -> Tensor:
    return _cmp(Gt, input, other, "gt")


def ge(input: Any, other: Any) -> Tensor:
    return _cmp(Ge, input, other, "ge")


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def logical_and(input: Any, other: Any) -> Tensor:
    return _cmp(LogicalAnd, input, other, "logical_and")


def logical_or(input: Any, other: Any) -> Tensor:
    return _cmp(LogicalOr, input, other, "logical_or")


def logical_xor(input: Any, other: Any) -> Tensor:
    return _cmp(LogicalXor, input, other, "logical_xor")


class _Predicate(Function):
    """Boolean elementwise test of one tensor."""

    differentiable = False
    ufunc = "isnan"

    @classmethod
    def forward(cls, ctx, x):
        return getattr(get_array_module(x), cls.ufunc)(x)


LogicalNot = type("LogicalNot", (_Predicate,), {"ufunc": "logical_not"})
IsNan = type("IsNan", (_Predicate,), {"ufunc": "isnan"})
IsInf = type("IsInf", (_Predicate,), {"ufunc": "isinf"})
IsFinite = type("IsFinite", (_Predicate,), {"ufunc": "isfinite"})


def logical_not(input: Tensor) -> Tensor:
    return LogicalNot.apply(input)


def isnan(input: Tensor) -> Tensor:
    return IsNan.apply(input)


def isinf(input: Tensor) -> Tensor:
    return IsInf.apply(input)


def isfinite(input: Tensor) -> Tensor:
    return IsFinite.apply(input)


class Where(Function):
    """z = cond ? a : b"""

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond, _shape(a), _shape(b))
        return get_array_module(cond).where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        cond, sa, sb = ctx.saved_tensors
        _, na, nb = ctx.needs_input_grad
        ga = sum_to(g * cond, sa) if na else None
        gb = sum_to(g * ~cond, sb) if nb else None
        return None, ga, gb


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:
    """Elementwise choice; `where(cond)` alone returns the indices of true elements."""
    if input is None and other is None:
        from autograd_core.ops.indexing import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = _like(condition, input)
        input = cast(input, dtypes.result_type(input))
    a, b = _prepare(input, other, "where")
    ref = a if isinstance(a, Tensor) else b
    if not isinstance(a, Tensor):
        a = _like(ref, a)
    if not isinstance(b, Tensor):
        b = _like(ref, b)
    kind = condition._data.dtype
    if kind != dtypes.bool and kind != dtypes.uint8:  # uint8: PyTorch's deprecated mask type
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {scalar_type_name(kind)}")
    cond = condition if kind == dtypes.bool else cast(condition, dtypes.bool)
    try:
        return Where.apply(cond, a, b)
    except ValueError as exc:
        if "broadcast" not in str(exc):
            raise
        shapes = ", ".join(shape_str(t.shape) for t in (cond, a, b))
        raise RuntimeError(f"where: the shapes of condition, input and other ({shapes}) cannot "
                           "be broadcast together") from None
