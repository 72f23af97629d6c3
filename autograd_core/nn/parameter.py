"""`Parameter`: a leaf Tensor that a Module registers as one of its learnable weights."""

from __future__ import annotations

from typing import Any

from autograd_core import dtypes
from autograd_core.tensor import Tensor, _host, _to_array


class Parameter(Tensor):
    """A Tensor that is a Module parameter: assigning it to a Module attribute registers it.

    Args:
        data: the initial values (a Tensor, array or nested list); shares a Tensor's storage.
        requires_grad: whether the parameter learns (default True).

    Example:
        >>> w = Parameter(ag.zeros(3, 2))
        >>> w.requires_grad
        True
    """

    # No __slots__: like PyTorch's parameters, users may hang attributes on them.

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            arr = _to_array([], dtypes.default.value)
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            arr = _to_array(data, None)
        self._init(arr)
        if isinstance(data, Tensor):
            self._version = data._version  # same storage, same version counter
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        result = Parameter(Tensor._make(self._data.copy()), self.requires_grad)
        if self.grad is not None:
            result.grad = Tensor._make(self.grad._data.copy())
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild_parameter, (_host(self._data), self.requires_grad))


def _rebuild_parameter(arr: Any, requires_grad: bool) -> Parameter:
    return Parameter(Tensor._make(arr), requires_grad)


class Buffer(Tensor):
    """Marks a Tensor to be registered as a Module buffer when assigned (PyTorch's nn.Buffer).

    Args:
        data: the values.
        persistent: whether the buffer is part of the module's state_dict.
    """

    def __init__(self, data: Any = None, *, persistent: bool = True) -> None:
        arr = data._data if isinstance(data, Tensor) else _to_array(
            [] if data is None else data, None)
        self._init(arr)
        self.persistent = persistent


def is_lazy(param: Any) -> bool:
    """Whether `param` is an UninitializedParameter / UninitializedBuffer (a lazy layer's)."""
    from autograd_core.nn.lazy import UninitializedTensorMixin

    return isinstance(param, UninitializedTensorMixin)
