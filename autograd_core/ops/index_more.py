"""Indexed writes and reductions: index_add, index_copy, index_fill, index_put, masked_scatter,
masked_select, scatter_reduce (sum, prod, mean, amax, amin).

Each is a composition of differentiable ops (scatter, scatter_add, where, indexing), so each
has gradients to any order. scatter_reduce's prod multiplies in rounds of scatters (exact with
zeros); amax/amin take their values from a kernel and their gradient from an expression with
the same derivative (`value + (e - e.detach())`): tied winners share it evenly, as PyTorch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.backend import get_array_module
from autograd_core.ops._util import norm_dim, scalar_type_name, shape_str
from autograd_core.ops.gather import scatter, scatter_add
from autograd_core.ops.logic import where
from autograd_core.tensor import Tensor

__all__ = ["index_add", "index_copy", "index_fill", "index_put", "masked_scatter",
           "masked_select", "scatter_reduce"]


def _index_1d(index: Any, op: str) -> Any:
    if not isinstance(index, Tensor) or index._data.dtype.kind not in "iu":
        raise IndexError(f"{op}(): Expected dtype int64 for index")
    if index.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    return index._data.reshape(-1)


def _spread(input: Tensor, dim: int, index: Tensor, source: Tensor, op: str) -> tuple[int, Tensor]:
    """The index along `dim` spread to source's shape (a scatter index), with the checks."""
    axis = norm_dim(dim, input.ndim, op)
    idx = _index_1d(index, op)
    n = source._data.shape[axis] if source.ndim else 1
    if idx.shape[0] != n:
        raise RuntimeError(f"{op}(): Number of indices ({idx.shape[0]}) should be equal to "
                           f"source.size(dim) ({n})")
    size = input._data.shape[axis] if input.ndim else 1
    if idx.size and (int(idx.min()) < -size or int(idx.max()) >= size):
        bad = idx[(idx < -size) | (idx >= size)][0]
        raise IndexError(f"index out of range in self (index {int(bad)} for dim {axis} of size "
                         f"{size})")
    idx = idx % max(size, 1)
    xp = get_array_module(input._data)
    shape = [1] * max(source.ndim, 1)
    shape[axis] = n
    full = xp.broadcast_to(idx.reshape(shape), source._data.shape or (1,)).astype(np.int64)
    return axis, Tensor._make(xp.ascontiguousarray(full))


def _check_same_dtype(input: Tensor, source: Tensor, op: str) -> None:
    if input._data.dtype != source._data.dtype:
        raise RuntimeError(f"{op}(): self ({scalar_type_name(input._data.dtype)}) and source "
                           f"({scalar_type_name(source._data.dtype)}) must have the same "
                           "scalar type")


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *,
              alpha: Any = 1) -> Tensor:
    """input with alpha * source[k] added at input[index[k]] along `dim` (repeats add up)."""
    _check_same_dtype(input, source, "index_add_")
    axis, full = _spread(input, dim, index, source, "index_add")
    src = source if alpha == 1 else source * alpha
    return scatter_add(input, axis, full, src)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """input with source[k] written at input[index[k]] along `dim`."""
    _check_same_dtype(input, source, "index_copy_")
    axis, full = _spread(input, dim, index, source, "index_copy")
    return scatter(input, axis, full, source)


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """input with every slice index[k] along `dim` set to value."""
    from autograd_core.ops.indexing import masked_fill

    axis = norm_dim(dim, input.ndim, "index_fill")
    idx = _index_1d(index, "index_fill")
    xp = get_array_module(input._data)
    size = input._data.shape[axis] if input.ndim else 1
    hit = xp.zeros(size, dtype=bool)
    hit[idx % max(size, 1)] = True
    shape = [1] * input.ndim
    if input.ndim:
        shape[axis] = size
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                         f"tensor with {value.ndim} dimension(s).")
    return masked_fill(input, Tensor._make(hit.reshape(shape)), value)


def index_put(input: Tensor, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
    """input with values written (or added, accumulate=True) at input[indices]."""
    from autograd_core.ops.shape import expand

    if not isinstance(indices, (tuple, list)):
        raise TypeError("index_put(): argument 'indices' (position 1) must be tuple of Tensors, "
                        f"not {type(indices).__name__}")
    index = tuple(indices)
    if not accumulate:
        out = input.clone()
        out[index] = values
        return out
    if not isinstance(values, Tensor):
        values = Tensor._make(get_array_module(input._data).asarray(values,
                                                                    dtype=input._data.dtype))
    # Accumulate through the flat positions the index picks (repeats add up).
    xp = get_array_module(input._data)
    positions = Tensor._make(xp.arange(input._data.size).reshape(input._data.shape))
    flat = positions[index]
    src = expand(values, tuple(flat.shape)).reshape(-1)
    out = index_add(input.reshape(-1), 0, flat.reshape(-1), src)
    return out.reshape(tuple(input.shape))


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements of input (broadcast with mask) where mask is true, as 1-D."""
    from autograd_core.ops.structure import broadcast_tensors

    if not isinstance(mask, Tensor) or mask._data.dtype.kind != "b":
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    x, m = broadcast_tensors(input, mask)
    return x[m.detach()]


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """input with the true positions of mask filled, in order, by source's elements."""
    from autograd_core.ops.shape import reshape

    if not isinstance(mask, Tensor) or mask._data.dtype.kind != "b":
        raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {getattr(mask, 'dtype', type(mask).__name__)}")
    _check_same_dtype(input, source, "masked_scatter_")
    xp = get_array_module(input._data)
    try:
        m = xp.broadcast_to(mask._data, input._data.shape)
    except ValueError:
        raise RuntimeError(f"masked_scatter: mask {shape_str(mask.shape)} cannot be broadcast "
                           f"to input {shape_str(input.shape)}") from None
    count = int(m.sum())
    if count > source._data.size:
        raise RuntimeError("masked_scatter: expected source to have at least as many elements "
                           f"as ones in mask (mask has {count}, source {source._data.size})")
    pos = xp.clip(xp.cumsum(m.reshape(-1)) - 1, 0, None).reshape(m.shape).astype(np.int64)
    flat = reshape(source, (-1,))
    picked = flat[Tensor._make(pos)] if flat.shape[0] else input * 0
    return where(Tensor._make(xp.ascontiguousarray(m)), picked, input)


_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """input with src reduced into the positions index points at along `dim`."""
    from autograd_core.ops.gather import _check_along

    if reduce not in _REDUCES:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    if src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    axis, idx = _check_along(input, dim, index, "scatter_reduce")
    itensor = Tensor._make(idx)
    src = src[tuple(slice(0, n) for n in idx.shape)] if src.ndim else src
    xp = get_array_module(input._data)
    hit = xp.zeros(input._data.shape, dtype=bool)
    hit = scatter(Tensor._make(hit), axis, itensor, True)._data
    base = input if include_self else where(Tensor._make(hit), 0.0, input)
    if reduce == "sum":
        return scatter_add(base, axis, itensor, src)
    if reduce == "mean":
        ones = Tensor._make(xp.ones(idx.shape, dtype=input._data.dtype))
        count = scatter_add(Tensor._make(xp.full(input._data.shape, 1 if include_self else 0,
                                                 dtype=input._data.dtype)), axis, itensor, ones)
        count = Tensor._make(xp.maximum(count._data, 1))
        total = scatter_add(base, axis, itensor, src)
        if input._data.dtype.kind in "iu":
            return total // count
        return where(Tensor._make(hit), total / count, input)
    return _extreme_or_prod(input, base, axis, itensor, src, reduce, include_self, hit)


def _extreme_or_prod(input: Tensor, base: Tensor, axis: int, itensor: Tensor, src: Tensor,
                     reduce: str, include_self: bool, hit: Any) -> Tensor:
    """prod (an honest product of scatters) or amax/amin: the kernel's values, with
    PyTorch's gradient attached (ties share it evenly)."""
    from autograd_core.ops.gather import Scatter, _along

    xp = get_array_module(input._data)
    idx = itensor._data
    full = _along(idx, axis)
    if reduce == "prod":
        return _scatter_prod(base if include_self else where(Tensor._make(hit), 1.0, input),
                             idx, full, src)
    dt = input._data.dtype
    larger = reduce == "amax"
    if dt.kind == "f":
        fill = -xp.inf if larger else xp.inf
    else:
        fill = np.iinfo(dt).min if larger else np.iinfo(dt).max
    start = (input._data.copy() if include_self else xp.where(hit, fill, input._data)).astype(dt)
    (xp.maximum if larger else xp.minimum).at(start, full, src._data)
    value = Tensor._make(start)
    if not (input.requires_grad or src.requires_grad):
        return value
    # Each contributor's derivative is a constant weight (1 / number of tied winners, or 0):
    # an expression sum_e w_e e has exactly those derivatives (and zero second ones).
    win_self = (hit & include_self | ~hit) & (input._data == start)
    win_src = src._data == start[full]
    count = win_self.astype(dt)
    xp.add.at(count, full, win_src.astype(dt))
    count = xp.maximum(count, 1)
    expr = Scatter.apply(input * Tensor._make((win_self / count).astype(dt)),
                         src * Tensor._make((win_src / count[full]).astype(dt)),
                         index=idx, axis=axis, add=True)
    return value + (expr - expr.detach())


def _scatter_prod(base: Tensor, idx: Any, full: tuple, src: Tensor) -> Tensor:
    """base times every src element at its target, as rounds of scatters onto ones (round k
    takes each target's k-th contributor, so no round writes a target twice): an honest
    product, exact with zeros and differentiable to any order."""
    from autograd_core.ops.shape import reshape

    xp = get_array_module(base._data)
    shape = base._data.shape
    lin = xp.ravel_multi_index(tuple(xp.broadcast_to(f, idx.shape) for f in full),
                               shape).reshape(-1)
    order = xp.argsort(lin, kind="stable")
    sorted_lin = lin[order]
    first = xp.searchsorted(sorted_lin, sorted_lin, side="left")
    rank = xp.empty_like(lin)
    rank[order] = xp.arange(lin.size) - first
    flat_src = reshape(src, (-1,))
    out = base
    n = int(np.prod(shape))
    for k in range(int(rank.max()) + 1 if lin.size else 0):
        sel = xp.nonzero(rank == k)[0]
        ones = Tensor._make(xp.ones(n, dtype=base._data.dtype))
        factor = scatter(ones, 0, Tensor._make(lin[sel]), flat_src[Tensor._make(sel)])
        out = out * reshape(factor, shape)
    return out
