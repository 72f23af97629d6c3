"""More of `nn.functional`, written with existing ops: alpha / feature-alpha / 3-D dropout,
LP pooling, channel shuffle, max unpooling, pdist, gumbel_softmax, the multilabel margin and
custom-distance triplet losses, and the in-place activation aliases (`relu_`, ...)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_core.backend import get_array_module
from autograd_core.nn import _functional_act as FA
from autograd_core.nn._functional_loss import _reduce
from autograd_core.ops import activation as A
from autograd_core.ops import adaptive_pool as AP
from autograd_core.ops import dropout as D
from autograd_core.ops import pooling as P
from autograd_core.ops._reduction import _legacy_reduction
from autograd_core.ops.distance import pairwise_distance
from autograd_core.ops.softmax import softmax
from autograd_core.tensor import Tensor

__all__ = ["alpha_dropout", "celu_", "channel_shuffle", "dropout3d", "elu_",
           "feature_alpha_dropout", "gumbel_softmax", "hardtanh_", "leaky_relu_", "lp_pool1d",
           "lp_pool2d", "lp_pool3d", "max_unpool1d", "max_unpool2d", "max_unpool3d",
           "multilabel_margin_loss", "pdist", "relu_", "rrelu_", "selu_", "threshold_",
           "triplet_margin_with_distance_loss"]

_ALPHA = 1.7580993408473766  # -scale * alpha of SELU: where alpha dropout sends dropped units


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) input."""
    return D._feature_dropout(input, p, training, inplace, 3)


def _alpha(input: Tensor, p: float, training: bool, inplace: bool, feature: bool) -> Tensor:
    D._check_p(p)
    if not training or p == 0:
        return input
    if p == 1:
        out = input * 0
        return input._inplace(out) if inplace else out
    from autograd_core.random_creation import rand

    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2) if feature else tuple(input.shape)
    keep = (rand(*shape, dtype=input.dtype, device=input.device) >= p).to(input.dtype)
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    b = (keep - 1) * (_ALPHA * a) + _ALPHA * a * p
    out = input * (keep * a) + b
    return input._inplace(out) if inplace else out


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Dropout that keeps SELU's mean and variance (dropped units go to -alpha')."""
    return _alpha(input, p, training, inplace, False)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels."""
    return _alpha(input, p, training, inplace, True)


def _lp(pooled_mean: Tensor, norm_type: float, window: int) -> Tensor:
    return (pooled_mean.sign() * pooled_mean.abs().relu() * window).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """(sum over each window of x^p)^(1/p)."""
    if math.isinf(norm_type):
        sign = 1 if norm_type > 0 else -1
        return sign * P.max_pool1d(sign * input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = P.avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp(out, norm_type, kernel_size)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """(sum over each window of x^p)^(1/p), 2-D windows."""
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    if math.isinf(norm_type):
        sign = 1 if norm_type > 0 else -1
        return sign * P.max_pool2d(sign * input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = P.avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp(out, norm_type, kh * kw)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """(sum over each window of x^p)^(1/p), 3-D windows."""
    from autograd_core.nn import _volumetric as V

    k = (kernel_size,) * 3 if isinstance(kernel_size, int) else tuple(kernel_size)
    if math.isinf(norm_type):
        sign = 1 if norm_type > 0 else -1
        return sign * V.max_pool3d(sign * input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = V.avg_pool3d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp(out, norm_type, math.prod(k))


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, g * c, ...) -> channels interleaved across the g groups (ShuffleNet)."""
    c = input.shape[1]
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value "
                           f"of groups:{groups}")
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")
    rest = tuple(input.shape[2:])
    x = input.reshape(input.shape[0], groups, c // groups, *rest)
    return x.transpose(1, 2).reshape(input.shape)


def _max_unpool(input: Tensor, indices: Tensor, nd: int, kernel_size: Any, stride: Any,
                padding: Any, output_size: Any) -> Tensor:
    def tup(v: Any) -> tuple[int, ...]:
        return (int(v),) * nd if isinstance(v, int) else tuple(int(i) for i in v)

    k = tup(kernel_size)
    s = k if stride is None else tup(stride)
    p = tup(padding)
    spatial = tuple(input.shape[-nd:])
    if output_size is None:
        out = tuple((spatial[i] - 1) * s[i] - 2 * p[i] + k[i] for i in range(nd))
    else:
        out = tuple(int(v) for v in tuple(output_size)[-nd:])
    lead = tuple(input.shape[:-nd])
    flat = input.reshape(*lead, -1)
    idx = indices.reshape(*lead, -1).long()
    zeros = flat.new_zeros(*lead, math.prod(out))
    return zeros.scatter(flat.ndim - 1, idx, flat).reshape(*lead, *out)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """Put each pooled value back at its max_pool1d index; zeros elsewhere."""
    return _max_unpool(input, indices, 1, kernel_size, stride, padding, output_size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """Put each pooled value back at its max_pool2d index; zeros elsewhere."""
    return _max_unpool(input, indices, 2, kernel_size, stride, padding, output_size)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """Put each pooled value back at its max_pool3d index; zeros elsewhere."""
    return _max_unpool(input, indices, 3, kernel_size, stride, padding, output_size)


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The p-norm distance of every pair of rows i < j, in row-major order: (N*(N-1)/2,)."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    xp = get_array_module(input._data)
    rows_i, rows_j = Tensor._make(xp.asarray(i)), Tensor._make(xp.asarray(j))
    return (input[rows_i] - input[rows_j]).norm(p, dim=1)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """softmax((logits + Gumbel noise) / tau); `hard` returns one-hot samples whose gradient
    is the soft one's (straight-through)."""
    from autograd_core.random_creation import rand_like

    u = rand_like(logits)
    gumbels = -(-(1 - u).log()).log()  # -log(Exponential(1))
    y = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y
    index = y.detach().argmax(dim, keepdim=True)
    y_hard = y.detach().new_zeros(*y.shape).scatter(dim % y.ndim, index, value=1.0)
    return y_hard - y.detach() + y


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average: Any = None,
                           reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Hinge over (target class j, non-target class k) pairs: sum max(0, 1 - (x_j - x_k)) / C;
    each target row lists class indices, ended by the first -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    x = input if input.ndim == 2 else input.reshape(1, -1)
    t = np.asarray(target.detach().cpu().numpy()).reshape(x.shape[0], -1)
    n, c = x.shape
    is_target = np.zeros((n, c), dtype=bool)
    for r in range(n):
        for cls in t[r]:
            if cls < 0:
                break
            is_target[r, cls] = True
    xp = get_array_module(input._data)
    pairs = (is_target[:, :, None] & ~is_target[:, None, :]).astype(input._data.dtype)
    margins = (1 - x.unsqueeze(2) + x.unsqueeze(1)).clamp_min(0)  # [r, j, k]
    loss = (margins * Tensor._make(xp.asarray(pairs))).sum((1, 2)) / c
    if input.ndim < 2:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Callable | None = None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """max(d(a, p) - d(a, n) + margin, 0) with any distance (default: pairwise_distance)."""
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than "
                         f"0, got {margin} instead")
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos, d_neg = dist(anchor, positive), dist(anchor, negative)
    if swap:
        from autograd_core.ops import minimum

        d_neg = minimum(d_neg, dist(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def relu_(input: Tensor) -> Tensor:
    return A.relu(input, inplace=True)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return A.elu(input, alpha, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return A.leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return A.hardtanh(input, min_val, max_val, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return FA.celu(input, alpha, inplace=True)


def selu_(input: Tensor) -> Tensor:
    return FA.selu(input, inplace=True)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return FA.threshold(input, threshold, value, inplace=True)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    return FA.rrelu(input, lower, upper, training, inplace=True)


def _with_indices(pool: Callable[..., Any]) -> Callable[..., Any]:
    def with_indices(*args: Any, **kwargs: Any) -> Any:
        kwargs["return_indices"] = True
        return pool(*args, **kwargs)
    with_indices.__name__ = f"{pool.__name__}_with_indices"
    with_indices.__doc__ = f"{pool.__name__}(..., return_indices=True): (values, indices)."
    return with_indices


def _volumetric_pool() -> Any:
    from autograd_core.nn import _volumetric as V

    return V.max_pool3d


def _fractional_pools() -> tuple:
    from autograd_core.nn import fractional as FR

    return FR.fractional_max_pool2d, FR.fractional_max_pool3d


native_channel_shuffle = channel_shuffle
max_pool3d_with_indices = _with_indices(_volumetric_pool())
fractional_max_pool2d_with_indices = _with_indices(_fractional_pools()[0])
fractional_max_pool3d_with_indices = _with_indices(_fractional_pools()[1])
max_pool1d_with_indices = _with_indices(P.max_pool1d)
max_pool2d_with_indices = _with_indices(P.max_pool2d)
adaptive_max_pool1d_with_indices = _with_indices(AP.adaptive_max_pool1d)
adaptive_max_pool2d_with_indices = _with_indices(AP.adaptive_max_pool2d)
__all__ += ["adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
            "fractional_max_pool2d_with_indices", "fractional_max_pool3d_with_indices",
            "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
            "native_channel_shuffle"]
