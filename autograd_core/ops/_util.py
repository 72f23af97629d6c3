"""Helpers shared by the op modules: unbroadcasting gradients, dims, shapes in messages."""

from __future__ import annotations

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
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"{op}: dim appears multiple times in the list of dims")
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
