"""Small pieces of PyTorch's tensor API that scripts reach for: tensor_split and
h/v/dsplit, ravel, msort, take, inner, vdot, positive, signbit, rsub, fix, diagflat,
unravel_index, broadcast_shapes, the is_* predicates, and the Tensor-method-only unfold and
sum_to_size. Compositions of existing ops (so differentiable where PyTorch's are).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.backend import get_array_module
from autograd_core.ops._util import norm_dim
from autograd_core.ops.shape import reshape
from autograd_core.tensor import Size, Tensor

__all__ = [
    "broadcast_shapes", "can_cast", "diagflat", "dsplit", "fix", "hsplit", "inner", "is_complex",
    "is_floating_point", "is_nonzero", "msort", "positive", "ravel", "result_type", "rsub",
    "signbit", "take", "tensor_split", "unravel_index", "vdot", "vsplit",
]


def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """n nearly equal pieces (the first n % size one longer), or pieces cut at indices."""
    from autograd_core.ops.join import split

    axis = norm_dim(dim, input.ndim, "tensor_split")
    n = input.shape[axis]
    arg = indices_or_sections
    if isinstance(arg, Tensor):
        arg = arg.tolist()
    if isinstance(arg, (int, np.integer)):
        if arg <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {arg}")
        base, extra = divmod(n, int(arg))
        sizes = [base + 1] * extra + [base] * (int(arg) - extra)
    else:
        from autograd_core.ops.shape import narrow

        # Cut points in order; a decreasing one gives an empty piece, as PyTorch's.
        cuts = [min(max(int(i) if i >= 0 else n + int(i), 0), n) for i in arg]
        return tuple(narrow(input, axis, s, max(e - s, 0))
                     for s, e in zip([0, *cuts], [*cuts, n]))
    return split(input, sizes, axis)


def _even_split(input: Tensor, sections: Any, dim: int, op: str, min_dims: int) -> tuple:
    if input.ndim < min_dims:
        raise RuntimeError(f"torch.{op} requires a tensor with at least {min_dims} dimension, "
                           f"but got a tensor with {input.ndim} dimensions!")
    if isinstance(sections, (int, np.integer)) and input.shape[dim] % sections:
        raise RuntimeError(f"torch.{op} attempted to split along dimension {dim}, but the size "
                           f"of the dimension {input.shape[dim]} is not divisible by the split_"
                           f"size {sections}!")
    return tensor_split(input, sections, dim)


def hsplit(input: Tensor, sections: Any) -> tuple:
    return _even_split(input, sections, 1 if input.ndim > 1 else 0, "hsplit", 1)


def vsplit(input: Tensor, sections: Any) -> tuple:
    return _even_split(input, sections, 0, "vsplit", 2)


def dsplit(input: Tensor, sections: Any) -> tuple:
    return _even_split(input, sections, 2, "dsplit", 3)


def ravel(input: Tensor) -> Tensor:
    return reshape(input, (-1,))


def msort(input: Tensor) -> Tensor:
    from autograd_core.ops.sorting import sort

    return sort(input, 0).values


def take(input: Tensor, index: Tensor) -> Tensor:
    """The elements of the flattened input at `index` (any shape)."""
    n = input.numel()
    idx = index._data
    if idx.size and (int(idx.min()) < -n or int(idx.max()) >= n):
        bad = idx[(idx < -n) | (idx >= n)].reshape(-1)[0]
        raise IndexError(f"out of range: tried to access index {int(bad)} on a tensor of {n} "
                         "elements.")
    return reshape(input, (-1,))[index]


def inner(input: Tensor, other: Tensor) -> Tensor:
    """The sum over the last dims of the product (scalars multiply)."""
    from autograd_core.ops.structure import tensordot

    if input.ndim == 0 or other.ndim == 0:
        return input * other
    return tensordot(input, other, ([-1], [-1]))


def vdot(input: Tensor, other: Tensor) -> Tensor:
    from autograd_core.ops.linalg import dot

    return dot(input, other)  # real tensors: no conjugation to apply


def positive(input: Tensor) -> Tensor:
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def signbit(input: Tensor) -> Tensor:
    return Tensor._make(get_array_module(input._data).signbit(input._data))


def rsub(input: Any, other: Any, alpha: Any = 1) -> Tensor:
    """other - alpha * input."""
    return other - (input if alpha == 1 else input * alpha)


def fix(input: Tensor) -> Tensor:
    from autograd_core.ops.piecewise import trunc

    return trunc(input)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    from autograd_core.ops.structure import diag

    return diag(reshape(input, (-1,)), offset)


def unravel_index(indices: Any, shape: Any) -> tuple[Tensor, ...]:
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError("expected 'indices' to be integer dtype, but got "
                        f"{getattr(indices, 'dtype', type(indices).__name__)}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    total = int(np.prod(shape))
    if idx.size and (int(idx.min()) < -total or int(idx.max()) >= total):
        raise RuntimeError("'indices' must be in range [-size, size) for 'shape'")
    xp = get_array_module(idx)
    out = xp.unravel_index(idx % max(total, 1), shape)
    return tuple(Tensor._make(xp.asarray(o, dtype=np.int64)) for o in out)


def broadcast_shapes(*shapes: Any) -> Size:
    norm = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    try:
        return Size(np.broadcast_shapes(*norm))
    except ValueError:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape"
                           f" ({', '.join(str(list(s)) for s in norm)})") from None


def result_type(tensor: Any, other: Any) -> Any:
    """The dtype an op over these two operands (tensors or numbers) gives."""
    from autograd_core import dtypes

    return dtypes.wrap(dtypes.result_type(tensor, other))


def can_cast(from_: Any, to: Any) -> bool:
    """Whether PyTorch's type promotion allows the cast: never to a lower category (complex >
    floating > integer > bool)."""
    from autograd_core import dtypes

    for pos, (name, value) in enumerate((("from_", from_), ("to", to)), 1):
        if not isinstance(value, dtypes.dtype):
            raise TypeError(f"can_cast(): argument '{name}' (position {pos}) must be "
                            f"torch.dtype, not {type(value).__name__}")
    return dtypes._category(dtypes.to_dtype(from_)) <= dtypes._category(dtypes.to_dtype(to))


def is_floating_point(input: Tensor) -> bool:
    return input._data.dtype.kind == "f"


def is_complex(input: Tensor) -> bool:
    return input._data.dtype.kind == "c"


def is_nonzero(input: Tensor) -> bool:
    n = input.numel()
    if n != 1:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous" if n == 0 else
                           "Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(-1)[0])


# ---- Tensor-method-only
def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Windows of `size` every `step` along `dimension`: that dim counts windows and a last
    dim of `size` is appended (a copy; PyTorch's is a view)."""
    from autograd_core.ops.gather import index_select
    from autograd_core.ops.shape import movedim

    if input.ndim == 0:
        return reshape(input, (1,))
    d = norm_dim(dimension, input.ndim, "unfold")
    n = input.shape[d]
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    starts = np.arange(0, n - size + 1, step)
    xp = get_array_module(input._data)
    idx = Tensor._make(xp.asarray((starts[:, None] + np.arange(size)).reshape(-1)))
    picked = index_select(input, d, idx)
    shape = list(input.shape)
    shape[d:d + 1] = [len(starts), size]
    return movedim(reshape(picked, shape), d + 1, -1)


def sum_to_size(input: Tensor, *size: Any) -> Tensor:
    from autograd_core.ops._fn_factory import tensor_sum_to as sum_to

    shape = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else size
    try:
        np.broadcast_shapes(tuple(shape), tuple(input.shape))
        ok = len(shape) <= input.ndim
    except ValueError:
        ok = False
    if not ok or np.broadcast_shapes(tuple(shape), tuple(input.shape)) != tuple(input.shape):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size "
                           f"{{{list(input.shape)}}}.")
    return sum_to(input, tuple(shape))
