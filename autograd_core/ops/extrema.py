"""Extrema: amax/amin, max/min (value, or a (values, indices) pair along a dim), argmax/argmin."""

from __future__ import annotations

from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import keep_dims, norm_dim, norm_dims, return_type
from autograd_core.tensor import Tensor

__all__ = ["amax", "amin", "argmax", "argmin", "max", "min"]

# torch.return_types.max / min: unpacks as (values, indices) and has named fields.
MinMaxResult = {"max": return_type("max"), "min": return_type("min")}


class _Extreme(Function):
    """Reduce by max or min; ties share the gradient evenly (PyTorch's amax/amin rule)."""

    reduce = "max"

    @classmethod
    def forward(cls, ctx, x, axes=None, keepdim=False):
        y = getattr(x, cls.reduce)(axis=axes, keepdims=True)
        ctx.save_for_backward(x, y)
        ctx.meta_ = (axes, keepdim)
        return y if keepdim else (y.reshape(()) if axes is None else y.squeeze(axis=axes))

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        axes, keepdim = ctx.meta_
        mask = (x == y).astype(g.dtype)
        count = mask.sum(axis=axes, keepdims=True)
        return keep_dims(g, x.ndim, axes, keepdim) * mask / count


class Amax(_Extreme):
    """y = max of x over axes"""

    reduce = "max"


class Amin(_Extreme):
    """y = min of x over axes"""

    reduce = "min"


def _check_nonempty(input: Tensor, axes: tuple | None, op: str) -> None:
    """PyTorch's refusals of a max/min/arg-extreme over nothing (numpy's say 'zero-size
    array' and name no dim)."""
    if input._data.size:
        return
    if axes is None:
        if op.startswith("arg"):
            raise IndexError(f"{op}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")
    for a in axes:
        if input._data.shape[a] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {a} to have non-zero size.")


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Maximum over `dim` (all dims when empty); ties split the gradient evenly."""
    axes = norm_dims(None if dim == () else dim, input.ndim, "amax")
    _check_nonempty(input, axes, "amax")
    return Amax.apply(input, axes=axes, keepdim=keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Minimum over `dim` (all dims when empty); ties split the gradient evenly."""
    axes = norm_dims(None if dim == () else dim, input.ndim, "amin")
    _check_nonempty(input, axes, "amin")
    return Amin.apply(input, axes=axes, keepdim=keepdim)


class _ExtremeDim(Function):
    """(values, indices) of the max or min along one axis; the gradient goes to the index."""

    pick = "argmax"

    @classmethod
    def forward(cls, ctx, x, axis=0, keepdim=False):
        xp = get_array_module(x)
        idx = xp.expand_dims(getattr(x, cls.pick)(axis=axis), axis)
        values = xp.take_along_axis(x, idx, axis=axis)
        ctx.save_for_backward(idx)
        ctx.meta_ = (x.shape, axis)
        if not keepdim:
            values, idx = values.squeeze(axis), idx.squeeze(axis)
        return values, idx.astype("int64", copy=False)

    @staticmethod
    def backward(ctx, g, _gi):
        (idx,) = ctx.saved_tensors
        shape, axis = ctx.meta_
        xp = get_array_module(g)
        gx = xp.zeros(shape, dtype=g.dtype)
        xp.put_along_axis(gx, idx, g.reshape(idx.shape), axis=axis)
        return gx


class MaxDim(_ExtremeDim):
    """(values, indices) = max of x along a dim"""

    pick = "argmax"


class MinDim(_ExtremeDim):
    """(values, indices) = min of x along a dim"""

    pick = "argmin"


def _extreme(input: Tensor, dim: Any, keepdim: bool, op: str) -> Any:
    if isinstance(dim, Tensor):  # max(a, b): the elementwise binary form
        from autograd_core.ops import arithmetic

        return (arithmetic.maximum if op == "max" else arithmetic.minimum)(input, dim)
    if dim is None:
        axes = None
        _check_nonempty(input, axes, op)
        return (Amax if op == "max" else Amin).apply(input, axes=None, keepdim=False)
    axis = norm_dim(dim, input.ndim, op)
    _check_nonempty(input, (axis,) if input.ndim else None, op)
    if input.ndim == 0:
        from autograd_core.ops.shape import Reshape

        zero = Tensor._make(get_array_module(input._data).zeros((), dtype="int64"))
        return MinMaxResult[op](Reshape.apply(input, shape=()), zero)
    cls = MaxDim if op == "max" else MinDim
    return MinMaxResult[op](*cls.apply(input, axis=axis, keepdim=keepdim))


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """max(x) -> value; max(x, dim) -> (values, indices); max(a, b) -> maximum(a, b)."""
    return _extreme(input, dim, keepdim, "max")


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """min(x) -> value; min(x, dim) -> (values, indices); min(a, b) -> minimum(a, b)."""
    return _extreme(input, dim, keepdim, "min")


class _ArgExtreme(Function):
    """Index of the max or min (flattened when no axis); never differentiable."""

    differentiable = False
    pick = "argmax"

    @classmethod
    def forward(cls, ctx, x, axis=None, keepdim=False):
        idx = getattr(x, cls.pick)(axis=axis, keepdims=keepdim)
        return idx.astype("int64", copy=False)


class ArgMax(_ArgExtreme):
    """i = argmax x"""

    pick = "argmax"


class ArgMin(_ArgExtreme):
    """i = argmin x"""

    pick = "argmin"


def _arg(cls: type, input: Tensor, dim: Any, keepdim: bool, op: str) -> Tensor:
    if input._data.dtype.kind == "b":
        raise RuntimeError(f"{op}(): does not support bool input")
    axis = None if dim is None else norm_dim(dim, input.ndim, op)
    _check_nonempty(input, None if axis is None else (axis,), op)
    if input.ndim == 0:
        axis = None
    return cls.apply(input, axis=axis, keepdim=keepdim)


def argmax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Index of the maximum (of the flattened tensor when dim is None)."""
    return _arg(ArgMax, input, dim, keepdim, "argmax")


def argmin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Index of the minimum (of the flattened tensor when dim is None)."""
    return _arg(ArgMin, input, dim, keepdim, "argmin")
