"""Reductions over dims (`dim` int or tuple, negative allowed, `keepdim`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import norm_dim, norm_dims
from autograd_core.ops.elementwise import cast
from autograd_core.ops.shape import Reshape
from autograd_core.tensor import Tensor


def _expand_back(g: Any, shape: tuple, axes: tuple | None, keepdim: bool) -> Any:
    """Broadcast a reduced gradient back over the reduced axes."""
    xp = get_array_module(g)
    if axes is not None and not keepdim:
        g = xp.expand_dims(g, axes)
    return xp.broadcast_to(g, shape)


class Sum(Function):
    """y = sum of x over axes"""

    @staticmethod
    def forward(ctx, x, axes=None, keepdim=False):
        ctx.meta_ = (x.shape, axes, keepdim)
        return x.sum(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        shape, axes, keepdim = ctx.meta_
        return _expand_back(g, shape, axes, keepdim)


class Mean(Function):
    """y = mean of x over axes"""

    @staticmethod
    def forward(ctx, x, axes=None, keepdim=False):
        ctx.meta_ = (x.shape, axes, keepdim)
        return x.mean(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        shape, axes, keepdim = ctx.meta_
        n = _count(shape, axes)
        return _expand_back(g / g.dtype.type(n), shape, axes, keepdim)


def _count(shape: tuple, axes: tuple | None) -> int:
    n = 1
    for i, s in enumerate(shape):
        if axes is None or i in axes:
            n *= s
    return n


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """Sum over `dim` (all dims when None). Bool and int tensors sum to int64."""
    if dtype is not None:
        input = cast(input, dtype)
    elif input._data.dtype.kind in "biu":
        input = cast(input, dtypes.int64)
    return Sum.apply(input, axes=norm_dims(dim, input.ndim, "sum"), keepdim=keepdim)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """Mean over `dim`; integer tensors need an explicit floating dtype, as in PyTorch."""
    if dtype is not None:
        input = cast(input, dtype)
    elif input._data.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_type_name(input._data.dtype)}"
        )
    return Mean.apply(input, axes=norm_dims(dim, input.ndim, "mean"), keepdim=keepdim)


def _type_name(dt: Any) -> str:
    return {"int64": "Long", "int32": "Int", "bool": "Bool"}.get(dt.name, dt.name)



def _kept(g: Any, ndim: int, axes: tuple | None, keepdim: bool) -> Any:
    """A reduced array with its reduced axes present as size 1, so it broadcasts against x."""
    if keepdim:
        return g
    if axes is None:
        return g.reshape((1,) * ndim)
    return get_array_module(g).expand_dims(g, axes)


def _as_float(input: Tensor, dtype: Any, op: str) -> Tensor:
    """Apply an explicit dtype=; otherwise floating-only reductions refuse integer input."""
    if dtype is not None:
        return cast(input, dtype)
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f"{op}(): input dtype should be either floating point or complex. "
                           f"Got {_type_name(input._data.dtype)} instead.")
    return input


class Var(Function):
    """y = sum((x - mean x)^2) / (N - correction)"""

    @staticmethod
    def forward(ctx, x, axes=None, correction=1, keepdim=False):
        d = x - x.mean(axis=axes, keepdims=True)
        denom = max(_count(x.shape, axes) - correction, 0)
        ctx.save_for_backward(d)
        ctx.meta_ = (axes, keepdim, denom)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (d * d).sum(axis=axes, keepdims=keepdim) / x.dtype.type(denom)

    @staticmethod
    def backward(ctx, g):
        (d,) = ctx.saved_tensors
        axes, keepdim, denom = ctx.meta_
        scale = g.dtype.type(2) / g.dtype.type(denom)
        return _kept(g, d.ndim, axes, keepdim) * d * scale


class Std(Function):
    """y = sqrt(var(x)); the gradient is 0 where y is 0 (PyTorch's convention)"""

    @staticmethod
    def forward(ctx, x, axes=None, correction=1, keepdim=False):
        xp = get_array_module(x)
        d = x - x.mean(axis=axes, keepdims=True)
        denom = max(_count(x.shape, axes) - correction, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            y = xp.sqrt((d * d).sum(axis=axes, keepdims=keepdim) / x.dtype.type(denom))
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
        return _kept(gy, d.ndim, axes, keepdim) * d


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


class Prod(Function):
    """y = product of x along one axis (or all); zero-safe gradient via exclusive cumprods"""

    @staticmethod
    def forward(ctx, x, axis=None, keepdim=False):
        ctx.save_for_backward(x)
        ctx.meta_ = (axis, keepdim)
        return x.prod(axis=axis, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        axis, keepdim = ctx.meta_
        xp = get_array_module(x)
        xm = x.reshape(-1) if axis is None else xp.moveaxis(x, axis, -1)
        ones = xp.ones((*xm.shape[:-1], 1), dtype=x.dtype)
        left = xp.cumprod(xp.concatenate([ones, xm[..., :-1]], axis=-1), axis=-1)
        right = xp.cumprod(xp.concatenate([ones, xm[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        others = left * right  # the product of every element but this one
        others = others.reshape(x.shape) if axis is None else xp.moveaxis(others, -1, axis)
        axes = None if axis is None else (axis,)
        return _kept(g, x.ndim, axes, keepdim) * others


def prod(input: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """Product over one dim (all elements when None); bool and int tensors give int64."""
    if dtype is not None:
        input = cast(input, dtype)
    elif input._data.dtype.kind in "biu":
        input = cast(input, dtypes.int64)
    axis = None if dim is None else norm_dim(dim, input.ndim, "prod")
    return Prod.apply(input, axis=axis, keepdim=keepdim)


class CumSum(Function):
    """y_i = sum_{j <= i} x_j along an axis"""

    @staticmethod
    def forward(ctx, x, axis=0):
        ctx.axis = axis
        return get_array_module(x).cumsum(x, axis=axis)

    @staticmethod
    def backward(ctx, g):
        xp = get_array_module(g)
        return xp.flip(xp.cumsum(xp.flip(g, ctx.axis), axis=ctx.axis), ctx.axis)


def cumsum(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """Running sum along `dim`; bool and int tensors give int64."""
    if dtype is not None:
        input = cast(input, dtype)
    elif input._data.dtype.kind in "biu":
        input = cast(input, dtypes.int64)
    if input.ndim == 0:
        return Reshape.apply(input, shape=())
    return CumSum.apply(input, axis=norm_dim(dim, input.ndim, "cumsum"))


class LogSumExp(Function):
    """y = log sum exp(x), computed as m + log sum exp(x - m) with m = max x"""

    @staticmethod
    def forward(ctx, x, axes=None, keepdim=False):
        xp = get_array_module(x)
        m = x.max(axis=axes, keepdims=True)
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
        return _kept(gy, x.ndim, axes, keepdim) * x


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    """The vector p-norm over `dim` (all elements when None): p = 2/'fro', 1, inf, -inf, 0, any.

    Example:
        >>> norm(tensor([3.0, 4.0]))            # tensor(5.)
    """
    from autograd_core.ops import elementwise as ew
    from autograd_core.ops.extrema import amax, amin

    input = _as_float(input, dtype, "linalg.vector_norm")
    axes = norm_dims(dim, input.ndim, "norm")
    if p in ("fro", 2, 2.0, None):
        return Norm2.apply(input, axes=axes, keepdim=keepdim)
    dims = () if axes is None else axes
    if p == float("inf"):
        return amax(ew.abs(input), dims, keepdim)
    if p == float("-inf"):
        return amin(ew.abs(input), dims, keepdim)
    if p == 0:
        return sum(ew.ne(input, 0), dim=axes, keepdim=keepdim, dtype=input.dtype)
    if p == 1:
        return sum(ew.abs(input), dim=axes, keepdim=keepdim)
    if isinstance(p, str):
        raise RuntimeError(f"norm(): unsupported norm type {p!r} for a vector norm")
    return ew.pow(sum(ew.pow(ew.abs(input), p), dim=axes, keepdim=keepdim), 1.0 / p)


class _Test(Function):
    """Boolean reduction (all / any); never differentiable."""

    differentiable = False
    reduce = "all"

    @classmethod
    def forward(cls, ctx, x, axes=None, keepdim=False):
        return getattr(x, cls.reduce)(axis=axes, keepdims=keepdim)


class AllTrue(_Test):
    """y = every element of x over axes is true"""

    reduce = "all"


class AnyTrue(_Test):
    """y = some element of x over axes is true"""

    reduce = "any"


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True where every element over `dim` is nonzero."""
    return AllTrue.apply(input, axes=norm_dims(dim, input.ndim, "all"), keepdim=keepdim)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True where some element over `dim` is nonzero."""
    return AnyTrue.apply(input, axes=norm_dims(dim, input.ndim, "any"), keepdim=keepdim)
