"""MultiplicativeLR, PolynomialLR and ChainedScheduler with PyTorch's formulas and state.

Re-exported from `autograd_core.optim.lr_scheduler`, where scripts import them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from autograd_core.optim._lr_schedules import _check_sequence, _Composite
from autograd_core.optim.lr_scheduler import LRScheduler, _LambdaState
from autograd_core.optim.optimizer import Optimizer

__all__ = ["ChainedScheduler", "MultiplicativeLR", "PolynomialLR"]


class MultiplicativeLR(_LambdaState, LRScheduler):
    """lr = previous lr * lr_lambda(epoch) (the groups' current lrs, so hand changes stay).

    Example:
        sched = MultiplicativeLR(opt, lr_lambda=lambda epoch: 0.95)
    """

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        self._set_lambdas(optimizer, lr_lambda)
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._group_lrs()
        return [lr * fn(self.last_epoch) for fn, lr in zip(self.lr_lambdas, self._group_lrs())]


class PolynomialLR(LRScheduler):
    """lr = base_lr * (1 - min(epoch, total_iters) / total_iters) ** power

    Example:
        sched = PolynomialLR(opt, total_iters=100, power=2.0)
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        # PyTorch's recursive form (it follows lrs changed by hand), so sequences match exactly
        e, total = self.last_epoch, self.total_iters
        if self._is_initial or e > total:
            return self._group_lrs()
        factor = ((1.0 - e / total) / (1.0 - (e - 1) / total)) ** self.power
        return [lr * factor for lr in self._group_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        done = min(self.total_iters, self.last_epoch) / self.total_iters
        return [b * (1.0 - done) ** self.power for b in self.base_lrs]


class ChainedScheduler(_Composite, LRScheduler):
    """Steps every scheduler of `schedulers`, in order, on each `step()`: their factors multiply.

    Example:
        sched = ChainedScheduler([ConstantLR(opt, factor=0.1, total_iters=20),
                                  ExponentialLR(opt, gamma=0.9)], optimizer=opt)
    """

    def __init__(self, schedulers: Sequence[LRScheduler],
                 optimizer: Optimizer | None = None) -> None:
        # like torch, the base class's __init__ is not run: the schedulers have stepped already
        name = type(self).__name__
        if len(schedulers) < 1:
            raise ValueError(f"{name} expects at least one scheduler to be chained, but got no "
                             "scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        _check_sequence(name, optimizer, list(schedulers))
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = [group["lr"] for group in schedulers[-1].optimizer.param_groups]

    def step(self) -> None:  # type: ignore[override]
        """One step of each chained scheduler."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]
