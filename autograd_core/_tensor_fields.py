"""What every part of `Tensor` may read of a tensor, declared once for type checkers.

`Tensor` is one class written in four files: its state (tensor.py) and three base classes of
methods (`_tensor_operators`, `_tensor_conversion`, `_tensor_inplace`). Each base class
inherits `TensorFields`, so mypy checks their `self._data`, `self.device` or `self.add_(...)`
against the types declared here. Nothing here exists at run time: the slots are Tensor's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["TensorFields"]

if TYPE_CHECKING:
    from autograd_core.backend import Device
    from autograd_core.tensor import Tensor


class TensorFields:
    """Tensor's state and the methods one part of the class calls on another."""

    # mypy is not shown these (empty) slots: it would check each base class's assignments to
    # `self.grad_fn` against its own empty slots, not against Tensor's where they live.
    if not TYPE_CHECKING:
        __slots__ = ()

    if TYPE_CHECKING:
        _data: Any  # a numpy or CuPy array
        _version: list[int]  # the version counter, shared by views of one storage
        _output_nr: int
        _grad: Tensor | None
        _hooks: list | None
        _accumulator: Any
        _retains_grad: bool
        requires_grad: bool
        grad_fn: Any  # the Node that made this tensor, None for a leaf

        @property
        def device(self) -> Device: ...
        @property
        def dtype(self) -> Any: ...
        def clone(self) -> Tensor: ...
        def data_ptr(self) -> int: ...
