"""Unary math: neg, exp, log, sqrt, trigonometry, tanh, sigmoid, relu, abs, square, reciprocal
and clone. Float-only math on integer tensors computes in the default dtype."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core.backend import get_array_module, kernels
from autograd_core.function import Function
from autograd_core.ops.arithmetic import div, mul
from autograd_core.ops.conversion import cast
from autograd_core.tensor import Tensor

__all__ = [
    "abs", "absolute", "clone", "cos", "exp", "log", "log1p", "neg", "negative", "reciprocal",
    "relu", "rsqrt", "sigmoid", "sin", "sqrt", "square", "tanh",
]


class Neg(Function):
    """y = -x"""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


class Clone(Function):
    """y = x (a copy with its own memory)"""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g


class Exp(Function):
    """y = e^x"""

    @staticmethod
    def forward(ctx, x):
        y = get_array_module(x).exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        return g * ctx.saved_tensors[0]


class Log(Function):
    """y = ln x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return get_array_module(x).log(x)

    @staticmethod
    def backward(ctx, g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / ctx.saved_tensors[0]


class Log1p(Function):
    """y = ln(1 + x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return get_array_module(x).log1p(x)

    @staticmethod
    def backward(ctx, g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / (1 + ctx.saved_tensors[0])


class Sqrt(Function):
    """y = sqrt(x)"""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            y = get_array_module(x).sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / (2 * ctx.saved_tensors[0])


class Rsqrt(Function):
    """y = 1 / sqrt(x)"""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            y = 1 / get_array_module(x).sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y = ctx.saved_tensors[0]
        return g * (-0.5 * y * y * y)


class Sin(Function):
    """y = sin x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x).sin(x)

    @staticmethod
    def backward(ctx, g):
        return g * get_array_module(g).cos(ctx.saved_tensors[0])


class Cos(Function):
    """y = cos x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x).cos(x)

    @staticmethod
    def backward(ctx, g):
        return -g * get_array_module(g).sin(ctx.saved_tensors[0])


class Tanh(Function):
    """y = tanh x"""

    @staticmethod
    def forward(ctx, x):
        y = get_array_module(x).tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y = ctx.saved_tensors[0]
        out = kernels.ewise("tanh_backward", g, y)  # GPU: one fused kernel
        if out is not None:
            return out
        # g - g*y*y rather than g * (1 - y*y): a Python scalar operand costs numpy as much as
        # a ufunc call on a small array, and the in-place step saves an allocation.
        gyy = g * y
        gyy *= y
        return g - gyy


# Below this the tanh form's 1/2 + tanh(x/2)/2 cancels: sigmoid(-40) came out 0 (PyTorch:
# 4.2e-18), so log(sigmoid(x)) was -inf. Relative error of the tanh form at -4: ~3e-6 in
# float32, ~6e-15 in float64.
_TAIL = -4.0


def _exact_tail(x: Any, y: Any, xp: Any) -> None:
    """Recompute y = sigmoid(x) in place where x < _TAIL, as e^x / (1 + e^x)."""
    if y.size == 0 or y.dtype.kind == "c":  # complex: no tail to mend (and no ordering)
        return
    if xp is np:  # one reduction decides; most activations have no such tail
        if float(x.min()) >= _TAIL:  # False for a NaN minimum: the mask below decides
            return
        tail = x < _TAIL
        e = np.exp(x[tail])
        y[tail] = e / (1 + e)
        return
    e = xp.exp(xp.minimum(x, x.dtype.type(0)))  # GPU: no host sync, a few more passes
    xp.copyto(y, e / (1 + e), where=x < _TAIL)


class Sigmoid(Function):
    """y = 1 / (1 + e^-x)"""

    @staticmethod
    def forward(ctx, x):
        xp = get_array_module(x)
        # tanh form: no overflow warning for large |x| and one pass fewer than exp.
        half = x.dtype.type(0.5)
        y = xp.tanh(x * half)
        y *= half
        y += half
        _exact_tail(x, y, xp)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y = ctx.saved_tensors[0]
        out = kernels.ewise("sigmoid_backward", g, y)  # GPU: one fused kernel
        if out is not None:
            return out
        gy = g * y  # g*y - g*y*y: no Python-scalar operand (see Tanh)
        return gy - gy * y


class Relu(Function):
    """y = max(x, 0)"""

    @staticmethod
    def forward(ctx, x):
        y = kernels.ewise("relu", x)  # GPU: one kernel, no Python-scalar operand
        if y is None:
            y = get_array_module(x).maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        # The mask is written straight into the gradient's dtype: no separate bool array
        # (a W3 step's peak memory is set here).
        out = kernels.ewise("relu_backward", g, ctx.saved_tensors[0])  # GPU: one fused kernel
        if out is not None:
            return out
        xp = get_array_module(g)
        out = xp.greater(ctx.saved_tensors[0], 0, out=xp.empty_like(g))
        out *= g
        return out


class Abs(Function):
    """y = |x|"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return get_array_module(x).abs(x)

    @staticmethod
    def backward(ctx, g):
        return g * get_array_module(g).sign(ctx.saved_tensors[0])


def _float(x: Tensor) -> Tensor:
    """Float-only math on integer tensors computes in the default dtype, as in PyTorch."""
    if not isinstance(x, Tensor):
        raise TypeError(f"expected a Tensor, got {type(x).__name__}")
    return x if x._data.dtype.kind in "fc" else cast(x, dtypes.default.value)


def _not_bool(input: Tensor, kernel: str) -> None:
    """PyTorch has no kernel for these ops on bool (numpy computes logical ones silently)."""
    if input._data.dtype.kind == "b":
        dev = "cuda" if input.device.type == "cuda" else "cpu"
        raise NotImplementedError(f'"{kernel}_{dev}" not implemented for \'Bool\'')


_NEG_BOOL = ("Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
             "to invert a mask, use the `~` or `logical_not()` operator instead.")


def neg(input: Tensor) -> Tensor:
    if input._data.dtype.kind == "b":
        raise RuntimeError(_NEG_BOOL)
    return Neg.apply(input)


negative = neg


def clone(input: Tensor, memory_format: Any = None) -> Tensor:
    """A copy of `input` with its own memory; gradients flow back unchanged."""
    return Clone.apply(input)


def exp(input: Tensor) -> Tensor:
    return Exp.apply(_float(input))


def log(input: Tensor) -> Tensor:
    return Log.apply(_float(input))


def log1p(input: Tensor) -> Tensor:
    return Log1p.apply(_float(input))


def sqrt(input: Tensor) -> Tensor:
    return Sqrt.apply(_float(input))


def rsqrt(input: Tensor) -> Tensor:
    return Rsqrt.apply(_float(input))


def sin(input: Tensor) -> Tensor:
    return Sin.apply(_float(input))


def cos(input: Tensor) -> Tensor:
    return Cos.apply(_float(input))


def tanh(input: Tensor) -> Tensor:
    return Tanh.apply(_float(input))


def sigmoid(input: Tensor) -> Tensor:
    return Sigmoid.apply(_float(input))


def relu(input: Tensor) -> Tensor:
    if input._data.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    return Relu.apply(input)


def abs(input: Tensor) -> Tensor:
    _not_bool(input, "abs")
    return Abs.apply(input)


absolute = abs


def square(input: Tensor) -> Tensor:
    if input._data.dtype.kind == "b":  # PyTorch squares bools as int64
        input = cast(input, dtypes.int64)
    return mul(input, input)


def reciprocal(input: Tensor) -> Tensor:
    return div(1.0, _float(input))
