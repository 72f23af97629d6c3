"""Adamax with PyTorch's update rule (Adam with an infinity-norm second moment)."""

from __future__ import annotations

from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.optim.optimizer import Optimizer, l2_grad, params_with_grad, refuse_flags


class Adamax(Optimizer):
    """m = b1*m + (1-b1)*g; u = max(b2*u, |g| + eps); p -= lr / (1 - b1^t) * m / u.

    Example:
        opt = Adamax(model.parameters(), lr=2e-3)
    """

    def __init__(self, params: Any, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        check_adam_args(lr, eps, betas, weight_decay)
        refuse_flags(differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=False,
                        capturable=False)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        for p, x, g in params_with_grad(group):
            state = self.state[p]
            step = state["step"] = state.get("step", 0) + 1
            exp_avg = self._state_buffer(state, "exp_avg", x)
            exp_inf = self._state_buffer(state, "exp_inf", x)
            g = l2_grad(x, g, group["weight_decay"], group["maximize"])
            xp = get_array_module(x)
            exp_avg += (1 - beta1) * (g - exp_avg)  # lerp_(g, 1 - beta1)
            exp_inf *= beta2
            bound = xp.abs(g)
            bound += eps
            xp.maximum(exp_inf, bound, out=exp_inf)
            clr = lr / (1 - beta1**step)
            x -= clr * (exp_avg / exp_inf)


def check_adam_args(lr: float, eps: float, betas: tuple[float, float],
                    weight_decay: float) -> None:
    """PyTorch's argument checks of the Adam family, with its messages."""
    if not lr >= 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not eps >= 0.0:
        raise ValueError(f"Invalid epsilon value: {eps}")
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
    if not weight_decay >= 0.0:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
