"""SparseAdam: torch's arguments, checks and errors.

torch's SparseAdam updates only the gradient's stored entries and accepts sparse gradients
only (as `nn.Embedding(sparse=True)` gives them). This engine stores every gradient dense
(`sparse=True` and `sparse_coo_tensor` are dense here), and torch refuses dense gradients with
a RuntimeError, so `step()` raises that error whenever a parameter has a gradient: use `Adam`,
which is what torch's message suggests too.
"""

from __future__ import annotations

from typing import Any

from autograd_core.optim.optimizer import Optimizer

__all__ = ["SparseAdam"]

_DENSE_MESSAGE = "SparseAdam does not support dense gradients, please consider Adam instead"


class SparseAdam(Optimizer):
    """Adam for sparse gradients; here every gradient is dense, so `step()` raises like torch.

    Example:
        opt = SparseAdam(model.parameters(), lr=1e-3)   # built and checked as in torch
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, maximize: bool = False) -> None:
        if not lr > 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not eps > 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))
        complex_params = [[i, j] for i, group in enumerate(self.param_groups)
                          for j, p in enumerate(group["params"]) if p.is_complex()]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does not "
                             "support complex parameters")

    def _update_group(self, group: dict[str, Any]) -> None:
        for p in group["params"]:
            if p.grad is not None:  # every gradient of this engine is dense
                raise RuntimeError(_DENSE_MESSAGE)
