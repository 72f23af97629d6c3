"""Graph formulas (create_graph=True) of pooling, padding, softplus, normalize and the
remaining losses (smooth L1, Huber, binary cross entropy with and without logits).

See _graph_grads.py for the contract. Max pooling is linear in g once the winners are known:
its formula scatters g to the (constant) winning positions with `IndexAdd`, whose own formula
gathers, so it is differentiable to any order. Linear ops are recomputed from a zero input
(their derivative does not depend on the input's values).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core._graph_walk import UNSUPPORTED, formula
from autograd_core._tensor_inplace import Copy, CopySlices
from autograd_core.backend import Device, get_array_module
from autograd_core.ops import (
    activation,
    adaptive_pool,
    class_losses,
    conversion,
    elementwise_losses,
    normalization,
    padding,
    pooling,
    recurrent,
)
from autograd_core.ops._graph_grads import const, linked_mask, mask_like, sum_to
from autograd_core.ops._graph_grads_layers import _pad
from autograd_core.ops._graph_grads_nn import _recompute, difference
from autograd_core.ops._graph_grads_shape import IndexAdd
from autograd_core.ops.conversion import cast
from autograd_core.ops.indexing import setitem
from autograd_core.ops.linalg import matmul
from autograd_core.ops.logic import where
from autograd_core.ops.unary import abs, exp, log, log1p, relu, sigmoid, sqrt
from autograd_core.tensor import Tensor

__all__: list[str] = []


# ---------------------------------------------------------------- pooling
@formula(pooling.MaxPool2d)
def _max_pool(ctx, g, _gi=None):
    buf, out = ctx.saved
    x_shape, kernel, stride, padding_, dilation, out_size = ctx.geom
    xp = get_array_module(out)
    rows = xp.zeros(out.shape, dtype=np.int64)
    cols = xp.zeros(out.shape, dtype=np.int64)
    found = xp.zeros(out.shape, dtype=bool)
    r_all, c_all = xp.arange(buf.shape[2]), xp.arange(buf.shape[3])
    for rs, cs in pooling._taps(kernel, stride, dilation, out_size):
        first = (buf[:, :, rs, cs] == out) & ~found  # the first max of each window, as torch
        rows = xp.where(first, r_all[rs][:, None], rows)
        cols = xp.where(first, c_all[cs][None, :], cols)
        found |= first
    n, c = out.shape[:2]
    index = (xp.arange(n)[:, None, None, None], xp.arange(c)[None, :, None, None],
             rows - padding_[0], cols - padding_[1])
    # Tied to the output (as PyTorch's, the gradient requires grad when x does).
    return IndexAdd.apply(g * linked_mask(xp.ones(out.shape, bool), g, ctx.output(out)),
                          shape=tuple(x_shape), index=index)


@formula(pooling.AvgPool2d)
def _avg_pool(ctx, g):
    x_shape, buf_shape, kernel, stride, padding_, out_size, divisor = ctx.geom
    one = (1, 1)
    h, w = x_shape[2:]

    def build(ins: dict[int, Tensor]) -> Tensor:
        pads = ((padding_[0], buf_shape[2] - h - padding_[0]),
                (padding_[1], buf_shape[3] - w - padding_[1]))
        xp_ = _pad(ins[0], pads) if tuple(buf_shape) != tuple(x_shape) else ins[0]
        taps = pooling._taps(kernel, stride, one, out_size)
        total = xp_[:, :, taps[0][0], taps[0][1]]
        for rs, cs in taps[1:]:
            total = total + xp_[:, :, rs, cs]
        return total / const(get_array_module(g._data).asarray(divisor))

    # Linear: the derivative is the same at every x, so zeros stand for the input.
    zeros = get_array_module(g._data).zeros(x_shape, dtype=g._data.dtype)
    return _recompute(ctx, g, {0: zeros}, build)


@formula(adaptive_pool.AdaptiveAvgPool2d)
def _adaptive_avg(ctx, g):
    ah, aw = ctx.saved
    return matmul(matmul(const(ah.T), g), const(aw))


@formula(adaptive_pool.AdaptiveMaxPool2d)
def _adaptive_max(ctx, g, _gi=None):
    (idx,) = ctx.saved
    n, c, _, w = ctx.x_shape
    xp = get_array_module(idx)
    index = (xp.arange(n)[:, None, None, None], xp.arange(c)[None, :, None, None],
             idx // w, idx % w)
    tie = linked_mask(xp.ones(idx.shape, bool), g, ctx.output(xp.zeros_like(g._data)))
    return IndexAdd.apply(g * tie, shape=tuple(ctx.x_shape), index=index)


# ---------------------------------------------------------------- padding
@formula(padding.ConstantPad)
def _constant_pad(ctx, g):
    shape, src, dst = ctx.geom
    gx = const(get_array_module(g._data).zeros(shape, dtype=g._data.dtype))
    setitem(gx, src, g[dst])
    return gx


@formula(padding.IndexPad)
def _index_pad(ctx, g):
    for d in sorted(ctx.index, reverse=True):
        shape = (*g.shape[:d], ctx.shape[d], *g.shape[d + 1:])
        g = IndexAdd.apply(g, shape=tuple(shape), index=(slice(None),) * d + (ctx.index[d],))
    return g


# ---------------------------------------------------------------- activations, normalize
@formula(activation.Softplus)
def _softplus(ctx, g):
    bx, linear = ctx.saved
    x = ctx.input(0, bx / ctx.beta)
    return g * (mask_like(linear, g) + mask_like(~linear, g) * sigmoid(x * ctx.beta))


@formula(normalization.Normalize2)
def _normalize(ctx, g):
    y, denom, clamped = ctx.saved
    dim = ctx.dim
    eps = float(denom[clamped].reshape(-1)[0]) if clamped.any() else 0.0

    def build(ins: dict[int, Tensor]) -> Tensor:
        x = ins[0]
        norm = sqrt((x * x).sum(dim, keepdim=True))
        return x / where(const(clamped), eps, norm) if clamped.any() else x / norm

    return _recompute(ctx, g, {0: y * denom}, build)


# ---------------------------------------------------------------- losses
def _scaled(ctx, g: Tensor, d: Any) -> Tensor:
    if ctx.reduction == "none":
        return g.reshape(d.shape)
    return g / d.size if ctx.reduction == "mean" else g


@formula(elementwise_losses.SmoothL1Loss, elementwise_losses.HuberLoss)
def _smooth(ctx, g):
    (d,) = ctx.saved
    sx, sy = ctx.shapes
    dt = difference(ctx, d)
    if dt is None:
        return UNSUPPORTED  # both x and y broadcast: neither can carry d
    xp = get_array_module(d)
    huber = ctx.fn is elementwise_losses.HuberLoss
    width = ctx.params.get("delta" if huber else "beta", 1.0)
    if width == 0:
        slope = const(xp.sign(d))
    else:
        inside = xp.abs(d) < width
        outer = xp.sign(d) * (width if huber else 1.0) * ~inside
        slope = dt * mask_like(inside, g) * (1.0 if huber else 1.0 / width) + const(
            outer.astype(d.dtype))
    gd = slope * _scaled(ctx, g, d)
    nx, ny = ctx.needs_input_grad
    return (sum_to(gd, sx) if nx else None), (sum_to(-gd, sy) if ny else None)


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


@formula(elementwise_losses.BinaryCrossEntropy)
def _bce(ctx, g):
    x, y, weight = ctx.saved[:3]

    def build(ins: dict[int, Tensor]) -> Tensor:
        xt, yt = ins[0], ins[1]
        log_x = log(xt).clamp_min(-100)
        log_1mx = log1p(-xt).clamp_min(-100)
        loss = -(yt * (log_x - log_1mx) + log_1mx)
        return _reduce(loss * const(weight) if weight is not None else loss, ctx.reduction)

    return _recompute(ctx, g, {0: x, 1: y}, build)


@formula(elementwise_losses.BinaryCrossEntropyWithLogits)
def _bce_logits(ctx, g):
    x, y, weight, pos_weight = ctx.saved[:4]

    def build(ins: dict[int, Tensor]) -> Tensor:
        xt, yt = ins[0], ins[1]
        sp = log1p(exp(-abs(xt))) + relu(-xt)  # softplus(-x) without overflow
        log_w = (yt * const(pos_weight - 1) + 1) if pos_weight is not None else 1.0
        loss = (1 - yt) * xt + log_w * sp
        return _reduce(loss * const(weight) if weight is not None else loss, ctx.reduction)

    return _recompute(ctx, g, {0: x, 1: y}, build)


@formula(class_losses.NllLoss)
def _nll(ctx, g):
    safe, w_t = ctx.saved
    xp = get_array_module(w_t)
    rows = safe.shape[0]
    shape = tuple(ctx.shape)
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    coef = xp.zeros((rows, n_classes), dtype=w_t.dtype)
    coef[xp.arange(rows), safe] = -w_t
    if ctx.reduction == "none":
        scale = g.reshape(rows, 1)
    else:
        scale = g / const(xp.asarray(ctx.denom)) if ctx.reduction == "mean" else g
    return _from_rows(scale * const(coef), shape), None, None


def _from_rows(t: Tensor, shape: tuple) -> Tensor:
    """class_losses._from_rows with ops: (rows, C) back to the input's shape."""
    if len(shape) <= 2:
        return t.reshape(shape)
    n, c, *rest = shape
    return t.reshape(n, *rest, c).movedim(-1, 1)


# ---------------------------------------------------------------- recurrent, copies, moves
@formula(recurrent.RNNCell)
def _rnn_cell(ctx, g):
    x, h, w_ih, w_hh, y = ctx.saved
    nx, nh, nwi, nwh, nbi, nbh = ctx.needs_input_grad
    yt = ctx.output(y)
    gz = g * mask_like(y > 0, g) if ctx.relu else g * (1 - yt * yt)
    tx, th = ctx.input(0, x), ctx.input(1, h)
    gx = None
    if nx:
        gx = gz if ctx.projected else matmul(gz, ctx.input(2, w_ih))
    gb = gz.sum(0) if nbi or nbh else None
    return (gx, matmul(gz, ctx.input(3, w_hh)) if nh else None,
            matmul(gz.t(), tx) if nwi and w_ih is not None else None,
            matmul(gz.t(), th) if nwh else None, gb if nbi else None, gb if nbh else None)


@formula(Copy)
def _copy(ctx, g):
    shape, dtype = ctx.src_meta
    need_dst, need_src = ctx.needs_input_grad
    g_dst = const(get_array_module(g._data).zeros_like(g._data)) if need_dst else None
    return g_dst, (cast(sum_to(g, shape), dtype) if need_src else None)


@formula(CopySlices)
def _copy_slices(ctx, g):
    shape, strides, offset = ctx.region
    xp = get_array_module(g._data)
    itemsize = g._data.dtype.itemsize
    if itemsize not in (4, 8):
        return UNSUPPORTED
    # The flat positions of the view inside base, read with the view's own byte strides.
    flat = xp.arange(g._data.size, dtype=np.int64 if itemsize == 8 else np.int32)
    where_ = xp.lib.stride_tricks.as_strided(flat[offset:], shape, strides).astype(np.int64)
    keep = xp.ones(g._data.size, dtype=g._data.dtype)
    keep[where_.reshape(-1)] = 0
    need_base, need_values = ctx.needs_input_grad
    g_base = g * const(keep.reshape(g.shape)) if need_base else None
    g_values = g.reshape(-1)[const(where_)] if need_values else None
    return g_base, g_values


@formula(conversion.ToDevice)
def _to_device(ctx, g):
    dev = Device("cpu") if ctx.src_device is None else Device("cuda", ctx.src_device)
    return conversion.ToDevice.apply(g, device=dev)
