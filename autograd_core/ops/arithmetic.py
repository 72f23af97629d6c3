"""Binary arithmetic with broadcasting and PyTorch's type promotion: add, sub, mul, div, pow,
floor_divide, remainder, fmod, maximum, minimum."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._operands import _binary, _prepare, _shape
from autograd_core.ops._util import sum_to
from autograd_core.tensor import Tensor

__all__ = [
    "add", "div", "divide", "floor_divide", "fmod", "maximum", "minimum", "mul", "multiply", "pow",
    "remainder", "sub", "subtract", "true_divide",
]


class Add(Function):
    """z = a + b"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (getattr(a, "shape", ()), getattr(b, "shape", ()))
        return a + b

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        shape = g.shape  # inputs of the output's shape take g as it is (no sum_to call)
        return ((g if sa == shape else sum_to(g, sa)) if na else None,
                (g if sb == shape else sum_to(g, sb)) if nb else None)


class Sub(Function):
    """z = a - b"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (getattr(a, "shape", ()), getattr(b, "shape", ()))
        return a - b

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        shape = g.shape
        return ((g if sa == shape else sum_to(g, sa)) if na else None,
                (-g if sb == shape else sum_to(-g, sb)) if nb else None)


class Mul(Function):
    """z = a * b"""

    @staticmethod
    def forward(ctx, a, b):
        na, nb = _needs(ctx)
        # As PyTorch: a is kept only for b's gradient and b only for a's, so an input that is
        # not needed (`h * 2`, `h * mask`) may be freed, or written in place, before backward.
        ctx.save_for_backward(a if nb else None, b if na else None)
        ctx.shapes = (getattr(a, "shape", ()), getattr(b, "shape", ()))
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        sa, sb = ctx.shapes
        ga = gb = None
        if na:
            ga = g * b
            if ga.shape != sa:
                ga = sum_to(ga, sa)
        if nb:
            gb = g * a
            if gb.shape != sb:
                gb = sum_to(gb, sb)
        return ga, gb


class Div(Function):
    """z = a / b"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if _needs(ctx)[1] else None, b)  # a only for b's gradient
        ctx.shapes = (getattr(a, "shape", ()), getattr(b, "shape", ()))
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        sa, sb = ctx.shapes
        ga = sum_to(g / b, sa) if na else None
        gb = sum_to(-g * a / (b * b), sb) if nb else None
        return ga, gb


def _needs(ctx) -> tuple:
    """Which inputs need a gradient, known before forward on Function.apply's fast path."""
    try:
        return ctx.needs_input_grad
    except AttributeError:  # a node built elsewhere: keep everything
        return (True, True)


class Pow(Function):
    """z = a ** b"""

    @staticmethod
    def forward(ctx, a, b):
        xp = get_array_module(a if hasattr(a, "shape") else b)
        y = _int_power(xp, a, b) if _integer_pow(a, b) else xp.power(a, b)
        # y is read only for b's gradient: kept only when b needs one (as in PyTorch).
        ctx.save_for_backward(a, b, y if _needs(ctx)[1] else None)
        return y

    @staticmethod
    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = gb = None
        if na:
            if isinstance(b, (int, float)) and b == 2:
                ga = g * (a * 2)
            else:
                xp = get_array_module(a)
                ga = sum_to(g * b * xp.power(a, b - 1), _shape(a))
        if nb:
            # d/db a^b = a^b log a, taken as 0 where a == 0 (PyTorch's convention).
            log_a = _log_base(a)
            gb = sum_to(g * y * log_a, _shape(b))
        return ga, gb


def _integer_pow(a: Any, b: Any) -> bool:
    return (a if hasattr(a, "dtype") else b).dtype.kind in "iu"


def _int_power(xp: Any, a: Any, b: Any) -> Any:
    """Integer a ** b as PyTorch computes it: a negative exponent gives 1 / a**|b| truncated
    (1 for a == 1, +-1 for a == -1, else 0), where numpy raises; a negative Python number as
    the exponent is refused, as in PyTorch."""
    if not hasattr(b, "dtype"):
        if b < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return xp.power(a, b)
    neg = b < 0
    if not neg.any():
        return xp.power(a, b)
    y = xp.power(a, xp.where(neg, 0, b))
    odd = (b % 2).astype(bool)
    reciprocal = xp.where(a == 1, 1, xp.where(a == -1, xp.where(odd, -1, 1), 0))
    return xp.where(neg, reciprocal, y).astype(y.dtype, copy=False)


def _log_base(a: Any) -> Any:
    """log a, 0 where a == 0; a python scalar base stays on the host (cupy wants arrays)."""
    if isinstance(a, (int, float)):
        return math.log(a) if a > 0 else (0.0 if a == 0 else math.nan)
    xp = get_array_module(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        return xp.where(a == 0, 0, xp.log(xp.where(a == 0, 1, a)))


def _integer_division(ufunc: str, a: Any, b: Any) -> Any:
    """`ufunc(a, b)` with PyTorch's integer rule: a zero divisor raises, it is not 0.

    Float division by zero gives inf/nan as in PyTorch, without numpy's warning.
    """
    xp = get_array_module(a if hasattr(a, "shape") else b)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = getattr(xp, ufunc)(a, b)
    # A non-empty output used every divisor element (broadcasting only repeats them).
    if out.dtype.kind in "iu" and out.size and bool((xp.asarray(b) == 0).any()):
        raise RuntimeError("ZeroDivisionError")
    return out


class FloorDivide(Function):
    """z = floor(a / b): piecewise constant, so a zero gradient (PyTorch's rule for floats)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (_shape(a), _shape(b))
        return _integer_division("floor_divide", a, b)

    @staticmethod
    def backward(ctx, g):
        xp = get_array_module(g)
        na, nb = ctx.needs_input_grad
        sa, sb = ctx.shapes
        return (xp.zeros(sa, g.dtype) if na else None), (xp.zeros(sb, g.dtype) if nb else None)


class TruncDivide(Function):
    """z = trunc(a / b) for integers (exact, unlike a float division), not differentiable"""

    differentiable = False

    @staticmethod
    def forward(ctx, a, b):
        q = _integer_division("floor_divide", a, b)
        xp = get_array_module(q)
        # floor and trunc differ where the division is inexact and the signs differ.
        fix = (xp.remainder(a, b) != 0) & ((xp.asarray(a) < 0) != (xp.asarray(b) < 0))
        return q + fix.astype(q.dtype)


class Remainder(Function):
    """z = a - floor(a / b) * b (Python's sign convention, like torch.remainder)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _integer_division("remainder", a, b)

    @staticmethod
    def backward(ctx, g):
        return _mod_grads(ctx, g, get_array_module(g).floor_divide)


def _mod_grads(ctx: Any, g: Any, quotient: Any) -> tuple:
    """Grads of z = a - quotient(a, b) * b: the quotient is piecewise constant."""
    a, b = ctx.saved_tensors
    na, nb = ctx.needs_input_grad
    gb = sum_to(-g * quotient(a, b), _shape(b)) if nb else None
    return (sum_to(g, _shape(a)) if na else None), gb


class Maximum(Function):
    """z = max(a, b); ties split the gradient equally, as PyTorch does"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return get_array_module(a).maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _minmax_grads(ctx, g, a > b, a == b, a, b)


class Minimum(Function):
    """z = min(a, b)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return get_array_module(a).minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _minmax_grads(ctx, g, a < b, a == b, a, b)


def _minmax_grads(ctx, g, wins, ties, a, b):
    half = g.dtype.type(0.5)
    wa = wins + ties * half
    na, nb = ctx.needs_input_grad
    ga = sum_to(g * wa.astype(g.dtype, copy=False), _shape(a)) if na else None
    gb = sum_to(g * (1 - wa).astype(g.dtype, copy=False), _shape(b)) if nb else None
    return ga, gb


def add(input: Any, other: Any, alpha: Any = 1) -> Tensor:
    """input + alpha * other, broadcast."""
    if alpha != 1:
        other = mul(other, alpha)
    return _binary(Add, input, other, "add")


def sub(input: Any, other: Any, alpha: Any = 1) -> Tensor:
    """input - alpha * other, broadcast."""
    if ((isinstance(input, Tensor) and input._data.dtype.kind == "b")
            or (isinstance(other, Tensor) and other._data.dtype.kind == "b")):
        _bool_sub_error(input, other)
    if alpha != 1:
        other = mul(other, alpha)
    return _binary(Sub, input, other, "sub")


subtract = sub


def _bool_sub_error(a: Any, b: Any) -> None:
    """PyTorch refuses `-` on bool tensors (numpy would compute it as int or raise TypeError)."""
    if all(isinstance(x, Tensor) and x._data.dtype.kind == "b" for x in (a, b)):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                       "If you are trying to invert a mask, use the `~` or `logical_not()` "
                       "operator instead.")


def mul(input: Any, other: Any) -> Tensor:
    return _binary(Mul, input, other, "mul")


multiply = mul


def div(input: Any, other: Any, rounding_mode: str | None = None) -> Tensor:
    """True division (int / int gives float); rounding_mode 'floor' or 'trunc'.

    With a rounding mode, integer operands give an integer result (and a zero divisor
    raises), as in PyTorch.
    """
    if rounding_mode == "floor":
        return _binary_int(FloorDivide, input, other, "div_floor", "div")
    if rounding_mode is not None and rounding_mode != "trunc":
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    if rounding_mode == "trunc":
        a, b = _prepare(input, other, "div")
        if _dtype_of(a, b).kind not in "fc":
            return _binary_int(TruncDivide, a, b, "div_trunc", "div")
    out = _binary(Div, input, other, "div", true_div=True)
    if rounding_mode == "trunc":
        from autograd_core.ops.piecewise import trunc  # piecewise imports this module

        return trunc(out)
    return out


def _dtype_of(a: Any, b: Any) -> Any:
    """The (already promoted) dtype of a pair of operands, one of them a tensor."""
    return (a if isinstance(a, Tensor) else b)._data.dtype


def _binary_int(cls: type, a: Any, b: Any, kernel: str, op: str) -> Tensor:
    """A division-like op `op`, which PyTorch has no kernel for on bool results."""
    a, b = _prepare(a, b, op)
    dt = _dtype_of(a, b)
    if dt.kind == "b":
        t = a if isinstance(a, Tensor) else b
        dev = "cuda" if t.device.type == "cuda" else "cpu"
        raise NotImplementedError(f'"{kernel}_{dev}" not implemented for \'Bool\'')
    return _binary(cls, a, b, op)


divide = true_divide = div


def pow(input: Any, exponent: Any) -> Tensor:
    return _binary(Pow, input, exponent, "pow")


def floor_divide(input: Any, other: Any) -> Tensor:
    return _binary_int(FloorDivide, input, other, "div_floor", "floor_divide")


def remainder(input: Any, other: Any) -> Tensor:
    return _binary_int(Remainder, input, other, "remainder", "remainder")


class Fmod(Function):
    """z = a - trunc(a / b) * b (C's sign convention, like torch.fmod)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _integer_division("fmod", a, b)

    @staticmethod
    def backward(ctx, g):
        trunc_ = get_array_module(g).trunc
        return _mod_grads(ctx, g, lambda a, b: trunc_(a / b))


def fmod(input: Any, other: Any) -> Tensor:
    return _binary_int(Fmod, input, other, "fmod", "fmod")


def maximum(input: Tensor, other: Tensor) -> Tensor:
    return _binary(Maximum, input, other, "maximum")


def minimum(input: Tensor, other: Tensor) -> Tensor:
    return _binary(Minimum, input, other, "minimum")
