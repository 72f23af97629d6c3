"""More elementwise math: erf family, gamma family, hyperbolic and inverse trigonometry, exp/log
in other bases, logit, sinc, frac, sgn. Each op is a forward kernel plus its derivative written
with Tensor ops (`_fn_factory`), so it is differentiable to any order.

Float-only math on integer tensors computes in the default dtype, as PyTorch's does.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_core import dtypes
from autograd_core.backend import get_array_module
from autograd_core.ops import _special_kernels as K
from autograd_core.ops._fn_factory import unary_op
from autograd_core.ops._util import scalar_type_name
from autograd_core.ops.conversion import cast
from autograd_core.ops.logic import where
from autograd_core.ops.unary import cos, exp, sin, sqrt
from autograd_core.tensor import Tensor

__all__ = [
    "acos", "acosh", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "asin",
    "asinh", "atan", "atanh", "cosh", "deg2rad", "digamma", "erf", "erfc", "erfinv", "exp2",
    "expm1", "frac", "i0", "lgamma", "log2", "log10", "logit", "mvlgamma", "polygamma", "rad2deg",
    "sgn", "sinc", "sinh", "tan",
]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_LN2, _LN10 = math.log(2.0), math.log(10.0)


def _float(x: Tensor) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"expected Tensor as input, but got {type(x).__name__}")
    return x if x._data.dtype.kind in "fc" else cast(x, dtypes.default.value)


Erf = unary_op("Erf", lambda xp, x: K.erf(x),
               lambda x: exp(-x * x) * _TWO_OVER_SQRT_PI, "y = erf(x)")
Erfc = unary_op("Erfc", lambda xp, x: _erfc(x),
                lambda x: exp(-x * x) * -_TWO_OVER_SQRT_PI, "y = erfc(x)")
Erfinv = unary_op("Erfinv", lambda xp, x: K.erfinv(x),
                  lambda x: exp(erfinv(x) ** 2) * (math.sqrt(math.pi) / 2), "y = erfinv(x)")
Lgamma = unary_op("Lgamma", lambda xp, x: K.lgamma(x), lambda x: digamma(x),
                  "y = ln|Gamma(x)|")
Digamma = unary_op("Digamma", lambda xp, x: K.digamma(x),
                   lambda x: polygamma(1, x), "y = psi(x)")
Expm1 = unary_op("Expm1", lambda xp, x: xp.expm1(x), lambda x: exp(x), "y = e^x - 1")
Exp2 = unary_op("Exp2", lambda xp, x: xp.exp2(x), lambda x: exp2(x) * _LN2,
                "y = 2^x")
Log2 = unary_op("Log2", lambda xp, x: xp.log2(x), lambda x: 1 / (x * _LN2),
                "y = log2 x")
Log10 = unary_op("Log10", lambda xp, x: xp.log10(x), lambda x: 1 / (x * _LN10),
                 "y = log10 x")
Sinh = unary_op("Sinh", lambda xp, x: xp.sinh(x), lambda x: cosh(x), "y = sinh x")
Cosh = unary_op("Cosh", lambda xp, x: xp.cosh(x), lambda x: sinh(x), "y = cosh x")
Tan = unary_op("Tan", lambda xp, x: xp.tan(x), lambda x: 1 + tan(x) ** 2, "y = tan x")
Asin = unary_op("Asin", lambda xp, x: xp.arcsin(x), lambda x: 1 / sqrt(1 - x * x),
                "y = asin x")
Acos = unary_op("Acos", lambda xp, x: xp.arccos(x), lambda x: -1 / sqrt(1 - x * x),
                "y = acos x")
Atan = unary_op("Atan", lambda xp, x: xp.arctan(x), lambda x: 1 / (1 + x * x),
                "y = atan x")
Asinh = unary_op("Asinh", lambda xp, x: xp.arcsinh(x), lambda x: 1 / sqrt(x * x + 1),
                 "y = asinh x")
Acosh = unary_op("Acosh", lambda xp, x: xp.arccosh(x), lambda x: 1 / sqrt(x * x - 1),
                 "y = acosh x")
Atanh = unary_op("Atanh", lambda xp, x: xp.arctanh(x), lambda x: 1 / (1 - x * x),
                 "y = atanh x")
Frac = unary_op("Frac", lambda xp, x: x - xp.trunc(x), lambda x: x * 0 + 1,
                "y = x - trunc(x)")
Sgn = unary_op("Sgn", lambda xp, x: xp.sign(x), None, "y = sign(x)")


def _erfc(x: Any) -> Any:
    from autograd_core.ops.activation import erfc as erfc_kernel

    return erfc_kernel(x)


def _polygamma_class(n: int) -> type:
    if n not in _POLYGAMMA:
        _POLYGAMMA[n] = unary_op("Polygamma", lambda xp, x: K.polygamma(n, x),
                                 lambda x: polygamma(n + 1, x), f"y = psi^({n})(x)")
    return _POLYGAMMA[n]


_POLYGAMMA: dict[int, type] = {}


def _sinc_kernel(xp: Any, x: Any) -> Any:
    return xp.sinc(x)  # numpy's sinc is the normalized one, as PyTorch's


def _sinc_deriv(x: Tensor) -> Tensor:
    px = x * math.pi
    zero = x == 0
    safe = where(zero, 1.0, px)
    d = (cos(safe) * safe - sin(safe)) / (safe * safe) * math.pi
    return where(zero, 0.0, d)


Sinc = unary_op("Sinc", _sinc_kernel, _sinc_deriv, "y = sin(pi x) / (pi x)")


def erf(input: Tensor) -> Tensor:
    return Erf.apply(_float(input))


def erfc(input: Tensor) -> Tensor:
    return Erfc.apply(_float(input))


def erfinv(input: Tensor) -> Tensor:
    return Erfinv.apply(_float(input))


def lgamma(input: Tensor) -> Tensor:
    return Lgamma.apply(_float(input))


def digamma(input: Tensor) -> Tensor:
    return Digamma.apply(_float(input))


def polygamma(n: int, input: Tensor) -> Tensor:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not "
                        f"{type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    if n == 0:
        return digamma(input)
    return _polygamma_class(int(n)).apply(_float(input))


def mvlgamma(input: Tensor, p: int) -> Tensor:
    """The multivariate log-gamma of dimension p (PyTorch's argument check: all x > (p-1)/2)."""
    from autograd_core.ops.reduction import sum as _sum
    from autograd_core.ops.shape import unsqueeze

    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = _float(input)
    if bool((x._data <= (p - 1) / 2).any()):
        raise RuntimeError(f"All elements must be greater than (p-1)/2 = {(p - 1) / 2}")
    xp = get_array_module(x._data)
    offsets = Tensor._make(xp.asarray(-np.arange(p) / 2, dtype=x._data.dtype))
    terms = lgamma(unsqueeze(x, -1) + offsets)
    return _sum(terms, -1) + p * (p - 1) / 4 * math.log(math.pi)


def expm1(input: Tensor) -> Tensor:
    return Expm1.apply(_float(input))


def exp2(input: Tensor) -> Tensor:
    return Exp2.apply(_float(input))


def log2(input: Tensor) -> Tensor:
    return Log2.apply(_float(input))


def log10(input: Tensor) -> Tensor:
    return Log10.apply(_float(input))


def sinh(input: Tensor) -> Tensor:
    return Sinh.apply(_float(input))


def cosh(input: Tensor) -> Tensor:
    return Cosh.apply(_float(input))


def tan(input: Tensor) -> Tensor:
    return Tan.apply(_float(input))


def asin(input: Tensor) -> Tensor:
    return Asin.apply(_float(input))


def acos(input: Tensor) -> Tensor:
    return Acos.apply(_float(input))


def atan(input: Tensor) -> Tensor:
    return Atan.apply(_float(input))


def asinh(input: Tensor) -> Tensor:
    return Asinh.apply(_float(input))


def acosh(input: Tensor) -> Tensor:
    return Acosh.apply(_float(input))


def atanh(input: Tensor) -> Tensor:
    return Atanh.apply(_float(input))


arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


def frac(input: Tensor) -> Tensor:
    if input._data.dtype.kind not in "fc":
        raise NotImplementedError(f"\"frac_cpu\" not implemented for "
                           f"'{scalar_type_name(input._data.dtype)}'")
    return Frac.apply(input)


def sgn(input: Tensor) -> Tensor:
    if input._data.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for sgn")
    return Sgn.apply(input)


def i0(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind, order 0 (ops/_bessel.py)."""
    from autograd_core.ops._bessel import I0

    return I0.apply(_float(input))


def sinc(input: Tensor) -> Tensor:
    return Sinc.apply(_float(input))


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """log(x / (1 - x)), x first clamped into [eps, 1 - eps] when eps is given."""
    from autograd_core.ops.piecewise import clamp
    from autograd_core.ops.unary import log

    x = _float(input)
    if eps is not None:
        x = clamp(x, eps, 1 - eps)
    return log(x / (1 - x))


def deg2rad(input: Tensor) -> Tensor:
    return _float(input) * (math.pi / 180.0)


def rad2deg(input: Tensor) -> Tensor:
    return _float(input) * (180.0 / math.pi)
