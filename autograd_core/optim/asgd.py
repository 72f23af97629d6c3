"""ASGD (averaged stochastic gradient descent) with PyTorch's update rule and state.

The running average of the parameters is kept in `state[p]["ax"]`; like torch, the optimizer
never swaps it in, a script reads it from there.
"""

from __future__ import annotations

from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.dtypes import float64, get_default_dtype, to_dtype
from autograd_core.optim.optimizer import (
    Optimizer,
    add_scaled,
    l2_grad,
    params_with_grad,
    refuse_flags,
)
from autograd_core.tensor import Tensor

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """p *= 1 - lambd*eta; p -= eta*g; ax += mu*(p - ax); eta = lr / (1 + lambd*lr*t)^alpha.

    mu = 1 / max(1, t - t0): the average starts to move once `t0` steps are done.

    Example:
        opt = ASGD(model.parameters(), lr=1e-2, t0=100)
        averaged = [opt.state[p]["ax"] for p in model.parameters()]
    """

    def __init__(self, params: Any, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        refuse_flags(differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=False,
                        capturable=False)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
        for p, x, g in params_with_grad(group):
            state = self.state[p]
            if "ax" not in state:
                self._init_state(state, x, lr)
            step = state["step"] = state["step"] + 1
            g = l2_grad(x, g, group["weight_decay"], group["maximize"])
            eta, mu, ax = state["eta"]._data, state["mu"]._data, state["ax"]._data
            eta_value = float(eta)
            x *= 1 - lambd * eta_value  # decay term
            add_scaled(x, g, -eta_value)
            if float(mu) != 1:
                ax += (x - ax) * mu.astype(x.dtype)
            else:
                ax[...] = x
            # torch makes each new eta and mu a tensor of the default dtype, then copies it
            # into its 0-d state tensor: rounding alike keeps the trajectories equal
            default = to_dtype(get_default_dtype())
            eta[...] = default.type(lr / ((1 + lambd * lr * step) ** alpha))
            mu[...] = default.type(1 / max(1, step - t0))

    @staticmethod
    def _init_state(state: dict[str, Any], x: Any, lr: float) -> None:
        xp = get_array_module(x)
        scalar = "float64" if get_default_dtype() == float64 else "float32"
        state["step"] = 0
        state["eta"] = Tensor._make(xp.asarray(lr, dtype=scalar))
        state["mu"] = Tensor._make(xp.ones((), scalar))
        state["ax"] = Tensor._make(xp.zeros_like(x))
