"""`F.mse_loss`, `F.l1_loss` and `F.huber_loss` with PyTorch 2.13's `weight` argument: without
it they are the fused ops; with it, the elementwise loss times the weight, reduced as PyTorch
does (mse and l1: mean = sum / sum(weight); huber: the plain mean of the weighted loss)."""

from __future__ import annotations

from typing import Any

from autograd_core.ops import elementwise_losses as E
from autograd_core.ops._reduction import _legacy_reduction
from autograd_core.tensor import Tensor

__all__ = ["huber_loss", "l1_loss", "mse_loss"]


def _weighted(loss: Tensor, weight: Tensor, input: Tensor, reduction: str,
              mean_by_weight: bool) -> Tensor:
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    weighted = loss * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean":
        return weighted.sum() / weight.sum() if mean_by_weight else weighted.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean squared error; `weight` scales each element's error."""
    if weight is None:
        return E.mse_loss(input, target, size_average, reduce, reduction)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _weighted(E.mse_loss(input, target, reduction="none"), weight, input, reduction,
                     True)


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean absolute error; `weight` scales each element's error."""
    if weight is None:
        return E.l1_loss(input, target, size_average, reduce, reduction)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _weighted(E.l1_loss(input, target, reduction="none"), weight, input, reduction, True)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """Huber loss; `weight` scales each element's loss."""
    if weight is None:
        return E.huber_loss(input, target, reduction, delta)
    return _weighted(E.huber_loss(input, target, "none", delta), weight, input, reduction,
                     False)
