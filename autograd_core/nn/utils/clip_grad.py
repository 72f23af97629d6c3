"""Gradient clipping in place, with PyTorch's semantics (the total norm is over all grads)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.tensor import Tensor, bump_version


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad for p in params if p.grad is not None]


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: Any = None) -> Tensor:
    """Scale all gradients together so their joint norm is at most `max_norm`.

    Returns the total norm before clipping (a 0-d tensor), like PyTorch.

    Example:
        >>> total = clip_grad_norm_(model.parameters(), 1.0)
    """
    grads = _grads(parameters)
    if not grads:
        return Tensor._make(get_array_module(None).zeros(()).astype("float32"))
    norm_type = float(norm_type)
    per = [_norm(g._data, norm_type) for g in grads]
    xp = get_array_module(grads[0]._data)
    stacked = xp.stack([xp.asarray(n, dtype=grads[0]._data.dtype) for n in per])
    total = stacked.max() if math.isinf(norm_type) else _norm(stacked, norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the "
            "non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    # Scale by min(1, max_norm / (total + 1e-6)) without a host sync, as PyTorch does.
    coef = xp.minimum(max_norm / (total + 1e-6), 1.0).astype(grads[0]._data.dtype)
    for g in grads:
        g._data *= coef.astype(g._data.dtype, copy=False)
        bump_version(g)
    return Tensor._make(xp.asarray(total))


def _norm(a: Any, p: float) -> Any:
    xp = get_array_module(a)
    flat = xp.abs(a.ravel())
    if math.isinf(p):
        return flat.max() if p > 0 else flat.min()
    if p == 2.0:
        return xp.sqrt(flat @ flat)
    return (flat**p).sum() ** (1.0 / p)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: Any = None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    for g in _grads(parameters):
        xp = get_array_module(g._data)
        xp.clip(g._data, -clip_value, clip_value, out=g._data)
        bump_version(g)
