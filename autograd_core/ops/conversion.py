"""Dtype and device moves: cast and to_device; the gradient converts back."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core.backend import Device, get_array_module, module_for_device
from autograd_core.backend import device as as_device
from autograd_core.function import Function
from autograd_core.tensor import Tensor

__all__: list[str] = []  # cast and to_device serve Tensor.to(), through autograd_core.ops


class Cast(Function):
    """y = x converted to another dtype; the gradient converts back"""

    @staticmethod
    def forward(ctx, x, dtype=None):
        ctx.src = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.src)


class ToDevice(Function):
    """y = x copied to another device; the gradient is copied back"""

    @staticmethod
    def forward(ctx, x, device=None):
        src_xp = get_array_module(x)
        ctx.src_device = None if src_xp is np else x.device.id
        return _move(x, device)

    @staticmethod
    def backward(ctx, g):
        if ctx.src_device is None:
            return _move(g, Device("cpu"))
        return _move(g, Device("cuda", ctx.src_device))


def _move(arr: Any, dev: Any) -> Any:
    if dev.type == "cpu":
        return arr if type(arr) is np.ndarray else arr.get()
    xp = module_for_device(dev)
    with xp.cuda.Device(dev.index or 0):
        return xp.asarray(arr)


def cast(input: Tensor, dtype: Any) -> Tensor:
    """The tensor in another dtype (a no-op when it already has it)."""
    dt = dtypes.to_dtype(dtype)
    if input._data.dtype == dt:
        return input
    if dt.kind not in "fc" and input.requires_grad:
        # Integer results are never differentiable: cut the graph as PyTorch does.
        return Tensor._make(input._data.astype(dt))
    return Cast.apply(input, dtype=dt)


def to_device(input: Tensor, device: Any) -> Tensor:
    dev = as_device(device)
    if input.device == dev:
        return input
    return ToDevice.apply(input, device=dev)
