"""Statistics over dims: var, std (with PyTorch's correction), logsumexp, and vector norms."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import keep_dims, norm_dims
from autograd_core.ops.conversion import cast
from autograd_core.ops.reduction import _count, _type_name
from autograd_core.ops.reduction import sum as _sum
from autograd_core.tensor import Tensor

__all__ = ["logsumexp", "norm", "std", "var"]


def _as_float(input: Tensor, dtype: Any, op: str) -> Tensor:
    """Apply an explicit dtype=; otherwise floating-only reductions refuse integer input."""
    if dtype is not None:
        return cast(input, dtype)
    if input._data.dtype.kind not in "fc":
        if op in ("var", "std"):  # PyTorch's words for each
            raise RuntimeError("std and var only support floating point and complex dtypes")
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                           f"{_type_name(input._data.dtype)}")
    return input


def _deviations(x: Any, axes: tuple | None, correction: int, keepdim: bool) -> tuple:
    """x minus its mean, the divisor N - correction, and the variance (Var and Std)."""
    d = x - x.mean(axis=axes, keepdims=True)
    denom = max(_count(x.shape, axes) - correction, 0)
    with np.errstate(divide="ignore", invalid="ignore"):  # denom 0 gives inf/nan, as PyTorch
        return d, denom, (d * d).sum(axis=axes, keepdims=keepdim) / x.dtype.type(denom)


class Var(Function):
    """y = sum((x - mean x)^2) / (N - correction)"""

    @staticmethod
    def forward(ctx, x, axes=None, correction=1, keepdim=False):
        d, denom, v = _deviations(x, axes, correction, keepdim)
        ctx.save_for_backward(d)
        ctx.meta_ = (axes, keepdim, denom)
        return v

    @staticmethod
    def backward(ctx, g):
        (d,) = ctx.saved_tensors
        axes, keepdim, denom = ctx.meta_
        scale = g.dtype.type(2) / g.dtype.type(denom)
        return keep_dims(g, d.ndim, axes, keepdim) * d * scale


class Std(Function):
    """y = sqrt(var(x)); the gradient is 0 where y is 0 (PyTorch's convention)"""

    @staticmethod
    def forward(ctx, x, axes=None, correction=1, keepdim=False):
        d, denom, v = _deviations(x, axes, correction, keepdim)
        y = get_array_module(x).sqrt(v)
        ctx.save_for_backward(d, y)
        ctx.meta_ = (axes, keepdim, denom)
        return y

    @staticmethod
    def backward(ctx, g):
        d, y = ctx.saved_tensors
        axes, keepdim, denom = ctx.meta_
        xp = get_array_module(g)
        with np.errstate(divide="ignore", invalid="ignore"):
            gy = xp.where(y == 0, g.dtype.type(0), g / (y * g.dtype.type(denom)))
        return keep_dims(gy, d.ndim, axes, keepdim) * d


def _correction(dim: Any, unbiased: Any, correction: Any) -> tuple[Any, float]:
    """PyTorch's overloads: var(x, unbiased), var(x, dim, unbiased), var(x, dim, correction=)."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if correction is None:
        correction = 0 if unbiased is False else 1
    return dim, correction


def var(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    """Variance over `dim` with Bessel's correction (`correction=1`) by default."""
    dim, c = _correction(dim, unbiased, correction)
    input = _as_float(input, None, "var")
    return Var.apply(input, axes=norm_dims(dim, input.ndim, "var"), correction=c,
                     keepdim=keepdim)


def std(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    """Standard deviation over `dim` (`correction=1` by default, as PyTorch)."""
    dim, c = _correction(dim, unbiased, correction)
    input = _as_float(input, None, "std")
    return Std.apply(input, axes=norm_dims(dim, input.ndim, "std"), correction=c,
                     keepdim=keepdim)


class LogSumExp(Function):
    """y = log sum exp(x), computed as m + log sum exp(x - m) with m = max x"""

    @staticmethod
    def forward(ctx, x, axes=None, keepdim=False):
        xp = get_array_module(x)
        # max has no identity: an empty x shifts by zeros (its sum), and gives log 0 = -inf.
        m = x.max(axis=axes, keepdims=True) if x.size else x.sum(axis=axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, x.dtype.type(0))  # all -inf stays -inf, no NaN
        with np.errstate(divide="ignore"):
            y = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
        ctx.save_for_backward(x, y)
        return y if keepdim else _squeeze(y, axes)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        # y kept its reduced axes, so g (same elements) reshapes onto it and broadcasts.
        return g.reshape(y.shape) * get_array_module(g).exp(x - y)


def _squeeze(y: Any, axes: tuple | None) -> Any:
    return y.reshape(()) if axes is None else y.squeeze(axis=axes)


def logsumexp(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """log(sum(exp(x))) over `dim`, without overflow."""
    input = input if input._data.dtype.kind in "fc" else cast(input, dtypes.default.value)
    dims = norm_dims(dim, input.ndim, "logsumexp")
    return LogSumExp.apply(input, axes=dims, keepdim=keepdim)


class Norm2(Function):
    """y = sqrt(sum x^2) over axes; the gradient is x / y, and 0 where y is 0"""

    @staticmethod
    def forward(ctx, x, axes=None, keepdim=False):
        xp = get_array_module(x)
        y = xp.sqrt((x * x).sum(axis=axes, keepdims=keepdim))
        ctx.save_for_backward(x, y)
        ctx.meta_ = (axes, keepdim)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        axes, keepdim = ctx.meta_
        xp = get_array_module(g)
        with np.errstate(divide="ignore", invalid="ignore"):
            gy = xp.where(y == 0, g.dtype.type(0), g / y)
        return keep_dims(gy, x.ndim, axes, keepdim) * x


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    """The vector p-norm over `dim` (all elements when None): p = 2/'fro', 1, inf, -inf, 0, any.

    Example:
        >>> norm(tensor([3.0, 4.0]))            # tensor(5.)
    """
    from autograd_core.ops.arithmetic import pow as _pow
    from autograd_core.ops.extrema import amax, amin
    from autograd_core.ops.logic import ne
    from autograd_core.ops.unary import abs as _abs

    if p == "nuc":  # the nuclear norm of matrices (the last two dims, or `dim`)
        from autograd_core.ops.linalg_more import matrix_norm

        return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim)
    input = _as_float(input, dtype, "linalg.vector_norm")
    axes = norm_dims(dim, input.ndim, "norm")
    if p in ("fro", 2, 2.0, None):
        return Norm2.apply(input, axes=axes, keepdim=keepdim)
    dims = () if axes is None else axes
    if p == float("inf"):
        return amax(_abs(input), dims, keepdim)
    if p == float("-inf"):
        return amin(_abs(input), dims, keepdim)
    if p == 0:
        return _sum(ne(input, 0), dim=axes, keepdim=keepdim, dtype=input.dtype)
    if p == 1:
        return _sum(_abs(input), dim=axes, keepdim=keepdim)
    if isinstance(p, str):
        raise RuntimeError(f"norm(): unsupported norm type {p!r} for a vector norm")
    return _pow(_sum(_pow(_abs(input), p), dim=axes, keepdim=keepdim), 1.0 / p)
