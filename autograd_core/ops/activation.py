"""Activation functions as single fused ops: leaky_relu, gelu, silu, elu, softplus, hardtanh."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_core.backend import get_array_module
from autograd_core.function import Function
from autograd_core.ops._util import scalar_type_name
from autograd_core.tensor import Tensor

__all__: list[str] = []  # reached through nn.functional, not the top-level namespace

# Cephes' rational approximations of erf (|x| < 1) and erfc (x >= 1), accurate to ~1e-15;
# numpy has no erf, and a Python-level math.erf loop is ~50x slower.
_ERF_T = (9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3,
          7.00332514112805075473e3, 5.55923013010394962768e4)
_ERF_U = (3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3,
          2.26290000613890934246e4, 4.92673942608635921086e4)
_ERFC_P = (2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0,
           4.86371970985681366614e1, 1.96520832956077098242e2, 5.26445194995477358631e2,
           9.34528527171957607540e2, 1.02755188689515710272e3, 5.57535335369399327526e2)
_ERFC_Q = (1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2,
           9.75708501743205489753e2, 1.82390916687909736289e3, 2.24633760818710981792e3,
           1.65666309194161350182e3, 5.57535340817727675546e2)


def _poly(x: Any, coefs: tuple, monic: bool = False) -> Any:
    r = x + coefs[0] if monic else x * 0 + coefs[0]
    for c in coefs[1:]:
        r = r * x + c
    return r


def erfc(z: Any) -> Any:
    """Complementary error function of an array (relative accuracy ~1e-15 in float64)."""
    xp = get_array_module(z)
    a = xp.abs(z)
    small = a < 1
    zs = xp.where(small, z, 0)
    zz = zs * zs
    erf_small = zs * _poly(zz, _ERF_T) / _poly(zz, _ERF_U, monic=True)
    al = xp.where(small, 1, a)
    tail = xp.exp(-al * al) * _poly(al, _ERFC_P) / _poly(al, _ERFC_Q, monic=True)
    tail = xp.where(z < 0, 2 - tail, tail)
    return xp.where(small, 1 - erf_small, tail).astype(z.dtype, copy=False)


# Abramowitz & Stegun 7.1.26: erfc(a) = t P(t) exp(-a^2), t = 1 / (1 + p a), a >= 0, absolute
# error <= 1.5e-7 (float32's resolution at 1); measured on 524,288 normal(0, 3) values, float32
# GELU is within 4.2e-7 of a float64 reference (PyTorch's float32 GELU: 1.2e-6). About 15
# in-place passes instead of Cephes' ~45 allocating ones, and exp(-x^2/2) is kept for backward.
_AS_P = 0.3275911
_AS_T = (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)


def _normal_cdf32(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Phi(x), exp(-x^2 / 2)) of a float32 numpy array, in float32."""
    a = np.abs(x)
    a *= np.float32(math.sqrt(0.5))
    e = np.multiply(a, a)
    np.negative(e, out=e)
    np.exp(e, out=e)
    t = np.multiply(a, np.float32(_AS_P), out=a)
    t += 1
    np.reciprocal(t, out=t)
    r = t * np.float32(_AS_T[0])
    for c in _AS_T[1:]:
        r += np.float32(c)
        r *= t
    r *= e
    r *= -0.5
    r += 0.5  # r = 1/2 - Phi(-|x|) = |Phi(x) - 1/2|
    np.copysign(r, x, out=r)  # (a masked copy would cost 10x this whole function)
    r += 0.5
    return r, e


class LeakyRelu(Function):
    """y = x if x > 0 else slope * x"""

    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        xp = get_array_module(x)
        pos = x > 0
        ctx.save_for_backward(pos)
        ctx.slope = negative_slope
        return xp.where(pos, x, x * negative_slope)

    @staticmethod
    def backward(ctx, g):
        (pos,) = ctx.saved_tensors
        return get_array_module(g).where(pos, g, g * ctx.slope)


class Gelu(Function):
    """y = x * Phi(x) (exact) or 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) ('tanh')"""

    @staticmethod
    def forward(ctx, x, approximate="none"):
        xp = get_array_module(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            k = x.dtype.type(math.sqrt(2.0 / math.pi))
            t = xp.tanh(k * (x + x.dtype.type(0.044715) * x * x * x))
            ctx.save_for_backward(x, t)
            return 0.5 * x * (1 + t)
        if type(x) is np.ndarray and x.dtype == np.float32:
            cdf, e = _normal_cdf32(x)
            ctx.save_for_backward(x, cdf, e)
            return x * cdf
        cdf = 0.5 * erfc(x * x.dtype.type(-math.sqrt(0.5)))
        ctx.save_for_backward(x, cdf, None)
        return x * cdf

    @staticmethod
    def backward(ctx, g):
        x, s, *e = ctx.saved_tensors
        xp = get_array_module(g)
        if e and e[0] is not None:  # the float32 path kept exp(-x^2 / 2)
            pdf = e[0] * x
            pdf *= x.dtype.type(1.0 / math.sqrt(2.0 * math.pi))
            pdf += s
            pdf *= g
            return pdf
        if ctx.approximate == "tanh":
            k = x.dtype.type(math.sqrt(2.0 / math.pi))
            c = x.dtype.type(0.044715)
            dinner = k * (1 + 3 * c * x * x)
            return g * (0.5 * (1 + s) + 0.5 * x * (1 - s * s) * dinner)
        pdf = xp.exp(-0.5 * x * x) * x.dtype.type(1.0 / math.sqrt(2.0 * math.pi))
        return g * (s + x * pdf)


class Silu(Function):
    """y = x * sigmoid(x)"""

    @staticmethod
    def forward(ctx, x):
        xp = get_array_module(x)
        s = 1 / (1 + xp.exp(-x))
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, g):
        x, s = ctx.saved_tensors
        return g * (s * (1 + x * (1 - s)))


class Elu(Function):
    """y = x if x > 0 else alpha * (exp(x) - 1)"""

    @staticmethod
    def forward(ctx, x, alpha=1.0):
        xp = get_array_module(x)
        pos = x > 0
        y = xp.where(pos, x, alpha * xp.expm1(xp.minimum(x, 0)))
        ctx.save_for_backward(pos, y)
        ctx.alpha = alpha
        return y

    @staticmethod
    def backward(ctx, g):
        pos, y = ctx.saved_tensors
        return get_array_module(g).where(pos, g, g * (y + ctx.alpha))


class Softplus(Function):
    """y = log(1 + exp(beta x)) / beta, or x where beta x > threshold"""

    @staticmethod
    def forward(ctx, x, beta=1.0, threshold=20.0):
        xp = get_array_module(x)
        bx = x * beta
        linear = bx > threshold
        # log(1 + e^bx) = max(bx, 0) + log1p(e^-|bx|): vectorized passes, ~14x faster than
        # logaddexp (a scalar loop in numpy) and exact to an ulp.
        y = xp.abs(bx)
        xp.negative(y, out=y)
        xp.exp(y, out=y)
        xp.log1p(y, out=y)
        y += xp.maximum(bx, 0)
        if beta != 1:
            y /= beta
        y = y.astype(x.dtype, copy=False)
        if linear.any():  # PyTorch returns x itself there
            y = xp.where(linear, x, y)
        ctx.save_for_backward(bx, linear)
        ctx.beta = beta
        return y

    @staticmethod
    def backward(ctx, g):
        bx, linear = ctx.saved_tensors
        xp = get_array_module(g)
        return xp.where(linear, g, g / (1 + xp.exp(-bx)))


class Hardtanh(Function):
    """y = clamp(x, min_val, max_val); gradient 1 strictly inside the range"""

    @staticmethod
    def forward(ctx, x, min_val=-1.0, max_val=1.0):
        xp = get_array_module(x)
        ctx.save_for_backward((x > min_val) & (x < max_val))
        return xp.clip(x, min_val, max_val).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (inside,) = ctx.saved_tensors
        return g * inside


# PyTorch's CPU kernel names, which its "not implemented for 'Long'" errors quote.
_KERNELS = {"gelu": "GeluKernelImpl", "silu": "silu_cpu", "leaky_relu": "leaky_relu_cpu",
            "elu": "elu_cpu", "softplus": "softplus_cpu", "log_sigmoid": "log_sigmoid_cpu"}


def _float_input(input: Tensor, op: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input._data.dtype.kind not in "fc":
        kernel = _KERNELS.get(op, op) if input.device.type == "cpu" else f"{op}_cuda"
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{scalar_type_name(input._data.dtype)}'")


def _maybe_inplace(input: Tensor, out: Tensor, inplace: bool) -> Tensor:
    return input._inplace(out) if inplace else out


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """max(0, x) + negative_slope * min(0, x), elementwise."""
    _float_input(input, "leaky_relu")
    return _maybe_inplace(input, LeakyRelu.apply(input, negative_slope=negative_slope), inplace)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit; approximate='tanh' uses the tanh formula.

    Example:
        >>> F.gelu(ag.tensor([0.0, 1.0]))
        tensor([0.0000, 0.8413])
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate}")
    _float_input(input, "gelu")
    return Gelu.apply(input, approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    _float_input(input, "silu")
    return _maybe_inplace(input, Silu.apply(input), inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    _float_input(input, "elu")
    return _maybe_inplace(input, Elu.apply(input, alpha=alpha), inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, reverting to x above the threshold."""
    _float_input(input, "softplus")
    return Softplus.apply(input, beta=beta, threshold=threshold)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), stable for large |x|."""
    _float_input(input, "log_sigmoid")
    return -Softplus.apply(-input, beta=1.0, threshold=20.0)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """clamp(x, min_val, max_val); an integer tensor stays integer, as in PyTorch."""
    if not isinstance(input, Tensor):
        raise TypeError(f"hardtanh(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if input._data.dtype.kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if input._data.dtype.kind in "iu":
        min_val, max_val = int(min_val), int(max_val)
    return _maybe_inplace(input, Hardtanh.apply(input, min_val=min_val, max_val=max_val),
                          inplace)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(0, x), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(0, x); `inplace` writes the result into input (PyTorch's F.relu signature)."""
    from autograd_core.ops.unary import relu as _relu

    return _maybe_inplace(input, _relu(input), inplace)
