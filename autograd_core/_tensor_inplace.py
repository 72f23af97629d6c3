"""In-place writes and views for `Tensor`: the checks, the write into shared memory, the
version counter, and the history a written tensor (or the root of a written view) takes.

`InplaceMethods` holds the in-place methods (`add_`, `copy_`, `fill_`, ...); `Tensor` inherits
them. `bump_version` is the one place a write through other code marks a tensor changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

import numpy as np

from autograd_core import dtypes, function, grad_mode, random
from autograd_core._tensor_convert import _SCALAR_NAMES, _host
from autograd_core._tensor_fields import TensorFields
from autograd_core.backend import get_array_module

# Set by autograd_core.tensor (_bind_method_modules): Tensor and the ops namespace import
# this module, so they arrive after it loads.
if TYPE_CHECKING:  # the class, for the methods' `self: Tensor`
    from autograd_core.tensor import Tensor
else:
    Tensor = None
_ops: Any = None



def bump_version(t: Any) -> None:
    """Mark `t`'s storage written in place: saved copies of it are now stale for backward
    (PyTorch's version counter; views and aliases share the counter)."""
    t._version[0] += 1


class InplaceMethods(TensorFields):
    """The in-place methods of `Tensor` (a base class so tensor.py holds the tensor's state)."""

    __slots__ = ()

    def _check_inplace(self) -> None:
        if not grad_mode.state.enabled:
            return
        if self.requires_grad and self.grad_fn is None:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation."
            )
        root = _view_root(self)
        if root is not self and root.requires_grad and root.grad_fn is None:
            raise RuntimeError(
                "a view of a leaf Variable that requires grad is being used in an in-place "
                "operation."
            )

    def _inplace(self, result: Tensor) -> Self:
        """Write `result` into self's memory (views see it); with a graph, take its history."""
        self._check_inplace()
        data = self._data
        new = result._data
        if new.shape != data.shape or (new.dtype != data.dtype and dtypes._category(new.dtype)
                                       > dtypes._category(data.dtype)):
            _inplace_error(data, new)
        node = result.grad_fn
        if node is not None and node._saved:
            # The op may have saved self's array, which the write below overwrites: it keeps
            # a copy instead (PyTorch saves the original self of an in-place op the same way).
            node._saved = tuple(data.copy() if a is data else a for a in node._saved)
        try:
            get_array_module(data).copyto(data, new, casting="unsafe")
        except ValueError:
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers "
                "to a single memory location. Please clone() the tensor before performing the "
                "operation."
            ) from None
        bump_version(self)
        if node is not None:
            root = _view_root(self)
            if root is not self:
                _rebase_view_root(root, self, result)
            # The tensor takes the result's history (PyTorch rebases it onto the new node).
            self.grad_fn = node
            self._output_nr = result._output_nr
            self.requires_grad = True
            if node._versions is not None:
                # The node kept a private copy of self (above), if anything: later writes to
                # self cannot reach what it saved.
                node._versions = [e for e in node._versions if e[0] is not self._version]
        return self

    def copy_(self, src: Any, non_blocking: bool = False) -> Self:
        src_t = src if isinstance(src, Tensor) else Tensor(src)
        if grad_mode.state.enabled and (src_t.requires_grad or self.requires_grad):
            return self._inplace(Copy.apply(self, _ops.to_device(src_t, self.device)))
        self._check_inplace()
        xp = get_array_module(self._data)
        arr = src_t._data
        if type(arr) is not type(self._data):
            arr = xp.asarray(_host(arr))
        xp.copyto(self._data, arr, casting="unsafe")
        bump_version(self)
        return self

    def fill_(self, value: Any) -> Self:
        if grad_mode.state.enabled and (self.requires_grad or getattr(value, "requires_grad",
                                                                       False)):
            # Recorded, so the overwritten values get no gradient (PyTorch's FillBackward).
            if not isinstance(value, Tensor):
                value = Tensor._make(get_array_module(self._data).asarray(value, self.dtype))
            return self._inplace(Copy.apply(self, value))
        self._check_inplace()
        self._data[...] = value._data if isinstance(value, Tensor) else value
        bump_version(self)
        return self

    def zero_(self) -> Self:
        return self.fill_(0)

    def add_(self, other: Any, alpha: Any = 1) -> Self:
        if alpha != 1:
            other = _ops.mul(other, alpha)
        return self._inplace(_ops.add(self, other))

    def sub_(self, other: Any, alpha: Any = 1) -> Self:
        if alpha != 1:
            other = _ops.mul(other, alpha)
        return self._inplace(_ops.sub(self, other))

    def mul_(self, other: Any) -> Self:
        return self._inplace(_ops.mul(self, other))

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Self:
        return self._inplace(_ops.div(self, other, rounding_mode=rounding_mode))

    def pow_(self, other: Any) -> Self:
        return self._inplace(_ops.pow(self, other))

    def floor_divide_(self, other: Any) -> Self:
        return self._inplace(_ops.floor_divide(self, other))

    def remainder_(self, other: Any) -> Self:
        return self._inplace(_ops.remainder(self, other))

    def fmod_(self, other: Any) -> Self:
        return self._inplace(_ops.fmod(self, other))

    def clamp_(self, min: Any = None, max: Any = None) -> Self:
        return self._inplace(_ops.clamp(self, min, max))

    clip_ = clamp_

    def addcmul_(self, t1: Any, t2: Any, value: Any = 1) -> Self:
        return self._inplace(_ops.add(self, _ops.mul(_ops.mul(t1, t2), value)))

    def addcdiv_(self, t1: Any, t2: Any, value: Any = 1) -> Self:
        return self._inplace(_ops.add(self, _ops.mul(_ops.div(t1, t2), value)))

    def lerp_(self, end: Any, weight: Any) -> Self:
        return self._inplace(_ops.add(self, _ops.mul(_ops.sub(end, self), weight)))

    def masked_fill_(self, mask: Any, value: Any) -> Self:
        return self._inplace(_ops.masked_fill(self, mask, value))

    def relu_(self) -> Self:
        return self._inplace(_ops.relu(self))

    def exp_(self) -> Self:
        return self._inplace(_ops.exp(self))

    def sqrt_(self) -> Self:
        return self._inplace(_ops.sqrt(self))

    def neg_(self) -> Self:
        return self._inplace(_ops.neg(self))

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Self:
        return self._fill_random(random.normal_array(self._data, mean, std, generator))

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Self:
        return self._fill_random(random.uniform_array(self._data, a, b, generator))

    def bernoulli_(self, p: float = 0.5, generator: Any = None) -> Self:
        return self._fill_random(random.uniform_array(self._data, 0.0, 1.0, generator) < p)

    def _fill_random(self, values: Any) -> Self:
        if self.requires_grad and grad_mode.state.enabled:
            return self._inplace(Copy.apply(self, Tensor._make(values)))
        self._check_inplace()
        get_array_module(self._data).copyto(self._data, values, casting="unsafe")
        bump_version(self)
        return self

    def bitwise_not_(self) -> Self:
        return self._inplace(_ops.bitwise_not(self))

    def bitwise_and_(self, other: Any) -> Self:
        return self._inplace(_ops.bitwise_and(self, other))

    def bitwise_or_(self, other: Any) -> Self:
        return self._inplace(_ops.bitwise_or(self, other))

    def bitwise_xor_(self, other: Any) -> Self:
        return self._inplace(_ops.bitwise_xor(self, other))

    def bitwise_left_shift_(self, other: Any) -> Self:
        return self._inplace(_ops.bitwise_left_shift(self, other))

    def bitwise_right_shift_(self, other: Any) -> Self:
        return self._inplace(_ops.bitwise_right_shift(self, other))


class Copy(function.Function):
    """dst = src (broadcast and cast to dst): dst's old value gets a zero gradient"""

    @staticmethod
    def forward(ctx: Any, dst: Any, src: Any) -> Any:
        ctx.src_meta = (src.shape, src.dtype)
        xp = get_array_module(dst)
        try:
            return xp.broadcast_to(src, dst.shape).astype(dst.dtype)
        except ValueError:
            raise RuntimeError(
                f"copy_: the size of src {list(src.shape)} must be broadcastable to the size of "
                f"the destination {list(dst.shape)}"
            ) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        # Not at the top: autograd_core.ops imports Tensor, which is built from this module.
        from autograd_core.ops._util import sum_to

        shape, dtype = ctx.src_meta
        need_dst, need_src = ctx.needs_input_grad
        g_dst = get_array_module(g).zeros_like(g) if need_dst else None
        g_src = sum_to(g, shape).astype(dtype, copy=False) if need_src else None
        return g_dst, g_src


def _view_root(t: TensorFields) -> TensorFields:
    """The tensor whose memory `t` views (through any chain of view ops), or t itself."""
    base = getattr(t, "_base", None)
    while base is not None:
        t = base
        base = getattr(t, "_base", None)
    return t


class CopySlices(function.Function):
    """base' = base with the region a view sees replaced by the view's new values"""

    name_suffix = ""  # PyTorch's node is plain "CopySlices"

    @staticmethod
    def forward(ctx: Any, base: Any, values: Any, region: Any = None) -> Any:
        ctx.region = region  # (shape, byte strides, element offset) of the view in base
        return base  # the in-place write already put the values into base's memory

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        shape, strides, offset = ctx.region
        xp = get_array_module(g)
        g_base = xp.array(g, order="C", copy=True)
        view = xp.lib.stride_tricks.as_strided(g_base.reshape(-1)[offset:], shape, strides)
        g_values = view.copy()
        view[...] = 0
        need_base, need_values = ctx.needs_input_grad
        return (g_base if need_base else None), (g_values if need_values else None)


def _rebase_view_root(root: TensorFields, view: TensorFields, result: Tensor) -> None:
    """After an in-place op through `view`, give `root` the history PyTorch gives it
    (CopySlices): its other elements keep their old history, the view's come from `result`."""
    base, data = root._data, view._data
    xp = get_array_module(base)
    if not (base.flags.c_contiguous and xp.may_share_memory(base, data)):
        return  # the "view" is a copy (a reshape of a strided tensor): base is untouched
    start = base.ctypes.data if xp is np else base.data.ptr
    here = data.ctypes.data if xp is np else data.data.ptr
    old = Tensor._make(base)
    old.requires_grad = root.requires_grad
    old.grad_fn = root.grad_fn
    old._output_nr = root._output_nr
    old._accumulator = root._accumulator
    region = (data.shape, data.strides, (here - start) // base.itemsize)
    out = CopySlices.apply(old, result, region=region)
    root.grad_fn = out.grad_fn
    root._output_nr = 0
    root.requires_grad = True


def _inplace_error(data: Any, new: Any) -> None:
    if new.shape != data.shape:
        raise RuntimeError(
            f"output with shape {list(data.shape)} doesn't match the broadcast shape "
            f"{list(new.shape)}"
        )
    raise RuntimeError(
        f"result type {_SCALAR_NAMES.get(new.dtype.name, new.dtype.name)} can't be cast to the "
        f"desired output type {_SCALAR_NAMES.get(data.dtype.name, data.dtype.name)}"
    )
