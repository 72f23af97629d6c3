"""Distances and divergences composed of ops: pairwise distance, the triplet loss, KL divergence.

PyTorch's `pairwise_distance` (the p-norm of `x1 - x2 + eps` over the last dimension) and
`triplet_margin_loss` (max(d(a, p) - d(a, n) + margin, 0), with the distance swap) and
`kl_div` (target * (log target - input), PyTorch's argument order: input is log-probs); their
gradients come from the ops they are made of, so double backward works as theirs does.
"""

from __future__ import annotations

import warnings
from typing import Any

from autograd_core.ops._reduction import _check_reduction, _legacy_reduction
from autograd_core.tensor import Tensor

__all__ = ["kl_div", "pairwise_distance", "triplet_margin_loss"]


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p over the last dimension (inputs broadcast)."""
    return (x1 - x2 + eps).norm(p, dim=-1, keepdim=keepdim)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                        swap: bool = False, size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """mean(max(d(anchor, positive) - d(anchor, negative) + margin, 0)); with `swap`, the
    negative's distance is the smaller of d(anchor, negative) and d(positive, negative)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative "
            f"{dims[2]}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        from autograd_core.ops import minimum

        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    loss = (margin + d_pos - d_neg).clamp_min(0)
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


_KL_MEAN_WARNING = (
    "reduction: 'mean' divides the total loss by both the batch size and the support size."
    "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
    "'mean' will be changed to behave the same as 'batchmean' in the next major release.")


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL(target || exp(input)) pointwise: target * (log(target) - input), 0 where target is
    0 (PyTorch's xlogy); `log_target` takes the target as log-probabilities too.
    'batchmean' divides the sum by the batch size (the true KL); 'mean' by every element."""
    if reduction != "batchmean":
        reduction = _legacy_reduction(size_average, reduce, reduction)
        _check_reduction(reduction)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        from autograd_core.ops import where

        positive = target > 0
        safe = where(positive, target, 1.0)  # log(1) = 0 where target is 0: finite gradients
        loss = target * safe.log() - target * input
    if reduction == "none":
        return loss
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    if reduction == "mean":
        warnings.warn(_KL_MEAN_WARNING, UserWarning, stacklevel=2)
        return loss.mean()
    return loss.sum()
