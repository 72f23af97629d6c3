"""Helpers shared by the op modules: unbroadcasting gradients, dims, shapes in messages."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from autograd_core.backend import get_array_module


def sum_to(grad: Any, shape: tuple) -> Any:
    """Sum a broadcast gradient back down to `shape` (the one unbroadcast path)."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and grad.shape[i + lead] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    if lead:
        grad = grad.reshape(shape)
    return grad


def norm_dim(dim: int, ndim: int, op: str = "op") -> int:
    """A possibly negative dim as a non-negative one, with PyTorch's IndexError."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], but "
            f"got {dim})"
        )
    return dim % n


def norm_dims(dim: Any, ndim: int, op: str = "op") -> tuple[int, ...] | None:
    """None, an int, or a sequence of ints as a sorted tuple of non-negative dims."""
    if dim is None:
        return None
    if isinstance(dim, int):
        return (norm_dim(dim, ndim, op),)
    dims = tuple(sorted(norm_dim(d, ndim, op) for d in dim))
    for i in range(1, len(dims)):
        if dims[i] == dims[i - 1]:
            raise RuntimeError(f"dim {dims[i]} appears multiple times in the list of dims")
    return dims if dims else None


def shape_str(shape: tuple) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def keep_dims(g: Any, ndim: int, axes: tuple | None, keepdim: bool) -> Any:
    """A reduced array with its reduced axes present as size 1, so it broadcasts against x."""
    if keepdim:
        return g
    if axes is None:
        return g.reshape((1,) * ndim)
    return get_array_module(g).expand_dims(g, axes)


# PyTorch's ScalarType names ("Float") and C type names ("float"), as its messages print them.
_SCALAR_TYPE_NAMES = {
    "float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
    "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
    "complex64": "ComplexFloat", "complex128": "ComplexDouble",
}
_C_TYPE_NAMES = {
    "float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
    "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
    "bool": "bool", "complex64": "c10::complex<float>", "complex128": "c10::complex<double>",
}


def scalar_type_name(dt: Any) -> str:
    """A dtype as PyTorch's messages name it: float32 -> 'Float', int64 -> 'Long'."""
    return _SCALAR_TYPE_NAMES.get(dt.name, dt.name)


def c_type_name(dt: Any) -> str:
    """A dtype as PyTorch's C++ kernels name it: float32 -> 'float', int64 -> 'long int'."""
    return _C_TYPE_NAMES.get(dt.name, dt.name)


def return_type(name: str) -> type:
    """A (values, indices) named tuple that prints as PyTorch's `torch.return_types.<name>`."""
    base = namedtuple(name, ["values", "indices"])

    def _repr(self: Any) -> str:
        return f"torch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"

    return type(name, (base,), {"__slots__": (), "__repr__": _repr})
