"""The activations `nn.functional` has beyond the fused ones in ops/activation.py.

Each is written with existing ops (clamp, where, softplus, elu, ...), so its gradient, and
the gradient of that gradient, come from those ops' formulas.
"""

from __future__ import annotations

from typing import Any

from autograd_core.ops.activation import _float_input, _maybe_inplace, elu, leaky_relu, softplus
from autograd_core.ops.logic import where
from autograd_core.ops.softmax import softmax
from autograd_core.tensor import Tensor

__all__ = ["celu", "glu", "hardshrink", "hardsigmoid", "hardswish", "mish", "rrelu", "selu",
           "softmin", "softshrink", "softsign", "tanhshrink", "threshold"]

# SELU's constants, as PyTorch's (Klambauer et al. 2017).
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6."""
    _float_input(input, "hardsigmoid")
    return _maybe_inplace(input, (input + 3).clamp(0.0, 6.0) / 6, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6 (MobileNetV3)."""
    _float_input(input, "hardswish")
    return _maybe_inplace(input, input * (input + 3).clamp(0.0, 6.0) / 6, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    _float_input(input, "mish")
    return _maybe_inplace(input, input * softplus(input).tanh(), inplace)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - input.tanh()


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value."""
    out = where(input > threshold, input, input.new_full((), value))
    return _maybe_inplace(input, out, inplace)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0."""
    return where(input.abs() > lambd, input, input.new_zeros(()))


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    zero = input.new_zeros(())
    return where(input > lambd, input - lambd, where(input < -lambd, input + lambd, zero))


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), where a and b are the two halves of input along `dim`."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim % input.ndim
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{input.shape[d]}")
    half = input.shape[d] // 2
    return input.narrow(d, 0, half) * input.narrow(d, half, half).sigmoid()


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """softmax(-x) along `dim`."""
    return softmax(-input, dim, dtype=dtype)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    _float_input(input, "elu")
    return _maybe_inplace(input, elu(input / alpha) * alpha, inplace)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with SELU's fixed constants."""
    _float_input(input, "elu")
    return _maybe_inplace(input, elu(input, _SELU_ALPHA) * _SELU_SCALE, inplace)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, inplace: bool = False) -> Tensor:
    """Leaky ReLU with slope (lower + upper) / 2 in eval; in training each negative element
    gets its own slope drawn uniformly from [lower, upper] (the global generator)."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    _float_input(input, "rrelu_with_noise")
    from autograd_core.random_creation import rand_like

    slope = rand_like(input) * (upper - lower) + lower
    out = where(input >= 0, input, input * slope)
    return _maybe_inplace(input, out, inplace)
