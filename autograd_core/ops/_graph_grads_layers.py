"""Graph formulas (create_graph=True) of the layer ops: conv1d/conv2d (grouped too), layer_norm,
batch_norm, embedding.

See _graph_grads.py for the contract. Convolution and the normalizations are *recomputed*
(_graph_grads_nn._recompute): conv2d from strided slices and one matmul (an im2col built of
ops), the normalizations from means and a power, then differentiated with create_graph.
"""

from __future__ import annotations

from typing import Any

from autograd_core._graph_walk import UNSUPPORTED, formula
from autograd_core.backend import get_array_module
from autograd_core.ops import conv, embedding, normalization
from autograd_core.ops._graph_grads import const
from autograd_core.ops._graph_grads_nn import _recompute
from autograd_core.ops._graph_grads_shape import IndexAdd
from autograd_core.ops.join import cat, stack
from autograd_core.ops.linalg import matmul
from autograd_core.ops.reduction import mean
from autograd_core.tensor import Tensor

__all__: list[str] = []


def _zeros(like: Tensor, shape: tuple) -> Tensor:
    return const(get_array_module(like._data).zeros(shape, dtype=like._data.dtype))


def _pad(x: Tensor, pads: tuple) -> Tensor:
    """x (N, C, H, W) zero-padded by ((top, bottom), (left, right)), with cat."""
    (pt, pb), (pl, pr) = pads
    n, c, _, w = x.shape
    if pt or pb:
        x = cat([_zeros(x, (n, c, pt, w)), x, _zeros(x, (n, c, pb, w))], 2)
    if pl or pr:
        hp = x.shape[2]
        x = cat([_zeros(x, (n, c, hp, pl)), x, _zeros(x, (n, c, hp, pr))], 3)
    return x


def conv2d_composite(x: Tensor, w: Tensor, stride: tuple, pads: tuple, dilation: tuple,
                     out_hw: tuple) -> Tensor:
    """conv2d without bias as ops: the kh*kw strided taps stacked, then one matmul."""
    xp = _pad(x, pads)
    n, c = x.shape[0], x.shape[1]
    o, _, kh, kw = w.shape
    (ho, wo), (sh, sw), (dh, dw) = out_hw, stride, dilation
    taps = [xp[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw]
            for i in range(kh) for j in range(kw)]
    col = stack(taps, 2).reshape(n, c * kh * kw, ho * wo)
    return matmul(w.reshape(o, c * kh * kw), col).reshape(n, o, ho, wo)


@formula(conv.Conv2d)
def _conv2d(ctx, g):
    x = getattr(ctx.node, "x_in", None)
    _, w_shape, _, pads, stride, dilation, groups, out_hw, _ = ctx.geom
    if x is None or x.shape[0] == 0:
        return UNSUPPORTED
    one_d = ctx.fn is conv.Conv1d
    w = ctx.saved[1].reshape(w_shape)
    arrays = {0: x[:, :, 0] if one_d else x, 1: w[:, :, 0] if one_d else w}

    def build(ins: dict[int, Tensor]) -> Tensor:
        xi, wi = ins[0], ins[1]
        if one_d:
            xi, wi = xi.unsqueeze(2), wi.unsqueeze(2)
        if groups == 1:
            y = conv2d_composite(xi, wi, stride, pads, dilation, out_hw)
        else:  # each group convolves its own input channels with its own filters
            y = cat([conv2d_composite(xg, wg, stride, pads, dilation, out_hw)
                     for xg, wg in zip(xi.chunk(groups, 1), wi.chunk(groups, 0))], 1)
        return y[:, :, 0] if one_d else y

    grads = list(_recompute(ctx, g, arrays, build))
    if len(grads) > 2 and ctx.needs_input_grad[2]:
        grads[2] = g.sum((0, 2) if one_d else (0, 2, 3))
    return tuple(grads)


formula(conv.Conv1d)(_conv2d)


def _standardized(x: Tensor, axes: tuple, eps: float) -> Tensor:
    mu = mean(x, dim=axes, keepdim=True)
    d = x - mu
    return d * (mean(d * d, dim=axes, keepdim=True) + eps) ** -0.5


@formula(normalization.LayerNorm)
def _layer_norm(ctx, g):
    xhat, rstd, weight = ctx.saved
    axes, eps = ctx.axes, ctx.eps
    # xhat / rstd = x - mean(x): layer norm is shift-invariant, so it stands for x exactly.
    arrays: dict[int, Any] = {0: xhat / rstd}
    if weight is not None:
        arrays[1] = weight

    def build(ins: dict[int, Tensor]) -> Tensor:
        y = _standardized(ins[0], axes, eps)
        return y * ins[1] if weight is not None else y

    grads = list(_recompute(ctx, g, arrays, build))
    if ctx.needs_input_grad[2]:
        grads[2] = g.sum(tuple(range(g.ndim - len(axes))))
    return tuple(grads)


@formula(normalization.BatchNorm)
def _batch_norm(ctx, g):
    xhat, rstd, weight = ctx.saved
    axes, shape, eps = ctx.axes, ctx.shape, ctx.eps
    arrays: dict[int, Any] = {0: xhat / rstd}  # x minus a per-channel constant
    if weight is not None:
        arrays[1] = weight

    def build(ins: dict[int, Tensor]) -> Tensor:
        x = ins[0]
        # Evaluation mode: running statistics, a fixed affine map of x.
        y = _standardized(x, axes, eps) if ctx.training else x * const(rstd)
        return y * ins[1].reshape(shape) if weight is not None else y

    grads = list(_recompute(ctx, g, arrays, build))
    if ctx.needs_input_grad[2]:
        grads[2] = g.sum(axes)
    return tuple(grads)


@formula(embedding.Embedding)
def _embedding(ctx, g):
    (indices,) = ctx.saved
    if ctx.scale:
        # The scaled gradient is not the adjoint of the lookup, so a second backward through
        # this node would scale twice: refused rather than wrong.
        return UNSUPPORTED
    num, dim = ctx.weight_shape
    flat = indices.reshape(-1)
    gw = IndexAdd.apply(g.reshape(-1, dim), shape=tuple(ctx.weight_shape), index=flat)
    if ctx.padding_idx is not None:
        keep = get_array_module(indices).ones((num, 1), dtype=g._data.dtype)
        keep[ctx.padding_idx] = 0
        gw = gw * const(keep)
    return None, gw
