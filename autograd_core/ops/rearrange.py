"""Rearranging ops: copies of a tensor's elements in a new order or pattern (repeat, tril/triu,
flip, roll). The views of the same data are in `shape`."""

from __future__ import annotations

from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._sizes import _sizes, keyword_sizes
from autograd_core.ops._util import norm_dim
from autograd_core.tensor import Tensor

# repeat is a Tensor method only (autograd_core.ops binds it).
__all__ = ["flip", "roll", "tile", "tril", "triu"]


class Repeat(Function):
    """y = x tiled `reps` times along each axis"""

    @staticmethod
    def forward(ctx, x, reps=()):
        ctx.in_shape = x.shape
        xr = x.reshape((1,) * (len(reps) - x.ndim) + x.shape)
        ctx.meta_ = (reps, xr.shape)
        return get_array_module(x).tile(xr, reps)

    @staticmethod
    def backward(ctx, g):
        reps, shape = ctx.meta_
        # Each output axis of size r*s is (r, s) in memory order: sum over the r's.
        split = [v for pair in zip(reps, shape) for v in pair]
        summed = g.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
        return summed.reshape(ctx.in_shape)


def repeat(input: Tensor, *sizes: Any, **kw: Any) -> Tensor:
    """Tile the tensor: `x.repeat(2, 1)` stacks two copies along dim 0."""
    sizes = keyword_sizes(sizes, kw, "repeats", "repeat") if kw else sizes
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    reps = _sizes(sizes, "repeat", "repeats")
    if len(reps) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    return Repeat.apply(input, reps=reps)


class Tril(Function):
    """y = x with the elements above the k-th diagonal zeroed"""

    @staticmethod
    def forward(ctx, x, k=0):
        ctx.k = k
        return get_array_module(x).tril(x, k)

    @staticmethod
    def backward(ctx, g):
        return get_array_module(g).tril(g, ctx.k)


class Triu(Function):
    """y = x with the elements below the k-th diagonal zeroed"""

    @staticmethod
    def forward(ctx, x, k=0):
        ctx.k = k
        return get_array_module(x).triu(x, k)

    @staticmethod
    def backward(ctx, g):
        return get_array_module(g).triu(g, ctx.k)


def _check_matrix(input: Tensor, op: str) -> None:
    if input.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions")


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims (diagonal > 0 keeps more)."""
    _check_matrix(input, "tril")
    return Tril.apply(input, k=diagonal)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims (diagonal < 0 keeps more)."""
    _check_matrix(input, "triu")
    return Triu.apply(input, k=diagonal)


def tile(input: Tensor, dims: Any) -> Tensor:
    """`repeat` with PyTorch's tile rule: fewer reps than dimensions are padded with 1s in
    front (`x.tile((2,))` on a matrix tiles its last dimension)."""
    reps = _sizes((dims,), "tile", "dims")
    return repeat(input, (1,) * (input.ndim - len(reps)) + reps)


class Flip(Function):
    """y = x reversed along axes"""

    @staticmethod
    def forward(ctx, x, axes=()):
        ctx.axes = axes
        return get_array_module(x).flip(x, axes)

    @staticmethod
    def backward(ctx, g):
        return get_array_module(g).flip(g, ctx.axes)


def flip(input: Tensor, *dims: Any, **kw: Any) -> Tensor:
    """Reverse the order of elements along `dims`."""
    dims = keyword_sizes(dims, kw, "dims", "flip") if kw else dims
    axes = tuple(norm_dim(d, input.ndim, "flip") for d in _sizes(dims, "flip", "dims"))
    for i, a in enumerate(axes):
        if a in axes[:i]:
            raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
    return Flip.apply(input, axes=axes)


class Roll(Function):
    """y = x shifted cyclically along axes (flattened when no axes)"""

    @staticmethod
    def forward(ctx, x, shifts=0, axes=None):
        ctx.meta_ = (shifts, axes)
        return get_array_module(x).roll(x, shifts, axes)

    @staticmethod
    def backward(ctx, g):
        shifts, axes = ctx.meta_
        back = tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts
        return get_array_module(g).roll(g, back, axes)


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements cyclically; with no dims the tensor is rolled as if flattened."""
    if dims is None:
        if not isinstance(shifts, int):
            shifts = _sizes((shifts,))
            if len(shifts) != 1:
                raise RuntimeError(f"roll(): shifts and dimensions must align. shifts: "
                                   f"{len(shifts)}, dims:0")
            shifts = shifts[0]
        return Roll.apply(input, shifts=shifts, axes=None)
    s = (shifts,) if isinstance(shifts, int) else _sizes((shifts,))
    d = (dims,) if isinstance(dims, int) else _sizes((dims,))
    if len(s) != len(d):
        raise RuntimeError(f"roll(): shifts and dimensions must align. shifts: {len(s)}, "
                           f"dims:{len(d)}")
    axes = tuple(norm_dim(a, input.ndim, "roll") for a in d)
    return Roll.apply(input, shifts=s, axes=axes)
