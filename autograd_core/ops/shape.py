"""Shape ops: view/reshape, transpose/permute, squeeze/unsqueeze, expand, flatten."""

from __future__ import annotations

from typing import Any

from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import norm_dim, shape_str
from autograd_core.tensor import Tensor


def _sizes(args: tuple) -> tuple:
    """Accept f(2, 3), f((2, 3)) and f([2, 3]) like PyTorch."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(int(s) for s in args[0])
    return tuple(int(s) for s in args)


class Reshape(Function):
    """y = x with a new shape (a view when numpy can make one)"""

    is_view = True

    @staticmethod
    def forward(ctx, x, shape=None):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


def _infer_shape(numel: int, shape: tuple, op: str, in_shape: tuple) -> tuple:
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
    return shape


def reshape(input: Tensor, *shape: Any) -> Tensor:
    """The same data in a new shape; -1 infers one dimension."""
    target = _infer_shape(input._data.size, _sizes(shape), "reshape", input._data.shape)
    return Reshape.apply(input, shape=target)


def view(input: Tensor, *shape: Any) -> Tensor:
    """Like reshape; PyTorch's stride rules are not enforced (numpy copies when it must)."""
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
        from autograd_core.ops.elementwise import cast  # noqa: PLC0415

        return cast(input, shape[0])
    return reshape(input, *shape)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    return reshape(input, other.shape)


reshape_as = view_as


class Permute(Function):
    """y = x with its axes reordered"""

    is_view = True

    @staticmethod
    def forward(ctx, x, axes=None):
        ctx.axes = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, g):
        axes = ctx.axes
        inverse = [0] * len(axes)
        for i, a in enumerate(axes):
            inverse[a] = i
        return g.transpose(inverse)


def permute(input: Tensor, *dims: Any) -> Tensor:
    dims = _sizes(dims)
    n = input.ndim
    if len(dims) != n:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    axes = tuple(norm_dim(d, n, "permute") for d in dims)
    if len(set(axes)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, axes=axes)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    n = input.ndim
    if n == 0:
        return input
    d0, d1 = norm_dim(dim0, n, "transpose"), norm_dim(dim1, n, "transpose")
    axes = list(range(n))
    axes[d0], axes[d1] = axes[d1], axes[d0]
    return Permute.apply(input, axes=tuple(axes))


swapaxes = swapdims = transpose


def t(input: Tensor) -> Tensor:
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return transpose(input, 0, 1) if input.ndim == 2 else input


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    shape = input._data.shape
    if dim is None:
        target = tuple(s for s in shape if s != 1)
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        axes = {norm_dim(d, input.ndim, "squeeze") for d in dims}
        target = tuple(s for i, s in enumerate(shape) if not (i in axes and s == 1))
    return input if target == shape else Reshape.apply(input, shape=target)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    d = norm_dim(dim, input.ndim + 1, "unsqueeze")
    shape = input._data.shape
    return Reshape.apply(input, shape=shape[:d] + (1,) + shape[d:])


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    shape = input._data.shape
    if not shape:
        return Reshape.apply(input, shape=(1,))
    s = norm_dim(start_dim, len(shape), "flatten")
    e = norm_dim(end_dim, len(shape), "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    n = 1
    for v in shape[s:e + 1]:
        n *= v
    return Reshape.apply(input, shape=shape[:s] + (n,) + shape[e + 1:])


def unflatten(input: Tensor, dim: int, sizes: Any) -> Tensor:
    shape = input._data.shape
    d = norm_dim(dim, len(shape), "unflatten")
    sizes = _infer_shape(shape[d], tuple(sizes), "unflatten", shape)
    return Reshape.apply(input, shape=shape[:d] + sizes + shape[d + 1:])


class Expand(Function):
    """y = x broadcast to a larger shape (a read-only view)"""

    is_view = True

    @staticmethod
    def forward(ctx, x, shape=None):
        ctx.in_shape = x.shape
        return get_array_module(x).broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        from autograd_core.ops._util import sum_to  # noqa: PLC0415

        return sum_to(g, ctx.in_shape)


def expand(input: Tensor, *sizes: Any) -> Tensor:
    sizes = _sizes(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        own = shape[i - lead] if i >= lead else None
        if s == -1:
            if own is None:
                raise RuntimeError("expand: -1 is not allowed in a leading, non-existing dim")
            s = own
        elif own is not None and own != 1 and own != s:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({own}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(shape)}"
            )
        target.append(s)
    target_t = tuple(target)
    return input if target_t == shape else Expand.apply(input, shape=target_t)


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, other.shape)


def contiguous(input: Tensor, memory_format: Any = None) -> Tensor:
    return input
