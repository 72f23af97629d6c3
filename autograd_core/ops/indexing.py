"""Indexing: `x[...]` (basic: a view; advanced: a copy, repeats accumulate), setitem,
masked_fill, nonzero. Indexing along one dim (gather, scatter, ...) is in gather.py."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import grad_mode
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import shape_str
from autograd_core.tensor import Tensor, bump_version

__all__ = ["masked_fill", "nonzero"]


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
    if isinstance(index, list) and _list_as_tuple(index):
        return tuple(_unwrap_index(i, xp) for i in index)
    if isinstance(index, Tensor):
        index = index._data
        if index.dtype == np.uint8:  # a byte tensor is a mask in PyTorch (deprecated), not
            index = index.astype(bool)  # indices: numpy would pick elements 0 and 1
    elif isinstance(index, list):
        arr = np.asarray([_host(i) for i in index])  # a list index is host data by nature
        # An empty list selects nothing; numpy would read it as a float index.
        return xp.asarray(arr if arr.size else arr.astype(np.int64))
    if hasattr(index, "dtype") and get_array_module(index) is not xp:
        return xp.asarray(_host(index))
    return index


def _list_as_tuple(index: list) -> bool:
    """PyTorch (like numpy before 1.23) reads `x[[[0, 1], [1, 0]]]` as `x[[0, 1], [1, 0]]`:
    a short list holding a sequence, tensor, slice, Ellipsis or None is a tuple of indices.
    numpy 2 would read it as one 2-D index array instead."""
    return len(index) < 32 and any(
        i is None or i is Ellipsis or isinstance(i, (slice, list, tuple, Tensor)) for i in index)


def _host(i: Any) -> Any:
    return i.numpy(force=True) if isinstance(i, Tensor) else i


def _as_view_index(index: Any) -> Any:
    """numpy returns a copied scalar for an all-integer index; a trailing Ellipsis makes it a
    0-d view, so `x[1].fill_(5)` writes into x as in PyTorch."""
    items = index if isinstance(index, tuple) else (index,)
    if any(i is Ellipsis for i in items):
        return index
    return (*items, Ellipsis)


class GetItem(Function):
    """y = x[ints, slices, None, ...]: a view, sharing x's memory and version counter"""

    is_view = True

    @staticmethod
    def forward(ctx, x, index=None):
        ctx.meta_ = (x.shape, index)
        return x[_as_view_index(index)]

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
    if isinstance(value, list):  # PyTorch takes tensors and numbers only
        raise TypeError(f"can't assign a list to a {input.type()}")
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
        except ValueError:
            raise _expand_error(input, idx, val) from None
        bump_version(input)
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
    except ValueError:
        raise _expand_error(input, idx, src._data) from None
    input._inplace(out)


def _expand_error(input: Tensor, idx: Any, val: Any) -> RuntimeError:
    """PyTorch's message for a value that does not broadcast to the indexed region."""
    target = tuple(input._data[idx].shape)
    source = tuple(getattr(val, "shape", ()))
    dim, want, have = 0, 0, 0
    for d in range(1, max(len(source), 1) + 1):
        have = source[-d] if d <= len(source) else 1
        want = target[-d] if d <= len(target) else 1
        if have not in (1, want):
            dim = len(source) - d
            break
    return RuntimeError(
        f"The expanded size of the tensor ({want}) must match the existing size ({have}) at "
        f"non-singleton dimension {dim}.  Target sizes: {shape_str(target)}.  Tensor sizes: "
        f"{shape_str(source)}")


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
    if type(mask._data) is not type(input._data):  # cupy rejects a host mask with a raw error
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            f"{input.device} and {mask.device}! (when checking argument mask in masked_fill)")
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value.ndim} dimension(s).")
        if type(value._data) is not type(input._data):  # a 0-d value may live elsewhere
            from autograd_core.ops.conversion import to_device

            value = to_device(value, input.device)
        if value.dtype != input.dtype:
            from autograd_core.ops.conversion import cast

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
