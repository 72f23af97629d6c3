"""Indexing: `x[...]` (basic: a view; advanced: a copy, repeats accumulate), setitem, gather,
index_select, masked_fill, nonzero, scatter."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import grad_mode
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import norm_dim, shape_str
from autograd_core.tensor import Tensor


def _is_basic(index: Any) -> bool:
    """Ints, slices, None and Ellipsis only: the result is a view and the scatter is simple."""
    items = index if isinstance(index, tuple) else (index,)
    return all(
        i is None or i is Ellipsis or (isinstance(i, (int, slice)) and not isinstance(i, bool))
        for i in items
    )


def _unwrap_index(index: Any, xp: Any) -> Any:
    """Tensors and lists inside an index become arrays of the indexed tensor's module (a CPU
    index may index a GPU tensor, as in PyTorch); bool ones stay masks."""
    if isinstance(index, tuple):
        return tuple(_unwrap_index(i, xp) for i in index)
    if isinstance(index, Tensor):
        index = index._data
    elif isinstance(index, list):
        arr = np.asarray([_host(i) for i in index])  # a list index is host data by nature
        # An empty list selects nothing; numpy would read it as a float index.
        return xp.asarray(arr if arr.size else arr.astype(np.int64))
    if hasattr(index, "dtype") and get_array_module(index) is not xp:
        return xp.asarray(_host(index))
    return index


def _host(i: Any) -> Any:
    return i.numpy(force=True) if isinstance(i, Tensor) else i


class GetItem(Function):
    """y = x[ints, slices, None, ...]: a view, sharing x's memory and version counter"""

    is_view = True

    @staticmethod
    def forward(ctx, x, index=None):
        ctx.meta_ = (x.shape, index)
        return x[index]

    @staticmethod
    def backward(ctx, g):
        shape, index = ctx.meta_
        gx = get_array_module(g).zeros(shape, dtype=g.dtype)
        gx[index] = g
        return gx


class Index(Function):
    """y = x[int arrays / masks] (a copy); repeated indices accumulate in the gradient"""

    @staticmethod
    def forward(ctx, x, index=None):
        ctx.meta_ = (x.shape, index)
        return x[index]

    @staticmethod
    def backward(ctx, g):
        shape, index = ctx.meta_
        xp = get_array_module(g)
        gx = xp.zeros(shape, dtype=g.dtype)
        xp.add.at(gx, index, g)  # unbuffered: repeated indices accumulate
        return gx


def getitem(input: Tensor, index: Any) -> Tensor:
    """x[index] with PyTorch's indexing rules (numpy's, minus negative steps)."""
    idx = _unwrap_index(index, get_array_module(input._data))
    _check_steps(idx)
    try:
        return (GetItem if _is_basic(idx) else Index).apply(input, index=idx)
    except IndexError as exc:
        raise IndexError(_torch_message(str(exc), input)) from None


def _torch_message(msg: str, input: Tensor) -> str:
    """numpy's IndexError text in PyTorch's words ('dimension', not 'axis')."""
    if msg.startswith("too many indices"):
        return f"too many indices for tensor of dimension {input.ndim}"
    if msg.startswith("arrays used as indices"):
        return "tensors used as indices must be long, int, byte or bool tensors"
    return msg.replace("axis", "dimension") + f" (tensor shape {shape_str(input.shape)})"


def _check_steps(idx: Any) -> None:
    for i in idx if isinstance(idx, tuple) else (idx,):
        if isinstance(i, slice) and i.step is not None and i.step <= 0:
            raise ValueError("step must be greater than zero")


def setitem(input: Tensor, index: Any, value: Any) -> None:
    """x[index] = value, in place (recorded as an op when autograd needs it)."""
    idx = _unwrap_index(index, get_array_module(input._data))
    _check_steps(idx)
    val = value._data if isinstance(value, Tensor) else value
    needs_graph = grad_mode.state.enabled and (
        input.requires_grad or (isinstance(value, Tensor) and value.requires_grad)
    )
    if not needs_graph:
        try:
            input._data[idx] = val
        except IndexError as exc:
            raise IndexError(_torch_message(str(exc), input)) from None
        input._version[0] += 1
        return
    if input.requires_grad and input.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    src = value if isinstance(value, Tensor) else Tensor._make(
        get_array_module(input._data).asarray(value, dtype=input.dtype))
    try:
        out = SetItem.apply(input, src, index=idx)
    except IndexError as exc:
        raise IndexError(_torch_message(str(exc), input)) from None
    input._inplace(out)


class SetItem(Function):
    """y = x with y[index] = v"""

    @staticmethod
    def forward(ctx, x, v, index=None):
        ctx.meta_ = (index, v.shape)
        y = x.copy()
        y[index] = v
        return y

    @staticmethod
    def backward(ctx, g):
        from autograd_core.ops._util import sum_to

        index, vshape = ctx.meta_
        gx = g.copy()
        gx[index] = 0
        gv = g[index]
        if len(vshape) > gv.ndim:  # v had extra leading 1s that broadcasting dropped
            gv = gv.reshape((1,) * (len(vshape) - gv.ndim) + gv.shape)
        return gx, sum_to(gv, vshape)


def _along(idx: Any, axis: int) -> tuple:
    """The full advanced index that picks idx[..] along `axis` and i along every other axis."""
    xp = get_array_module(idx)
    nd = idx.ndim
    return tuple(idx if d == axis else
                 xp.arange(n).reshape((1,) * d + (n,) + (1,) * (nd - d - 1))
                 for d, n in enumerate(idx.shape))


class Gather(Function):
    """y[i][j] = x[index[i][j]][j] (dim 0; likewise along any dim)"""

    @staticmethod
    def forward(ctx, x, index=None, axis=0):
        full = _along(index, axis)
        ctx.meta_ = (x.shape, full)
        return x[full]

    @staticmethod
    def backward(ctx, g):
        shape, full = ctx.meta_
        xp = get_array_module(g)
        gx = xp.zeros(shape, dtype=g.dtype)
        xp.add.at(gx, full, g)  # an index repeated along dim accumulates
        return gx


def _check_index(index: Any, op: str) -> Any:
    if not isinstance(index, Tensor) or index._data.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int64 for index")
    return index._data


def _check_along(input: Tensor, dim: int, index: Tensor, op: str) -> tuple[int, Any]:
    """PyTorch's gather/scatter rules: same ndim, index no larger off dim, indices in range."""
    axis = norm_dim(dim, input.ndim, op)
    idx = _check_index(index, op)
    if idx.ndim != max(input.ndim, 1) and not (idx.ndim == 0 and input.ndim == 0):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as input "
                           f"tensor ({op}: index {shape_str(idx.shape)}, input "
                           f"{shape_str(input.shape)})")
    for d, (a, b) in enumerate(zip(idx.shape, input._data.shape)):
        if d != axis and a > b:
            raise RuntimeError(f"Size does not match at dimension {d} expected index "
                               f"{shape_str(idx.shape)} to be no larger than self "
                               f"{shape_str(input.shape)} apart from dimension {axis}")
    n = input._data.shape[axis] if input.ndim else 1
    if idx.size and (int(idx.min()) < -n or int(idx.max()) >= n):
        raise IndexError(f"{op}(): index out of bounds for dimension {axis} with size {n}")
    return axis, idx


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """Pick values along `dim` by `index` (same ndim as input).

    Example:
        >>> gather(tensor([[1., 2.], [3., 4.]]), 1, tensor([[0, 0], [1, 0]]))
        tensor([[1., 1.], [4., 3.]])
    """
    axis, idx = _check_along(input, dim, index, "gather")
    return GetItem.apply(input, index=()) if input.ndim == 0 else \
        Gather.apply(input, index=idx, axis=axis)



class IndexSelect(Function):
    """y = x with axis `dim` indexed by a 1-D index (repeats accumulate in the gradient)"""

    @staticmethod
    def forward(ctx, x, index=None, axis=0):
        ctx.meta_ = (x.shape, index, axis)
        return get_array_module(x).take(x, index, axis=axis)

    @staticmethod
    def backward(ctx, g):
        shape, index, axis = ctx.meta_
        xp = get_array_module(g)
        gx = xp.zeros(shape, dtype=g.dtype)
        xp.add.at(xp.moveaxis(gx, axis, 0), index, xp.moveaxis(g, axis, 0))
        return gx


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries `index` (1-D) of `dim`."""
    axis = norm_dim(dim, input.ndim, "index_select")
    idx = _check_index(index, "index_select")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    n = input._data.shape[axis] if input.ndim else 1
    if idx.size and (int(idx.min()) < -n or int(idx.max()) >= n):
        raise IndexError(f"index_select(): index out of range in self (dimension {axis} has "
                         f"size {n})")
    if input.ndim == 0:
        return GetItem.apply(input, index=())
    return IndexSelect.apply(input, index=idx.reshape(-1), axis=axis)


class MaskedFill(Function):
    """y = value where mask else x"""

    @staticmethod
    def forward(ctx, x, value, mask=None):
        ctx.meta_ = (mask, x.shape, getattr(value, "shape", ()))
        return get_array_module(x).where(mask, value, x)

    @staticmethod
    def backward(ctx, g):
        from autograd_core.ops._util import sum_to

        mask, xshape, vshape = ctx.meta_
        nx, nv = ctx.needs_input_grad
        gx = sum_to(g * ~mask, xshape) if nx else None
        gv = sum_to(g * mask, vshape) if nv else None
        return gx, gv


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """`value` where `mask` (bool, broadcastable) is true, else input."""
    if not isinstance(mask, Tensor) or mask._data.dtype.kind != "b":
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{getattr(mask, 'dtype', type(mask).__name__)}")
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value.ndim} dimension(s).")
        if value.dtype != input.dtype:
            from autograd_core.ops.elementwise import cast

            value = cast(value, input.dtype)
    else:
        value = Tensor._make(get_array_module(input._data).asarray(value, dtype=input.dtype))
    try:
        return MaskedFill.apply(input, value, mask=mask._data)
    except ValueError:
        raise RuntimeError(f"masked_fill: the mask {shape_str(mask.shape)} is not broadcastable "
                           f"to the input {shape_str(input.shape)}") from None


class Nonzero(Function):
    """i = indices of the nonzero elements of x, one row per element"""

    differentiable = False

    @staticmethod
    def forward(ctx, x):
        xp = get_array_module(x)
        return xp.stack(xp.nonzero(x), axis=-1).astype("int64", copy=False) if x.ndim else \
            xp.zeros((int(bool(x)), 0), dtype="int64")


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """Indices of the nonzero elements: an (n, ndim) tensor, or one 1-D tensor per dim."""
    out = Nonzero.apply(input)
    if not as_tuple:
        return out
    if input.ndim == 0:  # one index per nonzero element, of a dim that does not exist
        return (Tensor._make(get_array_module(out._data).zeros(out._data.shape[0], "int64")),)
    return tuple(Tensor._make(out._data[:, d]) for d in range(input.ndim))


class Scatter(Function):
    """y = x with y[index[i][j]][j] = src[i][j] (dim 0; likewise along any dim)"""

    @staticmethod
    def forward(ctx, x, src, index=None, axis=0, add=False):
        full = _along(index, axis)
        ctx.meta_ = (full, getattr(src, "shape", ()), add)
        y = x.copy()
        part = src[tuple(slice(0, n) for n in index.shape)] if hasattr(src, "shape") \
            and src.ndim else src
        if add:
            get_array_module(x).add.at(y, full, part)
        else:
            y[full] = part
        return y

    @staticmethod
    def backward(ctx, g):
        full, sshape, add = ctx.meta_
        nx, ns = ctx.needs_input_grad
        xp = get_array_module(g)
        gx = gs = None
        if nx:
            gx = g
            if not add:
                gx = g.copy()
                gx[full] = 0
        if ns and not sshape:  # a scalar value written everywhere index points
            gs = g[full].sum()
        elif ns:
            gs = xp.zeros(sshape, dtype=g.dtype)
            gs[tuple(slice(0, n) for n in g[full].shape)] = g[full]
        return gx, gs


def _scatter(input: Tensor, dim: int, index: Tensor, src: Any, add: bool, op: str) -> Tensor:
    axis, idx = _check_along(input, dim, index, op)
    if not isinstance(src, Tensor):
        src = Tensor._make(get_array_module(input._data).asarray(src, dtype=input.dtype))
    elif src.ndim and any(a > b for a, b in zip(idx.shape, src._data.shape)):
        raise RuntimeError(f"{op}(): Expected index {shape_str(idx.shape)} to be no larger "
                           f"than src {shape_str(src.shape)}")
    return Scatter.apply(input, src, index=idx, axis=axis, add=add)


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *,
            value: Any = None) -> Tensor:
    """A copy of input with src (or a scalar value) written at `index` along `dim`."""
    return _scatter(input, dim, index, value if src is None else src, False, "scatter")


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of input with src added at `index` along `dim` (repeats accumulate)."""
    return _scatter(input, dim, index, src, True, "scatter_add")


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """gather with broadcasting of the non-`dim` sizes; dim None works on the flattened input."""
    if dim is None:
        from autograd_core.ops.shape import reshape

        return gather(reshape(input, -1), 0, reshape(indices, -1))
    axis = norm_dim(dim, input.ndim, "take_along_dim")
    xp = get_array_module(input._data)
    ishape, jshape = list(input._data.shape), list(indices._data.shape)
    ishape[axis] = jshape[axis] = 1
    target = xp.broadcast_shapes(tuple(ishape), tuple(jshape))
    from autograd_core.ops.shape import expand

    xi = expand(input, (*target[:axis], input.shape[axis], *target[axis + 1:]))
    idx = Tensor._make(xp.broadcast_to(indices._data,
                                       (*target[:axis], indices.shape[axis], *target[axis + 1:])))
    return gather(xi, axis, idx)
