"""Elementwise losses: regression (mse, l1, smooth_l1, huber) and binary cross entropy (on
probabilities and on logits), fused ops with PyTorch's reductions, broadcasting warnings and
dtype rules.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core.backend import get_array_module, host_checks
from autograd_core.function import Function
from autograd_core.ops._reduction import (
    _check_reduction,
    _grad_scale,
    _legacy_reduction,
    _numel,
    _reduce,
)
from autograd_core.ops._util import scalar_type_name, sum_to
from autograd_core.tensor import Tensor

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "huber_loss",
           "l1_loss", "mse_loss", "smooth_l1_loss"]


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


# ------------------------------------------------------------------ public functions
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


def _raw(t: Tensor | None) -> Any:
    return None if t is None else t._data
