"""RMSprop with PyTorch's update rule (smoothing, momentum, centered variant, weight decay)."""

from __future__ import annotations

from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.optim.optimizer import Optimizer, l2_grad, params_with_grad, refuse_flags


class RMSprop(Optimizer):
    """v = a*v + (1-a)*g^2; p -= lr * g / (sqrt(v - mean(g)^2 if centered) + eps).

    Example:
        opt = RMSprop(model.parameters(), lr=1e-2, alpha=0.99)
    """

    def __init__(self, params: Any, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
                 foreach: bool | None = None, *, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if alpha < 0.0:
            raise ValueError(f"Invalid alpha value: {alpha}")
        refuse_flags(capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize,
                        foreach=foreach, capturable=False, differentiable=False)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        wd, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
        for p, x, g in params_with_grad(group):
            state = self.state[p]
            state["step"] = state.get("step", 0) + 1
            v = self._state_buffer(state, "square_avg", x)
            g = l2_grad(x, g, wd, group["maximize"])
            xp = get_array_module(x)
            v *= alpha
            avg = xp.multiply(g, g)
            avg *= 1 - alpha
            v += avg
            if centered:
                mean = self._state_buffer(state, "grad_avg", x)
                xp.subtract(g, mean, out=avg)
                avg *= 1 - alpha
                mean += avg  # grad_avg.lerp_(g, 1 - alpha)
                xp.multiply(mean, mean, out=avg)
                xp.subtract(v, avg, out=avg)
                xp.sqrt(avg, out=avg)
            else:
                xp.sqrt(v, out=avg)
            avg += eps
            if momentum > 0:
                buf = self._state_buffer(state, "momentum_buffer", x)
                buf *= momentum
                xp.divide(g, avg, out=avg)
                buf += avg
                xp.multiply(buf, lr, out=avg)
            else:
                xp.divide(g, avg, out=avg)
                avg *= lr
            x -= avg
