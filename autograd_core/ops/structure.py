"""Matrix structure and tensor assembly: diagonal, diag, diag_embed, trace, tril/triu_indices,
kron, meshgrid, cartesian_prod, block_diag, fliplr/flipud/rot90, broadcast_to/_tensors,
atleast_1d/2d/3d, hstack/vstack/dstack/column_stack, tensordot.

All are compositions of differentiable ops (indexing, padding, reshapes, products), so they
have gradients to any order and run on every backend. `diagonal` is a view (writes reach the
input) when its planes are the last two dims of a contiguous tensor, the usual matrix case;
otherwise it is a copy (PyTorch's is always a view).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core.backend import get_array_module
from autograd_core.ops._util import norm_dim
from autograd_core.ops.join import cat, stack
from autograd_core.ops.padding import pad
from autograd_core.ops.rearrange import flip
from autograd_core.ops.shape import expand, movedim, reshape, transpose, unsqueeze
from autograd_core.tensor import Tensor

__all__ = [
    "atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "broadcast_tensors", "broadcast_to",
    "cartesian_prod", "column_stack", "diag", "diag_embed", "diagonal", "dstack", "fliplr",
    "flipud", "hstack", "kron", "meshgrid", "rot90", "row_stack", "select", "tensordot",
    "tril_indices",
    "triu_indices", "vstack",
]


def _index(like: Tensor, values: Any) -> Tensor:
    xp = get_array_module(like._data)
    return Tensor._make(xp.asarray(values, dtype=np.int64))


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The `offset` diagonal of the (dim1, dim2) planes, as the last dim."""
    n = input.ndim
    d1, d2 = norm_dim(dim1, n, "diagonal"), norm_dim(dim2, n, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    start_1, start_2 = max(-offset, 0), max(offset, 0)
    length = max(min(input.shape[d1] - start_1, input.shape[d2] - start_2), 0)
    if {d1, d2} == {n - 2, n - 1} and length and input.is_contiguous():
        # The planes are the last two dims of a contiguous tensor: the diagonal is a strided
        # slice of their flattened view, so it is a view (writes reach input), as PyTorch's.
        cols = input.shape[-1]
        i, j = (start_1, start_2) if d1 == n - 2 else (start_2, start_1)
        first = i * cols + j
        flat = input.view(*input.shape[:-2], -1)
        return flat[..., first:first + (length - 1) * (cols + 1) + 1:cols + 1]
    x = movedim(input, (d1, d2), (-2, -1))
    start_r, start_c = start_1, start_2
    r = np.arange(length) + start_r
    c = np.arange(length) + start_c
    return x[..., _index(x, r), _index(x, c)]


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices whose `offset` diagonal (in planes dim1, dim2 of the result) is input's last dim."""
    n = input.ndim + 1
    d1, d2 = norm_dim(dim1, n, "diag_embed"), norm_dim(dim2, n, "diag_embed")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    m = input.shape[-1] if input.ndim else 1
    xp = get_array_module(input._data)
    eye = Tensor._make(xp.eye(m, dtype=input._data.dtype))
    square = unsqueeze(input, -1) * eye  # (..., m, m) with input on the diagonal
    k = abs(offset)
    pads = (k, 0, 0, k) if offset > 0 else (0, k, k, 0)
    out = pad(square, pads) if k else square
    return movedim(out, (-2, -1), (d1, d2))


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D input as a square matrix with it on the `diagonal`; a matrix's diagonal as 1-D."""
    if input.ndim == 1:
        return diag_embed(input, diagonal)
    if input.ndim == 2:
        return globals()["diagonal"](input, diagonal)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


def trace(input: Tensor) -> Tensor:
    """The sum of a matrix's main diagonal (`torch.trace`; a method and a callable module)."""
    from autograd_core.ops.reduction import sum as _sum

    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return _sum(diagonal(input))


def _indices(row: int, col: int, offset: int, upper: bool, dtype: Any, device: Any) -> Tensor:
    from autograd_core.ops.conversion import cast, to_device

    if row < 0 or col < 0:
        raise RuntimeError(f"row must be non-negative, got{row}" if row < 0 else
                           f"col must be non-negative, got{col}")
    r, c = (np.triu_indices if upper else np.tril_indices)(row, offset, col)
    out = Tensor._make(np.stack([r, c]).astype(np.int64))
    out = out if dtype is None else cast(out, dtype)
    return out if device is None else to_device(out, device)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Tensor:
    """The (2, N) coordinates of the lower triangle of a row x col matrix."""
    return _indices(row, col, offset, False, dtype, device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Tensor:
    """The (2, N) coordinates of the upper triangle of a row x col matrix."""
    return _indices(row, col, offset, True, dtype, device)


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: blocks input[i] * other."""
    n = max(input.ndim, other.ndim)
    a = reshape(input, (1,) * (n - input.ndim) + tuple(input.shape))
    b = reshape(other, (1,) * (n - other.ndim) + tuple(other.shape))
    a_shape = [s for d in a.shape for s in (d, 1)]
    b_shape = [s for d in b.shape for s in (1, d)]
    out = reshape(a, a_shape) * reshape(b, b_shape)
    return reshape(out, tuple(x * y for x, y in zip(a.shape, b.shape)))


def _tensor_list(tensors: tuple, op: str) -> list[Tensor]:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    return list(tensors)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D (or 0-d) tensors; 'ij' (the default, with PyTorch's warning
    when not given) or 'xy' (the first two dims swapped)."""
    ts = _tensor_list(tensors, "meshgrid")
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    for t in ts:
        if t.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t}")
    flat = [reshape(t, (-1,)) for t in ts]
    swap = indexing == "xy" and len(flat) >= 2
    if swap:
        flat[0], flat[1] = flat[1], flat[0]
    sizes = tuple(t.shape[0] for t in flat)
    out = []
    for i, t in enumerate(flat):
        shape = [1] * len(flat)
        shape[i] = sizes[i]
        out.append(expand(reshape(t, shape), sizes))
    if swap:  # 'xy' is 'ij' of the first two swapped, outputs swapped back
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one element from each 1-D tensor, as rows."""
    ts = _tensor_list(tensors, "cartesian_prod")
    if len(ts) == 1:
        return ts[0] * 1
    grids = meshgrid(*ts, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], 1)


def block_diag(*tensors: Tensor) -> Tensor:
    """The tensors (0-d, 1-d as a row, 2-d) placed along a block diagonal."""
    mats = [reshape(t, (1, -1)) if t.ndim < 2 else t for t in tensors]
    for i, t in enumerate(mats):
        if t.ndim != 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions."
                               f" Input {i} has {t.ndim} dimensions")
    if not mats:
        return Tensor._make(np.zeros((1, 0), dtype=dtypes.default.value))
    total = sum(t.shape[1] for t in mats)
    rows, left = [], 0
    for t in mats:
        w = t.shape[1]
        rows.append(pad(t, (left, total - left - w)))
        left += w
    return cat(rows, 0)


def fliplr(input: Tensor) -> Tensor:
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, 1)


def flipud(input: Tensor) -> Tensor:
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, 0)


def rot90(input: Tensor, k: int = 1, dims: Any = (0, 1)) -> Tensor:
    """Rotate by 90 degrees k times, from the first dim of `dims` towards the second."""
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = (norm_dim(d, input.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    k %= 4
    if k == 1:
        return transpose(flip(input, d1), d0, d1)
    if k == 2:
        return flip(input, d0, d1)
    if k == 3:
        return flip(transpose(input, d0, d1), d1)
    return input * 1 if input._data.dtype.kind != "b" else input.clone()


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice at `index` of `dim` (that dim removed)."""
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = norm_dim(dim, input.ndim, "select")
    n = input.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {d}")
    return input[(slice(None),) * d + (index,)]


def broadcast_to(input: Tensor, size: Any) -> Tensor:
    return expand(input, tuple(size))


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    ts = _tensor_list(tensors, "broadcast_tensors")
    try:
        shape = np.broadcast_shapes(*(tuple(t.shape) for t in ts))
    except ValueError:
        from autograd_core.ops._operands import _broadcast_error

        raise _broadcast_error("broadcast_tensors", ts[0], ts[1]) from None
    return tuple(expand(t, shape) for t in ts)


# Shapes numpy's atleast_Nd gives a tensor of fewer dims: [nd][ndim](shape).
_GROW = {
    1: {0: lambda s: (1,)},
    2: {0: lambda s: (1, 1), 1: lambda s: (1, s[0])},
    3: {0: lambda s: (1, 1, 1), 1: lambda s: (1, s[0], 1), 2: lambda s: (*s, 1)},
}


def _atleast(tensors: tuple, nd: int) -> Any:
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    ts = _tensor_list(tensors, "atleast")
    out = [reshape(t, _GROW[nd][t.ndim](tuple(t.shape))) if t.ndim < nd else t for t in ts]
    return out[0] if single else tuple(out)


def atleast_1d(*tensors: Tensor) -> Any:
    return _atleast(tensors, 1)


def atleast_2d(*tensors: Tensor) -> Any:
    return _atleast(tensors, 2)


def atleast_3d(*tensors: Tensor) -> Any:
    return _atleast(tensors, 3)


def _nonempty(tensors: Any, op: str) -> None:
    if len(tensors) == 0:
        raise RuntimeError(f"{op} expects a non-empty TensorList")  # PyTorch's words


def hstack(tensors: Any) -> Tensor:
    _nonempty(tensors, "hstack")
    ts = list(atleast_1d(*tensors)) if len(tensors) > 1 else [atleast_1d(tensors[0])]
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Any) -> Tensor:
    _nonempty(tensors, "vstack")
    ts = list(atleast_2d(*tensors)) if len(tensors) > 1 else [atleast_2d(tensors[0])]
    return cat(ts, 0)


row_stack = vstack


def dstack(tensors: Any) -> Tensor:
    _nonempty(tensors, "dstack")
    ts = list(atleast_3d(*tensors)) if len(tensors) > 1 else [atleast_3d(tensors[0])]
    return cat(ts, 2)


def column_stack(tensors: Any) -> Tensor:
    _nonempty(tensors, "column_stack")
    ts = [reshape(t, (-1, 1)) if t.ndim < 2 else t for t in tensors]
    return cat(ts, 1)


def tensordot(a: Tensor, b: Tensor, dims: Any = 2, out: Any = None) -> Tensor:
    """Contract dims of a with dims of b (an int: a's last n with b's first n)."""
    from autograd_core.ops.linalg import matmul
    from autograd_core.ops.shape import permute

    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(-dims, 0)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    for x, y in zip(da, db):  # PyTorch's message names the dims as given
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[x]} in dim {x} and second has size {b.shape[y]} in "
                               f"dim {y}")
    da = [norm_dim(d, a.ndim, "tensordot") for d in da]
    db = [norm_dim(d, b.ndim, "tensordot") for d in db]
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    k = int(np.prod([a.shape[d] for d in da]))
    am = reshape(permute(a, free_a + da), (-1, k))
    bm = reshape(permute(b, db + free_b), (k, -1))
    shape = tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b)
    return reshape(matmul(am, bm), shape)
