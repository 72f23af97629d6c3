"""Indexing: `x[...]` (basic and advanced, with accumulating gradient scatter) and setitem."""

from __future__ import annotations

from typing import Any

from autograd_core import grad_mode
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import shape_str
from autograd_core.tensor import Tensor


def _is_basic(index: Any) -> bool:
    """Ints, slices, None and Ellipsis only: the result is a view and the scatter is simple."""
    items = index if isinstance(index, tuple) else (index,)
    return all(
        i is None or i is Ellipsis or isinstance(i, (int, slice)) and not isinstance(i, bool)
        for i in items
    )


def _unwrap_index(index: Any) -> Any:
    """Tensors and lists inside an index become arrays (bool tensors stay masks)."""
    if isinstance(index, tuple):
        return tuple(_unwrap_index(i) for i in index)
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, list):
        import numpy as np  # noqa: PLC0415 - a list index is host data by nature

        return np.asarray(index)
    return index


class GetItem(Function):
    """y = x[index]; the gradient scatters back, accumulating repeated indices"""

    @staticmethod
    def forward(ctx, x, index=None, basic=True):
        ctx.meta_ = (x.shape, x.dtype, index, basic)
        return x[index]

    @staticmethod
    def backward(ctx, g):
        shape, dtype, index, basic = ctx.meta_
        xp = get_array_module(g)
        gx = xp.zeros(shape, dtype=g.dtype)
        if basic:
            gx[index] = g
        else:
            xp.add.at(gx, index, g)  # unbuffered: repeated indices accumulate
        return gx


def getitem(input: Tensor, index: Any) -> Tensor:
    """x[index] with PyTorch's indexing rules (numpy's, minus negative steps)."""
    idx = _unwrap_index(index)
    basic = _is_basic(idx)
    try:
        if basic:
            _check_steps(idx)
            return GetItem.apply(input, index=idx, basic=True)
        return GetItem.apply(input, index=idx, basic=False)
    except IndexError as exc:
        raise IndexError(f"index {index!r} is out of bounds for tensor of shape "
                         f"{shape_str(input.shape)}: {exc}") from None


def _check_steps(idx: Any) -> None:
    for i in idx if isinstance(idx, tuple) else (idx,):
        if isinstance(i, slice) and i.step is not None and i.step <= 0:
            raise ValueError("step must be greater than zero")


def setitem(input: Tensor, index: Any, value: Any) -> None:
    """x[index] = value, in place (recorded as an op when autograd needs it)."""
    idx = _unwrap_index(index)
    val = value._data if isinstance(value, Tensor) else value
    needs_graph = grad_mode.state.enabled and (
        input.requires_grad or (isinstance(value, Tensor) and value.requires_grad)
    )
    if not needs_graph:
        input._data[idx] = val
        input._version[0] += 1
        return
    if input.requires_grad and input.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    src = value if isinstance(value, Tensor) else Tensor._make(
        get_array_module(input._data).asarray(value, dtype=input.dtype))
    input._inplace(SetItem.apply(input, src, index=idx))


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
        from autograd_core.ops._util import sum_to  # noqa: PLC0415

        index, vshape = ctx.meta_
        gx = g.copy()
        gx[index] = 0
        gv = g[index]
        return gx, sum_to(gv, vshape) if gv.shape != vshape else gv
