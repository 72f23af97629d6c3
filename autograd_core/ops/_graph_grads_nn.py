"""Graph formulas (create_graph=True) of matrix products, linear, dropout and losses.

See _graph_grads.py for the contract. A fused op whose derivative is long (cross entropy) is
*recomputed*: its forward is rebuilt from primitive ops on graph-linked inputs and
differentiated with `grad(..., create_graph=True)` (`_recompute`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_core._graph_walk import UNSUPPORTED, formula
from autograd_core.backend import get_array_module
from autograd_core.ops import class_losses, dropout, elementwise_losses, linalg, linear
from autograd_core.ops._graph_grads import const, shape_of, sum_to
from autograd_core.ops.attention import ScaledDotProductAttention
from autograd_core.ops.einsum import Einsum, einsum
from autograd_core.ops.indexing import setitem
from autograd_core.ops.join import stack
from autograd_core.ops.linalg import matmul
from autograd_core.ops.reduction import Prod
from autograd_core.ops.softmax import log_softmax, softmax
from autograd_core.ops.unary import clone
from autograd_core.tensor import Tensor

__all__: list[str] = []


def _recompute(ctx: Any, g: Tensor, arrays: dict[int, Any],
               build: Callable[[dict[int, Tensor]], Tensor]) -> tuple:
    """The gradients of an op rebuilt from primitive ops: `arrays` maps input indices to
    arrays holding (values equivalent to) those inputs; build(tensors) returns the output."""
    ins = {i: clone(ctx.input(i, a)) for i, a in arrays.items()}
    return differentiate(ctx, ins, [build(ins)], [g])


def differentiate(ctx: Any, ins: dict[int, Tensor], outs: list[Tensor], gs: list) -> tuple:
    """Input i's gradient (None where not needed) of `outs`, rebuilt from `ins` (graph-linked
    copies of the node's inputs), weighted by `gs`, as a graph (create_graph=True)."""
    from autograd_core.engine import grad

    needs = ctx.needs_input_grad
    wrt = [i for i, t in ins.items() if needs[i] and t.requires_grad]
    result: list[Any] = [None] * len(needs)
    if wrt:
        grads = grad(outs, [ins[i] for i in wrt], gs, create_graph=True, allow_unused=True)
        for i, gi in zip(wrt, grads):
            result[i] = gi
    return tuple(result)


# ---------------------------------------------------------------- matrix products
@formula(linalg.MatMul)
def _matmul(ctx, g):
    a, b = ctx.saved
    na, nb = ctx.needs_input_grad
    ta, tb = ctx.input(0, a), ctx.input(1, b)
    if a.ndim == 1 and b.ndim == 1:
        return (g * tb if na else None), (g * ta if nb else None)
    a2 = ta.unsqueeze(0) if a.ndim == 1 else ta
    b2 = tb.unsqueeze(-1) if b.ndim == 1 else tb
    g2 = g.unsqueeze(-2) if a.ndim == 1 else g
    g2 = g2.unsqueeze(-1) if b.ndim == 1 else g2
    ga = gb = None
    if na:
        ga = sum_to(matmul(g2, b2.transpose(-1, -2)), shape_of(a2)).reshape(a.shape)
    if nb:
        gb = sum_to(matmul(a2.transpose(-1, -2), g2), shape_of(b2)).reshape(b.shape)
    return ga, gb


@formula(linalg.Outer)
def _outer(ctx, g):
    a, b = ctx.saved
    na, nb = ctx.needs_input_grad
    return (matmul(g, ctx.input(1, b)) if na else None,
            matmul(ctx.input(0, a), g) if nb else None)


@formula(linear.Linear)
def _linear(ctx, g):
    x2, w = ctx.saved
    nx, nw = ctx.needs_input_grad[:2]
    nb = len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2]
    tw = ctx.input(1, w)
    g2 = g.reshape(-1, g.shape[-1])
    gx = matmul(g, tw) if nx else None
    gw = None
    if nw:
        tx = ctx.input(0, x2.reshape(ctx.in_shape)).reshape(-1, x2.shape[-1])
        gw = matmul(g2.t(), tx)
    gb = g2.sum(0) if ctx.has_bias and nb else None
    return gx, gw, gb


# ---------------------------------------------------------------- dropout
@formula(dropout.Dropout)
def _dropout(ctx, g):
    (keep,) = ctx.saved
    return g * const((keep * ctx.scale).astype(g._data.dtype))


# ---------------------------------------------------------------- losses
def _loss_scale(ctx, g: Tensor, n: int) -> Tensor:
    """The loss gradient g spread over the n elements, by reduction."""
    return g / n if ctx.reduction == "mean" else g


def difference(ctx: Any, d: Any) -> Tensor | None:
    """d = x - y (saved by the pointwise losses) as a Tensor with the derivatives of x - y:
    zeros read as one input and +-d as the other (the loss depends on x - y only)."""
    sx, sy = (tuple(s) for s in ctx.shapes)
    xp = get_array_module(d)
    if sy == d.shape:
        return ctx.input(0, xp.zeros(sx, d.dtype)) - ctx.input(1, -d)
    if sx == d.shape:
        return ctx.input(0, d) - ctx.input(1, xp.zeros(sy, d.dtype))
    return None


@formula(elementwise_losses.MseLoss)
def _mse(ctx, g):
    (d,) = ctx.saved
    sx, sy = ctx.shapes
    dt = difference(ctx, d)
    if dt is None:
        return UNSUPPORTED  # both x and y broadcast: neither can carry d
    gd = dt * _loss_scale(ctx, g, d.size) * 2.0
    nx, ny = ctx.needs_input_grad
    return (sum_to(gd, sx) if nx else None), (sum_to(-gd, sy) if ny else None)


@formula(elementwise_losses.L1Loss)
def _l1(ctx, g):
    (d,) = ctx.saved
    sx, sy = ctx.shapes
    gd = _loss_scale(ctx, g, d.size) * const(get_array_module(d).sign(d))
    nx, ny = ctx.needs_input_grad
    return (sum_to(gd, sx) if nx else None), (sum_to(-gd, sy) if ny else None)


@formula(class_losses.CrossEntropy)
def _cross_entropy(ctx, g):
    if ctx.fused is not None:
        return UNSUPPORTED  # the GPU's fused kernels keep no log-probabilities
    shape = tuple(ctx.shape)
    xp = get_array_module(g._data)
    eps, reduction, denom = ctx.eps, ctx.reduction, ctx.denom
    if ctx.soft:
        logp, tw, weight = ctx.saved
        if eps >= 1 or (weight is not None and not bool((weight != 0).all())):
            return UNSUPPORTED  # the target cannot be read back from tw
        t2 = tw / weight if weight is not None else tw
        arrays = {0: class_losses._from_rows(logp, shape),
                  1: class_losses._from_rows((t2 - eps / logp.shape[1]) / (1 - eps), shape)}
    elif ctx.plain:  # class targets, no smoothing: the softmax's numerators were kept
        e, sums, safe, w_t = ctx.saved
        # log(e / sum e) is the log-softmax (an e that underflowed to 0 reads as the
        # smallest normal number: its softmax weight is 0 either way)
        logp = xp.log(xp.maximum(e, xp.finfo(e.dtype).tiny)) - xp.log(sums)[:, None]
        arrays = {0: class_losses._from_rows(logp, shape)}
    else:
        logp, safe, valid, w_t, weight = ctx.saved
        arrays = {0: class_losses._from_rows(logp, shape)}
    rows, n_classes = logp.shape

    def build(ins: dict[int, Tensor]) -> Tensor:
        # log_softmax(logp) == logp, with the derivatives of log_softmax(x) (shift-invariant).
        lp = _to_rows(log_softmax(ins[0], 1 if len(shape) > 1 else 0), shape)
        if ctx.soft:
            t = _to_rows(ins[1], shape) * (1 - eps) + eps / n_classes
            loss = -(lp * (t * const(weight) if weight is not None else t)).sum(1)
            out_shape = (shape[0], *shape[2:]) if len(shape) > 1 else ()
        else:
            loss = -lp[xp.arange(rows), safe] * const(w_t)
            if eps > 0:
                s = lp * const(weight) if weight is not None else lp
                loss = loss * (1 - eps) + (-s.sum(1)) * const(valid.astype(logp.dtype)) * (
                    eps / n_classes)
            out_shape = tuple(ctx.t_shape)
        if reduction == "mean":
            return loss.sum() / const(xp.asarray(denom, dtype=logp.dtype))
        return loss.sum() if reduction == "sum" else loss.reshape(out_shape)

    return _recompute(ctx, g, arrays, build)


def _to_rows(t: Tensor, shape: tuple) -> Tensor:
    """class_losses._to_rows with ops: (C,) -> (1, C); (N, C, d...) -> (N*d..., C)."""
    if len(shape) == 2:
        return t
    if len(shape) == 1:
        return t.reshape(1, -1)
    return t.movedim(1, -1).reshape(-1, shape[1])


# ---------------------------------------------------------------- einsum, prod
@formula(Einsum)
def _einsum(ctx, g):
    xs = ctx.saved
    ins, out = ctx.equation.split("->")
    subs = ins.split(",")
    ts = [ctx.input(i, x) for i, x in enumerate(xs)]
    return tuple(_einsum_operand(g, out, ts, subs, k) if need else None
                 for k, need in enumerate(ctx.needs_input_grad))


def _einsum_operand(g: Tensor, out: str, ts: list, subs: list, k: int) -> Tensor:
    """einsum.py's _operand_grad with ops: contract g with the other operands."""
    target = subs[k]
    unique = "".join(dict.fromkeys(target))
    elsewhere = set(out).union(*(subs[i] for i in range(len(subs)) if i != k))
    kept = "".join(c for c in unique if c in elsewhere)
    others = [ts[i] for i in range(len(ts)) if i != k]
    other_subs = [subs[i] for i in range(len(subs)) if i != k]
    r = einsum(",".join([out, *other_subs]) + "->" + kept, g, *others)
    sizes = dict(zip(target, ts[k].shape))
    sizes.update(zip(kept, r.shape))
    if kept != unique:  # letters only this operand has were summed away: constant along them
        r = r.reshape(tuple(sizes[c] if c in kept else 1 for c in unique))
        r = r.expand(*(sizes[c] for c in unique))
    if unique == target:
        return sum_to(r, tuple(ts[k].shape))
    # A repeated letter reads a diagonal: write the gradient back onto that diagonal only.
    xp = get_array_module(g._data)
    grid = {c: xp.arange(sizes[c]).reshape([-1 if d == c else 1 for d in unique])
            for c in unique}
    gx = const(xp.zeros(tuple(ts[k].shape), dtype=g._data.dtype))
    setitem(gx, tuple(const(grid[c]) for c in target), r)
    return gx


@formula(Prod)
def _prod(ctx, g):
    (x,) = ctx.saved
    axis, keepdim = ctx.meta_
    tx = ctx.input(0, x)
    if x.size == 0:
        return None
    flat = tx.reshape(-1) if axis is None else tx.movedim(axis, -1)
    parts = flat.unbind(-1)
    # others_i = prod_{j != i} x_j as left * right exclusive products: zero-safe, and every
    # step an op, so the result is differentiable again.
    left, right = [None] * len(parts), [None] * len(parts)
    acc = None
    for i, p in enumerate(parts):
        left[i] = acc
        acc = p if acc is None else acc * p
    acc = None
    for i in range(len(parts) - 1, -1, -1):
        right[i] = acc
        acc = parts[i] if acc is None else acc * parts[i]
    ones = const(get_array_module(x).ones(tuple(flat.shape[:-1]), dtype=x.dtype))
    others = stack([_times(_times(ones, lf), rt) for lf, rt in zip(left, right)], -1)
    others = others.reshape(x.shape) if axis is None else others.movedim(-1, axis)
    gk = g if keepdim or (axis is None and g.ndim == x.ndim) else (
        g.reshape((1,) * x.ndim) if axis is None else g.unsqueeze(axis))
    return gk * others


def _times(a: Tensor, b: Tensor | None) -> Tensor:
    return a if b is None else a * b


# ---------------------------------------------------------------- attention
@formula(ScaledDotProductAttention)
def _attention(ctx, g):
    q, k, v, p, _, keep = ctx.saved
    xp = get_array_module(p)
    if not bool((p.sum(axis=-1) > 0).all()):
        return UNSUPPORTED  # a fully masked row (all zeros): no log-softmax form
    scale = ctx.scale
    with np.errstate(divide="ignore"):
        # softmax(s + C) with C = log p - s is p, with softmax's derivatives at p: the mask
        # (bool, float or causal) is inside C, -inf where a key is masked out.
        shift = xp.log(p) - xp.matmul(q, xp.swapaxes(k, -1, -2)) * q.dtype.type(scale)
    arrays: dict[int, Any] = {0: q, 1: k, 2: v}
    if ctx.needs_input_grad[3]:  # a float mask that requires grad: zeros stand for it in s
        arrays[3] = xp.zeros(ctx.mask_shape, dtype=q.dtype)

    def build(ins: dict[int, Tensor]) -> Tensor:
        s = matmul(ins[0], ins[1].transpose(-1, -2)) * scale + const(shift)
        if 3 in ins:
            s = s + ins[3]
        pt = softmax(s, -1)
        if keep is not None:
            pt = pt * const((keep * (1.0 / (1.0 - ctx.dropout_p))).astype(p.dtype))
        return matmul(pt, ins[2])

    return _recompute(ctx, g, arrays, build)
