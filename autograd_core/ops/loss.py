"""Loss functions as fused ops, with PyTorch's reductions, weights and ignore_index semantics.

Class-dimension losses (cross_entropy, nll_loss) work on rows: (N, C, d1, ...) inputs are
moved to (N*d1*..., C) first, so one code path serves 1-D, 2-D and K-dim inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core.backend import get_array_module, host_checks, kernels
from autograd_core.function import Function
from autograd_core.ops._util import scalar_type_name, shape_str, sum_to
from autograd_core.tensor import Tensor

__all__: list[str] = []

_REDUCTIONS = ("none", "mean", "sum")


# ------------------------------------------------------------------ helpers
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


def _reduce(loss: Any, denom: Any, reduction: str) -> Any:
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    with np.errstate(invalid="ignore", divide="ignore"):  # all targets ignored: nan, as torch
        return total / denom


def _grad_scale(g: Any, denom: Any, reduction: str, shape: tuple) -> Any:
    """The upstream grad per element: g itself, or the broadcast scalar (over denom)."""
    if reduction == "none":
        return g.reshape(shape)
    return g if reduction == "sum" else g / denom


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
        z, lse = _log_probs(x2)
        logp = z
        logp -= lse  # z is a fresh array: normalise it in place
        ctx.shape = x.shape
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
        return _hard_backward(ctx, g), None, None


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


# ------------------------------------------------------------------ regression losses
class _Pointwise(Function):
    """Base for losses of d = x - y: subclasses give value(d) and slope(d)."""

    @staticmethod
    def forward(ctx, x, y, reduction="mean", **params):
        cls = ctx.fn
        d = x - y
        ctx.save_for_backward(d)
        ctx.shapes, ctx.reduction, ctx.params = (x.shape, y.shape), reduction, params
        return _reduce(cls.value(d, **params), d.size, reduction)

    @staticmethod
    def backward(ctx, g):
        (d,) = ctx.saved_tensors
        gd = ctx.fn.slope(d, **ctx.params) * _grad_scale(g, d.size, ctx.reduction, d.shape)
        gd = gd.astype(d.dtype, copy=False)
        nx, ny = ctx.needs_input_grad
        return (sum_to(gd, ctx.shapes[0]) if nx else None,
                sum_to(-gd, ctx.shapes[1]) if ny else None)


class MseLoss(_Pointwise):
    """loss = (x - y)^2, reduced"""

    @staticmethod
    def value(d):
        return d * d

    @staticmethod
    def slope(d):
        return 2 * d


class L1Loss(_Pointwise):
    """loss = |x - y|, reduced"""

    @staticmethod
    def value(d):
        return get_array_module(d).abs(d)

    @staticmethod
    def slope(d):
        return get_array_module(d).sign(d)


class SmoothL1Loss(_Pointwise):
    """loss = 0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta, reduced"""

    @staticmethod
    def value(d, beta=1.0):
        xp = get_array_module(d)
        a = xp.abs(d)
        if beta == 0:
            return a
        return xp.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)

    @staticmethod
    def slope(d, beta=1.0):
        xp = get_array_module(d)
        if beta == 0:
            return xp.sign(d)
        return xp.clip(d / beta, -1, 1)


class HuberLoss(_Pointwise):
    """loss = 0.5 d^2 if |d| < delta else delta (|d| - 0.5 delta), reduced"""

    @staticmethod
    def value(d, delta=1.0):
        xp = get_array_module(d)
        a = xp.abs(d)
        return xp.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))

    @staticmethod
    def slope(d, delta=1.0):
        return get_array_module(d).clip(d, -delta, delta)


# ------------------------------------------------------------------ binary losses
class BinaryCrossEntropy(Function):
    """loss = -w (y log x + (1 - y) log(1 - x)), logs clamped at -100, reduced"""

    @staticmethod
    def forward(ctx, x, y, weight=None, reduction="mean"):
        xp = get_array_module(x)
        with np.errstate(divide="ignore"):  # log(0) = -inf, clamped to -100 as in PyTorch
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log1p(-x), -100)
        loss = -(y * (log_x - log_1mx) + log_1mx)
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, y, weight, log_x, log_1mx)
        ctx.reduction = reduction
        return _reduce(loss, x.size, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y, weight, log_x, log_1mx = ctx.saved_tensors
        xp = get_array_module(g)
        scale = _grad_scale(g, x.size, ctx.reduction, x.shape)
        if weight is not None:
            scale = scale * weight
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = scale * (x - y) / xp.maximum((1 - x) * x, x.dtype.type(1e-12))
        if ctx.needs_input_grad[1]:
            gy = scale * (log_1mx - log_x)
        return gx, gy


class BinaryCrossEntropyWithLogits(Function):
    """loss = -w (p y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))), p = pos_weight"""

    @staticmethod
    def forward(ctx, x, y, weight=None, pos_weight=None, reduction="mean"):
        xp = get_array_module(x)
        # log(1 + exp(-x)) without overflow: softplus(-x)
        sp = xp.logaddexp(0, -x).astype(x.dtype, copy=False)
        if pos_weight is not None:
            log_w = (pos_weight - 1) * y + 1
            loss = (1 - y) * x + log_w * sp
        else:
            loss = (1 - y) * x + sp
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, y, weight, pos_weight, sp)
        ctx.reduction = reduction
        return _reduce(loss, loss.size, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y, weight, pos_weight, sp = ctx.saved_tensors
        xp = get_array_module(g)
        shape = np.broadcast_shapes(x.shape, y.shape)  # host shapes: cupy has no broadcast_shapes
        scale = _grad_scale(g, _numel(shape), ctx.reduction, shape)
        if weight is not None:
            scale = scale * weight
        e = xp.exp(-xp.abs(x))  # sigmoid(-x) without overflow for large |x|
        sig_neg = xp.where(x >= 0, e, 1) / (1 + e)
        gx = gy = None
        if ctx.needs_input_grad[0]:
            log_w = (pos_weight - 1) * y + 1 if pos_weight is not None else 1
            gx = sum_to(scale * ((1 - y) - log_w * sig_neg), x.shape)
        if ctx.needs_input_grad[1]:
            extra = (pos_weight - 1) * sp if pos_weight is not None else 0
            gy = sum_to(scale * (extra - x), y.shape)
        return gx, gy


def _numel(shape: tuple) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


# ------------------------------------------------------------------ public functions
def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _raw(t: Tensor | None) -> Any:
    return None if t is None else t._data


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


def _legacy_reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """PyTorch's deprecated size_average/reduce flags mapped onto `reduction`."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _pointwise(cls: type, input: Tensor, target: Tensor, reduction: str, op: str,
               **params: Any) -> Tensor:
    from autograd_core.ops._operands import _prepare

    _check_reduction(reduction)
    if input._data.shape != target._data.shape:
        import warnings

        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.", stacklevel=3)
    input, target = _prepare(input, target, op)
    _check_float_loss(input, target, reduction, op)
    return cls.apply(input, target, reduction=reduction, **params)


_LOSS_KERNELS = {"mse_loss": "mse", "smooth_l1_loss": "smooth_l1", "huber_loss": "huber"}


def _check_float_loss(input: Tensor, target: Tensor, reduction: str, op: str) -> None:
    """PyTorch's refusals of integer regression losses (numpy would compute them)."""
    dt = input._data.dtype
    if dt.kind in "fc":
        return
    if op == "l1_loss":  # |x - y| is defined on integers; only its mean is not
        if reduction == "mean":
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be "
                               "either a floating point or complex dtype. Got: "
                               f"{scalar_type_name(dt)}")
        return
    dev = "cuda" if input.device.type == "cuda" else "cpu"
    raise NotImplementedError(f'"{_LOSS_KERNELS[op]}_{dev}" not implemented for '
                              f"'{scalar_type_name(dt)}'")


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """Mean squared error (squared L2)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _pointwise(MseLoss, input, target, reduction, "mse_loss")


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean") -> Tensor:
    """Mean absolute error."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _pointwise(L1Loss, input, target, reduction, "l1_loss")


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None,
                   reduce: Any = None, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Quadratic below beta, linear above (L1 when beta == 0)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _pointwise(SmoothL1Loss, input, target, reduction, "smooth_l1_loss", beta=beta)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",
               delta: float = 1.0) -> Tensor:
    """Quadratic below delta, delta-scaled linear above."""
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    return _pointwise(HuberLoss, input, target, reduction, "huber_loss", delta=delta)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """BCE between probabilities `input` in [0, 1] and targets of the same shape."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size.")
    x = input._data
    if x.size and host_checks(x) and (float(x.min()) < 0 or float(x.max()) > 1):  # GPU: no sync
        raise RuntimeError("all elements of input should be between 0 and 1")
    if target._data.dtype != x.dtype:  # PyTorch casts neither
        raise RuntimeError(f"Found dtype {scalar_type_name(target._data.dtype)} but expected "
                           f"{scalar_type_name(x.dtype)}")
    return BinaryCrossEntropy.apply(input, target, weight=_raw(weight), reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, size_average: Any = None,
                                     reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """BCE on logits, computed stably; pos_weight scales the positive term per class."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    input, target = _logits_and_target(input, target)
    return BinaryCrossEntropyWithLogits.apply(
        input, target, weight=_raw(weight), pos_weight=_raw(pos_weight), reduction=reduction)


def _logits_and_target(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """PyTorch's dtypes for BCE on logits: float logits, the result in the promoted dtype."""
    di, dt = input._data.dtype, target._data.dtype
    if di.kind not in "fc":
        dev = "cuda" if input.device.type == "cuda" else "cpu"
        raise NotImplementedError(f'"log_sigmoid_{dev}" not implemented for '
                                  f"'{scalar_type_name(di)}'")
    if dt.kind not in "fc":
        raise RuntimeError(f"result type {scalar_type_name(di)} can't be cast to the desired "
                           f"output type {scalar_type_name(dt)}")
    common = dtypes.promote_types(di, dt)
    return input.to(common), target.to(common)
