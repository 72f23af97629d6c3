"""NAdam and RAdam with PyTorch's update rules (Nesterov momentum; rectified variance)."""

from __future__ import annotations

import math
from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.dtypes import float64, get_default_dtype
from autograd_core.optim.adamax import check_adam_args
from autograd_core.optim.optimizer import Optimizer, l2_grad, params_with_grad, refuse_flags
from autograd_core.tensor import Tensor


class _AdamFamily(Optimizer):
    """Shared arguments and moment updates of NAdam and RAdam."""

    def _moments(self, group: dict[str, Any], p: Any, x: Any, g: Any) -> tuple[Any, Any, Any]:
        """Weight decay (L2 or decoupled), then the two moving averages; returns (g, m, v)."""
        beta1, beta2 = group["betas"]
        state = self.state[p]
        m = self._state_buffer(state, "exp_avg", x)
        v = self._state_buffer(state, "exp_avg_sq", x)
        wd, decoupled = group["weight_decay"], group["decoupled_weight_decay"]
        g = l2_grad(x, g, 0 if decoupled else wd, group["maximize"])
        if decoupled and wd != 0:
            x *= 1 - group["lr"] * wd
        m += (1 - beta1) * (g - m)  # lerp_(g, 1 - beta1)
        v *= beta2
        v += (1 - beta2) * (g * g)
        return g, m, v


class NAdam(_AdamFamily):
    """Adam with Nesterov momentum: mu_t = b1 * (1 - 0.5 * 0.96^(t * momentum_decay)).

    Example:
        opt = NAdam(model.parameters(), lr=2e-3)
    """

    def __init__(self, params: Any, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        check_adam_args(lr, eps, betas, weight_decay)
        if not momentum_decay >= 0.0:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        refuse_flags(capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=False, differentiable=False)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        decay = group["momentum_decay"]
        for p, x, g in params_with_grad(group):
            state = self.state[p]
            step = state["step"] = state.get("step", 0) + 1
            g, m, v = self._moments(group, p, x, g)
            mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * decay))
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * decay))
            # torch keeps the product in a 0-d tensor of its "scalar dtype" (float64 when that
            # is the default dtype, else float32; the param's dtype once loaded from a
            # state_dict): rounding alike keeps the trajectories equal
            if "mu_product" not in state:
                scalar = "float64" if get_default_dtype() == float64 else "float32"
                state["mu_product"] = Tensor._make(get_array_module(x).ones((), scalar))
            product = state["mu_product"]._data
            product *= mu
            mu_product = float(product)
            denom = get_array_module(x).sqrt(v / (1 - beta2**step))
            denom += eps
            x += (-lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
            x += (-lr * mu_next / (1.0 - mu_product * mu_next)) * (m / denom)


class RAdam(_AdamFamily):
    """Adam whose adaptive step is switched on (and rectified) once its variance is tractable.

    Example:
        opt = RAdam(model.parameters(), lr=1e-3)
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        check_adam_args(lr, eps, betas, weight_decay)
        refuse_flags(capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=False,
                        decoupled_weight_decay=decoupled_weight_decay, differentiable=False)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        for p, x, g in params_with_grad(group):
            state = self.state[p]
            step = state["step"] = state.get("step", 0) + 1
            g, m, v = self._moments(group, p, x, g)
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            update = m / bias_correction1
            update *= lr
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
            if rho_t > 5.0:  # the variance is tractable: adaptive, rectified step
                rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                                 / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                root = get_array_module(x).sqrt(v)
                root += eps
                update *= math.sqrt(bias_correction2) / root
                update *= rect
            x -= update
