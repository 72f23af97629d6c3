"""Adadelta with PyTorch's update rule (running averages of squared grads and of updates)."""

from __future__ import annotations

from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.optim.optimizer import Optimizer, l2_grad, params_with_grad, refuse_flags


class Adadelta(Optimizer):
    """v = rho*v + (1-rho)*g^2; d = sqrt(u+eps)/sqrt(v+eps)*g; u = rho*u + (1-rho)*d^2; p -= lr*d.

    Example:
        opt = Adadelta(model.parameters(), lr=1.0, rho=0.9)
    """

    def __init__(self, params: Any, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        refuse_flags(capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=False, foreach=foreach, differentiable=False)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, rho, eps = group["lr"], group["rho"], group["eps"]
        for p, x, g in params_with_grad(group):
            state = self.state[p]
            state["step"] = state.get("step", 0) + 1
            square_avg = self._state_buffer(state, "square_avg", x)
            acc_delta = self._state_buffer(state, "acc_delta", x)
            g = l2_grad(x, g, group["weight_decay"], group["maximize"])
            xp = get_array_module(x)
            square_avg *= rho
            square_avg += (1 - rho) * (g * g)
            std = xp.sqrt(square_avg + eps)
            delta = xp.sqrt(acc_delta + eps)
            delta /= std
            delta *= g
            acc_delta *= rho
            acc_delta += (1 - rho) * (delta * delta)
            delta *= lr
            x -= delta
