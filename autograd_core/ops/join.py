"""Joining and splitting along a dim: cat/stack (many in, one out), split/chunk/unbind (one in,
many out: each is one multi-output node, so the inspector shows one op per call)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import norm_dim, shape_str
from autograd_core.ops.conversion import cast
from autograd_core.tensor import Tensor

__all__ = ["cat", "chunk", "concat", "concatenate", "split", "stack", "unbind"]


class Cat(Function):
    """y = [x_1, x_2, ...] joined along an existing axis"""

    @staticmethod
    def forward(ctx, *xs, axis=0):
        ctx.sizes = [x.shape[axis] for x in xs]
        ctx.axis = axis
        return get_array_module(xs[0]).concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return _split_grad(g, ctx.sizes, ctx.axis, ctx.needs_input_grad)


def _split_grad(g: Any, sizes: list, axis: int, needs: tuple) -> tuple:
    out, start = [], 0
    lead = (slice(None),) * axis
    for size, need in zip(sizes, needs):
        out.append(g[(*lead, slice(start, start + size))] if need else None)
        start += size
    return tuple(out)


class Stack(Function):
    """y = [x_1, x_2, ...] joined along a new axis"""

    @staticmethod
    def forward(ctx, *xs, axis=0):
        ctx.axis = axis
        return get_array_module(xs[0]).stack(xs, axis=axis)

    @staticmethod
    def backward(ctx, g):
        lead = (slice(None),) * ctx.axis
        return tuple(g[(*lead, i)] if need else None
                     for i, need in enumerate(ctx.needs_input_grad))


def _promote(tensors: Any, op: str) -> list[Tensor]:
    tensors = list(tensors)
    if not tensors:  # PyTorch's class and words differ between the two
        if op == "cat":
            raise ValueError("torch.cat(): expected a non-empty list of Tensors")
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    dt = tensors[0]._data.dtype
    for t in tensors[1:]:
        dt = dtypes.promote_types(dt, t._data.dtype)
    return [cast(t, dt) for t in tensors]


def cat(tensors: Any, dim: int = 0) -> Tensor:
    """Join tensors along an existing `dim`; all other sizes must match.

    Example:
        >>> cat([ones(2, 3), zeros(1, 3)]).shape   # torch.Size([3, 3])
    """
    tensors = _promote(tensors, "cat")
    first = tensors[0]._data.shape
    axis = norm_dim(dim, len(first), "cat")
    for i, t in enumerate(tensors[1:], 1):
        s = t._data.shape
        if len(s) != len(first):
            raise RuntimeError(
                f"cat(): Tensors must have same number of dimensions: got {len(first)} and "
                f"{len(s)} (shapes {shape_str(first)} and {shape_str(s)})")
        for d, (a, b) in enumerate(zip(first, s)):
            if d != axis and a != b:
                raise RuntimeError(
                    f"cat(): Sizes of tensors must match except in dimension {axis}. Expected "
                    f"size {a} but got size {b} for tensor number {i} in the list (shapes "
                    f"{shape_str(first)} and {shape_str(s)})")
    return Cat.apply(*tensors, axis=axis)


concat = concatenate = cat


def stack(tensors: Any, dim: int = 0) -> Tensor:
    """Join equally shaped tensors along a new `dim`."""
    tensors = _promote(tensors, "stack")
    first = tensors[0]._data.shape
    for i, t in enumerate(tensors[1:], 1):
        if t._data.shape != first:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {shape_str(first)} at "
                f"entry 0 and {shape_str(t._data.shape)} at entry {i}")
    return Stack.apply(*tensors, axis=norm_dim(dim, len(first) + 1, "stack"))


class Split(Function):
    """(y_1, y_2, ...) = consecutive pieces of x along an axis"""

    @staticmethod
    def forward(ctx, x, sizes=(), axis=0):
        ctx.meta_ = (sizes, axis)
        lead = (slice(None),) * axis
        out, start = [], 0
        for size in sizes:
            out.append(x[(*lead, slice(start, start + size))])
            start += size
        return tuple(out)

    @staticmethod
    def backward(ctx, *gs):
        _, axis = ctx.meta_
        return get_array_module(gs[0]).concatenate(gs, axis=axis)


class Unbind(Function):
    """(y_1, y_2, ...) = the slices of x along an axis, that axis removed"""

    @staticmethod
    def forward(ctx, x, axis=0):
        ctx.axis = axis
        lead = (slice(None),) * axis
        return tuple(x[(*lead, i)] for i in range(x.shape[axis]))

    @staticmethod
    def backward(ctx, *gs):
        return get_array_module(gs[0]).stack(gs, axis=ctx.axis)


def split(tensor: Tensor, split_size_or_sections: Any = None, dim: int = 0, *,
          split_size: Any = None) -> tuple[Tensor, ...]:
    """Pieces of `split_size_or_sections` each (the last may be smaller), or of listed sizes.
    `split_size=` is Tensor.split's keyword for the same argument."""
    if split_size is not None:
        if split_size_or_sections is not None:
            raise TypeError("split() got multiple values for argument 'split_size'")
        split_size_or_sections = split_size
    elif split_size_or_sections is None:
        raise TypeError("split() missing 1 required positional argument: 'split_size'")
    axis = norm_dim(dim, tensor.ndim, "split")
    n = tensor._data.shape[axis]
    arg = split_size_or_sections
    if isinstance(arg, (int, np.integer)) and not isinstance(arg, bool):
        step = int(arg)
        if step < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={step}")
        if step == 0 and n:
            raise RuntimeError("split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        sizes = [min(step, n - s) for s in range(0, n, step)] if n else [0]
    else:
        if not isinstance(arg, (list, tuple)) or not all(
                isinstance(s, (int, np.integer)) for s in arg):
            kind = type(arg).__name__ if not isinstance(arg, (list, tuple)) else "tuple"
            raise TypeError("split_with_sizes(): argument 'split_sizes' (position 2) must be "
                            f"tuple of ints, not {kind}")
        sizes = [int(s) for s in arg]
        if any(s < 0 for s in sizes):
            raise RuntimeError("split_with_sizes expects split_sizes have only non-negative "
                               f"entries, but got split_sizes={sizes}")
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                f"size at dimension {axis}), but got split_sizes={sizes}")
    return tuple(Split.apply(tensor, sizes=tuple(sizes), axis=axis))


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most `chunks` pieces of equal size (ceil(n / chunks)), the last one smaller."""
    if not isinstance(chunks, (int, np.integer)) or isinstance(chunks, bool):
        raise TypeError(f"chunk(): argument 'chunks' (position 1) must be int, not "
                        f"{type(chunks).__name__}")
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: "
                           f"{chunks}")
    n = input._data.shape[norm_dim(dim, input.ndim, "chunk")]
    if n == 0:
        return split(input, [0] * chunks, dim)  # PyTorch gives `chunks` empty pieces here
    return split(input, -(-n // chunks), dim)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along `dim`, with that dim removed (what iterating a tensor yields)."""
    out = Unbind.apply(input, axis=norm_dim(dim, input.ndim, "unbind"))
    return out if isinstance(out, tuple) else (out,)
