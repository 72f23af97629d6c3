"""Reductions over dims (`dim` int or tuple, negative allowed, `keepdim`)."""

from __future__ import annotations

from typing import Any

from autograd_core import dtypes
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import keep_dims, norm_dim, norm_dims, scalar_type_name
from autograd_core.ops.conversion import cast
from autograd_core.ops.shape import Reshape
from autograd_core.tensor import Tensor

__all__ = ["all", "any", "cumsum", "mean", "prod", "sum"]


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
        dt = dtypes.to_dtype(dtype)
        if dt.kind not in "fc":
            raise RuntimeError("mean(): could not infer output dtype. Optional dtype must be "
                               f"either a floating point or complex dtype. Got: {_type_name(dt)}")
        input = cast(input, dt)
    elif input._data.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_type_name(input._data.dtype)}"
        )
    return Mean.apply(input, axes=norm_dims(dim, input.ndim, "mean"), keepdim=keepdim)


def _type_name(dt: Any) -> str:
    return scalar_type_name(dt)



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
        if x.size == 0:  # the exclusive products below would pad an empty axis to length 1
            return xp.zeros_like(x)
        xm = x.reshape(-1) if axis is None else xp.moveaxis(x, axis, -1)
        ones = xp.ones((*xm.shape[:-1], 1), dtype=x.dtype)
        left = xp.cumprod(xp.concatenate([ones, xm[..., :-1]], axis=-1), axis=-1)
        right = xp.cumprod(xp.concatenate([ones, xm[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        others = left * right  # the product of every element but this one
        others = others.reshape(x.shape) if axis is None else xp.moveaxis(others, -1, axis)
        axes = None if axis is None else (axis,)
        return keep_dims(g, x.ndim, axes, keepdim) * others


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
