"""Sorting: sort, argsort, topk and kthvalue along a dim, PyTorch's NaN order (largest).

Each picks elements by a stable argsort; the gradient goes back to the picked positions.
"""

from __future__ import annotations

from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import norm_dim, return_type
from autograd_core.ops.extrema import _check_nonempty
from autograd_core.tensor import Tensor

__all__ = ["argsort", "kthvalue", "sort", "topk"]

# torch.return_types.sort / topk / kthvalue: (values, indices) with named fields.
SortResult = return_type("sort")
TopKResult = return_type("topk")
KthValueResult = return_type("kthvalue")


def _order(xp: Any, x: Any, axis: int, descending: bool) -> Any:
    """A stable argsort along axis. NaN sorts last (numpy), and so first when descending:
    reversing a stable sort of the reversed array keeps ties in index order."""
    if not descending:
        return xp.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    return (n - 1) - xp.flip(xp.argsort(xp.flip(x, axis), axis=axis, kind="stable"), axis)


class _Pick(Function):
    """(values, indices) of elements picked along an axis by sorted order; the gradient goes
    back to the picked positions."""

    @staticmethod
    def backward(ctx, g, _gi=None):
        (idx,) = ctx.saved_tensors
        shape, axis = ctx.meta_
        xp = get_array_module(g)
        gx = xp.zeros(shape, dtype=g.dtype)
        xp.put_along_axis(gx, idx, g.reshape(idx.shape), axis=axis)
        return gx


def _picked(ctx: Any, x: Any, idx: Any, axis: int) -> tuple:
    ctx.save_for_backward(idx)
    ctx.meta_ = (x.shape, axis)
    values = get_array_module(x).take_along_axis(x, idx, axis=axis)
    return values, idx.astype("int64", copy=False)


class Sort(_Pick):
    """(y, i) = x sorted along an axis, and where each element came from"""

    @staticmethod
    def forward(ctx, x, axis=-1, descending=False):
        return _picked(ctx, x, _order(get_array_module(x), x, axis, descending), axis)


class TopK(_Pick):
    """(y, i) = the k largest (or smallest) of x along an axis, in order"""

    @staticmethod
    def forward(ctx, x, k=1, axis=-1, largest=True):
        order = _order(get_array_module(x), x, axis, largest)
        return _picked(ctx, x, order[(slice(None),) * axis + (slice(0, k),)], axis)


class KthValue(_Pick):
    """(y, i) = the k-th smallest of x along an axis"""

    @staticmethod
    def forward(ctx, x, k=1, axis=0, keepdim=False):
        order = _order(get_array_module(x), x, axis, False)
        values, idx = _picked(ctx, x, order[(slice(None),) * axis + (slice(k - 1, k),)], axis)
        return (values, idx) if keepdim else (values.squeeze(axis), idx.squeeze(axis))


def _as_1d(input: Tensor, dim: int, op: str) -> tuple[Tensor, int, bool]:
    """A 0-d input as one element along dim 0 (its results are 0-d again)."""
    axis = norm_dim(dim, input.ndim, op)
    if input.ndim == 0:
        return input.reshape(1), 0, True
    return input, axis, False


def _scalar_results(out: tuple, squeeze: bool) -> tuple:
    return tuple(t.reshape(()) for t in out) if squeeze else out


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    """Values sorted along `dim` and their original indices (ties keep their order).

    Example:
        >>> ag.tensor([3.0, 1.0, 2.0]).sort().indices
        tensor([1, 2, 0])
    """
    x, axis, squeeze = _as_1d(input, dim, "sort")
    return SortResult(*_scalar_results(Sort.apply(x, axis=axis, descending=descending),
                                       squeeze))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort `input` along `dim`."""
    return sort(input, dim, descending, stable).indices


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
    """The k largest (smallest with largest=False) elements along `dim` and their indices."""
    x, axis, squeeze = _as_1d(input, dim, "topk")
    if not 0 <= k <= x._data.shape[axis]:
        raise RuntimeError("selected index k out of range")
    return TopKResult(*_scalar_results(TopK.apply(x, k=k, axis=axis, largest=largest), squeeze))


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """The k-th smallest element along `dim` (k counts from 1) and its index.

    Example:
        >>> ag.tensor([[3.0, 1.0, 2.0]]).kthvalue(2, dim=1).values
        tensor([2.])
    """
    x, axis, squeeze = _as_1d(input, dim, "kthvalue")
    _check_nonempty(x, (axis,), "kthvalue")
    if not 1 <= k <= x._data.shape[axis]:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
    out = KthValue.apply(x, k=k, axis=axis, keepdim=keepdim and not squeeze)
    return KthValueResult(*_scalar_results(out, squeeze))
