"""Running (scan) ops along a dim: cumprod, cummax, cummin, logcumsumexp, and diff.

cummax/cummin find their indices on arrays and gather the values, and logcumsumexp and diff
are compositions of differentiable ops, so all are differentiable to any order. cumprod is
one node whose gradient is exact with zeros in the input (no division by x).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.grad_mode import no_grad
from autograd_core.ops._fn_factory import register_formula
from autograd_core.ops._util import norm_dim, return_type
from autograd_core.ops.conversion import cast
from autograd_core.tensor import Tensor

__all__ = ["cummax", "cummin", "cumprod", "diff", "logcumsumexp"]

CummaxResult = return_type("cummax")
CumminResult = return_type("cummin")


def _cumprod_grad(x: Tensor, y: Tensor, g: Tensor, axis: int) -> Tensor:
    """d/dx_i sum_j g_j y_j = P_{i-1} S_i with P the exclusive running product and
    S_i = g_i + x_{i+1} S_{i+1}: exact even where x has zeros. Written with Tensor ops."""
    from autograd_core.ops.join import stack
    from autograd_core.ops.shape import movedim

    xs, ys, gs = (movedim(t, axis, 0) for t in (x, y, g))
    n = xs.shape[0]
    s = [gs[n - 1]]
    for i in range(n - 2, -1, -1):
        s.append(gs[i] + xs[i + 1] * s[-1])
    s.reverse()
    out = [s[0]] + [ys[i - 1] * s[i] for i in range(1, n)]
    return movedim(stack(out, 0), 0, axis)


class CumProd(Function):
    """y_i = x_0 x_1 ... x_i along `axis`"""

    @staticmethod
    def forward(ctx, x, axis=0):
        ctx.axis = axis
        y = get_array_module(x).cumprod(x, axis=axis)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        if x.shape[ctx.axis] == 0:
            return g
        with no_grad():
            return _cumprod_grad(Tensor._make(x), Tensor._make(y), Tensor._make(g),
                                 ctx.axis)._data


def _cumprod_formula(ctx, g):
    x, y = ctx.saved
    if x.shape[ctx.axis] == 0:
        return g
    return _cumprod_grad(ctx.input(0, x), ctx.output(y), g, ctx.axis)


register_formula(CumProd, _cumprod_formula)


def _scan_dtype(input: Tensor, dtype: Any) -> Tensor:
    if dtype is not None:
        return cast(input, dtype)
    if input._data.dtype.kind in "biu":
        return cast(input, dtypes.int64)
    return input


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running product along `dim`; bool and int tensors give int64."""
    input = _scan_dtype(input, dtype)
    if input.ndim == 0:
        return input * 1
    return CumProd.apply(input, axis=norm_dim(dim, input.ndim, "cumprod"))


def _running_index(data: Any, axis: int, larger: bool) -> Any:
    """The index of the running max (min) along axis; ties and NaN take the latest, as
    PyTorch's kernel (`x >= best` replaces)."""
    xp = get_array_module(data)
    moved = xp.moveaxis(data, axis, 0)
    idx = xp.zeros(moved.shape, dtype=np.int64)
    best = moved[0].copy()
    cur = xp.zeros(moved.shape[1:], dtype=np.int64)
    with np.errstate(invalid="ignore"):
        for i in range(moved.shape[0]):
            v = moved[i]
            take = (v >= best) if larger else (v <= best)
            if data.dtype.kind in "fc":  # a NaN wins and then stays (PyTorch's order)
                take = xp.isnan(v) | (take & ~xp.isnan(best)) | (i == 0)
            best = xp.where(take, v, best)
            cur = xp.where(take, i, cur)
            idx[i] = cur
    return xp.moveaxis(idx, 0, axis)


def _cum_extreme(input: Tensor, dim: int, larger: bool, op: str) -> Any:
    from autograd_core.ops.gather import gather

    result = CummaxResult if larger else CumminResult
    axis = norm_dim(dim, input.ndim, op)
    xp = get_array_module(input._data)
    if input.ndim == 0 or input._data.shape[axis] == 0:
        return result(input * 1, Tensor._make(xp.zeros(input._data.shape, dtype=np.int64)))
    idx = Tensor._make(_running_index(input._data, axis, larger))
    return result(gather(input, axis, idx), idx)


def cummax(input: Tensor, dim: int) -> Any:
    """(values, indices) of the running maximum along `dim`."""
    return _cum_extreme(input, dim, True, "cummax")


def cummin(input: Tensor, dim: int) -> Any:
    """(values, indices) of the running minimum along `dim`."""
    return _cum_extreme(input, dim, False, "cummin")


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """log(cumsum(exp(x))) along `dim`, shifted by the (constant) max for range."""
    from autograd_core.ops.reduction import cumsum
    from autograd_core.ops.unary import exp, log

    if input._data.dtype.kind not in "fc":
        input = cast(input, dtypes.default.value)
    axis = norm_dim(dim, input.ndim, "logcumsumexp")
    if input.ndim == 0 or input._data.size == 0:
        return input * 1
    xp = get_array_module(input._data)
    m = xp.max(input._data, axis=axis, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)  # all -inf (or inf) along the dim: no shift
    shift = Tensor._make(m)
    with np.errstate(divide="ignore"):
        return log(cumsum(exp(input - shift), axis)) + shift


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """The n-th forward difference along `dim` (bool: logical xor), with optional
    prepend/append joined first."""
    from autograd_core.ops.join import cat
    from autograd_core.ops.logic import logical_xor
    from autograd_core.ops.shape import narrow

    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    axis = norm_dim(dim, input.ndim, "diff")
    parts = [t for t in (prepend, input, append) if t is not None]
    x = cat(parts, axis) if len(parts) > 1 else input
    for _ in range(n):
        size = x.shape[axis]
        if size == 0:
            break
        hi, lo = narrow(x, axis, 1, size - 1), narrow(x, axis, 0, size - 1)
        x = logical_xor(hi, lo) if x._data.dtype.kind == "b" else hi - lo
    return x
