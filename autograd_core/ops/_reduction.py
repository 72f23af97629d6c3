"""The `reduction` argument shared by every loss, as PyTorch's `nn/_reduction.py`.

'none' | 'mean' | 'sum', the deprecated size_average/reduce flags mapped onto it, and the
reduced value and its per-element upstream gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__: list[str] = []

_REDUCTIONS = ("none", "mean", "sum")


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



def _numel(shape: tuple) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


# ------------------------------------------------------------------ public functions
def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _legacy_reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """PyTorch's deprecated size_average/reduce flags mapped onto `reduction`."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"

