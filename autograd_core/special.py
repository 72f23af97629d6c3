"""torch.special: special functions (differentiable to any order where PyTorch's are).

Error functions, gamma family, the normal CDF and its log, logit/expit, xlogy/xlog1py, entr,
sinc, the modified Bessel functions i0, i0e, i1, i1e, and the softmax family under their
special names. Not here: the other Bessel functions, zeta, Airy and the orthogonal polynomials.
"""

from __future__ import annotations

import math
from typing import Any

from autograd_core.ops._fn_factory import unary_op
from autograd_core.ops.binary_math import xlogy
from autograd_core.ops.logic import where
from autograd_core.ops.softmax import log_softmax as _log_softmax
from autograd_core.ops.softmax import softmax as _softmax
from autograd_core.ops.special_math import (
    digamma,
    erf,
    erfc,
    erfinv,
    exp2,
    expm1,
    i0,
    lgamma,
    logit,
    mvlgamma,
    polygamma,
    sinc,
)
from autograd_core.ops.statistics import logsumexp
from autograd_core.ops.unary import exp, log, log1p, sigmoid
from autograd_core.tensor import Tensor

__all__ = [
    "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammaln",
    "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp",
    "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc", "softmax", "xlog1py",
    "xlogy",
]

expit = sigmoid
gammaln = lgamma
psi = digamma
multigammaln = mvlgamma


def ndtr(input: Tensor) -> Tensor:
    """The standard normal CDF."""
    from autograd_core.ops._graph_grads import NormalCdf
    from autograd_core.ops.special_math import _float

    return NormalCdf.apply(_float(input))


def ndtri(input: Tensor) -> Tensor:
    """The inverse of the standard normal CDF."""
    return erfinv(input * 2 - 1) * math.sqrt(2.0)


def log_ndtr(input: Tensor) -> Tensor:
    """log(ndtr(x)), accurate far into the left tail (an asymptotic series below -20)."""
    x = input
    tail = x < -20
    hi = where(tail, -20.0, x)  # each branch sees only arguments it is accurate for
    lo = where(tail, x, -21.0)
    direct = log(ndtr(hi))
    z2 = lo * lo
    series = 1 - 1 / z2 + 3 / (z2 * z2) - 15 / (z2 * z2 * z2) + 105 / (z2 * z2 * z2 * z2)
    asym = -z2 / 2 - log(-lo) - 0.5 * math.log(2 * math.pi) + log(series)
    return where(tail, asym, direct)


def erfcx(input: Tensor) -> Tensor:
    """exp(x^2) erfc(x) (for moderate x: the product of the two)."""
    return exp(input * input) * erfc(input)


def xlog1py(input: Any, other: Any) -> Tensor:
    """x * log1p(y), 0 where x == 0."""
    x = input if isinstance(input, Tensor) else other * 0 + input
    return where(x == 0, 0.0, x * log1p(other))


def _entr_kernel(xp: Any, x: Any) -> Any:
    pos = x > 0
    safe = xp.where(pos, x, 1)
    return xp.where(pos, -safe * xp.log(safe), xp.where(x == 0, 0, -xp.inf)).astype(x.dtype)


# PyTorch's derivative -(1 + log x) everywhere (NaN below 0, +inf at 0).
Entr = unary_op("SpecialEntr", _entr_kernel, lambda x: -(1 + log(x)), "y = -x log x")


def entr(input: Tensor) -> Tensor:
    """-x log x (0 at 0, -inf below 0)."""
    from autograd_core.ops.special_math import _float

    return Entr.apply(_float(input))


def i0e(input: Tensor) -> Tensor:
    """exp(-|x|) i0(x), finite where i0 overflows."""
    from autograd_core.ops._bessel import SpecialI0E
    from autograd_core.ops.special_math import _float

    return SpecialI0E.apply(_float(input))


def i1(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind, order 1."""
    from autograd_core.ops._bessel import SpecialI1
    from autograd_core.ops.special_math import _float

    return SpecialI1.apply(_float(input))


def i1e(input: Tensor) -> Tensor:
    """exp(-|x|) i1(x)."""
    from autograd_core.ops._bessel import SpecialI1E
    from autograd_core.ops.special_math import _float

    return SpecialI1E.apply(_float(input))


def softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return _softmax(input, dim, dtype)


def log_softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return _log_softmax(input, dim, dtype)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    from autograd_core.ops.piecewise import round as _round

    return _round(input, decimals=decimals)

