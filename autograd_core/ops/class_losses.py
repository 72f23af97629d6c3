"""Class-index losses: cross_entropy and nll_loss, fused ops with PyTorch's weights,
ignore_index, label smoothing and soft (probability) targets.

They work on rows: (N, C, d1, ...) inputs are moved to (N*d1*..., C) first, so one code path
serves 1-D, 2-D and K-dim inputs. On the GPU cross_entropy runs fused kernels
(backend.kernels) where they apply.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.backend import get_array_module, host_checks, kernels
from autograd_core.function import Function
from autograd_core.ops._reduction import (
    _check_reduction,
    _grad_scale,
    _legacy_reduction,
    _reduce,
)
from autograd_core.ops._util import scalar_type_name, shape_str
from autograd_core.tensor import Tensor

__all__ = ["cross_entropy", "nll_loss"]


def _to_rows(x: Any) -> Any:
    """(C,) -> (1, C); (N, C) as is; (N, C, d...) -> (N*d..., C)."""
    if x.ndim == 2:
        return x
    if x.ndim == 1:
        return x.reshape(1, -1)
    xp = get_array_module(x)
    return xp.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _from_rows(g2: Any, shape: tuple) -> Any:
    if len(shape) == 2:
        return g2
    if len(shape) == 1:
        return g2.reshape(shape)
    xp = get_array_module(g2)
    moved = (shape[0], *shape[2:], shape[1])
    return xp.moveaxis(g2.reshape(moved), -1, 1)



def _class_targets(t: Any, ignore_index: int, n_classes: int) -> tuple[Any, Any]:
    """(targets with ignored entries set to 0, validity mask); checks the range."""
    xp = get_array_module(t)
    t = t.reshape(-1)
    valid = t != ignore_index
    safe = xp.where(valid, t, 0)
    # host_checks: on the GPU reading max/min is a sync per step, so it runs only on request
    if safe.size and host_checks(safe) and (int(safe.max()) >= n_classes or int(safe.min()) < 0):
        bad = safe[(safe >= n_classes) | (safe < 0)][0]
        raise IndexError(f"Target {int(bad)} is out of bounds.")
    return safe, valid


def _log_probs(x2: Any) -> tuple[Any, Any]:
    """(shifted logits z, log of the softmax denominator) for rows x2."""
    xp = get_array_module(x2)
    z = x2 - x2.max(axis=1, keepdims=True)
    return z, xp.log(xp.exp(z).sum(axis=1, keepdims=True))


# ------------------------------------------------------------------ cross entropy
class CrossEntropy(Function):
    """loss = -sum_c target_c * w_c * log softmax(x)_c (indices: target one-hot), reduced"""

    @staticmethod
    def forward(ctx, x, target, weight=None, ignore_index=-100, reduction="mean",
                label_smoothing=0.0, soft=False):
        x2 = _to_rows(x)
        if type(x) is not np.ndarray and not soft and label_smoothing == 0:
            if host_checks(target):  # the GPU kernels poison a bad target; this names it
                _class_targets(target, ignore_index, x2.shape[1])
            fused = kernels.cross_entropy(x2, target, weight, ignore_index, reduction)
            if fused is not None:  # the GPU: three kernels in all, forward and backward
                ctx.fused, ctx.shape = fused[1], x.shape
                return fused[0]
        ctx.fused = None
        if not soft and label_smoothing == 0:
            return _plain_forward(ctx, x2, x.shape, target, weight, ignore_index, reduction)
        z, lse = _log_probs(x2)
        logp = z
        logp -= lse  # z is a fresh array: normalise it in place
        ctx.shape, ctx.plain = x.shape, False
        ctx.reduction = reduction
        ctx.soft = soft
        if soft:
            return _soft_forward(ctx, logp, target, weight, reduction, label_smoothing)
        return _hard_forward(ctx, logp, target, weight, ignore_index, reduction, label_smoothing)

    @staticmethod
    def backward(ctx, g):
        if ctx.fused is not None:
            return _from_rows(kernels.cross_entropy_backward(ctx.fused, g), ctx.shape), None, None
        if ctx.soft:
            return _soft_backward(ctx, g)
        if ctx.plain:
            return _plain_backward(ctx, g), None, None
        return _hard_backward(ctx, g), None, None


def _plain_forward(ctx: Any, x2: Any, shape: tuple, target: Any, weight: Any,
                   ignore_index: int, reduction: str) -> Any:
    """Class targets without label smoothing, the common case, in four passes over the
    logits: the row max, the shift, one exp (kept: backward's softmax is e / sum e, so it
    needs no second exp and no log-probabilities) and the row sums."""
    xp = get_array_module(x2)
    rows, n_classes = x2.shape
    safe, valid = _class_targets(target, ignore_index, n_classes)
    e = x2 - x2.max(axis=1, keepdims=True)
    picked = e[xp.arange(rows), safe]  # before exp: the shifted logits of the targets
    xp.exp(e, out=e)
    sums = e @ xp.ones(n_classes, e.dtype)  # a BLAS product: ~3x faster than sum(axis=1)
    w_t = (weight[safe] * valid) if weight is not None else valid.astype(e.dtype)
    loss = (xp.log(sums) - picked) * w_t
    denom = w_t.sum()
    ctx.save_for_backward(e, sums, safe, w_t)
    ctx.shape, ctx.reduction, ctx.soft, ctx.plain = shape, reduction, False, True
    ctx.denom, ctx.t_shape, ctx.eps = denom, target.shape, 0.0
    return _reduce(loss.reshape(target.shape), denom, reduction)


def _plain_backward(ctx: Any, g: Any) -> Any:
    """d loss / d x = coef * (softmax - onehot), coef = w[t] * upstream scale, per row."""
    e, sums, safe, w_t = ctx.saved_tensors
    xp = get_array_module(g)
    rows = e.shape[0]
    scale = _grad_scale(g, ctx.denom, ctx.reduction, ctx.t_shape).reshape(-1)
    coef = (w_t * scale).astype(e.dtype, copy=False)  # (rows,), broadcast from a scalar
    coef = xp.broadcast_to(coef, (rows,))
    grad = e * (coef / sums)[:, None]  # a new array: e stays intact for a retained graph
    grad[xp.arange(rows), safe] -= coef
    return _from_rows(grad, ctx.shape)


def _hard_forward(ctx: Any, logp: Any, target: Any, weight: Any, ignore_index: int,
                  reduction: str, eps: float) -> Any:
    xp = get_array_module(logp)
    rows, n_classes = logp.shape
    safe, valid = _class_targets(target, ignore_index, n_classes)
    picked = logp[xp.arange(rows), safe]
    w_t = (weight[safe] * valid) if weight is not None else valid.astype(logp.dtype)
    loss = -picked * w_t
    if eps > 0:
        smooth = -(logp * weight).sum(axis=1) if weight is not None else -logp.sum(axis=1)
        loss = (1 - eps) * loss + (eps / n_classes) * (smooth * valid)
    denom = w_t.sum()
    ctx.save_for_backward(logp, safe, valid, w_t, weight)
    ctx.denom, ctx.eps, ctx.t_shape = denom, eps, target.shape
    return _reduce(loss.reshape(target.shape), denom, reduction)


def _hard_backward(ctx: Any, g: Any) -> Any:
    logp, safe, valid, w_t, weight = ctx.saved_tensors
    xp = get_array_module(g)
    rows, n_classes = logp.shape
    scale = _grad_scale(g, ctx.denom, ctx.reduction, ctx.t_shape).reshape(-1)
    scale = xp.broadcast_to(scale, (rows,))
    eps = ctx.eps
    nll_coef = (1 - eps) * w_t * scale  # weight on (p - onehot) from the nll part
    grad = xp.exp(logp)
    if eps > 0:
        smooth_coef = (eps / n_classes) * valid * scale
        w_sum = weight.sum() if weight is not None else n_classes
        grad *= (nll_coef + smooth_coef * w_sum)[:, None]
        grad -= smooth_coef[:, None] * (weight if weight is not None else 1)
    else:
        grad *= nll_coef[:, None]
    grad[xp.arange(rows), safe] -= nll_coef
    return _from_rows(grad.astype(logp.dtype, copy=False), ctx.shape)


def _soft_forward(ctx: Any, logp: Any, target: Any, weight: Any, reduction: str,
                  eps: float) -> Any:
    n_classes = logp.shape[1]
    t2 = _to_rows(target)
    if eps > 0:
        t2 = t2 * (1 - eps) + eps / n_classes
    tw = t2 * weight if weight is not None else t2
    loss = -(logp * tw).sum(axis=1)
    denom = logp.shape[0] if len(ctx.shape) > 1 else 1
    ctx.save_for_backward(logp, tw, weight)
    ctx.denom, ctx.eps = denom, eps
    out_shape = (ctx.shape[0], *ctx.shape[2:]) if len(ctx.shape) > 1 else ()
    return _reduce(loss.reshape(out_shape), denom, reduction)


def _soft_backward(ctx: Any, g: Any) -> tuple:
    logp, tw, weight = ctx.saved_tensors
    xp = get_array_module(g)
    rows = logp.shape[0]
    out_shape = (ctx.shape[0], *ctx.shape[2:]) if len(ctx.shape) > 1 else ()
    scale = xp.broadcast_to(_grad_scale(g, ctx.denom, ctx.reduction, out_shape).reshape(-1),
                            (rows,))[:, None]
    gx = gt = None
    if ctx.needs_input_grad[0]:
        gx = _from_rows(scale * (xp.exp(logp) * tw.sum(axis=1, keepdims=True) - tw), ctx.shape)
    if ctx.needs_input_grad[1]:
        gt2 = -logp * scale * (1 - ctx.eps)
        gt = _from_rows(gt2 * weight if weight is not None else gt2, ctx.shape)
    return gx, gt, None


# ------------------------------------------------------------------ nll
class NllLoss(Function):
    """loss = -w[t] * x[t] per row (x holds log-probabilities), reduced"""

    @staticmethod
    def forward(ctx, x, target, weight=None, ignore_index=-100, reduction="mean"):
        xp = get_array_module(x)
        x2 = _to_rows(x)
        rows, n_classes = x2.shape
        safe, valid = _class_targets(target, ignore_index, n_classes)
        w_t = (weight[safe] * valid) if weight is not None else valid.astype(x.dtype)
        loss = -x2[xp.arange(rows), safe] * w_t
        ctx.save_for_backward(safe, w_t)
        ctx.denom, ctx.shape, ctx.reduction, ctx.t_shape = w_t.sum(), x.shape, reduction, \
            target.shape
        return _reduce(loss.reshape(target.shape), ctx.denom, reduction)

    @staticmethod
    def backward(ctx, g):
        safe, w_t = ctx.saved_tensors
        xp = get_array_module(g)
        rows = safe.shape[0]
        n_classes = ctx.shape[1] if len(ctx.shape) > 1 else ctx.shape[0]
        scale = _grad_scale(g, ctx.denom, ctx.reduction, ctx.t_shape).reshape(-1)
        grad = xp.zeros((rows, n_classes), dtype=w_t.dtype)
        grad[xp.arange(rows), safe] = -w_t * scale
        return _from_rows(grad, ctx.shape), None, None


# ------------------------------------------------------------------ public functions
def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross entropy between logits (N, C, d...) and class indices or class probabilities.

    Args:
        input: logits, (C,), (N, C) or (N, C, d1, ...).
        target: class indices (N, d1, ...) or probabilities shaped like input.
        weight: per-class rescaling (C,).
        ignore_index: index targets equal to this contribute neither loss nor grad.
        reduction: 'none' | 'mean' (weighted mean over non-ignored targets) | 'sum'.
        label_smoothing: mix the target with the uniform distribution by this amount.

    Example:
        >>> F.cross_entropy(ag.zeros(2, 4), ag.tensor([1, 3]))
        tensor(1.3863)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(
            f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    soft = target._data.dtype.kind == "f"
    _check_class_shapes("cross_entropy", input, target, soft)
    _check_weight(input, weight)
    if soft:
        return CrossEntropy.apply(input, target, weight=_raw(weight), reduction=reduction,
                                  label_smoothing=label_smoothing, soft=True)
    return CrossEntropy.apply(input, target, weight=_raw(weight), ignore_index=ignore_index,
                              reduction=reduction, label_smoothing=label_smoothing)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities `input` at class indices `target`."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_class_shapes("nll_loss", input, target, False)
    _check_weight(input, weight)
    return NllLoss.apply(input, target, weight=_raw(weight), ignore_index=ignore_index,
                         reduction=reduction)


def _check_weight(input: Tensor, weight: Tensor | None) -> None:
    """Class weights in another dtype: PyTorch refuses them (numpy would promote the loss)."""
    if weight is not None and weight._data.dtype != input._data.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(input._data.dtype)} but "
                           f"found {scalar_type_name(weight._data.dtype)}")


def _check_class_shapes(op: str, input: Tensor, target: Tensor, soft: bool) -> None:
    x, t = input._data, target._data
    if soft:
        if x.shape != t.shape:
            raise RuntimeError(
                f"{op}: expected target of shape {shape_str(x.shape)} (class probabilities), "
                f"got {shape_str(t.shape)}")
        return
    if t.dtype.name not in ("int64", "uint8"):  # PyTorch's kernels take no other index type
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{scalar_type_name(t.dtype)}")
    expected = (x.shape[0], *x.shape[2:]) if x.ndim > 1 else ()
    if x.ndim == 0 or t.shape != expected:
        raise ValueError(
            f"Expected input batch_size ({x.shape[0] if x.ndim else 0}) to match target "
            f"batch_size ({t.shape[0] if t.ndim else 0})." if x.ndim and t.ndim and
            x.shape[0] != t.shape[0] else
            f"{op}: input of shape {shape_str(x.shape)} needs a target of shape "
            f"{shape_str(expected)}, got {shape_str(t.shape)}")


def _raw(t: Tensor | None) -> Any:
    return None if t is None else t._data
