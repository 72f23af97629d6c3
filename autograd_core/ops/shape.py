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
        from autograd_core.ops.conversion import cast

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
    return Reshape.apply(input, shape=(*shape[:d], 1, *shape[d:]))


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
    return Reshape.apply(input, shape=(*shape[:s], n, *shape[e + 1:]))


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
        from autograd_core.ops._util import sum_to

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
    """The tensor itself when C-contiguous, else a C-ordered copy (a Clone node, as PyTorch)."""
    if input._data.flags.c_contiguous:
        return input
    from autograd_core.ops.unary import clone

    return clone(input)


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


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    """Tile the tensor: `x.repeat(2, 1)` stacks two copies along dim 0."""
    reps = _sizes(sizes)
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


class Flip(Function):
    """y = x reversed along axes"""

    @staticmethod
    def forward(ctx, x, axes=()):
        ctx.axes = axes
        return get_array_module(x).flip(x, axes)

    @staticmethod
    def backward(ctx, g):
        return get_array_module(g).flip(g, ctx.axes)


def flip(input: Tensor, *dims: Any) -> Tensor:
    """Reverse the order of elements along `dims`."""
    axes = tuple(norm_dim(d, input.ndim, "flip") for d in _sizes(dims))
    if len(set(axes)) != len(axes):
        raise RuntimeError("flip(): dims has duplicates")
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


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The slice [start, start + length) of `dim` (a view)."""
    from autograd_core.ops.indexing import getitem

    axis = norm_dim(dim, input.ndim, "narrow")
    n = input._data.shape[axis]
    start = int(start)
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got "
                         f"{start})")
    start %= n if n else 1
    if length < 0 or start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return getitem(input, (slice(None),) * axis + (slice(start, start + length),))


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims `source` to positions `destination`, keeping the others' order."""
    n = input.ndim
    src = [norm_dim(d, n, "movedim") for d in ((source,) if isinstance(source, int) else source)]
    dst = [norm_dim(d, n, "movedim")
           for d in ((destination,) if isinstance(destination, int) else destination)]
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) "
                           f"should contain the same number of dims as destination ({dst} dims)")
    rest = iter(d for d in range(n) if d not in src)
    placed = dict(zip(dst, src))
    order = tuple(placed[i] if i in placed else next(rest) for i in range(n))
    return Permute.apply(input, axes=order)


moveaxis = movedim
