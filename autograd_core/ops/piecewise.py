"""Piecewise ops: sign and rounding (gradient zero almost everywhere) and clamp."""

from __future__ import annotations

from typing import Any

from autograd_core import dtypes
from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._operands import _like
from autograd_core.ops._util import sum_to
from autograd_core.ops.arithmetic import div, maximum, minimum, mul
from autograd_core.ops.conversion import cast
from autograd_core.tensor import Tensor

__all__ = ["ceil", "clamp", "clamp_max", "clamp_min", "clip", "floor", "round", "sign", "trunc"]


class _ZeroGrad(Function):
    """Piecewise-constant ops: gradient zero almost everywhere (PyTorch returns zeros)."""

    ufunc = "sign"

    @classmethod
    def forward(cls, ctx, x):
        return getattr(get_array_module(x), cls.ufunc)(x)

    @staticmethod
    def backward(ctx, g):
        return get_array_module(g).zeros_like(g)


class Sign(_ZeroGrad):
    """y = sign(x)"""

    ufunc = "sign"


class Floor(_ZeroGrad):
    """y = floor(x)"""

    ufunc = "floor"


class Ceil(_ZeroGrad):
    """y = ceil(x)"""

    ufunc = "ceil"


class Round(_ZeroGrad):
    """y = round half to even (as torch.round)"""

    ufunc = "round"


class Trunc(_ZeroGrad):
    """y = trunc(x)"""

    ufunc = "trunc"


class Clamp(Function):
    """y = min(max(x, lo), hi); gradient passes where lo <= x <= hi"""

    @staticmethod
    def forward(ctx, x, lo=None, hi=None):
        xp = get_array_module(x)
        y = xp.clip(x, lo, hi) if lo is not None or hi is not None else x.copy()
        ctx.save_for_backward(x, lo, hi)
        return y

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.saved_tensors
        mask = True
        if lo is not None:
            mask = x >= lo
        if hi is not None:
            mask = mask & (x <= hi)
        na = ctx.needs_input_grad
        gx = g * mask if na[0] else None
        glo = ghi = None
        if len(na) > 1 and na[1]:
            glo = sum_to(g * (x < lo), lo.shape)
        if len(na) > 2 and na[2]:
            ghi = sum_to(g * (x > hi), hi.shape)
        return gx, glo, ghi


def sign(input: Tensor) -> Tensor:
    if input._data.dtype.kind == "b":  # the sign of a bool is itself (numpy has no loop)
        return input.clone()
    return Sign.apply(input)


def _rounding(input: Tensor, cls: type, name: str) -> Tensor:
    """Integers are already whole (returned as they are); PyTorch refuses bool."""
    kind = input._data.dtype.kind
    if kind == "b":
        dev = "cuda" if input.device.type == "cuda" else "cpu"
        raise NotImplementedError(f'"{name}_vml_{dev}" not implemented for \'Bool\'')
    return input if kind in "iu" else cls.apply(input)


def floor(input: Tensor) -> Tensor:
    return _rounding(input, Floor, "floor")


def ceil(input: Tensor) -> Tensor:
    return _rounding(input, Ceil, "ceil")


def round(input: Tensor, decimals: int = 0) -> Tensor:
    if decimals:
        scale = 10.0 ** decimals
        return div(Round.apply(mul(input, scale)), scale)
    return _rounding(input, Round, "round")


def trunc(input: Tensor) -> Tensor:
    return _rounding(input, Trunc, "trunc")


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Clamp into [min, max]; either bound may be None, a number or a tensor."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input
        if min is not None:
            out = maximum(out, min if isinstance(min, Tensor) else _like(out, min))
        if max is not None:
            out = minimum(out, max if isinstance(max, Tensor) else _like(out, max))
        return out
    if input.dtype.kind in "iub" and any(isinstance(v, float) for v in (min, max)):
        input = cast(input, dtypes.default.value)
    return Clamp.apply(input, lo=min, hi=max)


clip = clamp


def clamp_min(input: Tensor, min: Any) -> Tensor:
    return clamp(input, min=min)


def clamp_max(input: Tensor, max: Any) -> Tensor:
    return clamp(input, max=max)
