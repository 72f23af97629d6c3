"""Indexing along one dim by an index tensor: gather, scatter, scatter_add, index_select,
take_along_dim (repeated indices accumulate in the gradients)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.backend import get_array_module, host_checks
from autograd_core.function import Function
from autograd_core.ops._util import norm_dim, shape_str
from autograd_core.ops.indexing import GetItem, Index
from autograd_core.tensor import Tensor

__all__ = ["gather", "index_select", "scatter", "scatter_add", "take_along_dim"]


def _along(idx: Any, axis: int) -> tuple:
    """The full advanced index that picks idx[..] along `axis` and i along every other axis."""
    xp = get_array_module(idx)
    nd = idx.ndim
    return tuple(idx if d == axis else
                 xp.arange(n).reshape((1,) * d + (n,) + (1,) * (nd - d - 1))
                 for d, n in enumerate(idx.shape))


class Gather(Index):
    """y[i][j] = x[index[i][j]][j] (dim 0; likewise along any dim)"""

    @staticmethod
    def forward(ctx, x, index=None, axis=0):
        # x indexed by the full advanced index: Index's backward (repeats accumulate) as is.
        return Index.forward(ctx, x, index=_along(index, axis))


def _check_index(index: Any, op: str) -> Any:
    if not isinstance(index, Tensor) or index._data.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int64 for index")
    return index._data


def _same_device(input: Tensor, index: Any, op: str) -> None:
    """PyTorch's error for an index on another device (cupy would raise a bare TypeError)."""
    if isinstance(index, Tensor) and type(index._data) is not type(input._data):
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            f"{input.device} and {index.device}! (when checking argument index in {op})")


def _check_along(input: Tensor, dim: int, index: Tensor, op: str) -> tuple[int, Any]:
    """PyTorch's gather/scatter rules: same ndim, index no larger off dim, indices in range."""
    axis = norm_dim(dim, input.ndim, op)
    _same_device(input, index, op)
    idx = _check_index(index, op)
    if idx.ndim != max(input.ndim, 1) and not (idx.ndim == 0 and input.ndim == 0):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as input "
                           f"tensor ({op}: index {shape_str(idx.shape)}, input "
                           f"{shape_str(input.shape)})")
    for d, (a, b) in enumerate(zip(idx.shape, input._data.shape)):
        if d != axis and a > b:
            raise RuntimeError(f"Size does not match at dimension {d} expected index "
                               f"{shape_str(idx.shape)} to be no larger than self "
                               f"{shape_str(input.shape)} apart from dimension {axis}")
    n = input._data.shape[axis] if input.ndim else 1
    if idx.size and host_checks(idx) and (int(idx.min()) < 0 or int(idx.max()) >= n):  # sync
        # PyTorch refuses negative indices here (numpy would wrap them silently).
        bad = idx[(idx < 0) | (idx >= n)].reshape(-1)[0]
        raise RuntimeError(f"index {int(bad)} is out of bounds for dimension {axis} with size "
                           f"{n}")
    return axis, idx


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """Pick values along `dim` by `index` (same ndim as input).

    Example:
        >>> gather(tensor([[1., 2.], [3., 4.]]), 1, tensor([[0, 0], [1, 0]]))
        tensor([[1., 1.], [4., 3.]])
    """
    axis, idx = _check_along(input, dim, index, "gather")
    return GetItem.apply(input, index=()) if input.ndim == 0 else \
        Gather.apply(input, index=idx, axis=axis)



class IndexSelect(Function):
    """y = x with axis `dim` indexed by a 1-D index (repeats accumulate in the gradient)"""

    @staticmethod
    def forward(ctx, x, index=None, axis=0):
        ctx.meta_ = (x.shape, index, axis)
        return get_array_module(x).take(x, index, axis=axis)

    @staticmethod
    def backward(ctx, g):
        shape, index, axis = ctx.meta_
        xp = get_array_module(g)
        gx = xp.zeros(shape, dtype=g.dtype)
        xp.add.at(xp.moveaxis(gx, axis, 0), index, xp.moveaxis(g, axis, 0))
        return gx


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries `index` (1-D) of `dim`."""
    axis = norm_dim(dim, input.ndim, "index_select")
    idx = _check_index(index, "index_select")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    n = input._data.shape[axis] if input.ndim else 1
    if idx.size and host_checks(idx) and (int(idx.min()) < 0 or int(idx.max()) >= n):  # sync
        # Negative indices too, as in PyTorch (numpy would wrap them silently).
        raise IndexError(f"index_select(): index out of range in self (dimension {axis} has "
                         f"size {n})")
    if input.ndim == 0:
        return GetItem.apply(input, index=())
    return IndexSelect.apply(input, index=idx.reshape(-1), axis=axis)


class Scatter(Function):
    """y = x with y[index[i][j]][j] = src[i][j] (dim 0; likewise along any dim)"""

    @staticmethod
    def forward(ctx, x, src, index=None, axis=0, add=False):
        full = _along(index, axis)
        ctx.meta_ = (full, getattr(src, "shape", ()), add)
        y = x.copy()
        part = src[tuple(slice(0, n) for n in index.shape)] if hasattr(src, "shape") \
            and src.ndim else src
        if add:
            get_array_module(x).add.at(y, full, part)
        else:
            y[full] = part
        return y

    @staticmethod
    def backward(ctx, g):
        full, sshape, add = ctx.meta_
        nx, ns = ctx.needs_input_grad
        xp = get_array_module(g)
        gx = gs = None
        if nx:
            gx = g
            if not add:
                gx = g.copy()
                gx[full] = 0
        if ns and not sshape:  # a scalar value written everywhere index points
            gs = g[full].sum()
        elif ns:
            gs = xp.zeros(sshape, dtype=g.dtype)
            gs[tuple(slice(0, n) for n in g[full].shape)] = g[full]
        return gx, gs


def _scatter(input: Tensor, dim: int, index: Tensor, src: Any, add: bool, op: str) -> Tensor:
    axis, idx = _check_along(input, dim, index, op)
    if not isinstance(src, Tensor):
        src = Tensor._make(get_array_module(input._data).asarray(src, dtype=input.dtype))
    elif src._data.dtype != input._data.dtype:  # numpy would cast src silently
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    elif src.ndim and any(a > b for a, b in zip(idx.shape, src._data.shape)):
        raise RuntimeError(f"{op}(): Expected index {shape_str(idx.shape)} to be no larger "
                           f"than src {shape_str(src.shape)}")
    return Scatter.apply(input, src, index=idx, axis=axis, add=add)


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *,
            value: Any = None, reduce: str | None = None) -> Tensor:
    """A copy of input with src (or a scalar value) written at `index` along `dim`;
    reduce='add' / 'multiply' combines instead of writing (PyTorch's older form)."""
    if reduce is not None:
        from autograd_core.ops.index_more import scatter_reduce

        if reduce not in ("add", "multiply"):
            raise RuntimeError(f"reduce argument must be either add or multiply. Got {reduce}")
        s = value if src is None else src
        if not isinstance(s, Tensor):
            s = Tensor._make(get_array_module(input._data).full(
                index._data.shape, s, dtype=input._data.dtype))
        return scatter_reduce(input, dim, index, s, "sum" if reduce == "add" else "prod")
    return _scatter(input, dim, index, value if src is None else src, False, "scatter")


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of input with src added at `index` along `dim` (repeats accumulate)."""
    return _scatter(input, dim, index, src, True, "scatter_add")


def _wrap_negative(index: Tensor, n: int) -> Tensor:
    idx = _check_index(index, "take_along_dim")
    xp = get_array_module(idx)
    return Tensor._make(xp.where(idx < 0, idx + n, idx))


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """gather with broadcasting of the non-`dim` sizes; dim None works on the flattened input."""
    # Unlike gather, PyTorch's take_along_dim counts negative indices from the end.
    if dim is None:
        from autograd_core.ops.shape import reshape

        flat = reshape(input, -1)
        return gather(flat, 0, _wrap_negative(reshape(indices, -1), flat._data.shape[0]))
    axis = norm_dim(dim, input.ndim, "take_along_dim")
    indices = _wrap_negative(indices, input._data.shape[axis])
    _same_device(input, indices, "take_along_dim")
    xp = get_array_module(input._data)
    ishape, jshape = list(input._data.shape), list(indices._data.shape)
    ishape[axis] = jshape[axis] = 1
    target = np.broadcast_shapes(tuple(ishape), tuple(jshape))  # host shapes (not in cupy)
    from autograd_core.ops.shape import expand

    xi = expand(input, (*target[:axis], input.shape[axis], *target[axis + 1:]))
    idx = Tensor._make(xp.broadcast_to(indices._data,
                                       (*target[:axis], indices.shape[axis], *target[axis + 1:])))
    return gather(xi, axis, idx)
