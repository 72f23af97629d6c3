"""Graph formulas (create_graph=True) of reductions, softmax, shape, join and indexing ops.

See _graph_grads.py for the contract. Most of these ops are linear in their input, so their
gradient is the adjoint map applied to g with ops (and differentiable again the same way).
"""

from __future__ import annotations

from typing import Any

from autograd_core._graph_walk import formula
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops import (
    extrema,
    indexing,
    join,
    rearrange,
    reduction,
    shape,
    sorting,
    statistics,
)
from autograd_core.ops._graph_grads import const, mask_like, sum_to
from autograd_core.ops.gather import IndexSelect, Scatter, _along
from autograd_core.ops.indexing import setitem
from autograd_core.ops.join import cat, stack
from autograd_core.ops.softmax import LogSoftmax, Softmax
from autograd_core.ops.unary import exp
from autograd_core.tensor import Tensor

__all__: list[str] = []


def _keep_dims(g: Tensor, ndim: int, axes: Any, keepdim: bool) -> Tensor:
    """A reduced gradient with its reduced axes back as size 1 (broadcasts against x)."""
    if keepdim:
        return g
    if axes is None:
        return g.reshape((1,) * ndim)
    out_shape = list(g.shape)
    for a in sorted(axes):
        out_shape.insert(a, 1)
    return g.reshape(tuple(out_shape))


def _expand_back(g: Tensor, shape_: tuple, axes: Any, keepdim: bool) -> Tensor:
    return _keep_dims(g, len(shape_), axes, keepdim).expand(*shape_)


# ---------------------------------------------------------------- reductions
@formula(reduction.Sum)
def _sum(ctx, g):
    shape_, axes, keepdim = ctx.meta_
    return _expand_back(g, shape_, axes, keepdim)


@formula(reduction.Mean)
def _mean(ctx, g):
    shape_, axes, keepdim = ctx.meta_
    return _expand_back(g / reduction._count(shape_, axes), shape_, axes, keepdim)


@formula(reduction.CumSum)
def _cumsum(ctx, g):
    axis = ctx.axis
    return rearrange.flip(reduction.cumsum(rearrange.flip(g, axis), axis), axis)


@formula(extrema._Extreme)
def _extreme(ctx, g):
    x, y = ctx.saved
    axes, keepdim = ctx.meta_
    mask = (x == y).astype(g._data.dtype)
    return _keep_dims(g, x.ndim, axes, keepdim) * const(mask / mask.sum(axis=axes,
                                                                         keepdims=True))


@formula(extrema._ExtremeDim)
def _extreme_dim(ctx, g, _gi):
    (idx,) = ctx.saved
    shape_, axis = ctx.meta_
    xp = get_array_module(g._data)
    onehot = xp.zeros(shape_, dtype=g._data.dtype)
    xp.put_along_axis(onehot, idx, 1, axis=axis)
    return g.reshape(idx.shape) * const(onehot)


# ---------------------------------------------------------------- statistics
@formula(statistics.Var)
def _var(ctx, g):
    (d,) = ctx.saved
    axes, keepdim, denom = ctx.meta_
    # d = x - mean(x) is linear in x: centring d itself, read as x, has x's derivatives.
    xd = ctx.input(0, d)
    dt = xd - reduction.mean(xd, dim=axes, keepdim=True)
    return _keep_dims(g, d.ndim, axes, keepdim) * dt * (2.0 / denom)


@formula(statistics.Std)
def _std(ctx, g):
    d, y = ctx.saved
    axes, keepdim, denom = ctx.meta_
    xd = ctx.input(0, d)
    dt = xd - reduction.mean(xd, dim=axes, keepdim=True)
    nonzero = mask_like(y != 0, g)
    gy = g * nonzero / ((ctx.output(y) + (1 - nonzero)) * denom)
    return _keep_dims(gy, d.ndim, axes, keepdim) * dt


@formula(statistics.LogSumExp)
def _logsumexp(ctx, g):
    x, y = ctx.saved
    yt = ctx.output(y.reshape(g.shape)).reshape(y.shape)
    return g.reshape(y.shape) * exp(ctx.input(0, x) - yt)


@formula(statistics.Norm2)
def _norm2(ctx, g):
    x, y = ctx.saved
    axes, keepdim = ctx.meta_
    nonzero = mask_like(y != 0, g)
    gy = g * nonzero / (ctx.output(y) + (1 - nonzero))
    return _keep_dims(gy, x.ndim, axes, keepdim) * ctx.input(0, x)


# ---------------------------------------------------------------- softmax
def _sum_axis(t: Tensor, axis: Any) -> Tensor:
    return reduction.sum(t, dim=axis, keepdim=axis is not None)


@formula(Softmax)
def _softmax(ctx, g):
    (y,) = ctx.saved
    yt = ctx.output(y)
    gy = g * yt
    return gy - yt * _sum_axis(gy, ctx.axis)


@formula(LogSoftmax)
def _log_softmax(ctx, g):
    (y,) = ctx.saved
    return g - exp(ctx.output(y)) * _sum_axis(g, ctx.axis)


# ---------------------------------------------------------------- shape
formula(shape.Reshape)(lambda ctx, g: g.reshape(tuple(ctx.in_shape)))
formula(shape.Expand)(lambda ctx, g: sum_to(g, ctx.in_shape))


@formula(shape.Permute)
def _permute(ctx, g):
    inverse = [0] * len(ctx.axes)
    for i, a in enumerate(ctx.axes):
        inverse[a] = i
    return g.permute(*inverse)


formula(rearrange.Flip)(lambda ctx, g: rearrange.Flip.apply(g, axes=ctx.axes))
formula(rearrange.Tril)(lambda ctx, g: rearrange.Tril.apply(g, k=ctx.k))
formula(rearrange.Triu)(lambda ctx, g: rearrange.Triu.apply(g, k=ctx.k))


@formula(rearrange.Roll)
def _roll(ctx, g):
    shifts, axes = ctx.meta_
    back = tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts
    return rearrange.Roll.apply(g, shifts=back, axes=axes)


@formula(rearrange.Repeat)
def _repeat(ctx, g):
    reps, shape_ = ctx.meta_
    split = [v for pair in zip(reps, shape_) for v in pair]
    summed = reduction.sum(g.reshape(tuple(split)), dim=tuple(range(0, len(split), 2)))
    return summed.reshape(tuple(ctx.in_shape))


# ---------------------------------------------------------------- join
@formula(join.Cat)
def _cat(ctx, g):
    out, start = [], 0
    lead = (slice(None),) * ctx.axis
    for size, need in zip(ctx.sizes, ctx.needs_input_grad):
        out.append(g[(*lead, slice(start, start + size))] if need else None)
        start += size
    return tuple(out)


@formula(join.Stack)
def _stack(ctx, g):
    lead = (slice(None),) * ctx.axis
    return tuple(g[(*lead, i)] if need else None for i, need in enumerate(ctx.needs_input_grad))


formula(join.Split)(lambda ctx, *gs: cat(list(gs), ctx.meta_[1]))
formula(join.Unbind)(lambda ctx, *gs: stack(list(gs), ctx.axis))


# ---------------------------------------------------------------- indexing
def _zeros(g: Tensor, shape_: tuple) -> Tensor:
    return const(get_array_module(g._data).zeros(shape_, dtype=g._data.dtype))


@formula(indexing.GetItem)
def _getitem(ctx, g):
    shape_, index = ctx.meta_
    gx = _zeros(g, shape_)
    setitem(gx, index, g)  # recorded: gx now depends on g
    return gx


class IndexAdd(Function):
    """y = zeros(shape) with g added at x[index] (repeats accumulate): Index's adjoint"""

    @staticmethod
    def forward(ctx, g, shape=None, index=None):
        ctx.index = index
        xp = get_array_module(g)
        out = xp.zeros(shape, dtype=g.dtype)
        xp.add.at(out, index, g)
        return out

    @staticmethod
    def backward(ctx, gg):
        return gg[ctx.index]


formula(IndexAdd)(lambda ctx, gg: indexing.Index.apply(gg, index=ctx.index))


@formula(indexing.Index)
def _index(ctx, g):
    shape_, index = ctx.meta_
    return IndexAdd.apply(g, shape=shape_, index=index)


@formula(indexing.SetItem)
def _set_item(ctx, g):
    index, vshape = ctx.meta_
    if not isinstance(index, tuple) and not hasattr(index, "dtype") and index is not None:
        index = (index,)
    xp = get_array_module(g._data)
    keep = xp.ones(g.shape, dtype=g._data.dtype)
    keep[index] = 0
    nx, nv = ctx.needs_input_grad
    gx = g * const(keep) if nx else None
    gv = None
    if nv:
        gv = g[index]
        if len(vshape) > gv.ndim:
            gv = gv.reshape((1,) * (len(vshape) - gv.ndim) + tuple(gv.shape))
        gv = sum_to(gv, vshape)
    return gx, gv


@formula(indexing.MaskedFill)
def _masked_fill(ctx, g):
    mask, xshape, vshape = ctx.meta_
    nx, nv = ctx.needs_input_grad
    return (sum_to(g * mask_like(~mask, g), xshape) if nx else None,
            sum_to(g * mask_like(mask, g), vshape) if nv else None)





# ---------------------------------------------------------------- picks, gather, scatter
@formula(sorting._Pick)
def _pick(ctx, g, _gi=None):
    (idx,) = ctx.saved
    shape_, axis = ctx.meta_
    # The picked positions are distinct: adding g there is writing it there.
    return IndexAdd.apply(g.reshape(idx.shape), shape=shape_, index=_along(idx, axis))


@formula(IndexSelect)
def _index_select(ctx, g):
    shape_, index, axis = ctx.meta_
    return IndexAdd.apply(g, shape=shape_, index=(slice(None),) * axis + (index,))


@formula(Scatter)
def _scatter(ctx, g):
    full, sshape, add = ctx.meta_
    nx, ns = ctx.needs_input_grad
    gx = gs = None
    if nx:
        gx = g
        if not add:
            keep = get_array_module(g._data).ones(g.shape, dtype=g._data.dtype)
            keep[full] = 0
            gx = g * const(keep)
    if ns:
        picked = indexing.Index.apply(g, index=full)
        if not sshape:  # a scalar value written everywhere index points
            gs = picked.sum()
        elif tuple(picked.shape) == tuple(sshape):
            gs = picked
        else:  # src larger than index: only its leading block was written
            gs = _zeros(g, sshape)
            setitem(gs, tuple(slice(0, n) for n in picked.shape), picked)
    return gx, gs
