"""Adam and AdamW with PyTorch's exact update rule (bias correction, amsgrad, weight decay)."""

from __future__ import annotations

import math
from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.optim.optimizer import Optimizer, l2_grad, params_with_grad, refuse_flags


class Adam(Optimizer):
    """m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps).

    Example:
        opt = Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999))
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        refuse_flags(capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach, capturable=False,
                        differentiable=False, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        wd, amsgrad, maximize = group["weight_decay"], group["amsgrad"], group["maximize"]
        for p, x, g in params_with_grad(group):
            state = self.state[p]
            step = state["step"] = state.get("step", 0) + 1
            m = self._state_buffer(state, "exp_avg", x)
            v = self._state_buffer(state, "exp_avg_sq", x)
            # AdamW (decoupled) decays the weights, not the gradient
            decoupled = group.get("decoupled_weight_decay", False)
            g = l2_grad(x, g, 0 if decoupled else wd, maximize)
            if decoupled and wd != 0:
                x *= 1 - lr * wd
            xp = get_array_module(x)
            tmp = xp.subtract(g, m)
            tmp *= 1 - beta1
            m += tmp  # m.lerp_(g, 1 - beta1)
            v *= beta2
            xp.multiply(g, g, out=tmp)
            tmp *= 1 - beta2
            v += tmp
            if amsgrad:
                vmax = self._state_buffer(state, "max_exp_avg_sq", x)
                xp.maximum(vmax, v, out=vmax)
                v = vmax
            bias_correction1 = 1 - beta1**step
            bias_correction2_sqrt = math.sqrt(1 - beta2**step)
            xp.sqrt(v, out=tmp)
            tmp /= bias_correction2_sqrt
            tmp += eps
            xp.divide(m, tmp, out=tmp)
            tmp *= lr / bias_correction1
            x -= tmp


class AdamW(Adam):
    """Adam with decoupled weight decay: p *= 1 - lr*wd before the Adam update.

    Example:
        opt = AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         foreach=foreach, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)
