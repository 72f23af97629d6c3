"""The margin, embedding and likelihood losses of `nn.functional`, written with existing ops
as PyTorch writes them (its formulas, its clamps, its argument checks), so the gradients and
their gradients come from those ops' formulas."""

from __future__ import annotations

import math
from typing import Any

from autograd_core.ops._reduction import _check_reduction, _legacy_reduction
from autograd_core.ops.activation import logsigmoid
from autograd_core.ops.logic import where
from autograd_core.tensor import Tensor

__all__ = ["cosine_embedding_loss", "gaussian_nll_loss", "hinge_embedding_loss",
           "margin_ranking_loss", "multi_margin_loss", "multilabel_soft_margin_loss",
           "poisson_nll_loss", "soft_margin_loss"]


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    _check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def soft_margin_loss(input: Tensor, target: Tensor, size_average: Any = None,
                     reduce: Any = None, reduction: str = "mean") -> Tensor:
    """log(1 + exp(-target * input)), targets in {-1, 1}."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _reduce((-(input * target)).exp().log1p(), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average: Any = None, reduce: Any = None,
                                reduction: str = "mean") -> Tensor:
    """Per-class binary cross entropy on logits, averaged over the classes (last dim)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    return _reduce(loss, reduction)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average: Any = None,
                      reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Multi-class hinge: sum over j != y of max(0, margin - x[y] + x[j])^p, over C."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    x = input if input.dim() == 2 else input.reshape(1, -1)
    y = target.reshape(-1, 1).long()
    if x.dim() != 2 or y.shape[0] != x.shape[0]:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of "
                           f"size: {list(input.shape)}")
    z = (x - x.gather(1, y) + margin).clamp_min(0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[y.reshape(-1)].reshape(-1, 1)
    from autograd_core.creation import arange

    is_target = arange(x.shape[1], device=x.device).reshape(1, -1) == y
    loss = where(is_target, z.new_zeros(()), z).sum(1) / x.shape[1]
    if input.dim() < 2 and target.dim() == 0:  # one unbatched sample: a 0-d loss
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: Any = None, reduce: Any = None,
                          reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) for target 1, max(0, cos - margin) for target -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    d = input1.dim() - 1
    eps = 1e-12  # PyTorch's EPSILON in the squared magnitudes
    prod = (input1 * input2).sum(d)
    mag = ((input1 * input1).sum(d) + eps) * ((input2 * input2).sum(d) + eps)
    cos = prod / mag.sqrt()
    zero = cos.new_zeros(())
    loss = (where(target == 1, 1 - cos, zero)
            + where(target == -1, (cos - margin).clamp_min(0), zero))
    return _reduce(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, -target * (x1 - x2) + margin)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if not input1.dim() == input2.dim() == target.dim():
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got "
            f"sizes: input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """x for target 1, max(0, margin - x) for target -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    zero = input.new_zeros(())
    loss = (where(target != 1, (margin - input).clamp_min(0), zero)
            + where(target != -1, input, zero))
    return _reduce(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True,
                     full: bool = False, size_average: Any = None, eps: float = 1e-8,
                     reduce: Any = None, reduction: str = "mean") -> Tensor:
    """exp(x) - t * x (log_input) or x - t * log(x + eps); `full` adds Stirling's term."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        t = target.detach()
        safe = where(t > 1, t, t.new_ones(()))
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + where(t > 1, stirling, t.new_zeros(()))
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """0.5 * (log(var) + (input - target)^2 / var), var clamped at eps (no gradient through
    the clamp, as PyTorch's in-place clamp under no_grad)."""
    v = var if isinstance(var, Tensor) else input.new_full((), float(var))
    if tuple(v.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(v.shape):
            v = v.unsqueeze(-1)
        elif not (tuple(input.shape[:-1]) == tuple(v.shape[:-1]) and v.shape[-1] == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    if bool((v < 0).any()):
        raise ValueError("var has negative entry/entries")
    clamped = v + (v.detach().clamp_min(eps) - v.detach())
    loss = 0.5 * (clamped.log() + (input - target) ** 2 / clamped)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
