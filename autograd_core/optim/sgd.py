"""Stochastic gradient descent with momentum, dampening, weight decay and Nesterov."""

from __future__ import annotations

from typing import Any

from autograd_core.optim.optimizer import (
    Optimizer,
    add_scaled,
    l2_grad,
    params_with_grad,
    refuse_flags,
    required,
)
from autograd_core.tensor import Tensor


class SGD(Optimizer):
    """PyTorch's SGD: g += wd*p; b = mu*b + (1-dampening)*g; p -= lr*(g + mu*b or b).

    Example:
        opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    """

    def __init__(self, params: Any, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 *, maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if lr is not required and lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        refuse_flags(differentiable=differentiable)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=False, fused=fused)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, momentum, wd = group["lr"], group["momentum"], group["weight_decay"]
        dampening, nesterov, maximize = group["dampening"], group["nesterov"], group["maximize"]
        for p, x, g in params_with_grad(group):
            g = l2_grad(x, g, wd, maximize)
            if momentum != 0:
                g = self._momentum(p, g, momentum, dampening, nesterov)
            add_scaled(x, g, -lr)

    def _momentum(self, p: Any, g: Any, momentum: float, dampening: float,
                  nesterov: bool) -> Any:
        state = self.state[p]
        buf_t = state.get("momentum_buffer")
        if buf_t is None:
            buf_t = state["momentum_buffer"] = Tensor._make(g.copy())
            buf = buf_t._data
        else:
            buf = buf_t._data
            buf *= momentum
            buf += g * (1 - dampening) if dampening != 0 else g
        return g + buf * momentum if nesterov else buf
