"""Reductions over dims (`dim` int or tuple, negative allowed, `keepdim`)."""

from __future__ import annotations

from typing import Any

from autograd_core import dtypes
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import norm_dims
from autograd_core.ops.elementwise import cast
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

