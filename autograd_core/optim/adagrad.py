"""Adagrad with PyTorch's update rule (accumulated squared grads, lr decay, initial value)."""

from __future__ import annotations

from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.optim.optimizer import Optimizer, l2_grad, params_with_grad, refuse_flags
from autograd_core.tensor import Tensor


class Adagrad(Optimizer):
    """s += g^2; p -= lr / (1 + (step-1)*lr_decay) * g / (sqrt(s) + eps).

    Example:
        opt = Adagrad(model.parameters(), lr=1e-2)
    """

    def __init__(self, params: Any, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not lr_decay >= 0.0:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not initial_accumulator_value >= 0.0:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        refuse_flags(differentiable=differentiable)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=False, fused=fused)
        super().__init__(params, defaults)
        # torch fills the state at construction, so a fresh state_dict already has it
        for group in self.param_groups:
            for p in group["params"]:
                xp = get_array_module(p._data)
                self.state[p] = {"step": 0, "sum": Tensor._make(
                    xp.full_like(p._data, group["initial_accumulator_value"]))}

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
        for p, x, g in params_with_grad(group):
            state = self.state[p]
            step = state["step"] = state.get("step", 0) + 1
            total = self._state_buffer(state, "sum", x)
            g = l2_grad(x, g, group["weight_decay"], group["maximize"])
            clr = lr / (1 + (step - 1) * lr_decay)
            total += g * g
            std = get_array_module(x).sqrt(total)
            std += eps
            x -= clr * (g / std)
