"""Gradient clipping in place, with PyTorch's semantics (the total norm is over all grads)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.tensor import Tensor, bump_version

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_",
           "get_total_norm"]


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad for p in params if p.grad is not None]


def get_total_norm(tensors: Tensor | Iterable[Tensor], norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: Any = None) -> Tensor:
    """The norm of all `tensors` together (as if concatenated into one vector), a 0-d tensor.

    `foreach` is a speed switch in PyTorch: accepted, no effect.
    """
    ts = [tensors] if isinstance(tensors, Tensor) else [t for t in tensors if t is not None]
    if not ts:
        return Tensor._make(get_array_module(None).zeros(()).astype("float32"))
    norm_type = float(norm_type)
    xp = get_array_module(ts[0]._data)
    per = [_norm(t._data, norm_type) for t in ts]
    stacked = xp.stack([xp.asarray(n, dtype=ts[0]._data.dtype) for n in per])
    total = stacked.max() if math.isinf(norm_type) else _norm(stacked, norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the "
            "non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor._make(xp.asarray(total))


def clip_grads_with_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                          total_norm: Tensor, foreach: Any = None) -> None:
    """Scale the gradients by min(1, max_norm / (total_norm + 1e-6)), in place."""
    grads = _grads(parameters)
    if not grads:
        return
    xp = get_array_module(grads[0]._data)
    # Scale without a host sync, as PyTorch does.
    coef = xp.minimum(max_norm / (total_norm._data + 1e-6), 1.0)
    for g in grads:
        g._data *= coef.astype(g._data.dtype, copy=False)
        bump_version(g)


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: Any = None) -> Tensor:
    """Scale all gradients together so their joint norm is at most `max_norm`.

    Returns the total norm before clipping (a 0-d tensor), like PyTorch.

    Example:
        >>> total = clip_grad_norm_(model.parameters(), 1.0)
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        parameters = list(parameters)  # a generator is read twice below
    total = get_total_norm(_grads(parameters), norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters: Tensor | Iterable[Tensor], max_norm: float,
                   norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: Any = None) -> Tensor:
    """Deprecated alias of clip_grad_norm_ (PyTorch's warning included)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


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
