"""Rprop (resilient backpropagation) with PyTorch's update rule: per-element step sizes that
grow while the gradient keeps its sign and shrink when it flips."""

from __future__ import annotations

from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.optim.optimizer import Optimizer, params_with_grad, refuse_flags
from autograd_core.tensor import Tensor

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """step *= eta+ (same sign) or eta- (sign flip), clipped; p -= sign(g) * step.

    After a sign flip the gradient counts as zero for that element (no move, and the next
    step neither grows nor shrinks its step size), as in torch.

    Example:
        opt = Rprop(model.parameters(), lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50))
    """

    def __init__(self, params: Any, lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        refuse_flags(capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=False, capturable=False)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        for p, x, g in params_with_grad(group):
            state = self.state[p]
            xp = get_array_module(x)
            if "step_size" not in state:
                state["step"] = 0
                state["prev"] = Tensor._make(xp.zeros_like(x))
                state["step_size"] = Tensor._make(xp.zeros_like(x))
                _as_real(xp, state["step_size"]._data)[...] = group["lr"]
            state["step"] += 1
            # a complex number is two independent reals, as in torch (view_as_real)
            x = _as_real(xp, x)
            g = _as_real(xp, xp.ascontiguousarray(-g if group["maximize"] else g))
            prev = _as_real(xp, state["prev"]._data)
            step_size = _as_real(xp, state["step_size"]._data)
            product = g * prev
            factor = xp.where(product > 0, etaplus, xp.where(product < 0, etaminus, 1.0))
            step_size *= factor
            xp.clip(step_size, step_size_min, step_size_max, out=step_size)
            g = xp.where(factor == etaminus, 0, g).astype(x.dtype, copy=False)
            x -= _sign(xp, g) * step_size
            prev[...] = g


def _as_real(xp: Any, a: Any) -> Any:
    """A complex array seen as its (real, imag) pairs, in place; a real array as it is."""
    return a.view(a.real.dtype) if xp.iscomplexobj(a) else a


def _sign(xp: Any, a: Any) -> Any:
    """torch.sign: like numpy's, but 0 for NaN (a NaN gradient leaves its element alone)."""
    return (a > 0).astype(a.dtype) - (a < 0).astype(a.dtype)
